SELECT word, count(*) AS frequency FROM (SELECT unnest(tokenize(clean_text)) AS word FROM reviews)
WHERE character_length(word) > 1 GROUP BY word ORDER BY frequency DESC, word LIMIT 30
