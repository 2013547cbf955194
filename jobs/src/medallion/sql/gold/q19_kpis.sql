CREATE OR REPLACE TABLE gold.q19_kpis AS
SELECT count(*) AS reviews, count(DISTINCT asin) AS products, count(DISTINCT reviewer_id) AS reviewers FROM gold.reviews
