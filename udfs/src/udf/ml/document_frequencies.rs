//! `document_frequencies(features, num_features)`: in how many rows each hashed feature occurs,
//! the counts an idf is fitted on, in one distributed pass.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Int64Array, StructArray, UInt64Array};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Fields, UInt64Type};
use datafusion::common::{Result, ScalarValue, exec_datafusion_err, exec_err, plan_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::{AggregateOrderSensitivity, format_state_name};
use datafusion::logical_expr::{Accumulator, AggregateUDFImpl, Documentation, Signature, Volatility};
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_expr::expressions::Literal;

use crate::logistic::DocumentFrequencies as Counts;
use crate::udf::docs;
use crate::udf::ml::model_args::{SparseRows, coerce_features, list_row, single_list};

const NAME: &str = "document_frequencies";

fn list_of(item: DataType) -> DataType {
    DataType::List(Arc::new(Field::new_list_field(item, true)))
}

fn frequencies_fields() -> Fields {
    Fields::from(vec![
        Field::new("documents", DataType::Int64, true),
        Field::new("counts", list_of(DataType::Int64), true),
    ])
}

/// The result type of `document_frequencies`: the fields of
/// [`crate::logistic::DocumentFrequencies`].
///
/// ```
/// use datafusion::arrow::datatypes::DataType;
/// assert!(matches!(reviewlake_udfs::udf::document_frequencies_type(), DataType::Struct(f) if f.len() == 2));
/// ```
pub fn document_frequencies_type() -> DataType {
    DataType::Struct(frequencies_fields())
}

/// The `document_frequencies` SQL aggregate: [`crate::logistic::DocumentFrequencies`] of every
/// row, dense over `num_features` features.
///
/// `num_features` is a literal, read once per accumulator, for the reason `logistic_gradient`'s
/// model is: Ballista's codec drops the parameters of aggregate functions.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct DocumentFrequencies {
    signature: Signature,
}

impl DocumentFrequencies {
    /// The function, for `AggregateUDF::new_from_impl`.
    pub fn new() -> Self {
        Self { signature: Signature::user_defined(Volatility::Immutable) }
    }
}

impl Default for DocumentFrequencies {
    fn default() -> Self {
        Self::new()
    }
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        docs::ML,
        "The number of rows and, for each feature, the number of rows it occurs in, as \
         `STRUCT<documents BIGINT, counts LIST<BIGINT>>` with one count per feature; Spark's idf of feature j is \
         ln((documents + 1) / (counts[j] + 1)). A null features is an error: rows are never skipped.",
        "document_frequencies(features, num_features)",
    )
    .with_argument(
        "features",
        "Term frequencies from `hash_features`: `STRUCT<indices LIST<INT>, values LIST<DOUBLE>>`.",
    )
    .with_argument("num_features", "An integer literal: the number of hash buckets the features were hashed into.")
    .with_sql_example(
        "SELECT document_frequencies(hash_features(tokenize(review), 8), 8) \
         FROM (VALUES ('love it'), ('it broke'), ('love the price')) AS t(review)",
    )
    .build()
});

impl AggregateUDFImpl for DocumentFrequencies {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let [features, num_features] = arg_types else {
            return plan_err!("{NAME} expects 2 arguments (features, num_features), got {}", arg_types.len());
        };
        let num_features = match num_features {
            integer if integer.is_integer() => integer.clone(),
            DataType::Null => DataType::Int64,
            other => return plan_err!("{NAME} expects an integer num_features, got {other}"),
        };
        Ok(vec![coerce_features(NAME, features)?, num_features])
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(document_frequencies_type())
    }

    fn accumulator(&self, acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        let [_, num_features] = acc_args.exprs else {
            return plan_err!("{NAME} expects 2 arguments, got {}", acc_args.exprs.len());
        };
        let num_features = literal_num_features(num_features)?;
        Ok(Box::new(FrequencyAccumulator { counts: Counts::new(num_features) }))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![
            Field::new(format_state_name(args.name, "documents"), DataType::UInt64, true).into(),
            Field::new(format_state_name(args.name, "counts"), list_of(DataType::UInt64), true).into(),
        ])
    }

    fn order_sensitivity(&self) -> AggregateOrderSensitivity {
        AggregateOrderSensitivity::Insensitive
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}

