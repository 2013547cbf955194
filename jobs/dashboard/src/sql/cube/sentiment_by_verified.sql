SELECT CASE WHEN verified IS NULL THEN 'unknown' WHEN verified THEN 'verified' ELSE 'not verified' END AS purchase,
       sentiment, sum(reviews) AS reviews
FROM cube GROUP BY 1, 2 ORDER BY 1, 2
