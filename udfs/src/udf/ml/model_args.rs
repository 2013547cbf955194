//! What the model functions (`logistic_gradient`, `document_frequencies`, `logistic_score`)
//! share: the plan-time checks of their arguments, `hash_features` rows read straight out of
//! Arrow arrays, and the model's vectors read out of text values.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, GenericListArray, ListArray, StructArray};
use datafusion::arrow::buffer::{OffsetBuffer, ScalarBuffer};
use datafusion::arrow::datatypes::{DataType, Field, Float64Type, Int32Type};
use datafusion::common::{Result, ScalarValue, exec_datafusion_err, exec_err, plan_err};
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_expr::expressions::Literal;

use crate::logistic::decode_vector;
use crate::udf::ml::hash_features_type;

/// Whether `data_type` is the struct `hash_features` returns: `indices LIST<INT>` and
/// `values LIST<DOUBLE>`, whatever the nullability and the names of the list items (a Delta or
/// Parquet round trip may change them).
fn is_features_type(data_type: &DataType) -> bool {
    let DataType::Struct(fields) = data_type else {
        return false;
    };
    let list_of = |name: &str, item: &DataType| {
        fields.iter().any(|f| f.name() == name && matches!(f.data_type(), DataType::List(i) if i.data_type() == item))
    };
    fields.len() == 2 && list_of("indices", &DataType::Int32) && list_of("values", &DataType::Float64)
}

/// The planned type of a features argument: itself when it is `hash_features`' struct, that
/// struct for a null literal.
pub(super) fn coerce_features(function: &str, data_type: &DataType) -> Result<DataType> {
    match data_type {
        DataType::Null => Ok(hash_features_type()),
        features if is_features_type(features) => Ok(features.clone()),
        other => plan_err!(
            "{function} expects features as STRUCT<indices LIST<INT>, values LIST<DOUBLE>> (what hash_features \
             returns), got {other}"
        ),
    }
}

/// The planned type of a numeric argument: `DOUBLE`, which any number casts to.
pub(super) fn coerce_number(function: &str, argument: &str, data_type: &DataType) -> Result<DataType> {
    if data_type.is_numeric() || data_type.is_null() {
        Ok(DataType::Float64)
    } else {
        plan_err!("{function} expects a numeric {argument}, got {data_type}")
    }
}

/// The planned type of a model vector: any string layout, or a dictionary of one, unchanged, so
/// that no cast hides the literal the aggregates look for.
pub(super) fn coerce_vector_text(function: &str, argument: &str, data_type: &DataType) -> Result<DataType> {
    let text = |t: &DataType| matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View);
    match data_type {
        t if text(t) => Ok(data_type.clone()),
        DataType::Dictionary(_, values) if text(values) => Ok(data_type.clone()),
        DataType::Null => Ok(DataType::Utf8),
        other => plan_err!("{function} expects {argument} as text from encode_vector, got {other}"),
    }
}

/// A model vector as the literal the model functions take: its [`encode_vector`] text as a
/// one-value dictionary. An aggregate's arguments are expanded to one value per row before the
/// accumulator sees them; a dictionary literal expands to keys alone, where a text literal would
/// copy the whole vector into every row.
///
/// [`encode_vector`]: crate::logistic::encode_vector
///
/// ```
/// let literal = reviewlake_udfs::udf::vector_literal(&[1.0, 2.0]);
/// assert!(matches!(literal.data_type(), datafusion::arrow::datatypes::DataType::Dictionary(_, _)));
/// ```
pub fn vector_literal(values: &[f64]) -> ScalarValue {
    let text = ScalarValue::Utf8(Some(crate::logistic::encode_vector(values)));
    ScalarValue::Dictionary(Box::new(DataType::Int32), Box::new(text))
}

/// The vector a text value holds (see [`crate::logistic::encode_vector`]).
pub(super) fn text_vector(function: &str, argument: &str, value: &ScalarValue) -> Result<Vec<f64>> {
    let value = match value {
        ScalarValue::Dictionary(_, inner) => inner.as_ref(),
        other => other,
    };
    match value.try_as_str() {
        Some(Some(text)) => decode_vector(text)
            .map_err(|e| exec_datafusion_err!("{function}: {argument} is not a vector from encode_vector: {e}")),
        Some(None) => exec_err!("{function}: {argument} is null"),
        None => exec_err!("{function} expects {argument} as text from encode_vector, got {}", value.data_type()),
    }
}

/// The vector of an aggregate's argument, which must be a literal: an aggregate reads it once,
/// when it creates its accumulator.
pub(super) fn literal_vector(function: &str, argument: &str, expr: &Arc<dyn PhysicalExpr>) -> Result<Vec<f64>> {
    let Some(literal) = expr.downcast_ref::<Literal>() else {
        return plan_err!("{function}: {argument} must be a literal vector (encode_vector), not {expr}");
    };
    text_vector(function, argument, literal.value())
}

/// The values of row `row` of a list array, given the list's offsets and its child's values;
/// `None` if the offsets do not fit the child (a malformed array).
pub(super) fn list_row<'a, T>(items: &'a [T], offsets: &[i32], row: usize) -> Option<&'a [T]> {
    let start = usize::try_from(*offsets.get(row)?).ok()?;
    let end = usize::try_from(*offsets.get(row + 1)?).ok()?;
    items.get(start..end)
}

