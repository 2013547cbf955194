CREATE OR REPLACE TABLE gold.q03_review_length AS
SELECT CASE WHEN word_count < 10 THEN '0-9' WHEN word_count < 50 THEN '10-49' WHEN word_count < 100 THEN '50-99'
            WHEN word_count < 250 THEN '100-249' ELSE '250+' END AS length_bucket, count(*) AS reviews
FROM gold.reviews GROUP BY 1
