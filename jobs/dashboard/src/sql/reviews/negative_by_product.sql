SELECT title, count(*) AS reviews FROM reviews WHERE overall < 3 GROUP BY title ORDER BY reviews DESC, title LIMIT 10
