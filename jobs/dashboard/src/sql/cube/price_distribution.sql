-- Buckets in price order ('unknown' first): by the number their name starts with.
SELECT price_bucket, sum(reviews) AS reviews FROM cube GROUP BY price_bucket
ORDER BY CASE WHEN price_bucket = 'unknown' THEN -1 ELSE CAST(split_part(replace(price_bucket, '+', ''), '-', 1) AS INT) END
