CREATE OR REPLACE TABLE gold.q09_length_by_sentiment AS
SELECT rating_sentiment AS sentiment, count(*) AS reviews, min(word_count) AS min_words,
       percentile_cont(0.25) WITHIN GROUP (ORDER BY word_count) AS q1_words, median(word_count) AS median_words,
       percentile_cont(0.75) WITHIN GROUP (ORDER BY word_count) AS q3_words, max(word_count) AS max_words,
       avg(word_count) AS mean_words
FROM gold.reviews GROUP BY rating_sentiment
