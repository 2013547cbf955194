//! `logistic_gradient(features, label, weight, idf, coefficients)`: the summed log loss of a
//! logistic regression and its gradient, so that one distributed query is one evaluation of
//! the training objective.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Float64Array, Int64Array, PrimitiveArray, StructArray};
use datafusion::arrow::datatypes::{ArrowPrimitiveType, DataType, Field, FieldRef, Fields, Float64Type, Int64Type};
use datafusion::common::{Result, ScalarValue, exec_datafusion_err, exec_err, plan_datafusion_err, plan_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::{AggregateOrderSensitivity, format_state_name};
use datafusion::logical_expr::{Accumulator, AggregateUDFImpl, Documentation, Signature, Volatility};

use crate::logistic::{GradientSums, LogisticModel};
use crate::udf::docs;
use crate::udf::ml::model_args::{
    SparseRows, coerce_features, coerce_number, coerce_vector_text, literal_vector, single_list,
};

const NAME: &str = "logistic_gradient";

/// `LIST<DOUBLE>`, the gradient's type in the result and in the partial state.
fn list_of_f64() -> DataType {
    DataType::List(Arc::new(Field::new_list_field(DataType::Float64, true)))
}

fn gradient_fields() -> Fields {
    Fields::from(vec![
        Field::new("loss", DataType::Float64, true),
        Field::new("gradient", list_of_f64(), true),
        Field::new("rows", DataType::Int64, true),
        Field::new("weight", DataType::Float64, true),
    ])
}

/// The result type of `logistic_gradient`: the fields of [`GradientSums`].
///
/// ```
/// use datafusion::arrow::datatypes::DataType;
/// assert!(matches!(reviewlake_udfs::udf::logistic_gradient_type(), DataType::Struct(f) if f.len() == 4));
/// ```
pub fn logistic_gradient_type() -> DataType {
    DataType::Struct(gradient_fields())
}

/// The `logistic_gradient` SQL aggregate: [`GradientSums`] of every row under the model given
/// as two literals.
///
/// The model is a pair of literals, not parameters of the function, because Ballista's codec
/// drops the parameters of aggregate functions; each accumulator decodes them once.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct LogisticGradient {
    signature: Signature,
}

impl LogisticGradient {
    /// The function, for `AggregateUDF::new_from_impl`.
    pub fn new() -> Self {
        Self { signature: Signature::user_defined(Volatility::Immutable) }
    }
}

impl Default for LogisticGradient {
    fn default() -> Self {
        Self::new()
    }
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        docs::ML,
        "The log loss of a logistic regression and its gradient, summed over the rows (not averaged), as \
         `STRUCT<loss DOUBLE, gradient LIST<DOUBLE>, rows BIGINT, weight DOUBLE>`; the gradient has one entry per \
         feature, then the intercept's. A row's vector is its term frequencies times the idf, L2-normalised. A \
         null features, label or weight is an error: training rows are never skipped.",
        "logistic_gradient(features, label, weight, idf, coefficients)",
    )
    .with_argument(
        "features",
        "Term frequencies from `hash_features`: `STRUCT<indices LIST<INT>, values LIST<DOUBLE>>`.",
    )
    .with_argument("label", "The class: a number, 0 or 1.")
    .with_argument("weight", "The row's sample weight: a finite number >= 0.")
    .with_argument("idf", "A text literal: the idf weight of each feature, from `encode_vector`.")
    .with_argument(
        "coefficients",
        "A text literal: one coefficient per feature, then the intercept, from `encode_vector`.",
    )
    .with_sql_example(
        "SELECT logistic_gradient(hash_features(tokenize(review), 4), label, 1.0, \
         'AAAAAAAA8D8AAAAAAADwPwAAAAAAAPA/AAAAAAAA8D8=', \
         'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==') \
         FROM (VALUES ('love it', 1), ('it broke', 0)) AS t(review, label)",
    )
    .build()
});

