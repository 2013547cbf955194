SELECT year, sum(reviews) AS reviews FROM cube WHERE year IS NOT NULL GROUP BY year ORDER BY year
