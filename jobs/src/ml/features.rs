//! `ml features`: `ml.features`, one row per labelled silver review — its hashed term
//! frequencies, its label and a seeded train/test split — and the parameters of that version
//! in `ml.feature_sets`.
//!
//! The terms are `feature_terms` of the summary and the text (uni- to n-grams, negations and
//! intensifiers kept), hashed into `num_features` buckets by `hash_features` (Spark's
//! `HashingTF`). The split comes from a hash of the review key and the seed, so it does not
//! depend on the order or partitioning of the rows, and a review stays on its side of the split
//! when silver grows. IDF is not applied here: `ml train` fits it on the training split only.

use std::sync::Arc;

use datafusion::arrow::array::{
    Float64Array, Int32Array, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Float64Type, Int32Type, Int64Type, Schema, TimeUnit};
use datafusion::execution::FunctionRegistry;
use datafusion::functions::core::expr_fn::get_field;
use datafusion::functions::string::expr_fn::concat_ws;
use datafusion::functions_aggregate::expr_fn::count;
use datafusion::functions_nested::expr_fn::{array_element, cardinality, make_array};
use datafusion::prelude::{DataFrame, Expr, SessionContext, col, lit, when};
use reviewlake_cluster::lakehouse::{At, Lakehouse, TableName, WriteMode, WriteOptions};

use super::columns::{first, primitives, strings};
use super::{FEATURE_SETS_TABLE, FEATURES_TABLE, MlError};
use crate::scope::JobScope;

/// The name of the job's cluster jobs (the scheduler's job list shows it).
pub const FEATURES_JOB_NAME: &str = "reviewlake ml features";

/// Buckets of the split hash: the test fraction is resolved to 1/10,000.
const SPLIT_BUCKETS: i64 = 10_000;

/// Where a review's label comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelMode {
    /// Stars: 4 and 5 are positive, 1 and 2 negative; 3-star reviews get no label.
    Rating,
    /// The seed's labels: TextBlob polarity of the text above 0 is positive; texts shorter than
    /// 4 characters after cleaning get no label.
    TextBlob,
}

impl LabelMode {
    /// The mode's name in flags and in `ml.feature_sets`.
    pub fn name(self) -> &'static str {
        match self {
            LabelMode::Rating => "rating",
            LabelMode::TextBlob => "textblob",
        }
    }

    /// The label of a silver review: 1.0, 0.0, or null for a review this mode does not label.
    fn label(self) -> datafusion::error::Result<Expr> {
        match self {
            LabelMode::Rating => {
                when(col("overall").gt_eq(lit(4.0)), lit(1.0)).when(col("overall").lt_eq(lit(2.0)), lit(0.0)).end()
            }
            LabelMode::TextBlob => {
                let long_enough =
                    datafusion::functions::unicode::expr_fn::character_length(col("clean_text")).gt_eq(lit(4));
                when(long_enough.clone().and(col("sentiment_polarity").gt(lit(0.0))), lit(1.0))
                    .when(long_enough.and(col("sentiment_polarity").is_not_null()), lit(0.0))
                    .end()
            }
        }
    }
}

impl std::str::FromStr for LabelMode {
    type Err = MlError;

    fn from_str(text: &str) -> Result<Self, MlError> {
        match text {
            "rating" => Ok(LabelMode::Rating),
            "textblob" => Ok(LabelMode::TextBlob),
            other => Err(MlError::InvalidOption {
                option: "--label",
                value: other.to_string(),
                reason: "use rating or textblob".into(),
            }),
        }
    }
}

/// The parameters of one `ml.features` version, as `ml.feature_sets` records them.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureSet {
    /// The `ml.features` version these rows are.
    pub features_version: u64,
    /// Where the labels come from.
    pub label_mode: LabelMode,
    /// Hash buckets.
    pub num_features: i32,
    /// The longest n-gram among the terms.
    pub ngrams: i32,
    /// Share of the reviews in the test split.
    pub test_fraction: f64,
    /// Seed of the split.
    pub seed: u64,
    /// The `silver.reviews` version the features were computed from.
    pub silver_version: u64,
    /// Labelled reviews in the training split.
    pub train_rows: u64,
    /// Labelled reviews in the test split.
    pub test_rows: u64,
}

