//! `extract_category(main_cat, category)`: the product category shown on dashboards.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringBuilder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::utils::ListCoercion;
use datafusion::logical_expr::{
    ArrayFunctionArgument, ArrayFunctionSignature, ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl,
    Signature, TypeSignature, Volatility,
};

use crate::parse::extract_category_into;
use crate::udf::args::{as_text_list, as_utf8, invoke_arrays, row_items};
use crate::udf::docs;

/// The `extract_category` SQL function: [`crate::parse::extract_category`] of every row.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ExtractCategory {
    signature: Signature,
}

impl ExtractCategory {
    /// The function, for `ScalarUDF::new_from_impl`.
    pub fn new() -> Self {
        let signature = Signature::new(
            TypeSignature::ArraySignature(ArrayFunctionSignature::Array {
                arguments: vec![ArrayFunctionArgument::String, ArrayFunctionArgument::Array],
                array_coercion: Some(ListCoercion::FixedSizedListToList),
            }),
            Volatility::Immutable,
        );
        Self { signature }
    }
}

impl Default for ExtractCategory {
    fn default() -> Self {
        Self::new()
    }
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        docs::PARSE,
        "The category as `VARCHAR`: `main_cat` entity-decoded (the `alt` text of an `<img>` tag, other tags removed), \
         else the first non-blank breadcrumb entry, in canonical capitalisation; null when neither holds one.",
        "extract_category(main_cat, category)",
    )
    .with_argument("main_cat", "The raw `main_cat` text (null allowed).")
    .with_argument("category", "The `category` breadcrumb: a list of text (`LIST<VARCHAR>`, null allowed).")
    .with_sql_example("SELECT extract_category('', make_array('', 'Gift Cards'))")
    .build()
});

/// The kernel: main categories and breadcrumbs in, categories out.
fn extract_category(args: &[ArrayRef]) -> Result<ArrayRef> {
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

impl ScalarUDFImpl for ExtractCategory {
    fn name(&self) -> &str {
        "extract_category"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        invoke_arrays(args, extract_category)
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}
