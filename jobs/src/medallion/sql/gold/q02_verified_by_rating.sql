CREATE OR REPLACE TABLE gold.q02_verified_by_rating AS
SELECT overall, verified, count(*) AS reviews FROM gold.reviews GROUP BY overall, verified