/// The number of features, from the literal second argument: 1 to `i32::MAX`, the range of
/// `hash_features`' sizes.
fn literal_num_features(expr: &Arc<dyn PhysicalExpr>) -> Result<usize> {
    let Some(literal) = expr.downcast_ref::<Literal>() else {
        return plan_err!("{NAME}: num_features must be an integer literal, not {expr}");
    };
    let value = match literal.value() {
        ScalarValue::Int8(v) => v.map(i64::from),
        ScalarValue::Int16(v) => v.map(i64::from),
        ScalarValue::Int32(v) => v.map(i64::from),
        ScalarValue::Int64(v) => *v,
        ScalarValue::UInt8(v) => v.map(i64::from),
        ScalarValue::UInt16(v) => v.map(i64::from),
        ScalarValue::UInt32(v) => v.map(i64::from),
        ScalarValue::UInt64(v) => v.map(|v| i64::try_from(v).unwrap_or(i64::MAX)),
        other => return plan_err!("{NAME}: num_features must be an integer literal, got {other}"),
    };
    match value {
        Some(n) if (1..=i64::from(i32::MAX)).contains(&n) => {
            usize::try_from(n).map_err(|_| exec_datafusion_err!("{NAME}: num_features {n} does not fit in memory"))
        }
        Some(n) => plan_err!("{NAME}: num_features must be between 1 and {}, got {n}", i32::MAX),
        None => plan_err!("{NAME}: num_features is null"),
    }
}

/// The counts of one partition (or group).
#[derive(Debug)]
struct FrequencyAccumulator {
    counts: Counts,
}

