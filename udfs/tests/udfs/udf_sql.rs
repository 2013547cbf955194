//! Every reviewlake UDF called from SQL, over every string layout and with nulls, compared with
//! the pure function it wraps.

use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Date32Type, Float64Type, Int32Type, Int64Type};
use datafusion::prelude::SessionContext;
use reviewlake_udfs::{parse, sentiment, text};

fn context() -> SessionContext {
    let ctx = SessionContext::new();
    for udf in reviewlake_udfs::scalar_functions() {
        ctx.register_udf((*udf).clone());
    }
    ctx
}

async fn one_row(ctx: &SessionContext, sql: &str) -> RecordBatch {
    let batches = ctx.sql(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}")).collect().await.unwrap();
    assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 1, "{sql}");
    batches.into_iter().find(|b| b.num_rows() == 1).unwrap()
}

fn text_at(batch: &RecordBatch, column: usize) -> Option<String> {
    let column = datafusion::arrow::compute::cast(batch.column(column), &DataType::Utf8).unwrap();
    let column = column.as_string::<i32>();
    (!column.is_null(0)).then(|| column.value(0).to_string())
}

const SAMPLE: &str = "Great &amp; CHEAP!<br />Loved it :) see https://x.example/p 😀";

#[tokio::test]
async fn text_functions_match_their_pure_functions_for_every_string_layout() {
    let ctx = context();
    let mut expected = String::new();
    text::normalize_text(SAMPLE, &mut expected);
    for cast in ["'{s}'", "arrow_cast('{s}', 'LargeUtf8')", "arrow_cast('{s}', 'Utf8View')"] {
        let literal = cast.replace("{s}", SAMPLE);
        let batch = one_row(
            &ctx,
            &format!(
                "SELECT normalize_text({literal}), sentiment_polarity({literal}), sentiment_subjectivity({literal}), word_count({literal})"
            ),
        )
        .await;
        assert_eq!(text_at(&batch, 0).as_deref(), Some(expected.as_str()), "{literal}");
        assert_eq!(batch.column(1).as_primitive::<Float64Type>().value(0), sentiment::polarity(SAMPLE));
        assert_eq!(batch.column(2).as_primitive::<Float64Type>().value(0), sentiment::subjectivity(SAMPLE));
        assert_eq!(batch.column(3).as_primitive::<Int32Type>().value(0), text::word_count(Some(SAMPLE)));
    }
}

#[tokio::test]
async fn nulls_give_nulls_except_where_documented() {
    let ctx = context();
    let batch = one_row(
        &ctx,
        "SELECT normalize_text(NULL), sentiment_polarity(CAST(NULL AS VARCHAR)), parse_price(NULL), \
                word_count(NULL), normalize_brand(NULL), clean_title(NULL), sentiment_label(NULL), rating_sentiment(NULL)",
    )
    .await;
    assert!(batch.column(0).is_null(0));
    assert!(batch.column(1).is_null(0));
    assert!(batch.column(2).is_null(0));
    assert_eq!(batch.column(3).as_primitive::<Int32Type>().value(0), 0);
    assert_eq!(text_at(&batch, 4).as_deref(), Some("Unknown"));
    assert_eq!(text_at(&batch, 5).as_deref(), Some("Unknown"));
    assert!(batch.column(6).is_null(0));
    assert!(batch.column(7).is_null(0));
}

#[tokio::test]
async fn parsers_accept_text_and_raw_json_scalars() {
    let ctx = context();
    let batch = one_row(
        &ctx,
        "SELECT parse_price('$1,299.00'), parse_price('$10.00 - $20.00'), parse_price('<div>junk</div>'), \
                parse_vote('1,341'), parse_bool(true), parse_bool('False'), parse_rating(5.0), parse_rating('4.0'), \
                parse_review_date(1420070400), parse_review_date('04 5, 2017'), parse_review_date('garbage')",
    )
    .await;
    let float = |i: usize| batch.column(i).as_primitive::<Float64Type>();
    assert_eq!(float(0).value(0), 1299.0);
    assert_eq!(float(1).value(0), 15.0);
    assert!(float(2).is_null(0));
    assert_eq!(batch.column(3).as_primitive::<Int64Type>().value(0), 1341);
    assert!(batch.column(4).as_boolean().value(0));
    assert!(!batch.column(5).as_boolean().value(0));
    assert_eq!(float(6).value(0), 5.0);
    assert_eq!(float(7).value(0), 4.0);
    let date = |i: usize| batch.column(i).as_primitive::<Date32Type>();
    assert_eq!(date(8).value(0), parse::parse_review_date("1420070400").unwrap());
    assert_eq!(date(9).value(0), parse::days_from_ymd(2017, 4, 5).unwrap());
    assert!(date(10).is_null(0));
}

