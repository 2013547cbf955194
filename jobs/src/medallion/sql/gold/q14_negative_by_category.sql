CREATE OR REPLACE TABLE gold.q14_negative_by_category AS
SELECT category, count(*) AS reviews FROM gold.reviews WHERE overall < 3 GROUP BY category ORDER BY reviews DESC, category LIMIT 10
