SELECT overall, sum(reviews) AS reviews FROM cube GROUP BY overall ORDER BY overall
