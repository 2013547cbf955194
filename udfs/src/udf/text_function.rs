//! [`TextFunction`]: a one-argument text UDF driven by a plain Rust kernel.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayAccessor, ArrayRef, AsArray, BooleanArray, Date32Array, Float64Array, Int32Array, Int64Array,
    StringBuilder,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, TypeSignature, Volatility,
};

/// The per-row work of a [`TextFunction`]; the variant decides the output type.
#[derive(Debug, Clone, Copy)]
pub enum TextKernel {
    /// Text out (`Utf8`), written into a reused buffer; null in gives null out.
    Text(fn(&str, &mut String)),
    /// Text out for every row, null input included (the kernel decides what null becomes).
    TextOrDefault(fn(Option<&str>, &mut String)),
    /// `Float64` out; `None` (junk) gives null.
    Float(fn(&str) -> Option<f64>),
    /// `Int64` out; `None` (junk) gives null.
    Int(fn(&str) -> Option<i64>),
    /// `Int32` out for every row, null input included (counts: null counts as nothing).
    Count(fn(Option<&str>) -> i32),
    /// `Boolean` out; `None` gives null.
    Bool(fn(&str) -> Option<bool>),
    /// `Date32` (days since 1970-01-01) out; `None` gives null.
    Date(fn(&str) -> Option<i32>),
}

impl TextKernel {
    fn return_type(&self) -> DataType {
        match self {
            TextKernel::Text(_) | TextKernel::TextOrDefault(_) => DataType::Utf8,
            TextKernel::Float(_) => DataType::Float64,
            TextKernel::Int(_) => DataType::Int64,
            TextKernel::Count(_) => DataType::Int32,
            TextKernel::Bool(_) => DataType::Boolean,
            TextKernel::Date(_) => DataType::Date32,
        }
    }
}

/// A scalar UDF of one text argument, vectorised over Arrow string arrays.
///
/// ```
/// use datafusion::logical_expr::ScalarUDF;
/// use reviewlake_udfs::udf::{TextFunction, TextKernel};
/// fn shout(s: &str, out: &mut String) { out.push_str(&s.to_uppercase()); }
/// let udf = ScalarUDF::new_from_impl(TextFunction::new("shout", TextKernel::Text(shout), "Upper-cases."));
/// assert_eq!(udf.name(), "shout");
/// ```
#[derive(Debug)]
pub struct TextFunction {
    name: &'static str,
    kernel: TextKernel,
    description: &'static str,
    signature: Signature,
}

const TEXT_TYPES: [DataType; 4] = [DataType::Utf8, DataType::LargeUtf8, DataType::Utf8View, DataType::Null];

/// Raw JSON fields hold numbers and booleans where strings are expected (`overall: 5.0`,
/// `verified: true`, `unixReviewTime: 1420070400`); parsers accept those too.
const SCALAR_TYPES: [DataType; 11] = [
    DataType::Boolean,
    DataType::Int8,
    DataType::Int16,
    DataType::Int32,
    DataType::Int64,
    DataType::UInt8,
    DataType::UInt16,
    DataType::UInt32,
    DataType::UInt64,
    DataType::Float32,
    DataType::Float64,
];

impl TextFunction {
    /// A function called `name` that runs `kernel` on every row of a text column.
    pub fn new(name: &'static str, kernel: TextKernel, description: &'static str) -> Self {
        Self { name, kernel, description, signature: exact_one_of(TEXT_TYPES.iter()) }
    }

    /// Also accepts boolean and numeric columns, read as their text form (`5.0`, `true`).
    ///
    /// ```
    /// use reviewlake_udfs::udf::{TextFunction, TextKernel};
    /// let f = TextFunction::new("parse_rating", TextKernel::Float(reviewlake_udfs::parse::parse_rating), "")
    ///     .accepting_scalars();
    /// ```
    pub fn accepting_scalars(mut self) -> Self {
        self.signature = exact_one_of(TEXT_TYPES.iter().chain(SCALAR_TYPES.iter()));
        self
    }

    /// One sentence on what the function does.
    pub fn description(&self) -> &'static str {
        self.description
    }
}

fn exact_one_of<'a>(types: impl Iterator<Item = &'a DataType>) -> Signature {
    Signature::one_of(types.map(|t| TypeSignature::Exact(vec![t.clone()])).collect(), Volatility::Immutable)
}

impl PartialEq for TextFunction {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for TextFunction {}

impl Hash for TextFunction {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl ScalarUDFImpl for TextFunction {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(self.kernel.return_type())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let [input] = arrays.as_slice() else {
            return exec_err!("{} takes exactly one argument, got {}", self.name, arrays.len());
        };
        let output = match input.data_type() {
            DataType::Utf8 => apply(input.as_string::<i32>(), self.kernel),
            DataType::LargeUtf8 => apply(input.as_string::<i64>(), self.kernel),
            DataType::Utf8View => apply(input.as_string_view(), self.kernel),
            DataType::Null => {
                let nulls = datafusion::arrow::array::StringArray::new_null(input.len());
                apply(&nulls, self.kernel)
            }
            other if SCALAR_TYPES.contains(other) => {
                let text = cast(input, &DataType::Utf8)?;
                apply(text.as_string::<i32>(), self.kernel)
            }
            other => return exec_err!("{} expects a text argument, got {other}", self.name),
        };
        Ok(ColumnarValue::Array(output))
    }
}

/// Runs `kernel` over every row of a string array of any offset width or view layout.
fn apply<'a, S>(input: S, kernel: TextKernel) -> ArrayRef
where
    S: ArrayAccessor<Item = &'a str> + Array + Copy,
{
    let rows = 0..input.len();
    let value = move |i: usize| (!input.is_null(i)).then(|| input.value(i));
    match kernel {
        TextKernel::Text(f) => {
            let mut builder = StringBuilder::with_capacity(input.len(), input.get_buffer_memory_size());
            let mut buffer = String::new();
            for i in rows {
                match value(i) {
                    Some(text) => {
                        buffer.clear();
                        f(text, &mut buffer);
                        builder.append_value(&buffer);
                    }
                    None => builder.append_null(),
                }
            }
            Arc::new(builder.finish())
        }
        TextKernel::TextOrDefault(f) => {
            let mut builder = StringBuilder::with_capacity(input.len(), input.get_buffer_memory_size());
            let mut buffer = String::new();
            for i in rows {
                buffer.clear();
                f(value(i), &mut buffer);
                builder.append_value(&buffer);
            }
            Arc::new(builder.finish())
        }
        TextKernel::Float(f) => Arc::new(rows.map(|i| value(i).and_then(f)).collect::<Float64Array>()),
        TextKernel::Int(f) => Arc::new(rows.map(|i| value(i).and_then(f)).collect::<Int64Array>()),
        TextKernel::Count(f) => Arc::new(rows.map(|i| Some(f(value(i)))).collect::<Int32Array>()),
        TextKernel::Bool(f) => Arc::new(rows.map(|i| value(i).and_then(f)).collect::<BooleanArray>()),
        TextKernel::Date(f) => Arc::new(rows.map(|i| value(i).and_then(f)).collect::<Date32Array>()),
    }
}
