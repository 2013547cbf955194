-- The latest registered model's confusion matrix on its test split (threshold 0.5).
SELECT c.actual, c.predicted, CAST(x.value AS BIGINT) AS reviews
FROM (VALUES ('positive', 'positive', 'true_positives'), ('positive', 'negative', 'false_negatives'),
             ('negative', 'positive', 'false_positives'), ('negative', 'negative', 'true_negatives'))
     AS c(actual, predicted, metric)
JOIN ml.model_metrics x ON x.metric = c.metric AND x.class IS NULL
WHERE x.model_id = (SELECT model_id FROM ml.models ORDER BY created_at DESC, model_id DESC LIMIT 1)
ORDER BY c.actual DESC, c.predicted DESC
