-- The latest registered model's headline figures on its test split.
SELECT m.model_id, m.created_at, m.auc, m.accuracy,
       max(CASE WHEN x.metric = 'f1' AND x.class = 'positive' THEN x.value END) AS f1_positive,
       max(CASE WHEN x.metric = 'f1' AND x.class = 'negative' THEN x.value END) AS f1_negative,
       m.test_rows
FROM (SELECT * FROM ml.models ORDER BY created_at DESC, model_id DESC LIMIT 1) m
JOIN ml.model_metrics x ON x.model_id = m.model_id
GROUP BY m.model_id, m.created_at, m.auc, m.accuracy, m.test_rows
