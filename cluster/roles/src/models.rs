//! `predict_sentiment(text [, model_id])` and `predict_label(text [, model_id])`: a registered
//! sentiment model (`reviewlake ml train`) applied to any text, in any query, on every executor.
//!
//! The functions read a model from the lakehouse's registry (`ml.models`, `ml.model_weights`)
//! the first time a process needs it and keep it for the life of the process. Without a model
//! id they use the latest registered model, looked up again at most every
//! [`LATEST_REFRESH`] (a long-running executor picks up a newly trained model), and give null
//! while no model is registered (so `gold.reviews` works on a lakehouse without models). The text goes
//! through exactly what `ml features` does to a review (`feature_terms` with the model's
//! n-grams, `hash_features` with its buckets), then the model's IDF, normalisation and
//! coefficients.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::time::{Duration, Instant};

use datafusion::arrow::array::{Array, ArrayRef, Float64Builder, StringBuilder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Float64Type, Int32Type};
use datafusion::common::{Result, ScalarValue, exec_datafusion_err, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, DocSection, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::prelude::{col, lit};
use reviewlake_core::config::LakehouseSettings;
use reviewlake_lakehouse::{Lakehouse, TableName};
use reviewlake_udfs::logistic::{LogisticModel, sigmoid};
use reviewlake_udfs::text::{TermBuilder, hash_features_into};

use crate::session::local_context;

/// How long the latest model id is trusted before the registry is asked again.
pub(crate) const LATEST_REFRESH: Duration = Duration::from_secs(30);

/// The registry tables the functions read.
const MODELS_TABLE: &str = "ml.models";
const WEIGHTS_TABLE: &str = "ml.model_weights";

const SECTION: DocSection = DocSection {
    include: true,
    label: "Sentiment models",
    description: Some("Registered sentiment models (`reviewlake ml train`) applied to text."),
};

/// A registered model, as the prediction functions use it.
#[derive(Debug)]
struct RegisteredModel {
    ngrams: usize,
    num_features: i32,
    idf: Vec<f64>,
    coefficients: Vec<f64>,
}

/// The models this process has loaded, by id, and the id `latest` resolved to.
#[derive(Debug)]
struct ModelCache {
    settings: LakehouseSettings,
    models: Mutex<HashMap<String, Arc<RegisteredModel>>>,
    latest: Mutex<Option<(String, Instant)>>,
}

impl ModelCache {
    /// The model `model_id`, or the latest one (`None` while no model is registered).
    fn model(&self, model_id: Option<&str>) -> Result<Option<Arc<RegisteredModel>>> {
        let id = match model_id {
            Some(id) => id.to_string(),
            None => {
                let fresh = self
                    .latest
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .clone()
                    .filter(|(_, at)| at.elapsed() < LATEST_REFRESH);
                match fresh {
                    Some((id, _)) => id,
                    None => match self.blocking(|settings| async move { latest_model_id(&settings).await })? {
                        Some(id) => {
                            *self.latest.lock().unwrap_or_else(PoisonError::into_inner) =
                                Some((id.clone(), Instant::now()));
                            id
                        }
                        None => return Ok(None),
                    },
                }
            }
        };
        if let Some(model) = self.models.lock().unwrap_or_else(PoisonError::into_inner).get(&id) {
            return Ok(Some(Arc::clone(model)));
        }
        let wanted = id.clone();
        match self.blocking(|settings| async move { read_model(&settings, &wanted).await })? {
            Some(model) => {
                let model = Arc::new(model);
                self.models.lock().unwrap_or_else(PoisonError::into_inner).insert(id, Arc::clone(&model));
                Ok(Some(model))
            }
            None => exec_err!("no model {id:?} in {MODELS_TABLE} (`reviewlake ml list` shows the registered models)"),
        }
    }

    /// Runs a registry read. Scalar functions are synchronous and run on the executor's
    /// runtime, which must not block: the read runs on a thread and runtime of its own.
    fn blocking<T, F, Fut>(&self, read: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(LakehouseSettings) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T>>,
    {
        let settings = self.settings.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            runtime.block_on(read(settings))
        })
        .join()
        .map_err(|_| exec_datafusion_err!("the model reader thread panicked"))?
    }
}

/// The registry as a local (in-process) session, or `None` while no model is registered.
async fn registry(settings: &LakehouseSettings) -> Result<Option<datafusion::prelude::SessionContext>> {
    let lake = Lakehouse::from_settings(settings).map_err(|e| exec_datafusion_err!("{e}"))?;
    let models: TableName = MODELS_TABLE.parse().map_err(|e| exec_datafusion_err!("{e}"))?;
    if lake.latest_version(&models).await.map_err(|e| exec_datafusion_err!("{e}"))?.is_none() {
        return Ok(None);
    }
    Ok(Some(local_context(&lake, 1)?))
}

