SELECT year, sentiment, sum(reviews) AS reviews FROM cube WHERE year IS NOT NULL
GROUP BY year, sentiment ORDER BY year, sentiment
