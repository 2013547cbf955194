CREATE OR REPLACE TABLE gold.q01_rating_distribution AS
SELECT overall, count(*) AS reviews FROM gold.reviews GROUP BY overall