#[tokio::test]
async fn labels_follow_the_thresholds() {
    let ctx = context();
    let batch = one_row(
        &ctx,
        "SELECT sentiment_label(0.3), sentiment_label(-0.01), sentiment_label(0.0), sentiment_label(0.05, 0.1, -0.1), \
                rating_sentiment(1.0), rating_sentiment(3), rating_sentiment('5.0'), rating_sentiment('junk')",
    )
    .await;
    let labels: Vec<Option<String>> = (0..8).map(|i| text_at(&batch, i)).collect();
    let expected = ["positive", "negative", "neutral", "neutral", "Negative", "Neutral", "Positive"];
    for (got, want) in labels.iter().zip(expected) {
        assert_eq!(got.as_deref(), Some(want));
    }
    assert_eq!(labels[7], None);
}

#[tokio::test]
async fn metadata_cleaners_work_on_lists_and_markup() {
    let ctx = context();
    let batch = one_row(
        &ctx,
        "SELECT extract_category('<img src=\"x.png\" alt=\"AMAZON FASHION\"/>', make_array('Clothing')), \
                extract_category('', make_array('', 'Gift Cards')), \
                extract_category(NULL, NULL), \
                normalize_brand('by\n    \n    Nintendo'), normalize_brand('Visit Amazon''s Nintendo Page'), \
                clean_title('<span id=\"t\">Dave &amp; Busters</span>')",
    )
    .await;
    assert_eq!(text_at(&batch, 0).as_deref(), Some("Amazon Fashion"));
    assert_eq!(text_at(&batch, 1).as_deref(), Some("Gift Cards"));
    assert_eq!(text_at(&batch, 2), None);
    assert_eq!(text_at(&batch, 3).as_deref(), Some("Nintendo"));
    assert_eq!(text_at(&batch, 4).as_deref(), Some("Nintendo"));
    assert_eq!(text_at(&batch, 5).as_deref(), Some("Dave & Busters"));
}

#[tokio::test]
async fn tokenize_and_hash_features_match_the_pure_functions() {
    let ctx = context();
    let review = "Love it, love it, LOVE it! Great price &amp; fast shipping";
    let batch = one_row(
        &ctx,
        &format!("SELECT tokenize('{review}') AS tokens, hash_features(tokenize('{review}'), 1024) AS features"),
    )
    .await;
    let mut expected_tokens = Vec::new();
    text::tokenize(review, &mut expected_tokens);
    let tokens = batch.column(0).as_list::<i32>().value(0);
    let tokens: Vec<&str> = tokens.as_string::<i32>().iter().map(|t| t.unwrap()).collect();
    assert_eq!(tokens, expected_tokens);

    let (indices, values) = text::hash_features(&expected_tokens, 1024);
    let features = batch.column(1).as_struct();
    let got_indices = features.column(0).as_list::<i32>().value(0);
    let got_values = features.column(1).as_list::<i32>().value(0);
    assert_eq!(got_indices.as_primitive::<Int32Type>().values().to_vec(), indices);
    assert_eq!(got_values.as_primitive::<Float64Type>().values().to_vec(), values);

    let nulls =
        one_row(&ctx, "SELECT tokenize(NULL), hash_features(NULL, 16), hash_features(make_array('a'), 0)").await;
    assert!(nulls.column(0).is_null(0));
    assert!(nulls.column(1).is_null(0));
    assert!(nulls.column(2).is_null(0));
}

#[tokio::test]
async fn wrong_argument_types_are_clear_errors() {
    let ctx = context();
    let error = match ctx.sql("SELECT hash_features(make_array('a'), 'many')").await {
        Err(e) => e.to_string(),
        Ok(frame) => frame.collect().await.unwrap_err().to_string(),
    };
    assert!(error.contains("hash_features"), "{error}");
}

#[tokio::test]
async fn the_argument_types_of_the_pipeline_are_accepted() {
    let ctx = context();
    let batch = one_row(
        &ctx,
        "SELECT rating_sentiment(CAST(parse_rating('4.0') AS DECIMAL(10, 1))), \
                extract_category(arrow_cast('Books', 'Utf8View'), json_text_array(arrow_cast('[\"Fiction\"]', 'Utf8View'))), \
                json_record_error(arrow_cast('{\"asin\": \"B1\"}', 'LargeUtf8')), \
                sentiment_label(CAST(0.5 AS FLOAT)), \
                tokenize(arrow_cast('Great price', 'Utf8View')), \
                hash_features(tokenize('great price'), CAST(8 AS INT)), \
                parse_style(arrow_cast('{\"Size:\": \" Medium\"}', 'Utf8View')), \
                parse_review_json(arrow_cast('{\"asin\": \"B1\"}', 'Utf8View'))['asin']",
    )
    .await;
    assert_eq!(text_at(&batch, 0).as_deref(), Some("Positive"));
    assert_eq!(text_at(&batch, 1).as_deref(), Some("Books"));
    assert_eq!(text_at(&batch, 2), None);
    assert_eq!(text_at(&batch, 3).as_deref(), Some("positive"));
    assert!((4..7).all(|i| !batch.column(i).is_null(0)));
    assert_eq!(text_at(&batch, 7).as_deref(), Some("B1"));
}