/// What `ml features` wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct FeaturesMetrics {
    /// The new version and its parameters.
    pub set: FeatureSet,
    /// Silver reviews read.
    pub silver_rows: u64,
    /// Silver reviews without a label in this mode, or without a term: not in `ml.features`.
    pub unlabelled_rows: u64,
    /// Positive reviews among the written ones.
    pub positive_rows: u64,
    /// Wall time of the job.
    pub seconds: f64,
}

/// The `ml features` job, configured by its `with_*` methods and run by [`FeaturesJob::execute`].
#[derive(Debug, Clone)]
#[must_use = "a features job does nothing until executed"]
pub struct FeaturesJob {
    label_mode: LabelMode,
    num_features: i32,
    ngrams: i32,
    test_fraction: f64,
    seed: u64,
}

impl Default for FeaturesJob {
    fn default() -> Self {
        Self { label_mode: LabelMode::Rating, num_features: 1 << 18, ngrams: 2, test_fraction: 0.2, seed: 42 }
    }
}

impl FeaturesJob {
    /// The defaults: rating labels, 2^18 buckets, uni- and bigrams, 20% test, seed 42.
    pub fn new() -> Self {
        Self::default()
    }

    /// Where the labels come from.
    pub fn with_label_mode(mut self, mode: LabelMode) -> Self {
        self.label_mode = mode;
        self
    }

    /// Hash buckets (1 to 2^24).
    pub fn with_num_features(mut self, num_features: i32) -> Self {
        self.num_features = num_features;
        self
    }

    /// The longest n-gram (1 to 3).
    pub fn with_ngrams(mut self, ngrams: i32) -> Self {
        self.ngrams = ngrams;
        self
    }

    /// The test split's share, in (0, 1).
    pub fn with_test_fraction(mut self, fraction: f64) -> Self {
        self.test_fraction = fraction;
        self
    }

