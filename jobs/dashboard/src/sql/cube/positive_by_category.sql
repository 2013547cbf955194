SELECT category, sum(reviews) AS reviews FROM cube WHERE overall > 3 GROUP BY category
ORDER BY reviews DESC, category LIMIT 10
