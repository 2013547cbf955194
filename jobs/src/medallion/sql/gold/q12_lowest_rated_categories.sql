CREATE OR REPLACE TABLE gold.q12_lowest_rated_categories AS
SELECT category, avg(overall) AS average_rating, count(*) AS reviews FROM gold.reviews GROUP BY category
ORDER BY average_rating, category LIMIT 10
