//! Reading small job results: a column of a result batch by name, cast to the type the job
//! expects (lakehouse scans may hand strings back as views and integers widened).

use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{ArrowPrimitiveType, DataType};

use super::MlError;

/// Column `name` of `batch` cast to `data_type`; `what` names the result in errors.
fn column(batch: &RecordBatch, name: &str, data_type: &DataType, what: &'static str) -> Result<ArrayRef, MlError> {
    let column = batch.column_by_name(name).ok_or(MlError::UnexpectedResult(what))?;
    Ok(cast(column, data_type)?)
}

/// The values of a primitive column, nulls as `None`.
pub(crate) fn primitives<T: ArrowPrimitiveType>(
    batch: &RecordBatch,
    name: &str,
    what: &'static str,
) -> Result<Vec<Option<T::Native>>, MlError> {
    let array = column(batch, name, &T::DATA_TYPE, what)?;
    Ok(array.as_primitive::<T>().iter().collect())
}

/// The values of a text column, nulls as `None`.
pub(crate) fn strings(batch: &RecordBatch, name: &str, what: &'static str) -> Result<Vec<Option<String>>, MlError> {
    let array = column(batch, name, &DataType::Utf8, what)?;
    Ok(array.as_string::<i32>().iter().map(|v| v.map(str::to_string)).collect())
}

/// The first row's value of a non-null primitive column.
pub(crate) fn first<T: ArrowPrimitiveType>(
    batch: &RecordBatch,
    name: &str,
    what: &'static str,
) -> Result<T::Native, MlError> {
    let array = column(batch, name, &T::DATA_TYPE, what)?;
    let array = array.as_primitive::<T>();
    if array.is_empty() || array.is_null(0) {
        return Err(MlError::UnexpectedResult(what));
    }
    Ok(array.value(0))
}
