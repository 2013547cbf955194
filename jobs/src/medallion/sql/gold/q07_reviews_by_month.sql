CREATE OR REPLACE TABLE gold.q07_reviews_by_month AS
SELECT month, count(*) AS reviews FROM gold.reviews GROUP BY month
