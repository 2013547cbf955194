CREATE OR REPLACE TABLE gold.q06_reviews_by_year AS
SELECT year, count(*) AS reviews FROM gold.reviews GROUP BY year
