-- One aggregation with a rollup, no UNION: a union of two aggregations over gold.reviews
-- sometimes came back from the cluster with its second branch twice (two Total rows).
-- The grand total is the largest count, so it is the denominator of every share.
CREATE OR REPLACE TABLE gold.q08_sentiment_overview AS
SELECT CASE WHEN grouping(rating_sentiment) = 1 THEN 'Total' ELSE rating_sentiment END AS sentiment,
       count(*) AS reviews, round(100.0 * count(*) / max(count(*)) OVER (), 2) AS percent
FROM gold.reviews GROUP BY ROLLUP (rating_sentiment)