    /// Seed of the split.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    fn check(&self) -> Result<(), MlError> {
        let invalid =
            |option, value: String, reason: &str| MlError::InvalidOption { option, value, reason: reason.into() };
        if !(1..=1 << 24).contains(&self.num_features) {
            return Err(invalid("--num-features", self.num_features.to_string(), "use 1 to 16777216"));
        }
        if !(1..=3).contains(&self.ngrams) {
            return Err(invalid("--ngrams", self.ngrams.to_string(), "use 1, 2 or 3"));
        }
        if !(self.test_fraction > 0.0 && self.test_fraction < 1.0) {
            return Err(invalid("--test-fraction", self.test_fraction.to_string(), "use a fraction between 0 and 1"));
        }
        Ok(())
    }

    /// Writes a new version of `ml.features` from the latest `silver.reviews` and records it
    /// in `ml.feature_sets`.
    pub async fn execute(self, ctx: &SessionContext, lake: &Lakehouse) -> Result<FeaturesMetrics, MlError> {
        self.check()?;
        let started = std::time::Instant::now();
        let silver: TableName = "silver.reviews".parse()?;
        let silver_version = lake.latest_version(&silver).await?.ok_or_else(|| {
            MlError::NoFeatures("silver.reviews does not exist yet: run `reviewlake pipeline run` first".into())
        })?;
        let scope = JobScope::named(ctx, FEATURES_JOB_NAME);
        let pinned = TableName { at: Some(At::Version(silver_version)), ..silver };
        scope.ctx().register_table("reviews", Arc::new(lake.provider(&pinned).await?))?;
        let reviews = scope.ctx().table("reviews").await?;
        let silver_rows = reviews.clone().count().await? as u64;

        let features = self.features(scope.ctx(), reviews)?;
        let options = WriteOptions { mode: WriteMode::CreateOrReplace, ..Default::default() };
        lake.write(scope.ctx(), features, FEATURES_TABLE, options).await?;
        let features_version = lake
            .latest_version(&FEATURES_TABLE.parse()?)
            .await?
            .ok_or(MlError::UnexpectedResult("the ml.features write"))?;

        let counts = split_counts(scope.ctx(), lake, features_version).await?;
        let set = FeatureSet {
            features_version,
            label_mode: self.label_mode,
            num_features: self.num_features,
            ngrams: self.ngrams,
            test_fraction: self.test_fraction,
            seed: self.seed,
            silver_version,
            train_rows: counts.train,
            test_rows: counts.test,
        };
        record_feature_set(lake, &set).await?;
        let written = counts.train + counts.test;
        tracing::info!(features_version, rows = written, "ml.features written");
        Ok(FeaturesMetrics {
            set,
            silver_rows,
            unlabelled_rows: silver_rows.saturating_sub(written),
            positive_rows: counts.positive,
            seconds: started.elapsed().as_secs_f64(),
        })
    }

    /// The feature rows of `reviews`, planned as one distributed job.
    fn features(&self, ctx: &SessionContext, reviews: DataFrame) -> Result<DataFrame, MlError> {
        let feature_terms = ctx.udf("feature_terms")?;
        let hash_features = ctx.udf("hash_features")?;
        let text = concat_ws(lit(" "), vec![col("summary"), col("review_text")]);
        // Spark's term hash of "seed:key" in SPLIT_BUCKETS buckets: one bucket per review,
        // whatever the order or partitioning of the rows.
        let split_term = make_array(vec![datafusion::functions::string::expr_fn::concat(vec![
            lit(format!("{}:", self.seed)),
            col("review_key"),
        ])]);
        let bucket =
            array_element(get_field(hash_features.call(vec![split_term, lit(SPLIT_BUCKETS)]), "indices"), lit(1i64));
        let test_buckets = (self.test_fraction * SPLIT_BUCKETS as f64).round() as i32;
        let labelled = reviews
            .select(vec![
                col("review_key"),
                self.label_mode.label()?.alias("label"),
                bucket.alias("bucket"),
                feature_terms.call(vec![text, lit(self.ngrams as i64)]).alias("terms"),
            ])?
            .filter(col("label").is_not_null().and(cardinality(col("terms")).gt(lit(0u64))))?;
        Ok(labelled.select(vec![
            col("review_key"),
            col("label"),
            col("bucket"),
            when(col("bucket").lt(lit(test_buckets)), lit("test")).otherwise(lit("train"))?.alias("split"),
            hash_features.call(vec![col("terms"), lit(self.num_features as i64)]).alias("features"),
        ])?)
    }
}

/// Rows per split, and positives, of one `ml.features` version.
struct SplitCounts {
    train: u64,
    test: u64,
    positive: u64,
}

async fn split_counts(ctx: &SessionContext, lake: &Lakehouse, version: u64) -> Result<SplitCounts, MlError> {
    let name = TableName { at: Some(At::Version(version)), ..FEATURES_TABLE.parse()? };
    let batches = ctx
        .read_table(Arc::new(lake.provider(&name).await?))?
        .aggregate(vec![col("split"), col("label")], vec![count(lit(1)).alias("rows")])?
        .collect()
        .await?;
    let mut counts = SplitCounts { train: 0, test: 0, positive: 0 };
    for batch in &batches {
        let splits = strings(batch, "split", "the split counts")?;
        let labels = primitives::<Float64Type>(batch, "label", "the split counts")?;
        let rows = primitives::<Int64Type>(batch, "rows", "the split counts")?;
        for ((split, label), rows) in splits.iter().zip(labels).zip(rows) {
            let rows = rows.unwrap_or(0) as u64;
            match split.as_deref() {
                Some("test") => counts.test += rows,
                _ => counts.train += rows,
            }
            if label == Some(1.0) {
                counts.positive += rows;
            }
        }
    }
    Ok(counts)
}

