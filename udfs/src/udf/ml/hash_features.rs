//! `hash_features(tokens, num_features)`: Spark `HashingTF` term frequencies of token lists.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Float64Builder, Int32Builder, ListBuilder, StructArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Fields, Int64Type};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::text::hash_features_into;
use crate::udf::args::{as_text_list, invoke_arrays, row_items};
use crate::udf::docs;

/// The result type of `hash_features`: Spark's sparse vector as two parallel lists.
///
/// ```
/// use datafusion::arrow::datatypes::DataType;
/// assert!(matches!(reviewlake_udfs::udf::hash_features_type(), DataType::Struct(f) if f.len() == 2));
/// ```
pub fn hash_features_type() -> DataType {
    DataType::Struct(hash_features_fields())
}

fn hash_features_fields() -> Fields {
    Fields::from(vec![
        Field::new("indices", DataType::List(Arc::new(Field::new_list_field(DataType::Int32, true))), false),
        Field::new("values", DataType::List(Arc::new(Field::new_list_field(DataType::Float64, true))), false),
    ])
}

/// The `hash_features` SQL function: [`crate::text::hash_features`] of every row.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct HashFeatures {
    signature: Signature,
}

impl HashFeatures {
    /// The function, for `ScalarUDF::new_from_impl`.
    pub fn new() -> Self {
        Self { signature: Signature::array_and_index(Volatility::Immutable) }
    }
}

impl Default for HashFeatures {
    fn default() -> Self {
        Self::new()
    }
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        docs::ML,
        "The sparse term-frequency vector Spark's `HashingTF` gives the same tokens, as \
         `STRUCT<indices LIST<INT>, values LIST<DOUBLE>>`; null tokens or a null or non-positive size give null.",
        "hash_features(tokens, num_features)",
    )
    .with_argument("tokens", "A list of text (`LIST<VARCHAR>`), e.g. from `tokenize`.")
    .with_argument("num_features", "The number of hash buckets: a positive integer.")
    .with_sql_example("SELECT hash_features(tokenize('love it, love it'), 1024)")
    .build()
});

/// The kernel: token lists and sizes in, sparse vectors out, with one pair of row buffers for
/// the whole batch.
fn hash_features(args: &[ArrayRef]) -> Result<ArrayRef> {
    let tokens = as_text_list(&args[0], "hash_features")?;
    let tokens = tokens.as_list::<i32>();
    let size = &args[1];
    if !size.data_type().is_integer() && !size.data_type().is_null() {
        return exec_err!("hash_features expects an integer num_features, got {}", size.data_type());
    }
    let size = cast(size, &DataType::Int64)?;
    let size = size.as_primitive::<Int64Type>();

    let mut indices = ListBuilder::with_capacity(Int32Builder::new(), tokens.len());
    let mut values = ListBuilder::with_capacity(Float64Builder::new(), tokens.len());
    let mut nulls = Vec::with_capacity(tokens.len());
    let (mut row_indices, mut row_values) = (Vec::new(), Vec::new());
    for row in 0..tokens.len() {
        let buckets = (!size.is_null(row)).then(|| size.value(row)).filter(|&n| n > 0 && n <= i32::MAX as i64);
        match buckets {
            Some(buckets) if !tokens.is_null(row) => {
                hash_features_into(row_items(tokens, row), buckets as i32, &mut row_indices, &mut row_values);
                indices.values().append_slice(&row_indices);
                values.values().append_slice(&row_values);
                nulls.push(true);
            }
            _ => nulls.push(false),
        }
        indices.append(true);
        values.append(true);
    }
    let columns: Vec<ArrayRef> = vec![Arc::new(indices.finish()), Arc::new(values.finish())];
    Ok(Arc::new(StructArray::try_new(hash_features_fields(), columns, Some(nulls.into()))?))
}

impl ScalarUDFImpl for HashFeatures {
    fn name(&self) -> &str {
        "hash_features"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(hash_features_type())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        invoke_arrays(args, hash_features)
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}
