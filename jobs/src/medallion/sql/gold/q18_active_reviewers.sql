CREATE OR REPLACE TABLE gold.q18_active_reviewers AS
SELECT reviewer_id, count(*) AS reviews FROM gold.reviews GROUP BY reviewer_id ORDER BY reviews DESC, reviewer_id LIMIT 10