fn feature_sets_schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("features_version", DataType::Int64, false),
        Field::new("label_mode", DataType::Utf8, false),
        Field::new("num_features", DataType::Int32, false),
        Field::new("ngrams", DataType::Int32, false),
        Field::new("test_fraction", DataType::Float64, false),
        Field::new("seed", DataType::Int64, false),
        Field::new("silver_version", DataType::Int64, false),
        Field::new("train_rows", DataType::Int64, false),
        Field::new("test_rows", DataType::Int64, false),
        Field::new("created_at", DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), false),
    ]))
}

async fn record_feature_set(lake: &Lakehouse, set: &FeatureSet) -> Result<(), MlError> {
    let schema = feature_sets_schema();
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(Int64Array::from(vec![set.features_version as i64])),
            Arc::new(StringArray::from(vec![set.label_mode.name()])),
            Arc::new(Int32Array::from(vec![set.num_features])),
            Arc::new(Int32Array::from(vec![set.ngrams])),
            Arc::new(Float64Array::from(vec![set.test_fraction])),
            Arc::new(Int64Array::from(vec![set.seed as i64])),
            Arc::new(Int64Array::from(vec![set.silver_version as i64])),
            Arc::new(Int64Array::from(vec![set.train_rows as i64])),
            Arc::new(Int64Array::from(vec![set.test_rows as i64])),
            Arc::new(TimestampMicrosecondArray::from(vec![chrono::Utc::now().timestamp_micros()]).with_timezone("UTC")),
        ],
    )?;
    lake.append_batches(FEATURE_SETS_TABLE, schema).with_batches([batch]).execute().await?;
    Ok(())
}

/// The parameters of `ml.features` at `version` (the latest when `None`), from `ml.feature_sets`.
pub async fn feature_set(ctx: &SessionContext, lake: &Lakehouse, version: Option<u64>) -> Result<FeatureSet, MlError> {
    let features: TableName = FEATURES_TABLE.parse()?;
    let latest = lake.latest_version(&features).await?.ok_or_else(|| {
        MlError::NoFeatures("ml.features does not exist yet: run `reviewlake ml features` first".into())
    })?;
    let version = version.unwrap_or(latest);
    if version > latest {
        return Err(MlError::NoFeatures(format!("ml.features has no version {version}; the latest is {latest}")));
    }
    let sets: TableName = FEATURE_SETS_TABLE.parse()?;
    let missing = || {
        MlError::NoFeatures(format!(
            "ml.features version {version} was not written by `reviewlake ml features` (no row in {FEATURE_SETS_TABLE})"
        ))
    };
    if lake.latest_version(&sets).await?.is_none() {
        return Err(missing());
    }
    let batches = ctx
        .read_table(Arc::new(lake.provider(&sets).await?))?
        .filter(col("features_version").eq(lit(version as i64)))?
        .collect()
        .await?;
    let batch = batches.iter().find(|b| b.num_rows() > 0).ok_or_else(missing)?;
    const WHAT: &str = "ml.feature_sets";
    let label_mode = strings(batch, "label_mode", WHAT)?.swap_remove(0).ok_or(MlError::UnexpectedResult(WHAT))?;
    let int64 = |name| first::<Int64Type>(batch, name, WHAT);
    let int32 = |name| first::<Int32Type>(batch, name, WHAT);
    let test_fraction = first::<Float64Type>(batch, "test_fraction", WHAT)?;
    let label_mode = label_mode.parse()?;
    Ok(FeatureSet {
        features_version: version,
        label_mode,
        num_features: int32("num_features")?,
        ngrams: int32("ngrams")?,
        test_fraction,
        seed: int64("seed")? as u64,
        silver_version: int64("silver_version")? as u64,
        train_rows: int64("train_rows")? as u64,
        test_rows: int64("test_rows")? as u64,
    })
}
