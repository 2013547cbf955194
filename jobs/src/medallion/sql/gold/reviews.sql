-- predicted_positive is the latest registered sentiment model's probability that the review
-- is positive, from the text `ml features` reads (summary and text); null while no model is
-- registered.
-- Brands are spelled in several cases across products (`Meredith Corporation`,
-- `Meredith corporation`): each is shown as its most common spelling, ties to the smallest.
CREATE OR REPLACE TABLE gold.reviews AS
WITH brand_spelling AS (
       SELECT lower(brand) AS brand_key, brand,
              row_number() OVER (PARTITION BY lower(brand) ORDER BY count(*) DESC, brand) AS pick
       FROM silver.metadata GROUP BY brand),
     products AS (
       SELECT m.asin, m.title, coalesce(s.brand, m.brand) AS brand, m.category, m.price
       FROM silver.metadata m LEFT JOIN brand_spelling s ON lower(m.brand) = s.brand_key AND s.pick = 1),
     category_price AS (SELECT category, round(avg(price), 2) AS price FROM products WHERE price IS NOT NULL GROUP BY category),
     global_price AS (SELECT round(avg(price), 2) AS price FROM products WHERE price IS NOT NULL)
SELECT r.asin, r.reviewer_id, r.overall, r.verified, r.vote, r.review_date,
       CAST(date_part('year', r.review_date) AS INT) AS year, CAST(date_part('month', r.review_date) AS INT) AS month,
       r.review_text, r.summary, r.clean_text, r.word_count, r.sentiment_polarity, r.sentiment_label, r.rating_sentiment,
       coalesce(p.category, 'Unknown') AS category, coalesce(p.brand, 'Unknown') AS brand, coalesce(p.title, 'Unknown') AS title,
       coalesce(p.price, c.price, g.price) AS average_price, r.source,
       predict_sentiment(concat_ws(' ', r.summary, r.review_text)) AS predicted_positive
FROM silver.reviews r
LEFT JOIN products p ON r.asin = p.asin
LEFT JOIN category_price c ON coalesce(p.category, 'Unknown') = c.category
CROSS JOIN global_price g
