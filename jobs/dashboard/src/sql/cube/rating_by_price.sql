SELECT price_bucket, CAST(sum(overall * reviews) AS DOUBLE) / sum(reviews) AS average_rating FROM cube GROUP BY price_bucket
ORDER BY CASE WHEN price_bucket = 'unknown' THEN -1 ELSE CAST(split_part(replace(price_bucket, '+', ''), '-', 1) AS INT) END
