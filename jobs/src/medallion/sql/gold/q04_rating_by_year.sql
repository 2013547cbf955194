CREATE OR REPLACE TABLE gold.q04_rating_by_year AS
SELECT year, avg(overall) AS average_rating FROM gold.reviews GROUP BY year
