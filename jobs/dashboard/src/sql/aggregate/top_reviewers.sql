SELECT reviewer_id, reviews FROM gold.q18_active_reviewers ORDER BY reviews DESC, reviewer_id
