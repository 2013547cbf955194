//! `normalize_brand(brand)`: a brand as display text.

use std::sync::LazyLock;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature};

use crate::udf::docs;
use crate::udf::text_function::{TextKernel, text_signature};

/// The `normalize_brand` SQL function: a brand as display text.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct NormalizeBrand {
    signature: Signature,
}

impl NormalizeBrand {
    /// The function, for `ScalarUDF::new_from_impl`.
    pub fn new() -> Self {
        Self { signature: text_signature() }
    }
}

impl Default for NormalizeBrand {
    fn default() -> Self {
        Self::new()
    }
}

const KERNEL: TextKernel = TextKernel::TextOrDefault(crate::parse::normalize_brand_into);

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(docs::PARSE, "Brand without `by` prefixes, `Visit Amazon's X Page` wrappers and entities, as `VARCHAR`; null, blank and placeholders (`unknown`, `N/A`, `none`, `null`, `-`) give `Unknown`.", "normalize_brand(brand)")
        .with_argument("brand", "The raw brand: `VARCHAR` in any string layout (`Utf8`, `LargeUtf8`, `Utf8View`).")
        .with_sql_example("SELECT normalize_brand('Visit Amazon''s Nintendo Page')")
        .build()
});

impl ScalarUDFImpl for NormalizeBrand {
    fn name(&self) -> &str {
        "normalize_brand"
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
