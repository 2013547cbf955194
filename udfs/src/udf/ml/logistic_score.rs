//! `logistic_score(features, idf, coefficients)`: the probability of label 1 that a logistic
//! regression trained by `logistic_gradient` gives each row.

use std::fmt;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use datafusion::arrow::array::Float64Builder;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, exec_datafusion_err, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::logistic::{LogisticModel, sigmoid};
use crate::udf::docs;
use crate::udf::ml::model_args::{SparseRows, coerce_features, coerce_vector_text, text_vector};

const NAME: &str = "logistic_score";

/// A decoded model: the idf weights and the coefficients (the intercept last).
type DecodedModel = (Vec<f64>, Vec<f64>);

/// The `logistic_score` SQL function: sigmoid of [`LogisticModel::margin`] for every row.
///
/// The model arrives as two text constants with every batch. Decoding a model of 2^18 features
/// costs more than scoring a batch, so the function keeps the last model it decoded, keyed by a
/// hash of the two texts, and decodes again only when they change.
pub struct LogisticScore {
    signature: Signature,
    /// The last model decoded and the hash of the texts it was decoded from.
    model: Mutex<Option<(u64, Arc<DecodedModel>)>>,
}

impl LogisticScore {
    /// The function, for `ScalarUDF::new_from_impl`.
    pub fn new() -> Self {
        Self { signature: Signature::user_defined(Volatility::Immutable), model: Mutex::new(None) }
    }

    /// The model the two text arguments hold, from the cache when they are the texts of the
    /// last call.
    fn model(&self, idf: &ColumnarValue, coefficients: &ColumnarValue) -> Result<Arc<DecodedModel>> {
        let (ColumnarValue::Scalar(idf), ColumnarValue::Scalar(coefficients)) = (idf, coefficients) else {
            return exec_err!("{NAME}: idf and coefficients must be constant vectors (encode_vector), not columns");
        };
        let (Some(Some(idf_text)), Some(Some(coefficients_text))) = (idf.try_as_str(), coefficients.try_as_str())
        else {
            // A null or a non-text value: decoding names which and why.
            text_vector(NAME, "idf", idf)?;
            text_vector(NAME, "coefficients", coefficients)?;
            return exec_err!("{NAME}: idf and coefficients must be text");
        };
        let mut hasher = DefaultHasher::new();
        (idf_text, coefficients_text).hash(&mut hasher);
        let key = hasher.finish();
        let cached = self
            .model
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .filter(|(cached_key, _)| *cached_key == key)
            .map(|(_, model)| Arc::clone(model));
        if let Some(model) = cached {
            return Ok(model);
        }
        // Decoded outside the lock: another thread scoring meanwhile keeps its own model.
        let idf = text_vector(NAME, "idf", idf)?;
        let coefficients = text_vector(NAME, "coefficients", coefficients)?;
        LogisticModel::new(&idf, &coefficients).map_err(|e| exec_datafusion_err!("{NAME}: {e}"))?;
        let model = Arc::new((idf, coefficients));
        *self.model.lock().unwrap_or_else(PoisonError::into_inner) = Some((key, Arc::clone(&model)));
        Ok(model)
    }
}

impl Default for LogisticScore {
    fn default() -> Self {
        Self::new()
    }
}

/// Without the cached model, which may hold millions of numbers.
impl fmt::Debug for LogisticScore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogisticScore").field("signature", &self.signature).finish_non_exhaustive()
    }
}

/// Two instances are the same function whatever their caches hold.
impl PartialEq for LogisticScore {
    fn eq(&self, other: &Self) -> bool {
        self.signature == other.signature
    }
}

impl Eq for LogisticScore {}

impl Hash for LogisticScore {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.signature.hash(state);
    }
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        docs::ML,
        "The probability of label 1, sigmoid(intercept + Σ coefficient_j · x_j), where x is the row's term \
         frequencies times the idf, L2-normalised (as `logistic_gradient` trains); null features give null.",
        "logistic_score(features, idf, coefficients)",
    )
    .with_argument(
        "features",
        "Term frequencies from `hash_features`: `STRUCT<indices LIST<INT>, values LIST<DOUBLE>>`.",
    )
    .with_argument("idf", "A text constant: the idf weight of each feature, from `encode_vector`.")
    .with_argument(
        "coefficients",
        "A text constant: one coefficient per feature, then the intercept, from `encode_vector`.",
    )
    .with_sql_example(
        "SELECT logistic_score(hash_features(tokenize('love it'), 4), \
         'AAAAAAAA8D8AAAAAAADwPwAAAAAAAPA/AAAAAAAA8D8=', \
         'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==')",
    )
    .build()
});