/// The id of the newest registered model.
async fn latest_model_id(settings: &LakehouseSettings) -> Result<Option<String>> {
    let Some(ctx) = registry(settings).await? else { return Ok(None) };
    let newest = ctx
        .table(MODELS_TABLE)
        .await?
        .sort(vec![col("created_at").sort(false, false), col("model_id").sort(false, false)])?
        .limit(0, Some(1))?
        .select_columns(&["model_id"])?
        .collect()
        .await?;
    let Some(row) = newest.iter().find(|b| b.num_rows() > 0) else { return Ok(None) };
    let id = cast(row.column(0), &DataType::Utf8)?;
    Ok(id.as_any().downcast_ref::<datafusion::arrow::array::StringArray>().map(|a| a.value(0).to_string()))
}

async fn read_model(settings: &LakehouseSettings, id: &str) -> Result<Option<RegisteredModel>> {
    let Some(ctx) = registry(settings).await? else { return Ok(None) };
    let row = ctx
        .table(MODELS_TABLE)
        .await?
        .filter(col("model_id").eq(lit(id)))?
        .select_columns(&["num_features", "ngrams"])?
        .collect()
        .await?;
    let Some(row) = row.iter().find(|b| b.num_rows() > 0) else { return Ok(None) };
    let num_features = cast(row.column(0), &DataType::Int32)?;
    let ngrams = cast(row.column(1), &DataType::Int32)?;
    let (Some(num_features), Some(ngrams)) = (
        num_features.as_any().downcast_ref::<datafusion::arrow::array::Int32Array>().map(|a| a.value(0)),
        ngrams.as_any().downcast_ref::<datafusion::arrow::array::Int32Array>().map(|a| a.value(0)),
    ) else {
        return exec_err!("{MODELS_TABLE} has a row of an unexpected shape");
    };
    let weights = ctx
        .table(WEIGHTS_TABLE)
        .await?
        .filter(col("model_id").eq(lit(id)))?
        .sort(vec![col("feature").sort(true, false)])?
        .select_columns(&["feature", "coefficient", "idf"])?
        .collect()
        .await?;
    let (mut idf, mut coefficients) = (Vec::new(), Vec::new());
    for batch in &weights {
        let feature = cast(batch.column(0), &DataType::Int32)?;
        let coefficient = cast(batch.column(1), &DataType::Float64)?;
        let weight = cast(batch.column(2), &DataType::Float64)?;
        let (feature, coefficient, weight) = (
            datafusion::arrow::array::AsArray::as_primitive::<Int32Type>(&feature),
            datafusion::arrow::array::AsArray::as_primitive::<Float64Type>(&coefficient),
            datafusion::arrow::array::AsArray::as_primitive::<Float64Type>(&weight),
        );
        for row in 0..batch.num_rows() {
            if feature.value(row) as usize != coefficients.len() || coefficient.is_null(row) {
                return exec_err!("{WEIGHTS_TABLE} of model {id} is incomplete");
            }
            coefficients.push(coefficient.value(row));
            if !weight.is_null(row) {
                idf.push(weight.value(row));
            }
        }
    }
    LogisticModel::new(&idf, &coefficients).map_err(|e| exec_datafusion_err!("model {id}: {e}"))?;
    if idf.len() != num_features as usize {
        return exec_err!("model {id}: {} IDF weights for {num_features} features", idf.len());
    }
    Ok(Some(RegisteredModel { ngrams: ngrams.max(1) as usize, num_features, idf, coefficients }))
}

/// What the function returns per text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Prediction {
    /// The probability that the text is positive.
    Probability,
    /// `positive` or `negative` (probability ≥ 0.5).
    Label,
}

/// `predict_sentiment` or `predict_label`.
#[derive(Debug)]
struct Predict {
    prediction: Prediction,
    signature: Signature,
    cache: Arc<ModelCache>,
}

impl PartialEq for Predict {
    fn eq(&self, other: &Self) -> bool {
        self.prediction == other.prediction
    }
}

impl Eq for Predict {}

impl std::hash::Hash for Predict {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.prediction.hash(state);
    }
}

static SENTIMENT_DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        SECTION,
        "The probability that a text is positive under a registered sentiment model (the latest when no id is \
         given; null while none is registered).",
        "predict_sentiment(text [, model_id])",
    )
    .with_argument("text", "The text, e.g. `concat_ws(' ', summary, review_text)` as `ml features` reads a review.")
    .with_argument("model_id", "A model of `reviewlake ml list`; a constant.")
    .with_sql_example("SELECT predict_sentiment('Works great, love it')")
    .build()
});

static LABEL_DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        SECTION,
        "`positive` or `negative`: the label a registered sentiment model gives a text (probability 0.5 or more \
         is positive; null while no model is registered).",
        "predict_label(text [, model_id])",
    )
    .with_argument("text", "The text.")
    .with_argument("model_id", "A model of `reviewlake ml list`; a constant.")
    .with_sql_example("SELECT predict_label('Broke after a week')")
    .build()
});

