-- Typed review records over the new rows of `bronze.review_events` (`bronze_new`). An event has
-- no `unixReviewTime`: its review date is its own `reviewTime` when it has one, else the day the
-- broker enqueued it (UTC). Its place in the source, (topic, partition, offset), stands where a
-- file and line stand for batch rows, so replays are recognised the same way.
SELECT asin, reviewer_id, reviewer_name,
       CAST(parse_rating(overall) AS DECIMAL(10, 1)) AS overall,
       parse_bool(verified) AS verified,
       coalesce(parse_vote(vote), 0) AS vote,
       coalesce(parse_review_date(coalesce(unix_review_time, review_time)), CAST(enqueued_time AS DATE)) AS review_date,
       parse_style(style) AS style, review_text, summary,
       concat('kafka:', topic, ':', CAST("partition" AS VARCHAR)) AS _source_file,
       CAST("offset" AS BIGINT) AS _line_number, _ingested_at,
       'stream' AS source
FROM bronze_new