impl ScalarUDFImpl for LogisticScore {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let [features, idf, coefficients] = arg_types else {
            return plan_err!("{NAME} expects 3 arguments (features, idf, coefficients), got {}", arg_types.len());
        };
        Ok(vec![
            coerce_features(NAME, features)?,
            coerce_vector_text(NAME, "idf", idf)?,
            coerce_vector_text(NAME, "coefficients", coefficients)?,
        ])
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [features, idf, coefficients] = args.args.as_slice() else {
            return exec_err!("{NAME} expects 3 arguments, got {}", args.args.len());
        };
        let decoded = self.model(idf, coefficients)?;
        let model = LogisticModel::new(&decoded.0, &decoded.1).map_err(|e| exec_datafusion_err!("{NAME}: {e}"))?;
        let features = features.to_array(args.number_rows)?;
        let rows = SparseRows::try_new(&features, NAME)?;
        let mut scores = Float64Builder::with_capacity(rows.len());
        for row in 0..rows.len() {
            match rows.row(row)? {
                Some((indices, values)) => {
                    let margin = model.margin(indices, values).map_err(|e| exec_datafusion_err!("{NAME}: {e}"))?;
                    scores.append_value(sigmoid(margin));
                }
                None => scores.append_null(),
            }
        }
        Ok(ColumnarValue::Array(Arc::new(scores.finish())))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{AsArray, RecordBatch};
    use datafusion::arrow::datatypes::Float64Type;
    use datafusion::common::ScalarValue;
    use datafusion::datasource::MemTable;
    use datafusion::logical_expr::ScalarUDF;
    use datafusion::prelude::SessionContext;

    use super::*;
    use crate::logistic::encode_vector;
    use crate::udf::ml::model_args::test_data::training_batch;

    fn context(batch: RecordBatch) -> SessionContext {
        let ctx = SessionContext::new();
        ctx.register_udf(ScalarUDF::new_from_impl(LogisticScore::new()));
        let table = MemTable::try_new(batch.schema(), vec![vec![batch]]).expect("a table");
        ctx.register_table("t", Arc::new(table)).expect("registered");
        ctx
    }

    fn batch() -> RecordBatch {
        training_batch(&[
            (Some(&[(0, 1.0), (2, 3.0)][..]), 1.0, 1.0),
            (None, 0.0, 1.0),
            (Some(&[][..]), 0.0, 1.0),
            (Some(&[(3, 1.0), (1, 4.0)][..]), 1.0, 1.0),
        ])
    }

    async fn scores(ctx: &SessionContext, idf: &[f64], coefficients: &[f64]) -> Result<Vec<Option<f64>>> {
        let sql =
            format!("SELECT {NAME}(features, '{}', '{}') FROM t", encode_vector(idf), encode_vector(coefficients));
        let batches = ctx.sql(&sql).await?.collect().await?;
        Ok(batches.iter().flat_map(|b| b.column(0).as_primitive::<Float64Type>().iter().collect::<Vec<_>>()).collect())
    }

    fn text(value: &str) -> ColumnarValue {
        ColumnarValue::Scalar(ScalarValue::Utf8(Some(value.to_string())))
    }

    #[tokio::test]
    async fn zero_coefficients_score_one_half_and_null_stays_null() {
        let ctx = context(batch());
        let scores = scores(&ctx, &[1.0; 4], &[0.0; 5]).await.unwrap();
        assert_eq!(scores, [Some(0.5), None, Some(0.5), Some(0.5)]);
    }

    #[tokio::test]
    async fn scores_are_the_sigmoid_of_the_kernels_margin() {
        let (idf, coefficients) = ([0.5, 1.3, 2.0, 0.9], [0.3, -1.2, 0.8, 2.1, -0.4]);
        let model = LogisticModel::new(&idf, &coefficients).unwrap();
        let scores = scores(&context(batch()), &idf, &coefficients).await.unwrap();
        let expected = [
            Some(sigmoid(model.margin(&[0, 2], &[1.0, 3.0]).unwrap())),
            None,
            Some(sigmoid(-0.4)),
            Some(sigmoid(model.margin(&[3, 1], &[1.0, 4.0]).unwrap())),
        ];
        assert_eq!(scores, expected);
    }

    #[tokio::test]
    async fn the_model_must_be_constant_and_fit_the_features() {
        let ctx = context(batch());
        let message = scores(&ctx, &[1.0; 2], &[0.0; 3]).await.unwrap_err().to_string();
        assert!(message.contains("feature index 2 is outside the model's 2 features"), "{message}");
        let column = format!("SELECT {NAME}(features, CAST(label AS VARCHAR), 'AAAA') FROM t");
        let message = ctx.sql(&column).await.unwrap().collect().await.unwrap_err().to_string();
        assert!(message.contains("must be constant vectors"), "{message}");
        let message = scores(&ctx, &[1.0; 4], &[0.0; 4]).await.unwrap_err().to_string();
        assert!(message.contains("4 idf weights and 4 coefficients"), "{message}");
    }

    #[test]
    fn a_model_is_decoded_once_until_it_changes() {
        let function = LogisticScore::new();
        let (idf, zeros, ones) = (encode_vector(&[1.0; 3]), encode_vector(&[0.0; 4]), encode_vector(&[1.0; 4]));
        let first = function.model(&text(&idf), &text(&zeros)).unwrap();
        let again = function.model(&text(&idf), &text(&zeros)).unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        let other = function.model(&text(&idf), &text(&ones)).unwrap();
        assert!(!Arc::ptr_eq(&first, &other));
        assert_eq!(other.1, [1.0; 4]);
        assert!(function.model(&text(&idf), &text("AAAA")).is_err());
        let null = ColumnarValue::Scalar(ScalarValue::Utf8(None));
        let message = function.model(&null, &text(&zeros)).unwrap_err().to_string();
        assert!(message.contains("logistic_score: idf is null"), "{message}");
        // The cache is no part of the function's identity.
        assert!(function == LogisticScore::new());
    }
}
