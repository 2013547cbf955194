-- The bronze rows (file, line) a silver run drops as duplicates of an earlier row with the
-- same content key: found on narrow rows (key, file, line), so only those are shuffled.
SELECT _source_file AS file, _line_number AS line, review_key
FROM (SELECT _source_file, _line_number, review_key,
             row_number() OVER (PARTITION BY review_key ORDER BY _source_file, _line_number) AS dup_rank
      FROM keyed_reviews)
WHERE dup_rank > 1
