SELECT month, CAST(sum(overall * reviews) AS DOUBLE) / sum(reviews) AS average_rating
FROM cube WHERE month IS NOT NULL GROUP BY month ORDER BY month
