//! Argument types and conversions shared by the functions whose kernels work on whole argument
//! arrays (numbers, lists, JSON text).
//!
//! Signatures accept the argument types unchanged (no plan-time cast), and the kernels convert
//! them with Arrow's safe casts, so text that is not a number becomes null instead of an error.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, GenericListArray, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::types::logical_string;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{Coercion, ColumnarValue, ScalarFunctionArgs, TypeSignatureClass};

/// A text argument of any string layout (`Utf8`, `LargeUtf8`, `Utf8View`) or a null literal.
pub(crate) fn text() -> Coercion {
    Coercion::new_exact(TypeSignatureClass::Native(logical_string()))
}

/// A numeric argument (integer, float or decimal) or a null literal.
pub(crate) fn number() -> Coercion {
    Coercion::new_exact(TypeSignatureClass::Numeric)
}

/// Runs `kernel` on the arguments of a call as arrays of the batch's length.
pub(crate) fn invoke_arrays(
    args: ScalarFunctionArgs,
    kernel: impl FnOnce(&[ArrayRef]) -> Result<ArrayRef>,
) -> Result<ColumnarValue> {
    let arrays = ColumnarValue::values_to_arrays(&args.args)?;
    Ok(ColumnarValue::Array(kernel(&arrays)?))
}

/// `LIST<VARCHAR>`, the result type of `tokenize` and `json_text_array`.
///
/// ```
/// use datafusion::arrow::datatypes::DataType;
/// assert!(matches!(reviewlake_udfs::udf::list_of_text(), DataType::List(_)));
/// ```
pub fn list_of_text() -> DataType {
    DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, true)))
}

/// Any string column as `Utf8`, nulls kept.
pub(crate) fn as_utf8(array: &ArrayRef, function: &str) -> Result<ArrayRef> {
    match array.data_type() {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null => Ok(cast(array, &DataType::Utf8)?),
        other => exec_err!("{function} expects text, got {other}"),
    }
}

/// Any list-of-text column as `List<Utf8>`, nulls kept.
pub(crate) fn as_text_list(array: &ArrayRef, function: &str) -> Result<ArrayRef> {
    match array.data_type() {
        DataType::Null => Ok(cast(array, &list_of_text())?),
        DataType::List(item) | DataType::LargeList(item) | DataType::ListView(item) | DataType::LargeListView(item)
            if matches!(
                item.data_type(),
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null
            ) =>
        {
            Ok(cast(array, &list_of_text())?)
        }
        other => exec_err!("{function} expects a list of text, got {other}"),
    }
}

/// The non-null strings of row `row` of a `List<Utf8>` array, read through the child array
/// and offsets, never sliced per row.
pub(crate) fn row_items<'a>(list: &'a GenericListArray<i32>, row: usize) -> impl Iterator<Item = &'a str> + 'a {
    let offsets = list.value_offsets();
    let items: &StringArray = list.values().as_string::<i32>();
    (offsets[row] as usize..offsets[row + 1] as usize).filter(|&j| !items.is_null(j)).map(|j| items.value(j))
}

/// Any column as `Float64`; casting is safe mode: text that is not a number becomes null, never
/// an error.
pub(crate) fn to_f64(array: &ArrayRef) -> Result<ArrayRef> {
    Ok(cast(array, &DataType::Float64)?)
}
