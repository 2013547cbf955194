CREATE OR REPLACE TABLE gold.q13_price_distribution AS
SELECT price_bucket, sum(reviews) AS reviews FROM gold.review_cube GROUP BY price_bucket
