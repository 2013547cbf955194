//! `rating_sentiment(overall)`: the dashboard's sentiment of a star rating.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{ArrayRef, AsArray, StringArray};
use datafusion::arrow::datatypes::{DataType, Float64Type};
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, TypeSignature, Volatility,
};

use crate::udf::args::{invoke_arrays, number, text, to_f64};
use crate::udf::docs;

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

/// The `rating_sentiment` SQL function: [`rating_label`] of every row.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct RatingSentiment {
    signature: Signature,
}

impl RatingSentiment {
    /// The function, for `ScalarUDF::new_from_impl`.
    pub fn new() -> Self {
        let signature = Signature::one_of(
            vec![TypeSignature::Coercible(vec![number()]), TypeSignature::Coercible(vec![text()])],
            Volatility::Immutable,
        );
        Self { signature }
    }
}

impl Default for RatingSentiment {
    fn default() -> Self {
        Self::new()
    }
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        docs::SENTIMENT,
        "`Negative` below 3 stars, `Neutral` at 3, `Positive` above, as `VARCHAR`; null and text that is not a \
         number give null.",
        "rating_sentiment(overall)",
    )
    .with_argument("overall", "A star rating: any numeric type, or numeric text (`'5.0'`).")
    .with_sql_example("SELECT rating_sentiment(5.0), rating_sentiment('3')")
    .build()
});

/// The kernel: ratings in, labels out.
fn rating_sentiment(args: &[ArrayRef]) -> Result<ArrayRef> {
    let overall = to_f64(&args[0])?;
    let labels: StringArray = overall.as_primitive::<Float64Type>().iter().map(|v| v.map(rating_label)).collect();
    Ok(Arc::new(labels))
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
        invoke_arrays(args, rating_sentiment)
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}
