//! `sentiment_label(polarity[, positive_above, negative_below])` and `rating_sentiment(overall)`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Float64Type};
use datafusion::common::Result;

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
/// Thresholds default to 0: `> 0` positive, `< 0` negative. A null polarity or threshold
/// gives null.
pub fn sentiment_label(args: &[ArrayRef]) -> Result<ArrayRef> {
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

/// `rating_sentiment(overall) -> VARCHAR`: `Positive`, `Neutral` or `Negative` from a star
/// rating given as a number or numeric text; null or junk gives null.
pub fn rating_sentiment(args: &[ArrayRef]) -> Result<ArrayRef> {
    let overall = to_f64(&args[0])?;
    let labels: StringArray = overall.as_primitive::<Float64Type>().iter().map(|v| v.map(rating_label)).collect();
    Ok(Arc::new(labels))
}
