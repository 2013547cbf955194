SELECT count(*) AS reviews, count(DISTINCT asin) AS products, count(DISTINCT reviewer_id) AS reviewers,
       round(100.0 * count(CASE WHEN rating_sentiment = 'Positive' THEN 1 END) / nullif(count(*), 0), 2) AS positive_percent
FROM reviews
