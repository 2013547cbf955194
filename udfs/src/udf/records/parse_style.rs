//! `parse_style(text)`: a review's `style` object, held as JSON text, as a clean map.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{Array, ArrayRef, MapBuilder, StringArray, StringBuilder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Fields};
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, TypeSignature, Volatility,
};

use crate::udf::args::{invoke_arrays, text};
use crate::udf::docs;

/// The type of `parse_style`: `MAP<VARCHAR, VARCHAR>`.
///
/// ```
/// use datafusion::arrow::datatypes::DataType;
/// assert!(matches!(reviewlake_udfs::udf::style_map_type(), DataType::Map(_, false)));
/// ```
pub fn style_map_type() -> DataType {
    let entries =
        Fields::from(vec![Field::new("keys", DataType::Utf8, false), Field::new("values", DataType::Utf8, true)]);
    DataType::Map(Arc::new(Field::new("entries", DataType::Struct(entries), false)), false)
}

/// The `parse_style` SQL function: a review's `style` object (seed-spec §1.2:
/// `{"Size:": " Medium"}`) as a map whose keys lose the trailing `:` and whose values lose the
/// leading space (`{Size: Medium}`).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ParseStyle {
    signature: Signature,
}

impl ParseStyle {
    /// The function, for `ScalarUDF::new_from_impl`.
    pub fn new() -> Self {
        Self { signature: Signature::new(TypeSignature::Coercible(vec![text()]), Volatility::Immutable) }
    }
}

impl Default for ParseStyle {
    fn default() -> Self {
        Self::new()
    }
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        docs::RECORDS,
        "A style object held as JSON text as `MAP<VARCHAR, VARCHAR>`: keys without the trailing `:`, values trimmed \
         (`{\"Size:\": \" Medium\"}` gives `{Size: Medium}`); values that are not strings keep their JSON text. \
         Text that is not a JSON object, and null, give null.",
        "parse_style(text)",
    )
    .with_argument("text", "A JSON object as text: `VARCHAR` in any string layout.")
    .with_sql_example("SELECT parse_style('{\"Size:\": \" Medium\", \"Color:\": \" Red\"}')")
    .build()
});

/// The kernel: JSON texts in, maps out.
fn parse_style(args: &[ArrayRef]) -> Result<ArrayRef> {
    let texts = cast(&args[0], &DataType::Utf8)?;
    let texts = texts.as_any().downcast_ref::<StringArray>().expect("cast to Utf8");
    let mut maps = MapBuilder::new(None, StringBuilder::new(), StringBuilder::new());
    for text in texts.iter() {
        match text.and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok()) {
            Some(serde_json::Value::Object(entries)) => {
                for (key, value) in entries {
                    maps.keys().append_value(key.trim().trim_end_matches(':').trim_end());
                    match value {
                        serde_json::Value::String(s) => maps.values().append_value(s.trim()),
                        serde_json::Value::Null => maps.values().append_null(),
                        other => maps.values().append_value(other.to_string()),
                    }
                }
                maps.append(true)?;
            }
            _ => maps.append(false)?,
        }
    }
    let maps = maps.finish();
    // The builder names its fields itself; the declared return type must match exactly.
    Ok(cast(&maps, &style_map_type())?)
}

impl ScalarUDFImpl for ParseStyle {
    fn name(&self) -> &str {
        "parse_style"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(style_map_type())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        invoke_arrays(args, parse_style)
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn styles_become_clean_maps() {
        let input: ArrayRef =
            Arc::new(StringArray::from(vec![Some(r#"{"Size:": " Medium", "Color:": " Red "}"#), Some("[1]"), None]));
        let maps = parse_style(&[input]).unwrap();
        assert_eq!(maps.data_type(), &style_map_type());
        let maps = maps.as_any().downcast_ref::<datafusion::arrow::array::MapArray>().unwrap();
        let keys = maps.value(0).column(0).as_any().downcast_ref::<StringArray>().unwrap().clone();
        let values = maps.value(0).column(1).as_any().downcast_ref::<StringArray>().unwrap().clone();
        assert_eq!((keys.value(0), values.value(0)), ("Color", "Red"));
        assert_eq!((keys.value(1), values.value(1)), ("Size", "Medium"));
        assert!(maps.is_null(1) && maps.is_null(2));
    }
}