impl Accumulator for FrequencyAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let Some(features) = values.first() else {
            return exec_err!("{NAME} expects 2 arguments, got none");
        };
        let rows = SparseRows::try_new(features, NAME)?;
        for row in 0..rows.len() {
            let Some((indices, _)) = rows.row(row)? else {
                return exec_err!("{NAME}: features is null; every row must count");
            };
            self.counts.add_row(indices).map_err(|e| exec_datafusion_err!("{NAME}: {e}"))?;
        }
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let [documents, counts] = states else {
            return exec_err!("{NAME} expects 2 state columns, got {}", states.len());
        };
        let (Some(documents), Some(counts)) = (documents.as_primitive_opt::<UInt64Type>(), counts.as_list_opt::<i32>())
        else {
            return exec_err!(
                "{NAME} got partial states of types {} and {}",
                documents.data_type(),
                counts.data_type()
            );
        };
        let Some(items) = counts.values().as_primitive_opt::<UInt64Type>() else {
            return exec_err!("{NAME} got partial counts of type {}", counts.data_type());
        };
        let items: &[u64] = items.values();
        for row in 0..counts.len() {
            if documents.is_null(row) || counts.is_null(row) {
                return exec_err!("{NAME}: a partial state is null");
            }
            let Some(part) = list_row(items, counts.value_offsets(), row) else {
                return exec_err!("{NAME}: a partial count list is malformed");
            };
            self.counts.merge_parts(documents.value(row), part).map_err(|e| exec_datafusion_err!("{NAME}: {e}"))?;
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let counts = single_list(Arc::new(UInt64Array::from(self.counts.counts.clone())))?;
        Ok(vec![ScalarValue::UInt64(Some(self.counts.documents)), ScalarValue::List(Arc::new(counts))])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let bigint = |count: u64| i64::try_from(count).unwrap_or(i64::MAX);
        let counts: Vec<i64> = self.counts.counts.iter().map(|&count| bigint(count)).collect();
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from(vec![bigint(self.counts.documents)])),
            Arc::new(single_list(Arc::new(Int64Array::from(counts)))?),
        ];
        Ok(ScalarValue::Struct(Arc::new(StructArray::try_new(frequencies_fields(), columns, None)?)))
    }

    fn size(&self) -> usize {
        // The counts, and as much again for the marks that count an index once per row.
        size_of_val(self) + 2 * size_of::<u64>() * self.counts.counts.capacity()
    }
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::RecordBatch;
    use datafusion::arrow::datatypes::Int64Type;
    use datafusion::datasource::MemTable;
    use datafusion::logical_expr::AggregateUDF;
    use datafusion::prelude::{SessionConfig, SessionContext};

    use super::*;
    use crate::udf::ml::model_args::test_data::training_batch;

    fn context(partitions: Vec<Vec<RecordBatch>>) -> SessionContext {
        let ctx = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(partitions.len()));
        ctx.register_udaf(AggregateUDF::new_from_impl(DocumentFrequencies::new()));
        let schema = partitions[0][0].schema();
        ctx.register_table("t", Arc::new(MemTable::try_new(schema, partitions).expect("a table"))).expect("registered");
        ctx
    }

    fn batch() -> RecordBatch {
        training_batch(&[
            (Some(&[(0, 1.0), (2, 3.0)][..]), 1.0, 1.0),
            (Some(&[(3, 1.0), (2, 1.0)][..]), 0.0, 1.0),
            (Some(&[][..]), 1.0, 1.0),
        ])
    }

    async fn frequencies(ctx: &SessionContext, sql: &str) -> Result<(i64, Vec<i64>)> {
        let batches = ctx.sql(sql).await?.collect().await?;
        let batch = batches.iter().find(|b| b.num_rows() > 0).expect("a row");
        let result = batch.column(0).as_struct();
        let documents = result.column_by_name("documents").expect("documents").as_primitive::<Int64Type>().value(0);
        let counts = result.column_by_name("counts").expect("counts").as_list::<i32>().value(0);
        Ok((documents, counts.as_primitive::<Int64Type>().values().to_vec()))
    }

    async fn error(ctx: &SessionContext, sql: &str) -> String {
        match ctx.sql(sql).await {
            Ok(frame) => frame.collect().await.map(|_| ()).expect_err(sql).to_string(),
            Err(e) => e.to_string(),
        }
    }

    #[tokio::test]
    async fn counts_rows_per_feature_in_one_partition_or_two() {
        let sql = "SELECT document_frequencies(features, 4) FROM t";
        let one = frequencies(&context(vec![vec![batch()]]), sql).await.unwrap();
        assert_eq!(one, (3, vec![1, 0, 2, 1]));
        let halves = vec![vec![batch().slice(0, 1)], vec![batch().slice(1, 2)]];
        assert_eq!(frequencies(&context(halves), sql).await.unwrap(), one);
        // An integer of another width is as good.
        let narrow = "SELECT document_frequencies(features, CAST(4 AS INT)) FROM t";
        assert_eq!(frequencies(&context(vec![vec![batch()]]), narrow).await.unwrap(), one);
    }

    #[tokio::test]
    async fn bad_sizes_and_rows_are_errors() {
        let ctx = context(vec![vec![batch()]]);
        let message = error(&ctx, "SELECT document_frequencies(features, 3) FROM t").await;
        assert!(message.contains("feature index 3 is outside the model's 3 features"), "{message}");
        let message = error(&ctx, "SELECT document_frequencies(features, 0) FROM t").await;
        assert!(message.contains("num_features must be between 1 and"), "{message}");
        let message = error(&ctx, "SELECT document_frequencies(features, CAST(label AS BIGINT)) FROM t").await;
        assert!(message.contains("num_features must be an integer literal"), "{message}");
        let message = error(&ctx, "SELECT document_frequencies(features, 'four') FROM t").await;
        assert!(message.contains("expects an integer num_features"), "{message}");

        let ctx = context(vec![vec![training_batch(&[(None, 1.0, 1.0)])]]);
        let message = error(&ctx, "SELECT document_frequencies(features, 4) FROM t").await;
        assert!(message.contains("document_frequencies: features is null"), "{message}");
    }
}
