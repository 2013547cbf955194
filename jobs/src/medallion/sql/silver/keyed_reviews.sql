-- Typed reviews (`typed_reviews`, from a batch or a stream) with their content key: reviewer,
-- product, rating, summary and text. The review date is not part of it: an event carries no review
-- time of its own, and the same review must meet itself whether it came from a file or an event.
SELECT *, md5(concat_ws(chr(31), coalesce(reviewer_id, ''), coalesce(asin, ''), coalesce(CAST(overall AS VARCHAR), ''),
                        coalesce(summary, ''), coalesce(review_text, ''))) AS review_key
FROM typed_reviews
