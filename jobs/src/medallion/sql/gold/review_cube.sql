-- The dashboard's cube: review counts and sums at the grain every filtered question groups by
-- (month, category, brand, rating, verified purchase, rating sentiment, length and price buckets).
-- Counts and sums add up, so any of those questions under any filter of month, category and brand
-- is a GROUP BY over this table instead of a scan of gold.reviews.
CREATE OR REPLACE TABLE gold.review_cube AS
SELECT year, month, category, brand, overall, verified, rating_sentiment AS sentiment,
       CASE WHEN word_count < 10 THEN '0-9' WHEN word_count < 50 THEN '10-49' WHEN word_count < 100 THEN '50-99'
            WHEN word_count < 250 THEN '100-249' ELSE '250+' END AS length_bucket,
       CASE WHEN average_price IS NULL THEN 'unknown' WHEN average_price < 10 THEN '0-10' WHEN average_price < 25 THEN '10-25'
            WHEN average_price < 50 THEN '25-50' WHEN average_price < 100 THEN '50-100' ELSE '100+' END AS price_bucket,
       count(*) AS reviews, count(review_text) AS reviews_with_text, sum(vote) AS votes, sum(word_count) AS words,
       count(predicted_positive) AS predicted_reviews,
       count(CASE WHEN predicted_positive >= 0.5 THEN 1 END) AS predicted_positive_reviews
FROM gold.reviews GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
