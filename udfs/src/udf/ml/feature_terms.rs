//! `feature_terms(text, ngram_max)`: the terms of a review for sentiment features.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{Array, ArrayRef, AsArray, ListBuilder, StringBuilder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::arrow::util::display::array_value_to_string;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    Coercion, ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, TypeSignature,
    TypeSignatureClass, Volatility,
};

use crate::text::TermBuilder;
use crate::udf::args::{as_utf8, invoke_arrays, list_of_text, text};
use crate::udf::docs;

/// The longest n-gram `feature_terms` builds.
const MAX_NGRAM: i64 = 3;

/// The `feature_terms` SQL function: [`TermBuilder::build`] of every row.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct FeatureTerms {
    signature: Signature,
}

impl FeatureTerms {
    /// The function, for `ScalarUDF::new_from_impl`.
    pub fn new() -> Self {
        Self {
            signature: Signature::new(
                TypeSignature::Coercible(vec![text(), Coercion::new_exact(TypeSignatureClass::Integer)]),
                Volatility::Immutable,
            ),
        }
    }
}

impl Default for FeatureTerms {
    fn default() -> Self {
        Self::new()
    }
}

static DOCUMENTATION: LazyLock<Documentation> = LazyLock::new(|| {
    Documentation::builder(
        docs::ML,
        "The terms of the text for sentiment features, as `LIST<VARCHAR>`: the words of `tokenize`, except \
         that the stop words carrying sentiment (negations such as `not`, `no`, `don't`, `isn't` and \
         intensifiers such as `very`, `too`, `only`) are kept, followed by every run of 2 to `ngram_max` \
         consecutive words joined by a space. Null text or a null `ngram_max` gives null.",
        "feature_terms(text, ngram_max)",
    )
    .with_argument("text", "Review text: `VARCHAR` in any string layout (`Utf8`, `LargeUtf8`, `Utf8View`).")
    .with_argument(
        "ngram_max",
        "The longest n-gram: an integer from 1 (words only) to 3 (words, bigrams and trigrams); other values are an error.",
    )
    .with_sql_example(
        "SELECT hash_features(feature_terms(reviewText, 2), 262144) \
         FROM (VALUES ('Not good, not bad at all')) AS reviews(reviewText)",
    )
    .build()
});

/// The kernel: texts and n-gram lengths in, term lists out, with one term builder for the whole
/// batch.
fn feature_terms(args: &[ArrayRef]) -> Result<ArrayRef> {
    let text = as_utf8(&args[0], "feature_terms")?;
    let text = text.as_string::<i32>();
    let ngram_arg = &args[1];
    if !ngram_arg.data_type().is_integer() && !ngram_arg.data_type().is_null() {
        return exec_err!("feature_terms expects an integer ngram_max, got {}", ngram_arg.data_type());
    }
    // `logical_nulls`, because a `NullArray` has no validity buffer.
    let ngram_nulls = ngram_arg.logical_nulls();
    let ngram_max = cast(ngram_arg, &DataType::Int64)?;
    let ngram_max = ngram_max.as_primitive::<Int64Type>();

    let mut builder = ListBuilder::with_capacity(StringBuilder::new(), text.len());
    let mut terms = TermBuilder::new();
    for row in 0..text.len() {
        if ngram_nulls.as_ref().is_some_and(|nulls| nulls.is_null(row)) {
            builder.append_null();
            continue;
        }
        // Null here only when a `UInt64` did not fit an `Int64`.
        let n = (!ngram_max.is_null(row)).then(|| ngram_max.value(row)).filter(|n| (1..=MAX_NGRAM).contains(n));
        let Some(n) = n else {
            let got = array_value_to_string(ngram_arg.as_ref(), row)?;
            return exec_err!("feature_terms expects ngram_max in 1..={}, got {}", MAX_NGRAM, got);
        };
        if text.is_null(row) {
            builder.append_null();
            continue;
        }
        terms.build(text.value(row), n as usize);
        for term in terms.iter() {
            builder.values().append_value(term);
        }
        builder.append(true);
    }
    Ok(Arc::new(builder.finish()))
}

impl ScalarUDFImpl for FeatureTerms {
    fn name(&self) -> &str {
        "feature_terms"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(list_of_text())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        invoke_arrays(args, feature_terms)
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&DOCUMENTATION)
    }
}

