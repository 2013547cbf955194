CREATE OR REPLACE TABLE gold.q13_price_distribution AS
SELECT CASE WHEN average_price IS NULL THEN 'unknown' WHEN average_price < 10 THEN '0-10' WHEN average_price < 25 THEN '10-25'
            WHEN average_price < 50 THEN '25-50' WHEN average_price < 100 THEN '50-100' ELSE '100+' END AS price_bucket,
       count(*) AS reviews
FROM gold.reviews GROUP BY 1
