//! `sentiment_label(polarity[, positive_above, negative_below])` and `rating_sentiment(overall)`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Float64Type};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, TypeSignature, Volatility,
};

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

/// The dashboard's sentiment of a star rating: below 3 `Negative`, 3 `Neutral`, above 3
/// `Positive`.
///
/// ```
/// use reviewlake_udfs::udf::rating_label;
/// assert_eq!(rating_label(5.0), "Positive");
/// assert_eq!(rating_label(3.0), "Neutral");
/// assert_eq!(rating_label(1.0), "Negative");
/// ```
pub fn rating_label(overall: f64) -> &'static str {
    if overall < 3.0 {
        "Negative"
    } else if overall > 3.0 {
        "Positive"
    } else {
        "Neutral"
    }
}

fn to_f64(array: &ArrayRef) -> Result<ArrayRef> {
    // Casting is safe mode: text that is not a number becomes null, never an error.
    Ok(cast(array, &DataType::Float64)?)
}

/// `sentiment_label(polarity DOUBLE[, positive_above DOUBLE, negative_below DOUBLE]) -> VARCHAR`.
///
/// Thresholds default to 0: `> 0` positive, `< 0` negative. Null polarity gives null.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct SentimentLabel {
    signature: Signature,
}

impl Default for SentimentLabel {
    fn default() -> Self {
        Self {
            signature: Signature::one_of(
                vec![TypeSignature::Any(1), TypeSignature::Any(3)],
                Volatility::Immutable,
            ),
        }
    }
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
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let (polarity, positive, negative) = match arrays.as_slice() {
            [p] => (to_f64(p)?, None, None),
            [p, pos, neg] => (to_f64(p)?, Some(to_f64(pos)?), Some(to_f64(neg)?)),
            _ => return exec_err!("sentiment_label takes 1 or 3 arguments, got {}", arrays.len()),
        };
        let polarity = polarity.as_primitive::<Float64Type>();
        let threshold = |column: &Option<ArrayRef>, i: usize| match column {
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
                let (pos, neg) = (threshold(&positive, i)?, threshold(&negative, i)?);
                Some(polarity_label(polarity.value(i), pos, neg))
            })
            .collect();
        Ok(ColumnarValue::Array(Arc::new(labels)))
    }
}

/// `rating_sentiment(overall) -> VARCHAR`: `Positive`, `Neutral` or `Negative` from a star
/// rating given as a number or numeric text; null or junk gives null.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct RatingSentiment {
    signature: Signature,
}

impl Default for RatingSentiment {
    fn default() -> Self {
        Self { signature: Signature::any(1, Volatility::Immutable) }
    }
}

impl ScalarUDFImpl for RatingSentiment {
    fn name(&self) -> &str {
        "rating_sentiment"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let [overall] = arrays.as_slice() else {
            return exec_err!("rating_sentiment takes one argument, got {}", arrays.len());
        };
        let overall = to_f64(overall)?;
        let overall = overall.as_primitive::<Float64Type>();
        let labels: StringArray = overall.iter().map(|v| v.map(rating_label)).collect();
        Ok(ColumnarValue::Array(Arc::new(labels)))
    }
}