/// A one-row list holding `values`, for a `LIST<...>` scalar of an aggregate's state or result.
pub(super) fn single_list(values: ArrayRef) -> Result<ListArray> {
    let Ok(length) = i32::try_from(values.len()) else {
        return exec_err!("a list of {} values does not fit an Arrow list", values.len());
    };
    let field = Arc::new(Field::new_list_field(values.data_type().clone(), true));
    Ok(ListArray::try_new(field, OffsetBuffer::new(ScalarBuffer::from(vec![0, length])), values, None)?)
}

/// The rows of a `hash_features` column, read through the list offsets and the children's
/// value buffers: a row is two slices into the batch's buffers, never a copy.
pub(super) struct SparseRows<'a> {
    function: &'static str,
    features: &'a StructArray,
    indices: &'a GenericListArray<i32>,
    values: &'a GenericListArray<i32>,
    index_items: &'a [i32],
    value_items: &'a [f64],
}

impl<'a> SparseRows<'a> {
    /// The rows of `array`, a column of the type [`coerce_features`] accepts.
    pub(super) fn try_new(array: &'a ArrayRef, function: &'static str) -> Result<Self> {
        let Some(features) = array.as_struct_opt() else {
            return exec_err!("{function} expects features from hash_features, got {}", array.data_type());
        };
        let indices = list_column(features, "indices", function)?;
        let values = list_column(features, "values", function)?;
        let Some(index_items) = indices.values().as_primitive_opt::<Int32Type>() else {
            return exec_err!("{function} expects features.indices as LIST<INT>, got {}", indices.data_type());
        };
        let Some(value_items) = values.values().as_primitive_opt::<Float64Type>() else {
            return exec_err!("{function} expects features.values as LIST<DOUBLE>, got {}", values.data_type());
        };
        // Null items would read as whatever their slot holds.
        if index_items.null_count() != 0 || value_items.null_count() != 0 {
            return exec_err!("{function}: features hold null indices or values");
        }
        Ok(Self {
            function,
            features,
            indices,
            values,
            index_items: index_items.values(),
            value_items: value_items.values(),
        })
    }

    /// The number of rows.
    pub(super) fn len(&self) -> usize {
        self.features.len()
    }

    /// The indices and values of row `row`, `None` if the row is null.
    pub(super) fn row(&self, row: usize) -> Result<Option<(&'a [i32], &'a [f64])>> {
        if self.features.is_null(row) || self.indices.is_null(row) || self.values.is_null(row) {
            return Ok(None);
        }
        let indices = list_row(self.index_items, self.indices.value_offsets(), row);
        let values = list_row(self.value_items, self.values.value_offsets(), row);
        match indices.zip(values) {
            Some(slices) => Ok(Some(slices)),
            None => exec_err!("{}: row {row} of the features is malformed", self.function),
        }
    }
}

/// The list field `name` of a features struct.
fn list_column<'a>(features: &'a StructArray, name: &str, function: &str) -> Result<&'a GenericListArray<i32>> {
    match features.column_by_name(name).and_then(|column| column.as_list_opt::<i32>()) {
        Some(list) => Ok(list),
        None => exec_err!("{function} expects features with a list field {name}, got {}", features.data_type()),
    }
}

#[cfg(test)]
pub(super) mod test_data {
    //! Batches of hand-made features for the functions' tests.

    use datafusion::arrow::array::{Float64Array, Float64Builder, Int32Builder, ListBuilder, RecordBatch};
    use datafusion::arrow::datatypes::{Fields, Schema};

    use super::*;

    /// A `hash_features` column of `rows`, each a list of (index, value); `None` is a null row.
    pub(crate) fn features(rows: &[Option<&[(i32, f64)]>]) -> ArrayRef {
        let DataType::Struct(fields) = hash_features_type() else { unreachable!("hash_features returns a struct") };
        let mut indices = ListBuilder::new(Int32Builder::new());
        let mut values = ListBuilder::new(Float64Builder::new());
        for row in rows {
            for &(index, value) in row.unwrap_or_default() {
                indices.values().append_value(index);
                values.values().append_value(value);
            }
            indices.append(true);
            values.append(true);
        }
        let columns: Vec<ArrayRef> = vec![Arc::new(indices.finish()), Arc::new(values.finish())];
        let nulls: Vec<bool> = rows.iter().map(Option::is_some).collect();
        Arc::new(StructArray::try_new(fields, columns, Some(nulls.into())).expect("a features struct"))
    }

    /// A batch `(features, label DOUBLE, weight DOUBLE)`.
    pub(crate) fn training_batch(rows: &[(Option<&[(i32, f64)]>, f64, f64)]) -> RecordBatch {
        let features = features(&rows.iter().map(|row| row.0).collect::<Vec<_>>());
        let schema = Schema::new(Fields::from(vec![
            Field::new("features", features.data_type().clone(), true),
            Field::new("label", DataType::Float64, true),
            Field::new("weight", DataType::Float64, true),
        ]));
        let labels = Float64Array::from(rows.iter().map(|row| row.1).collect::<Vec<_>>());
        let weights = Float64Array::from(rows.iter().map(|row| row.2).collect::<Vec<_>>());
        RecordBatch::try_new(Arc::new(schema), vec![features, Arc::new(labels), Arc::new(weights)])
            .expect("a training batch")
    }
}