impl AggregateUDFImpl for LogisticGradient {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let [features, label, weight, idf, coefficients] = arg_types else {
            return plan_err!(
                "{NAME} expects 5 arguments (features, label, weight, idf, coefficients), got {}",
                arg_types.len()
            );
        };
        Ok(vec![
            coerce_features(NAME, features)?,
            coerce_number(NAME, "label", label)?,
            coerce_number(NAME, "weight", weight)?,
            coerce_vector_text(NAME, "idf", idf)?,
            coerce_vector_text(NAME, "coefficients", coefficients)?,
        ])
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(logistic_gradient_type())
    }

    fn accumulator(&self, acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        let [_, _, _, idf, coefficients] = acc_args.exprs else {
            return plan_err!("{NAME} expects 5 arguments, got {}", acc_args.exprs.len());
        };
        let idf = literal_vector(NAME, "idf", idf)?;
        let coefficients = literal_vector(NAME, "coefficients", coefficients)?;
        LogisticModel::new(&idf, &coefficients).map_err(|e| plan_datafusion_err!("{NAME}: {e}"))?;
        let sums = GradientSums::new(idf.len());
        Ok(Box::new(GradientAccumulator { idf, coefficients, sums }))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![
            // The exact sums (`GradientSums::to_state_bytes`), so partitions merge in any order
            // to the same bits.
            Field::new(format_state_name(args.name, "sums"), DataType::Binary, true).into(),
            Field::new(format_state_name(args.name, "rows"), DataType::Int64, true).into(),
        ])
    }

    fn order_sensitivity(&self) -> AggregateOrderSensitivity {
        AggregateOrderSensitivity::Insensitive
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}

/// The sums of one partition (or group) under the decoded model, which it owns.
#[derive(Debug)]
struct GradientAccumulator {
    idf: Vec<f64>,
    coefficients: Vec<f64>,
    sums: GradientSums,
}

impl GradientAccumulator {
    fn rows(&self) -> i64 {
        i64::try_from(self.sums.rows()).unwrap_or(i64::MAX)
    }
}

/// A column of the type the signature planned, or an error naming it.
fn primitive<'a, T: ArrowPrimitiveType>(array: &'a ArrayRef, what: &str) -> Result<&'a PrimitiveArray<T>> {
    array
        .as_primitive_opt::<T>()
        .ok_or_else(|| exec_datafusion_err!("{NAME} expects {what} as {}, got {}", T::DATA_TYPE, array.data_type()))
}

