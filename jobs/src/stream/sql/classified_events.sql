-- The events of a micro-batch (`events`), each with its parse (`r`) and the reason it cannot be
-- a review (`error`, NULL when it is one): no readable body, not a JSON object, or an object with
-- neither a product nor a reviewer.
WITH checked AS (
  SELECT *, coalesce(body_error, json_record_error(body)) AS syntax_error FROM events),
parsed AS (
  SELECT *, CASE WHEN syntax_error IS NULL THEN parse_review_json(body) END AS r FROM checked)
SELECT topic, "partition", "offset", enqueued_time, body, r,
       coalesce(syntax_error,
                CASE WHEN r['asin'] IS NULL AND r['reviewerID'] IS NULL
                     THEN 'not a review: the record has neither asin nor reviewerID' END) AS error
FROM parsed
