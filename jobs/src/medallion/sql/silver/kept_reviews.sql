-- The keyed reviews without the rows listed in `silver.review_duplicates`. That table is
-- written first, so the planner knows it is small and sends it to every task (a broadcast
-- join): the wide rows, review text included, are never shuffled or sorted.
SELECT * FROM keyed_reviews AS candidate
WHERE NOT EXISTS (SELECT 1 FROM silver.review_duplicates AS duplicate
                  WHERE duplicate.file = candidate._source_file AND duplicate.line = candidate._line_number)
