SELECT category, CAST(sum(overall * reviews) AS DOUBLE) / sum(reviews) AS average_rating, sum(reviews) AS reviews
FROM cube GROUP BY category ORDER BY average_rating, category LIMIT 10