impl Accumulator for GradientAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let [features, labels, weights, ..] = values else {
            return exec_err!("{NAME} expects 5 arguments, got {}", values.len());
        };
        let rows = SparseRows::try_new(features, NAME)?;
        let labels = primitive::<Float64Type>(labels, "label")?;
        let weights = primitive::<Float64Type>(weights, "weight")?;
        if labels.len() != rows.len() || weights.len() != rows.len() {
            return exec_err!("{NAME}: the argument columns differ in length");
        }
        let model =
            LogisticModel::new(&self.idf, &self.coefficients).map_err(|e| exec_datafusion_err!("{NAME}: {e}"))?;
        for row in 0..rows.len() {
            let Some((indices, values)) = rows.row(row)? else {
                return exec_err!("{NAME}: features is null; every training row needs features, a label and a weight");
            };
            if labels.is_null(row) {
                return exec_err!("{NAME}: label is null; every training row needs features, a label and a weight");
            }
            if weights.is_null(row) {
                return exec_err!("{NAME}: weight is null; every training row needs features, a label and a weight");
            }
            self.sums
                .add_row(&model, indices, values, labels.value(row), weights.value(row))
                .map_err(|e| exec_datafusion_err!("{NAME}: {e}"))?;
        }
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let [sums, rows] = states else {
            return exec_err!("{NAME} expects 2 state columns, got {}", states.len());
        };
        let rows = primitive::<Int64Type>(rows, "the rows state")?;
        let Some(sums) = sums.as_binary_opt::<i32>() else {
            return exec_err!("{NAME} expects the sums state as Binary, got {}", sums.data_type());
        };
        for row in 0..sums.len() {
            if sums.is_null(row) || rows.is_null(row) {
                return exec_err!("{NAME}: a partial state is null");
            }
            let partial_rows = u64::try_from(rows.value(row)).unwrap_or(0);
            self.sums
                .merge_state_bytes(sums.value(row), partial_rows)
                .map_err(|e| exec_datafusion_err!("{NAME}: {e}"))?;
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![ScalarValue::Binary(Some(self.sums.to_state_bytes())), ScalarValue::Int64(Some(self.rows()))])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Float64Array::from(vec![self.sums.loss()])),
            Arc::new(single_list(Arc::new(Float64Array::from(self.sums.gradient())))?),
            Arc::new(Int64Array::from(vec![self.rows()])),
            Arc::new(Float64Array::from(vec![self.sums.weight()])),
        ];
        Ok(ScalarValue::Struct(Arc::new(StructArray::try_new(gradient_fields(), columns, None)?)))
    }

    fn size(&self) -> usize {
        size_of_val(self)
            + size_of::<f64>() * (self.idf.capacity() + self.coefficients.capacity())
            + crate::logistic::ExactSum::BYTES * (self.coefficients.len() + 2)
    }
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::RecordBatch;
    use datafusion::datasource::MemTable;
    use datafusion::logical_expr::AggregateUDF;
    use datafusion::prelude::{SessionConfig, SessionContext};

    use super::*;
    use crate::logistic::encode_vector;
    use crate::udf::ml::model_args::test_data::training_batch;

    const LN_2: f64 = std::f64::consts::LN_2;

    fn context(partitions: Vec<Vec<RecordBatch>>, target_partitions: usize) -> SessionContext {
        let ctx = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(target_partitions));
        ctx.register_udaf(AggregateUDF::new_from_impl(LogisticGradient::new()));
        for function in crate::udf::scalar_functions() {
            ctx.register_udf((*function).clone());
        }
        if let Some(schema) = partitions.first().and_then(|p| p.first()).map(|batch| batch.schema()) {
            let table = MemTable::try_new(schema, partitions).expect("a table");
            ctx.register_table("t", Arc::new(table)).expect("registered");
        }
        ctx
    }

    /// The sums in the first row of the query's only column.
    /// What the query returned: the sums as f64s.
    #[derive(Debug)]
    struct Sums {
        loss: f64,
        gradient: Vec<f64>,
        rows: u64,
        weight: f64,
    }

    impl From<&GradientSums> for Sums {
        fn from(sums: &GradientSums) -> Self {
            Sums { loss: sums.loss(), gradient: sums.gradient(), rows: sums.rows(), weight: sums.weight() }
        }
    }

    async fn sums(ctx: &SessionContext, sql: &str) -> Result<Sums> {
        let batches = ctx.sql(sql).await?.collect().await?;
        let batch = batches.iter().find(|b| b.num_rows() > 0).expect("a row");
        let result = batch.column(0).as_struct();
        let field = |name| result.column_by_name(name).expect(name);
        let gradient = field("gradient").as_list::<i32>().value(0);
        Ok(Sums {
            loss: field("loss").as_primitive::<Float64Type>().value(0),
            gradient: gradient.as_primitive::<Float64Type>().values().to_vec(),
            rows: field("rows").as_primitive::<Int64Type>().value(0) as u64,
            weight: field("weight").as_primitive::<Float64Type>().value(0),
        })
    }

    fn assert_close(actual: &Sums, expected: &Sums) {
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * (1.0 + a.abs().max(b.abs()));
        assert_eq!((actual.rows, actual.gradient.len()), (expected.rows, expected.gradient.len()));
        assert!(close(actual.loss, expected.loss) && close(actual.weight, expected.weight), "{actual:?} {expected:?}");
        for (a, b) in actual.gradient.iter().zip(&expected.gradient) {
            assert!(close(*a, *b), "{actual:?} vs {expected:?}");
        }
    }

    const IDF: [f64; 4] = [0.5, 1.3, 2.0, 0.9];
    const COEFFICIENTS: [f64; 5] = [0.3, -1.2, 0.8, 2.1, -0.4];

    fn batch() -> RecordBatch {
        training_batch(&[
            (Some(&[(0, 1.0), (2, 3.0)][..]), 1.0, 1.0),
            (Some(&[(1, 2.0), (2, 1.0), (3, 1.0)][..]), 0.0, 0.5),
            (Some(&[][..]), 0.0, 1.0),
            (Some(&[(1, 1.0), (3, 4.0)][..]), 1.0, 2.0),
        ])
    }

    fn query(idf: &[f64], coefficients: &[f64]) -> String {
        format!(
            "SELECT {NAME}(features, label, weight, '{}', '{}') FROM t",
            encode_vector(idf),
            encode_vector(coefficients)
        )
    }

    async fn error(ctx: &SessionContext, sql: &str) -> String {
        match ctx.sql(sql).await {
            Ok(frame) => frame.collect().await.map(|_| ()).expect_err(sql).to_string(),
            Err(e) => e.to_string(),
        }
    }

    #[tokio::test]
    async fn zero_coefficients_give_ln_2_per_unit_of_weight() {
        let ctx = context(Vec::new(), 1);
        let sql = format!(
            "SELECT {NAME}(hash_features(tokenize(review), 8), label, weight, '{}', '{}') \
             FROM (VALUES ('love it, great price', 1, 1.0), ('broke after a week', 0, 2.0), ('great', 1, 0.5), \
                          ('the', 0, 1.0)) AS t(review, label, weight)",
            encode_vector(&[1.0; 8]),
            encode_vector(&[0.0; 9])
        );
        let sums = sums(&ctx, &sql).await.unwrap();
        assert_eq!((sums.rows, sums.weight, sums.gradient.len()), (4, 4.5, 9));
        assert!((sums.loss - 4.5 * LN_2).abs() < 1e-12, "{sums:?}");
        // Σ s·(1/2 − y) = −1/2 + 1 − 1/4 + 1/2
        assert!((sums.gradient[8] - 0.75).abs() < 1e-12, "{sums:?}");
    }

    #[tokio::test]
    async fn the_sql_sums_are_the_kernels_in_one_partition_or_two() {
        let model = LogisticModel::new(&IDF, &COEFFICIENTS).unwrap();
        let mut expected = GradientSums::new(4);
        let features = [&[0, 2][..], &[1, 2, 3], &[], &[1, 3]];
        let values = [&[1.0, 3.0][..], &[2.0, 1.0, 1.0], &[], &[1.0, 4.0]];
        for (row, (label, weight)) in [(1.0, 1.0), (0.0, 0.5), (0.0, 1.0), (1.0, 2.0)].into_iter().enumerate() {
            expected.add_row(&model, features[row], values[row], label, weight).unwrap();
        }

        let batch = batch();
        let expected = Sums::from(&expected);
        let one = sums(&context(vec![vec![batch.clone()]], 1), &query(&IDF, &COEFFICIENTS)).await.unwrap();
        assert_close(&one, &expected);
        let halves = vec![vec![batch.slice(0, 2)], vec![batch.slice(2, 2)]];
        let two = sums(&context(halves, 2), &query(&IDF, &COEFFICIENTS)).await.unwrap();
        assert_close(&two, &expected);

        // Grouped, every group gets its own sums.
        let ctx = context(vec![vec![batch]], 2);
        let sql = query(&IDF, &COEFFICIENTS).replace("FROM t", "FROM t GROUP BY label");
        let rows: usize = ctx.sql(&sql).await.unwrap().collect().await.unwrap().iter().map(|b| b.num_rows()).sum();
        assert_eq!(rows, 2);
    }

    #[tokio::test]
    async fn the_model_must_be_literal_and_consistent() {
        let ctx = context(vec![vec![batch()]], 1);
        let column_idf = format!(
            "SELECT {NAME}(features, label, weight, CAST(label AS VARCHAR), '{}') FROM t",
            encode_vector(&COEFFICIENTS)
        );
        let message = error(&ctx, &column_idf).await;
        assert!(message.contains("logistic_gradient: idf must be a literal vector (encode_vector)"), "{message}");

        let not_base64 = format!("SELECT {NAME}(features, label, weight, 'not base64!', 'AAAA') FROM t");
        let message = error(&ctx, &not_base64).await;
        assert!(message.contains("logistic_gradient: idf is not a vector from encode_vector"), "{message}");

        let message = error(&ctx, &query(&IDF, &COEFFICIENTS[..4])).await;
        assert!(message.contains("4 idf weights and 4 coefficients"), "{message}");

        let message = error(&ctx, &format!("SELECT {NAME}(label, label, weight, 'AAAA', 'AAAA') FROM t")).await;
        assert!(message.contains("expects features as STRUCT"), "{message}");
    }

    #[tokio::test]
    async fn bad_rows_are_errors_not_skipped() {
        let ctx = context(vec![vec![batch()]], 1);
        let message = error(&ctx, &query(&IDF[..2], &COEFFICIENTS[..3])).await;
        assert!(message.contains("feature index 2 is outside the model's 2 features"), "{message}");

        let nullable_label = query(&IDF, &COEFFICIENTS).replace("label, weight", "NULLIF(label, 1.0), weight");
        assert!(error(&ctx, &nullable_label).await.contains("logistic_gradient: label is null"));
        let bad_label = query(&IDF, &COEFFICIENTS).replace("label, weight", "label + 0.5, weight");
        assert!(error(&ctx, &bad_label).await.contains("label 1.5 is neither 0 nor 1"));
        let bad_weight = query(&IDF, &COEFFICIENTS).replace("label, weight", "label, -weight");
        assert!(error(&ctx, &bad_weight).await.contains("sample weight -1 is not a finite number"));

        let null_features = training_batch(&[(Some(&[(0, 1.0)][..]), 1.0, 1.0), (None, 0.0, 1.0)]);
        let ctx = context(vec![vec![null_features]], 1);
        assert!(error(&ctx, &query(&IDF, &COEFFICIENTS)).await.contains("logistic_gradient: features is null"));
    }
}
