CREATE OR REPLACE TABLE gold.q15_negative_by_brand AS
SELECT brand, count(*) AS reviews FROM gold.reviews WHERE overall < 3 GROUP BY brand ORDER BY reviews DESC, brand LIMIT 10
