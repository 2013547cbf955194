CREATE OR REPLACE TABLE gold.q20_key_themes AS
SELECT word, count(*) AS frequency FROM (SELECT unnest(tokenize(clean_text)) AS word FROM gold.reviews)
WHERE character_length(word) > 1 GROUP BY word ORDER BY frequency DESC, word LIMIT 3000
