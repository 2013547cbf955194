SELECT month, sum(reviews) AS reviews FROM cube WHERE month IS NOT NULL GROUP BY month ORDER BY month
