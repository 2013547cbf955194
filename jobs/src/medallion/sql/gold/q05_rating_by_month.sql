CREATE OR REPLACE TABLE gold.q05_rating_by_month AS
SELECT month, avg(overall) AS average_rating FROM gold.reviews GROUP BY month
