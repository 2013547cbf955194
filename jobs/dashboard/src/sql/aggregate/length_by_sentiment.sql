SELECT sentiment, min_words, q1_words, median_words, q3_words, max_words, reviews
FROM gold.q09_length_by_sentiment ORDER BY sentiment
