//! `json_text_array(text)`: the strings of a JSON array held as text.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{ArrayRef, ListBuilder, StringArray, StringBuilder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, TypeSignature, Volatility,
};

use crate::udf::args::{invoke_arrays, list_of_text, text};
use crate::udf::docs;

/// The `json_text_array` SQL function: a JSON array held as text (`'["Books", "Fiction"]'`,
/// as in the metadata `category` field) as a list.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct JsonTextArray {
    signature: Signature,
}

impl JsonTextArray {
    /// The function, for `ScalarUDF::new_from_impl`.
    pub fn new() -> Self {
        Self { signature: Signature::new(TypeSignature::Coercible(vec![text()]), Volatility::Immutable) }
    }
}

impl Default for JsonTextArray {
    fn default() -> Self {
        Self::new()
    }
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        docs::RECORDS,
        "The items of a JSON array held as text as `LIST<VARCHAR>`; items that are not strings keep their JSON \
         text. Text that is not a JSON array, and null, give null.",
        "json_text_array(text)",
    )
    .with_argument("text", "A JSON array as text: `VARCHAR` in any string layout.")
    .with_sql_example("SELECT json_text_array('[\"Books\", \"Fiction\"]')")
    .build()
});

/// The kernel: JSON texts in, lists out.
fn json_text_array(args: &[ArrayRef]) -> Result<ArrayRef> {
    let texts = cast(&args[0], &DataType::Utf8)?;
    let texts = texts.as_any().downcast_ref::<StringArray>().expect("cast to Utf8");
    let mut lists = ListBuilder::new(StringBuilder::new());
    for text in texts.iter() {
        match text.and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok()) {
            Some(serde_json::Value::Array(items)) => {
                for item in items {
                    match item {
                        serde_json::Value::String(s) => lists.values().append_value(s),
                        serde_json::Value::Null => lists.values().append_null(),
                        other => lists.values().append_value(other.to_string()),
                    }
                }
                lists.append(true);
            }
            _ => lists.append_null(),
        }
    }
    Ok(Arc::new(lists.finish()))
}

impl ScalarUDFImpl for JsonTextArray {
    fn name(&self) -> &str {
        "json_text_array"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(list_of_text())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        invoke_arrays(args, json_text_array)
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::Array;

    use super::*;

    #[test]
    fn json_arrays_become_lists() {
        let input: ArrayRef = Arc::new(StringArray::from(vec![Some(r#"["Books", "Fiction"]"#), Some("Books"), None]));
        let lists = json_text_array(&[input]).unwrap();
        let lists = lists.as_any().downcast_ref::<datafusion::arrow::array::ListArray>().unwrap();
        assert_eq!(lists.value_length(0), 2);
        assert!(lists.is_null(1) && lists.is_null(2));
    }
}
