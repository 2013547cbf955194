CREATE OR REPLACE TABLE gold.q17_positive_by_title AS
SELECT title, count(*) AS reviews FROM gold.reviews WHERE overall > 3 GROUP BY title ORDER BY reviews DESC, title LIMIT 10
