-- The latest registered model's ROC curve on its test split.
SELECT r.false_positive_rate, r.true_positive_rate FROM ml.model_roc r
WHERE r.model_id = (SELECT model_id FROM ml.models ORDER BY created_at DESC, model_id DESC LIMIT 1)
ORDER BY r.point
