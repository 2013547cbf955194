//! Raw JSON Lines records: every known field as its raw text, unknown fields kept aside.

use std::borrow::Cow;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
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

/// One parsed line: each known field's raw text (strings decoded, other JSON values as their
/// JSON text, absent or `null` as `None`) and the unknown fields as a JSON object. Field text
/// borrows from the line whenever the line holds it verbatim (strings without escapes, numbers,
/// booleans), so parsing a batch allocates only for escaped strings and nested values.
#[derive(Debug, Default, PartialEq)]
pub struct RawRecord<'a> {
    /// Raw text of each field of the list given to [`parse_record`], in its order.
    pub fields: Vec<Option<Cow<'a, str>>>,
    /// Fields outside the list, as a JSON object with sorted keys; `None` when there are none.
    pub rescued: Option<String>,
}

/// Parses one JSON Lines line against `known` fields. A line that is not a JSON object is an
/// error whose message says why (to quarantine it with the line).
///
/// ```
/// use reviewlake_udfs::parse::record::parse_record;
/// let record = parse_record(r#"{"asin": "B1", "overall": 5.0, "extra": [1]}"#, &["asin", "overall"]).unwrap();
/// assert_eq!(record.fields, vec![Some("B1".into()), Some("5.0".into())]);
/// assert_eq!(record.rescued.as_deref(), Some(r#"{"extra":[1]}"#));
/// assert!(parse_record(r#"{"asin": "B0"#, &["asin"]).is_err());
/// ```
pub fn parse_record<'a>(line: &'a str, known: &[&str]) -> Result<RawRecord<'a>, String> {
    let mut record = RawRecord::default();
    parse_record_into(line, known, &mut record)?;
    Ok(record)
}

/// [`parse_record`] into a record that is reused from line to line (its buffers are kept).
pub fn parse_record_into<'a>(line: &'a str, known: &[&str], record: &mut RawRecord<'a>) -> Result<(), String> {
    record.fields.clear();
    record.fields.resize(known.len(), None);
    record.rescued = None;
    deserialize_record(line, RecordVisitor { known, record: Some(&mut *record) }).inspect_err(|_| {
        record.fields.iter_mut().for_each(|field| *field = None);
        record.rescued = None;
    })
}

/// Why `line` is not a record, exactly as [`parse_record`] would say, or `None` when it is
/// one; checks the syntax without building any field.
///
/// ```
/// use reviewlake_udfs::parse::record::record_error;
/// assert_eq!(record_error(r#"{"asin": "B1"}"#), None);
/// assert!(record_error("[1]").unwrap().starts_with("not a JSON object but an array"));
/// ```
pub fn record_error(line: &str) -> Option<String> {
    deserialize_record(line, RecordVisitor { known: &[], record: None }).err()
}

fn deserialize_record<'a>(line: &'a str, visitor: RecordVisitor<'_, 'a>) -> Result<(), String> {
    let mut deserializer = serde_json::Deserializer::from_str(line);
    let parsed = deserializer.deserialize_any(visitor).and_then(|()| deserializer.end());
    parsed.map_err(|error| if error.is_data() { error.to_string() } else { format!("invalid JSON: {error}") })
}

/// Fills a [`RawRecord`] from the top-level object of a line, or only checks the line when
/// there is no record to fill.
struct RecordVisitor<'r, 'a> {
    known: &'r [&'r str],
    record: Option<&'r mut RawRecord<'a>>,
}

impl<'a> RecordVisitor<'_, 'a> {
    fn not_an_object<E: de::Error>(kind: &str) -> Result<(), E> {
        Err(E::custom(format!("not a JSON object but {kind}")))
    }
}

