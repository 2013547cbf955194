//! Raw JSON Lines records: every known field as its raw text, unknown fields kept aside.

use serde_json::{Map, Value};

/// Fields of a review record, in the source's spelling.
pub const REVIEW_FIELDS: [&str; 12] = [
    "asin",
    "overall",
    "verified",
    "reviewTime",
    "unixReviewTime",
    "reviewerID",
    "reviewerName",
    "reviewText",
    "summary",
    "vote",
    "style",
    "image",
];

/// Fields of a product metadata record, in the source's spelling.
pub const METADATA_FIELDS: [&str; 19] = [
    "asin",
    "title",
    "brand",
    "main_cat",
    "category",
    "price",
    "rank",
    "date",
    "also_buy",
    "also_view",
    "feature",
    "description",
    "image",
    "details",
    "tech1",
    "tech2",
    "fit",
    "similar_item",
    "similar",
];

/// One parsed line: each known field's raw text (strings as-is, other JSON values as JSON
/// text, absent or `null` as `None`) and the unknown fields as a JSON object.
#[derive(Debug, Default, PartialEq)]
pub struct RawRecord {
    /// Raw text of each field of the list given to [`parse_record`], in its order.
    pub fields: Vec<Option<String>>,
    /// Fields outside the list, as a JSON object; `None` when there are none.
    pub rescued: Option<String>,
}

/// Parses one JSON Lines line against `known` fields. A line that is not a JSON object is an
/// error whose message says why (to quarantine it with the line).
///
/// ```
/// use reviewlake_udfs::parse::record::parse_record;
/// let record = parse_record(r#"{"asin": "B1", "overall": 5.0, "extra": [1]}"#, &["asin", "overall"]).unwrap();
/// assert_eq!(record.fields, vec![Some("B1".to_string()), Some("5.0".to_string())]);
/// assert_eq!(record.rescued.as_deref(), Some(r#"{"extra":[1]}"#));
/// assert!(parse_record(r#"{"asin": "B0"#, &["asin"]).is_err());
/// ```
pub fn parse_record(line: &str, known: &[&str]) -> Result<RawRecord, String> {
    let mut object: Map<String, Value> = match serde_json::from_str::<Value>(line) {
        Ok(Value::Object(object)) => object,
        Ok(other) => return Err(format!("not a JSON object but {}", json_kind(&other))),
        Err(error) => return Err(format!("invalid JSON: {error}")),
    };
    let fields = known
        .iter()
        .map(|name| match object.remove(*name) {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some(text),
            Some(other) => Some(other.to_string()),
        })
        .collect();
    let rescued = (!object.is_empty()).then(|| Value::Object(object).to_string());
    Ok(RawRecord { fields, rescued })
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_raw_text_of_every_known_field() {
        let line = r#"{"asin":"B0","overall":"5.0","verified":true,"style":{"Size:":" M"},"vote":null,"image":["a"]}"#;
        let record = parse_record(line, &REVIEW_FIELDS).unwrap();
        assert_eq!(record.fields[1].as_deref(), Some("5.0"));
        assert_eq!(record.fields[2].as_deref(), Some("true"));
        assert_eq!(record.fields[9], None);
        assert_eq!(record.fields[10].as_deref(), Some(r#"{"Size:":" M"}"#));
        assert_eq!(record.fields[11].as_deref(), Some(r#"["a"]"#));
        assert_eq!(record.rescued, None);
    }

    #[test]
    fn explains_what_is_wrong_with_a_bad_line() {
        assert!(parse_record("[1, 2]", &REVIEW_FIELDS).unwrap_err().contains("an array"));
        assert!(parse_record("", &REVIEW_FIELDS).unwrap_err().contains("invalid JSON"));
        assert!(parse_record(r#"{"asin": "B00"#, &REVIEW_FIELDS).unwrap_err().contains("EOF"));
    }
}
