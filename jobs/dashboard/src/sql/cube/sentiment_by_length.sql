-- Buckets in length order: by the number their name starts with.
SELECT length_bucket, sentiment, sum(reviews) AS reviews FROM cube GROUP BY length_bucket, sentiment
ORDER BY CAST(split_part(replace(length_bucket, '+', ''), '-', 1) AS INT), sentiment
