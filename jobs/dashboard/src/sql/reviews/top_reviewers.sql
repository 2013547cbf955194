SELECT reviewer_id, count(*) AS reviews FROM reviews GROUP BY reviewer_id ORDER BY reviews DESC, reviewer_id LIMIT 10
