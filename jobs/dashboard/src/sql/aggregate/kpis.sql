SELECT k.reviews, k.products, k.reviewers, s.percent AS positive_percent
FROM gold.q19_kpis k LEFT JOIN gold.q08_sentiment_overview s ON s.sentiment = 'Positive'
