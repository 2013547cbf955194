SELECT year, CAST(sum(overall * reviews) AS DOUBLE) / sum(reviews) AS average_rating
FROM cube WHERE year IS NOT NULL GROUP BY year ORDER BY year
