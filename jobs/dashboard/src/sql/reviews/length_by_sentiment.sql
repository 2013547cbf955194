SELECT rating_sentiment AS sentiment, min(word_count) AS min_words,
       percentile_cont(0.25) WITHIN GROUP (ORDER BY word_count) AS q1_words, median(word_count) AS median_words,
       percentile_cont(0.75) WITHIN GROUP (ORDER BY word_count) AS q3_words, max(word_count) AS max_words,
       count(*) AS reviews
FROM reviews GROUP BY rating_sentiment ORDER BY sentiment
