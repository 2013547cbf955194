SELECT word, frequency FROM gold.q20_key_themes ORDER BY frequency DESC, word LIMIT 150
