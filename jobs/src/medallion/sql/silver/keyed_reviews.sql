-- Typed review records (bronze columns are raw text) with their content key, over the new
-- bronze rows (`bronze_new`).
WITH typed AS (
  SELECT asin, reviewer_id, reviewer_name,
         CAST(parse_rating(overall) AS DECIMAL(10, 1)) AS overall,
         parse_bool(verified) AS verified,
         coalesce(parse_vote(vote), 0) AS vote,
         parse_review_date(coalesce(unix_review_time, review_time)) AS review_date,
         parse_style(style) AS style, review_text, summary, _source_file, _line_number, _ingested_at
  FROM bronze_new)
SELECT *, md5(concat_ws(chr(31), coalesce(reviewer_id, ''), coalesce(asin, ''), coalesce(CAST(review_date AS VARCHAR), ''),
                        coalesce(CAST(overall AS VARCHAR), ''), coalesce(summary, ''), coalesce(review_text, ''))) AS review_key
FROM typed
