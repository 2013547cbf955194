//! [`TextKernel`]: the shared engine of the functions that map one text value to one value.
//!
//! Most reviewlake functions take one text column and produce one value per row. Each has its
//! own `ScalarUDFImpl` (and documentation) in its group's folder; they share this vectorised
//! loop, which accepts `Utf8`, `LargeUtf8` and `Utf8View`, maps null to null and reuses one
//! `String` buffer for the whole batch.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayAccessor, ArrayRef, AsArray, BooleanArray, Date32Array, Float64Array, Int32Array, Int64Array,
    StringArray, StringBuilder,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, Signature, TypeSignature, Volatility};

/// The per-row work of a one-text-argument function; the variant decides the output type.
///
/// ```
/// use datafusion::arrow::array::{ArrayRef, StringArray};
/// use datafusion::logical_expr::ColumnarValue;
/// use reviewlake_udfs::udf::TextKernel;
/// let kernel = TextKernel::Count(reviewlake_udfs::text::word_count);
/// let input: ArrayRef = std::sync::Arc::new(StringArray::from(vec![Some("two words"), None]));
/// let ColumnarValue::Array(counts) = kernel.invoke("word_count", &[ColumnarValue::Array(input)]).unwrap() else {
///     unreachable!("kernels return arrays")
/// };
/// assert_eq!(counts.len(), 2);
/// ```
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

/// The argument types of a text function.
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

/// One text argument: `Utf8`, `LargeUtf8`, `Utf8View` or a null literal.
pub(crate) fn text_signature() -> Signature {
    exact_one_of(TEXT_TYPES.iter())
}

/// One text argument, or a boolean or number read as its text form (`5.0`, `true`).
pub(crate) fn text_or_scalar_signature() -> Signature {
    exact_one_of(TEXT_TYPES.iter().chain(SCALAR_TYPES.iter()))
}

fn exact_one_of<'a>(types: impl Iterator<Item = &'a DataType>) -> Signature {
    Signature::one_of(types.map(|t| TypeSignature::Exact(vec![t.clone()])).collect(), Volatility::Immutable)
}

impl TextKernel {
    /// The type of the result column.
    pub fn return_type(&self) -> DataType {
        match self {
            TextKernel::Text(_) | TextKernel::TextOrDefault(_) => DataType::Utf8,
            TextKernel::Float(_) => DataType::Float64,
            TextKernel::Int(_) => DataType::Int64,
            TextKernel::Count(_) => DataType::Int32,
            TextKernel::Bool(_) => DataType::Boolean,
            TextKernel::Date(_) => DataType::Date32,
        }
    }

    /// Runs the kernel over the single argument of a call to `function`.
    pub fn invoke(self, function: &str, args: &[ColumnarValue]) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(args)?;
        let [input] = arrays.as_slice() else {
            return exec_err!("{function} takes exactly one argument, got {}", arrays.len());
        };
        let output = match input.data_type() {
            DataType::Utf8 => apply(input.as_string::<i32>(), self),
            DataType::LargeUtf8 => apply(input.as_string::<i64>(), self),
            DataType::Utf8View => apply(input.as_string_view(), self),
            DataType::Null => apply(&StringArray::new_null(input.len()), self),
            other if SCALAR_TYPES.contains(other) => {
                let text = cast(input, &DataType::Utf8)?;
                apply(text.as_string::<i32>(), self)
            }
            other => return exec_err!("{function} expects a text argument, got {other}"),
        };
        Ok(ColumnarValue::Array(output))
    }

    /// [`TextKernel::invoke`] on the arguments DataFusion passes to `invoke_with_args`.
    pub(crate) fn invoke_with_args(self, function: &str, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        self.invoke(function, &args.args)
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
