SELECT title, reviews FROM gold.q16_negative_by_title ORDER BY reviews DESC, title
