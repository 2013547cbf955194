SELECT brand, sum(reviews) AS reviews FROM cube WHERE overall > 3 GROUP BY brand ORDER BY reviews DESC, brand LIMIT 10
