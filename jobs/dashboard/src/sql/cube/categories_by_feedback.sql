SELECT category, sum(reviews_with_text) AS reviews_with_text, sum(votes) AS votes FROM cube GROUP BY category
ORDER BY reviews_with_text DESC, category LIMIT 10