impl Predict {
    fn name_of(prediction: Prediction) -> &'static str {
        match prediction {
            Prediction::Probability => "predict_sentiment",
            Prediction::Label => "predict_label",
        }
    }

    /// The model id argument: a constant text, or none.
    fn model_id(&self, args: &[ColumnarValue]) -> Result<Option<String>> {
        let name = Self::name_of(self.prediction);
        match args.get(1) {
            None => Ok(None),
            Some(ColumnarValue::Scalar(value)) => match value.try_as_str() {
                Some(id) => Ok(id.map(str::to_string)),
                None if value.is_null() => Ok(None),
                None => exec_err!("{name}: model_id must be text, got {}", value.data_type()),
            },
            Some(ColumnarValue::Array(_)) => exec_err!("{name}: model_id must be a constant, not a column"),
        }
    }
}

impl ScalarUDFImpl for Predict {
    fn name(&self) -> &str {
        Self::name_of(self.prediction)
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let name = self.name();
        if arg_types.is_empty() || arg_types.len() > 2 {
            return plan_err!("{name} takes a text and optionally a model id, got {} arguments", arg_types.len());
        }
        arg_types
            .iter()
            .map(|t| match t {
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null => Ok(DataType::Utf8),
                DataType::Dictionary(_, v) if v.is_string() => Ok(DataType::Utf8),
                other => plan_err!("{name} expects text arguments, got {other}"),
            })
            .collect()
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(match self.prediction {
            Prediction::Probability => DataType::Float64,
            Prediction::Label => DataType::Utf8,
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let model_id = self.model_id(&args.args)?;
        let text = args.args[0].to_array(rows)?;
        let text = cast(&text, &DataType::Utf8)?;
        let text = datafusion::arrow::array::AsArray::as_string::<i32>(&text);
        let Some(model) = self.cache.model(model_id.as_deref())? else {
            return Ok(ColumnarValue::Scalar(match self.prediction {
                Prediction::Probability => ScalarValue::Float64(None),
                Prediction::Label => ScalarValue::Utf8(None),
            }));
        };
        let logistic = LogisticModel::new(&model.idf, &model.coefficients).map_err(|e| exec_datafusion_err!("{e}"))?;
        let (mut terms, mut indices, mut values) = (TermBuilder::new(), Vec::new(), Vec::new());
        let mut probabilities = Float64Builder::with_capacity(rows);
        for row in 0..text.len() {
            if text.is_null(row) {
                probabilities.append_null();
                continue;
            }
            terms.build(text.value(row), model.ngrams);
            hash_features_into(terms.iter(), model.num_features, &mut indices, &mut values);
            let margin = logistic.margin(&indices, &values).map_err(|e| exec_datafusion_err!("{e}"))?;
            probabilities.append_value(sigmoid(margin));
        }
        let probabilities = probabilities.finish();
        let result: ArrayRef = match self.prediction {
            Prediction::Probability => Arc::new(probabilities),
            Prediction::Label => {
                let mut labels = StringBuilder::with_capacity(rows, rows * 8);
                for p in probabilities.iter() {
                    labels.append_option(p.map(|p| if p >= 0.5 { "positive" } else { "negative" }));
                }
                Arc::new(labels.finish())
            }
        };
        Ok(ColumnarValue::Array(result))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(match self.prediction {
            Prediction::Probability => &SENTIMENT_DOCUMENTATION,
            Prediction::Label => &LABEL_DOCUMENTATION,
        })
    }
}

/// `predict_sentiment` and `predict_label`, reading models from the lakehouse `settings` names;
/// one model cache per process (`settings` is the same everywhere in a process).
pub(crate) fn scalar_functions(settings: &LakehouseSettings) -> Vec<Arc<ScalarUDF>> {
    static CACHES: LazyLock<Mutex<Vec<Arc<ModelCache>>>> = LazyLock::new(|| Mutex::new(Vec::new()));
    let cache = {
        let mut caches = CACHES.lock().unwrap_or_else(PoisonError::into_inner);
        match caches.iter().find(|c| c.settings == *settings) {
            Some(cache) => Arc::clone(cache),
            None => {
                let cache = Arc::new(ModelCache {
                    settings: settings.clone(),
                    models: Mutex::new(HashMap::new()),
                    latest: Mutex::new(None),
                });
                caches.push(Arc::clone(&cache));
                cache
            }
        }
    };
    [Prediction::Probability, Prediction::Label]
        .into_iter()
        .map(|prediction| {
            Arc::new(ScalarUDF::new_from_impl(Predict {
                prediction,
                signature: Signature::user_defined(Volatility::Stable),
                cache: Arc::clone(&cache),
            }))
        })
        .collect()
}