impl<'a> Visitor<'a> for RecordVisitor<'_, 'a> {
    type Value = ();

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("a JSON object")
    }

    fn visit_map<M: MapAccess<'a>>(self, mut map: M) -> Result<(), M::Error> {
        let Some(record) = self.record else {
            while map.next_entry::<de::IgnoredAny, de::IgnoredAny>()?.is_some() {}
            return Ok(());
        };
        let mut rescued: Option<Map<String, Value>> = None;
        while let Some(JsonKey(key)) = map.next_key::<JsonKey<'a>>()? {
            let raw: &'a RawValue = map.next_value()?;
            match self.known.iter().position(|name| *name == key) {
                Some(index) => record.fields[index] = field_text(raw).map_err(de::Error::custom)?,
                None => {
                    let value: Value = serde_json::from_str(raw.get()).map_err(de::Error::custom)?;
                    rescued.get_or_insert_default().insert(key.into_owned(), value);
                }
            }
        }
        record.rescued = rescued.map(|object| Value::Object(object).to_string());
        Ok(())
    }

    fn visit_seq<S: de::SeqAccess<'a>>(self, _: S) -> Result<(), S::Error> {
        Self::not_an_object("an array")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Self::not_an_object("null")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Self::not_an_object("a boolean")
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Self::not_an_object("a number")
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Self::not_an_object("a number")
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Self::not_an_object("a number")
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Self::not_an_object("a string")
    }
}

/// An object key, borrowed from the line unless it holds escapes.
struct JsonKey<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for JsonKey<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = JsonKey<'de>;

            fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
                formatter.write_str("an object key")
            }

            fn visit_borrowed_str<E: de::Error>(self, key: &'de str) -> Result<Self::Value, E> {
                Ok(JsonKey(Cow::Borrowed(key)))
            }

            fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
                Ok(JsonKey(Cow::Owned(key.to_string())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// A field's text: a string's decoded value, `None` for null, compact JSON for arrays and
/// objects, and the literal text of numbers and booleans.
fn field_text(raw: &RawValue) -> Result<Option<Cow<'_, str>>, serde_json::Error> {
    let text = raw.get();
    Ok(match text.as_bytes().first() {
        Some(b'"') if !text.contains('\\') => Some(Cow::Borrowed(&text[1..text.len() - 1])),
        Some(b'"') => Some(Cow::Owned(serde_json::from_str::<String>(text)?)),
        Some(b'{' | b'[') => Some(Cow::Owned(serde_json::from_str::<Value>(text)?.to_string())),
        Some(b'n') => None,
        _ => Some(Cow::Borrowed(text)),
    })
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
        assert!(parse_record(r#"{"asin": "B0"} x"#, &REVIEW_FIELDS).unwrap_err().contains("trailing"));
        assert!(parse_record("42", &REVIEW_FIELDS).unwrap_err().starts_with("not a JSON object but a number"));
    }

    #[test]
    fn decodes_escapes_and_compacts_nested_values() {
        let line = r#"{"summary": "say \"hi\"", "asi\u006e": "B1", "style": {"Format:" : " Kindle"}, "overall": 4.0, "asin": "B2"}"#;
        let record = parse_record(line, &REVIEW_FIELDS).unwrap();
        assert_eq!(record.fields[8].as_deref(), Some(r#"say "hi""#));
        assert_eq!(record.fields[0].as_deref(), Some("B2"), "a repeated key keeps its last value");
        assert_eq!(record.fields[10].as_deref(), Some(r#"{"Format:":" Kindle"}"#));
        assert_eq!(record.fields[1].as_deref(), Some("4.0"));
        assert!(matches!(record.fields[1], Some(Cow::Borrowed(_))));
    }

    #[test]
    fn checking_agrees_with_parsing() {
        for line in
            ["", "{", "[1]", "null", "\"x\"", r#"{"a": 1} 2"#, r#"{"asin": "B1", "style": {"x": [1, {}]}}"#, "{} "]
        {
            assert_eq!(record_error(line), parse_record(line, &REVIEW_FIELDS).err(), "{line}");
        }
    }

    #[test]
    fn a_reused_record_forgets_the_previous_line() {
        let mut record = RawRecord::default();
        parse_record_into(r#"{"asin": "B1", "zz": 1}"#, &REVIEW_FIELDS, &mut record).unwrap();
        parse_record_into(r#"{"overall": "1.0"}"#, &REVIEW_FIELDS, &mut record).unwrap();
        assert_eq!(record.fields[0], None);
        assert_eq!(record.rescued, None);
        assert!(parse_record_into("{", &REVIEW_FIELDS, &mut record).is_err());
        assert!(record.fields.iter().all(Option::is_none));
    }
}
