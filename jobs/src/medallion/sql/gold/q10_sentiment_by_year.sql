CREATE OR REPLACE TABLE gold.q10_sentiment_by_year AS
SELECT year, rating_sentiment AS sentiment, count(*) AS reviews FROM gold.reviews GROUP BY year, rating_sentiment
