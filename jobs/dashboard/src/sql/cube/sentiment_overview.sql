-- The grand total is the largest sum, so it is the denominator of every share.
SELECT CASE WHEN grouping(sentiment) = 1 THEN 'Total' ELSE sentiment END AS sentiment,
       sum(reviews) AS reviews, round(100.0 * sum(reviews) / max(sum(reviews)) OVER (), 2) AS percent
FROM cube GROUP BY ROLLUP (sentiment) ORDER BY reviews DESC, sentiment
