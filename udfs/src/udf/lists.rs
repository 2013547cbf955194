//! Functions with list arguments or results: `extract_category(main_cat, category)`,
//! `tokenize(text)` and `hash_features(tokens, num_features)`.
//!
//! List rows are read through the child array and offsets, never sliced per row.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Float64Builder, GenericListArray, Int32Builder, ListBuilder, StringArray, StringBuilder,
    StructArray,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Fields, Int64Type};
use datafusion::common::{Result, exec_err};

use crate::parse::extract_category_into;
use crate::text::{TokenBuffer, hash_features_into};

/// `LIST<VARCHAR>`, the result type of `tokenize`.
pub fn list_of_text() -> DataType {
    DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, true)))
}

/// Any string column as `Utf8`, nulls kept.
fn as_utf8(array: &ArrayRef, function: &str) -> Result<ArrayRef> {
    match array.data_type() {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null => Ok(cast(array, &DataType::Utf8)?),
        other => exec_err!("{function} expects text, got {other}"),
    }
}

/// Any list-of-text column as `List<Utf8>`, nulls kept.
fn as_text_list(array: &ArrayRef, function: &str) -> Result<ArrayRef> {
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

/// The non-null strings of row `row` of a `List<Utf8>` array.
fn row_items<'a>(list: &'a GenericListArray<i32>, row: usize) -> impl Iterator<Item = &'a str> + 'a {
    let offsets = list.value_offsets();
    let items: &StringArray = list.values().as_string::<i32>();
    (offsets[row] as usize..offsets[row + 1] as usize).filter(|&j| !items.is_null(j)).map(|j| items.value(j))
}

/// `extract_category(main_cat VARCHAR, category LIST<VARCHAR>) -> VARCHAR`: see
/// [`crate::parse::extract_category`]; null when neither argument holds a category.
pub fn extract_category(args: &[ArrayRef]) -> Result<ArrayRef> {
    let main_cat = as_utf8(&args[0], "extract_category")?;
    let main_cat = main_cat.as_string::<i32>();
    let category = as_text_list(&args[1], "extract_category")?;
    let category = category.as_list::<i32>();
    let mut builder = StringBuilder::with_capacity(main_cat.len(), main_cat.len() * 16);
    let mut buffer = String::new();
    for row in 0..main_cat.len() {
        let main = (!main_cat.is_null(row)).then(|| main_cat.value(row));
        let breadcrumb = (!category.is_null(row)).then(|| row_items(category, row)).into_iter().flatten();
        if extract_category_into(main, breadcrumb, &mut buffer) {
            builder.append_value(&buffer);
        } else {
            builder.append_null();
        }
    }
    Ok(Arc::new(builder.finish()))
}

/// `tokenize(text VARCHAR) -> LIST<VARCHAR>`: normalised words without English stop words
/// (see [`crate::text::TokenBuffer`]); null gives null.
pub fn tokenize(args: &[ArrayRef]) -> Result<ArrayRef> {
    let text = as_utf8(&args[0], "tokenize")?;
    let text = text.as_string::<i32>();
    let mut builder = ListBuilder::with_capacity(StringBuilder::new(), text.len());
    let mut tokens = TokenBuffer::new();
    for value in text.iter() {
        match value {
            Some(value) => {
                tokens.tokenize(value);
                for token in tokens.iter() {
                    builder.values().append_value(token);
                }
                builder.append(true);
            }
            None => builder.append_null(),
        }
    }
    Ok(Arc::new(builder.finish()))
}

/// The result type of `hash_features`: Spark's sparse vector as two parallel lists.
pub fn hash_features_type() -> DataType {
    DataType::Struct(hash_features_fields())
}

fn hash_features_fields() -> Fields {
    Fields::from(vec![
        Field::new("indices", DataType::List(Arc::new(Field::new_list_field(DataType::Int32, true))), false),
        Field::new("values", DataType::List(Arc::new(Field::new_list_field(DataType::Float64, true))), false),
    ])
}

/// `hash_features(tokens LIST<VARCHAR>, num_features INT) -> STRUCT<indices LIST<INT>, values
/// LIST<DOUBLE>>`: the sparse term-frequency vector Spark's `HashingTF` gives the same tokens
/// (see [`crate::text::hash_features`]). Null tokens or a null or non-positive size give null.
pub fn hash_features(args: &[ArrayRef]) -> Result<ArrayRef> {
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
