-- The silver reviews from the kept ones (`kept_reviews`): sentiment is scored once per kept
-- review.
WITH scored AS (
  SELECT *, sentiment_polarity(review_text) AS sentiment_polarity FROM kept_reviews)
SELECT review_key, asin, reviewer_id, reviewer_name, overall, verified, vote, review_date, style, review_text, summary,
       normalize_text(review_text) AS clean_text, word_count(review_text) AS word_count,
       sentiment_polarity, sentiment_label(sentiment_polarity) AS sentiment_label,
       rating_sentiment(overall) AS rating_sentiment, source, _source_file, _line_number, _ingested_at
FROM scored