#[cfg(test)]
mod tests {
    use datafusion::logical_expr::ScalarUDF;
    use datafusion::prelude::SessionContext;

    use super::*;

    fn context() -> SessionContext {
        let ctx = SessionContext::new();
        ctx.register_udf(ScalarUDF::new_from_impl(FeatureTerms::new()));
        ctx
    }

    /// The list column `column` of the result of `sql`, a row per element.
    async fn lists(ctx: &SessionContext, sql: &str, column: usize) -> Vec<Option<Vec<String>>> {
        let batches = ctx.sql(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}")).collect().await.unwrap();
        let mut out = Vec::new();
        for batch in &batches {
            assert_eq!(batch.column(column).data_type(), &list_of_text());
            let list = batch.column(column).as_list::<i32>();
            for row in 0..list.len() {
                out.push((!list.is_null(row)).then(|| {
                    let items = list.value(row);
                    items.as_string::<i32>().iter().map(|s| s.unwrap_or_default().to_owned()).collect()
                }));
            }
        }
        out
    }

    fn expected(text: &str, ngram_max: usize) -> Option<Vec<String>> {
        let mut terms = TermBuilder::new();
        terms.build(text, ngram_max);
        Some(terms.iter().map(str::to_owned).collect())
    }

    const TABLE: &str = "(VALUES (1, 'Not good, not bad at all', 2), (2, NULL, 2), \
                         (3, 'The phone isn''t very good', 3), (4, 'great', NULL), (5, 'the and of', 1)) AS r(id, t, n)";

    #[tokio::test]
    async fn terms_of_every_row_for_every_string_layout() {
        let ctx = context();
        for layout in ["t", "arrow_cast(t, 'LargeUtf8')", "arrow_cast(t, 'Utf8View')"] {
            let sql = format!("SELECT id, feature_terms({layout}, n) FROM {TABLE} ORDER BY id");
            let rows = lists(&ctx, &sql, 1).await;
            let owned = |terms: &[&str]| Some(terms.iter().map(|s| s.to_string()).collect::<Vec<_>>());
            assert_eq!(
                rows,
                [
                    owned(&["not", "good", "not", "bad", "not good", "good not", "not bad"]),
                    None,
                    expected("The phone isn't very good", 3),
                    None,
                    Some(Vec::new()),
                ],
                "{layout}"
            );
            assert_eq!(
                rows[2],
                owned(&[
                    "phone",
                    "isn't",
                    "very",
                    "good",
                    "phone isn't",
                    "isn't very",
                    "very good",
                    "phone isn't very",
                    "isn't very good"
                ])
            );
        }
        let rows = lists(&ctx, "SELECT feature_terms(NULL, 2)", 0).await;
        assert_eq!(rows, [None]);
        let rows = lists(&ctx, "SELECT feature_terms('not good', NULL)", 0).await;
        assert_eq!(rows, [None]);
        let rows = lists(&ctx, "SELECT feature_terms('Not good', arrow_cast(2, 'UInt8'))", 0).await;
        assert_eq!(rows, [expected("Not good", 2)]);
    }

    /// Plans and runs `sql`: an error may come from either step.
    async fn run(ctx: &SessionContext, sql: &str) -> Result<()> {
        ctx.sql(sql).await?.collect().await?;
        Ok(())
    }

    #[tokio::test]
    async fn ngram_max_outside_1_to_3_is_an_error() {
        let ctx = context();
        let cases = [
            ("4", "got 4"),
            ("0", "got 0"),
            ("-1", "got -1"),
            ("arrow_cast(18446744073709551615, 'UInt64')", "got 18446744073709551615"),
        ];
        for (n, got) in cases {
            let sql = format!("SELECT id, feature_terms(t, {n}) FROM {TABLE}");
            let error = run(&ctx, &sql).await.expect_err(&sql).to_string();
            assert!(error.contains("ngram_max in 1..=3") && error.contains(got), "{sql}: {error}");
        }
        let error = run(&ctx, "SELECT feature_terms('good', 2.5)").await.expect_err("a float is refused").to_string();
        assert!(error.contains("feature_terms"), "{error}");
    }
}
