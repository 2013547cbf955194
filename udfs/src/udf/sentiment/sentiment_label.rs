//! `sentiment_label(polarity[, positive_above, negative_below])`: a polarity as a label.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringArray};
use datafusion::arrow::datatypes::{DataType, Float64Type};
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, TypeSignature, Volatility,
};

use crate::udf::args::{invoke_arrays, number, to_f64};
use crate::udf::docs;

/// Label of a polarity: above `positive_above` is `positive`, below `negative_below` is
/// `negative`, anything else `neutral`.
///
/// ```
/// use reviewlake_udfs::udf::polarity_label;
/// assert_eq!(polarity_label(0.4, 0.0, 0.0), "positive");
/// assert_eq!(polarity_label(0.0, 0.0, 0.0), "neutral");
/// assert_eq!(polarity_label(0.05, 0.1, -0.1), "neutral");
/// ```
pub fn polarity_label(polarity: f64, positive_above: f64, negative_below: f64) -> &'static str {
    if polarity > positive_above {
        "positive"
    } else if polarity < negative_below {
        "negative"
    } else {
        "neutral"
    }
}

/// The `sentiment_label` SQL function: [`polarity_label`] of every row.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct SentimentLabel {
    signature: Signature,
}

impl SentimentLabel {
    /// The function, for `ScalarUDF::new_from_impl`.
    pub fn new() -> Self {
        let signature = Signature::one_of(
            vec![
                TypeSignature::Coercible(vec![number()]),
                TypeSignature::Coercible(vec![number(), number(), number()]),
            ],
            Volatility::Immutable,
        );
        Self { signature }
    }
}

impl Default for SentimentLabel {
    fn default() -> Self {
        Self::new()
    }
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        docs::SENTIMENT,
        "`positive` above `positive_above`, `negative` below `negative_below`, otherwise `neutral`, as `VARCHAR`. \
         Thresholds default to 0; a null polarity or threshold gives null.",
        "sentiment_label(polarity[, positive_above, negative_below])",
    )
    .with_argument("polarity", "A polarity (any numeric type), e.g. from `sentiment_polarity`.")
    .with_argument("positive_above", "Optional, with `negative_below`: polarities above it are `positive` (default 0).")
    .with_argument("negative_below", "Optional, with `positive_above`: polarities below it are `negative` (default 0).")
    .with_sql_example("SELECT sentiment_label(0.3), sentiment_label(0.05, 0.1, -0.1)")
    .build()
});

/// The kernel: polarity and optional thresholds in, labels out.
fn sentiment_label(args: &[ArrayRef]) -> Result<ArrayRef> {
    let polarity = to_f64(&args[0])?;
    let polarity = polarity.as_primitive::<Float64Type>();
    let thresholds = args[1..].iter().map(to_f64).collect::<Result<Vec<_>>>()?;
    let threshold = |k: usize, i: usize| match thresholds.get(k) {
        None => Some(0.0),
        Some(c) => {
            let c = c.as_primitive::<Float64Type>();
            (!c.is_null(i)).then(|| c.value(i))
        }
    };
    let labels: StringArray = (0..polarity.len())
        .map(|i| {
            if polarity.is_null(i) {
                return None;
            }
            Some(polarity_label(polarity.value(i), threshold(0, i)?, threshold(1, i)?))
        })
        .collect();
    Ok(Arc::new(labels))
}

impl ScalarUDFImpl for SentimentLabel {
    fn name(&self) -> &str {
        "sentiment_label"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        invoke_arrays(args, sentiment_label)
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}
