-- Typed review records (bronze columns are raw text) over the new rows of `bronze.reviews`
-- (`bronze_new`).
SELECT asin, reviewer_id, reviewer_name,
       CAST(parse_rating(overall) AS DECIMAL(10, 1)) AS overall,
       parse_bool(verified) AS verified,
       coalesce(parse_vote(vote), 0) AS vote,
       parse_review_date(coalesce(unix_review_time, review_time)) AS review_date,
       parse_style(style) AS style, review_text, summary, _source_file, _line_number, _ingested_at,
       'batch' AS source
FROM bronze_new
