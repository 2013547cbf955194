//! [`ArrayFunction`]: a scalar UDF whose whole work is one closure over argument arrays, for
//! functions that carry state (e.g. the source store of `read_text_lines` in the cluster crate).
//!
//! reviewlake's own functions each have their own `ScalarUDFImpl` instead, with a typed
//! signature and documentation.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use datafusion::arrow::array::ArrayRef;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, TypeSignature, Volatility,
};

use crate::udf::args::invoke_arrays;

/// The kernel of an [`ArrayFunction`]: argument arrays (all of the batch's length) in, one
/// result array out. A closure may carry what the kernel needs (e.g. a client).
pub type ArrayKernel = Arc<dyn Fn(&[ArrayRef]) -> Result<ArrayRef> + Send + Sync>;

/// A scalar UDF with a fixed return type whose work is an [`ArrayKernel`].
///
/// ```
/// use std::sync::Arc;
/// use datafusion::arrow::array::{ArrayRef, Int64Array};
/// use datafusion::arrow::datatypes::DataType;
/// use datafusion::logical_expr::{ScalarUDF, Signature, Volatility};
/// use reviewlake_udfs::udf::ArrayFunction;
/// fn row_count(args: &[ArrayRef]) -> datafusion::common::Result<ArrayRef> {
///     Ok(Arc::new(Int64Array::from(vec![args[0].len() as i64; args[0].len()])))
/// }
/// let udf = ArrayFunction::new("row_count", &[1], DataType::Int64, row_count)
///     .with_signature(Signature::string(1, Volatility::Immutable));
/// let udf = ScalarUDF::new_from_impl(udf);
/// assert_eq!(udf.name(), "row_count");
/// ```
pub struct ArrayFunction {
    name: &'static str,
    signature: Signature,
    return_type: DataType,
    kernel: ArrayKernel,
    documentation: Option<Documentation>,
}

impl ArrayFunction {
    /// A function called `name` taking any of `arities` arguments of any type (the kernel
    /// checks them); [`ArrayFunction::with_signature`] declares the types instead.
    pub fn new(
        name: &'static str,
        arities: &[usize],
        return_type: DataType,
        kernel: impl Fn(&[ArrayRef]) -> Result<ArrayRef> + Send + Sync + 'static,
    ) -> Self {
        let signature =
            Signature::one_of(arities.iter().map(|&n| TypeSignature::Any(n)).collect(), Volatility::Immutable);
        Self { name, signature, return_type, kernel: Arc::new(kernel), documentation: None }
    }

    /// The same function with the argument types of `signature`, checked when a query is planned.
    pub fn with_signature(mut self, signature: Signature) -> Self {
        self.signature = signature;
        self
    }

    /// The same function with its documentation (as listed by [`crate::udf::markdown_table`]).
    pub fn with_documentation(mut self, documentation: Documentation) -> Self {
        self.documentation = Some(documentation);
        self
    }
}

impl std::fmt::Debug for ArrayFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArrayFunction").field("name", &self.name).field("return_type", &self.return_type).finish()
    }
}

impl PartialEq for ArrayFunction {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for ArrayFunction {}

impl Hash for ArrayFunction {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl ScalarUDFImpl for ArrayFunction {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(self.return_type.clone())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        invoke_arrays(args, |arrays| (self.kernel)(arrays))
    }

    fn documentation(&self) -> Option<&Documentation> {
        self.documentation.as_ref()
    }
}
