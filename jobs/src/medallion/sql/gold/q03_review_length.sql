CREATE OR REPLACE TABLE gold.q03_review_length AS
SELECT length_bucket, sum(reviews) AS reviews FROM gold.review_cube GROUP BY length_bucket
