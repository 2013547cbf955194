//! [`ArrayFunction`]: a scalar UDF whose whole work is one function over argument arrays.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use datafusion::arrow::array::ArrayRef;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility};

/// The kernel of an [`ArrayFunction`]: argument arrays (all of the batch's length) in, one
/// result array out. A closure may carry what the kernel needs (e.g. a client).
pub type ArrayKernel = Arc<dyn Fn(&[ArrayRef]) -> Result<ArrayRef> + Send + Sync>;

/// A scalar UDF with a fixed return type whose arguments are checked and converted by its
/// kernel, so that functions taking numbers, text or lists share one `ScalarUDFImpl`.
///
/// ```
/// use std::sync::Arc;
/// use datafusion::arrow::array::{ArrayRef, Int64Array};
/// use datafusion::arrow::datatypes::DataType;
/// use datafusion::logical_expr::ScalarUDF;
/// use reviewlake_udfs::udf::ArrayFunction;
/// fn row_count(args: &[ArrayRef]) -> datafusion::common::Result<ArrayRef> {
///     Ok(Arc::new(Int64Array::from(vec![args[0].len() as i64; args[0].len()])))
/// }
/// let udf = ScalarUDF::new_from_impl(ArrayFunction::new("row_count", &[1], DataType::Int64, row_count));
/// assert_eq!(udf.name(), "row_count");
/// ```
pub struct ArrayFunction {
    name: &'static str,
    signature: Signature,
    return_type: DataType,
    kernel: ArrayKernel,
}

impl ArrayFunction {
    /// A function called `name` taking any of `arities` arguments of any type.
    pub fn new(
        name: &'static str,
        arities: &[usize],
        return_type: DataType,
        kernel: impl Fn(&[ArrayRef]) -> Result<ArrayRef> + Send + Sync + 'static,
    ) -> Self {
        let signature = Signature::one_of(
            arities.iter().map(|&n| datafusion::logical_expr::TypeSignature::Any(n)).collect(),
            Volatility::Immutable,
        );
        Self { name, signature, return_type, kernel: Arc::new(kernel) }
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
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        Ok(ColumnarValue::Array((self.kernel)(&arrays)?))
    }
}
