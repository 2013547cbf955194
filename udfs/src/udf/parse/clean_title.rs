//! `clean_title(title)`: a product title as display text.

use std::sync::LazyLock;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature};

use crate::udf::docs;
use crate::udf::text_function::{TextKernel, text_signature};

/// The `clean_title` SQL function: a product title as display text.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct CleanTitle {
    signature: Signature,
}

impl CleanTitle {
    /// The function, for `ScalarUDF::new_from_impl`.
    pub fn new() -> Self {
        Self { signature: text_signature() }
    }
}

impl Default for CleanTitle {
    fn default() -> Self {
        Self::new()
    }
}

const KERNEL: TextKernel = TextKernel::TextOrDefault(crate::parse::clean_title_into);

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(docs::PARSE, "Title without markup or entities as `VARCHAR`; null, blank and markup-only titles (such as a truncated, never-closed tag) give `Unknown`.", "clean_title(title)")
        .with_argument("title", "The raw title: `VARCHAR` in any string layout (`Utf8`, `LargeUtf8`, `Utf8View`).")
        .with_sql_example("SELECT clean_title('<span id=\"t\">Dave &amp; Busters</span>')")
        .build()
});

impl ScalarUDFImpl for CleanTitle {
    fn name(&self) -> &str {
        "clean_title"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(KERNEL.return_type())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        KERNEL.invoke_with_args(self.name(), args)
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}
