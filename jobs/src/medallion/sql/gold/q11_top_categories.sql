CREATE OR REPLACE TABLE gold.q11_top_categories AS
SELECT category, count(review_text) AS reviews_with_text FROM gold.reviews GROUP BY category
ORDER BY reviews_with_text DESC, category LIMIT 10
