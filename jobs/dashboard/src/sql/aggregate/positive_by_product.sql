SELECT title, reviews FROM gold.q17_positive_by_title ORDER BY reviews DESC, title
