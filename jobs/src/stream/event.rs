//! The event shape of the system reviewlake replaces (seed-spec §1.4): one review per event, every
//! field as text, no `unixReviewTime`, and the producer's `internal_partition` and
//! `partition_number` added.

use serde_json::{Map, Value};

/// The event body of one review line, and its key (the reviewer, so that one reviewer's events
/// stay in one partition). Numbers and booleans keep their JSON spelling as text (`5.0`,
/// `true`), objects and arrays are JSON-encoded; `unixReviewTime` is removed.
/// `partition_number` is the source's partition folder number and `internal_partition` the
/// position of the source file among those replayed. `None` when the line is not a JSON object:
/// it is sent as it is.
///
/// ```
/// use reviewlake_jobs::stream::review_event;
/// let (key, body) = review_event(r#"{"reviewerID":"A1","overall":5.0,"unixReviewTime":1,"verified":true}"#, 3, 0).unwrap();
/// assert_eq!(key.as_deref(), Some("A1"));
/// let body: serde_json::Value = serde_json::from_str(&body).unwrap();
/// assert_eq!(body["overall"], "5.0");
/// assert_eq!(body["verified"], "true");
/// assert_eq!(body["partition_number"], "3");
/// assert!(body.get("unixReviewTime").is_none());
/// assert!(review_event("not json", 0, 0).is_none());
/// ```
pub fn review_event(line: &str, partition_number: u32, internal_partition: u32) -> Option<(Option<String>, String)> {
    let Ok(Value::Object(record)) = serde_json::from_str::<Value>(line) else {
        return None;
    };
    let mut event = Map::with_capacity(record.len() + 2);
    for (field, value) in record {
        if field == "unixReviewTime" {
            continue;
        }
        let text = match value {
            Value::Null => Value::Null,
            Value::String(text) => Value::String(text),
            other @ (Value::Object(_) | Value::Array(_)) => Value::String(other.to_string()),
            Value::Number(number) => Value::String(number.to_string()),
            Value::Bool(flag) => Value::String(flag.to_string()),
        };
        event.insert(field, text);
    }
    event.insert("internal_partition".into(), Value::String(internal_partition.to_string()));
    event.insert("partition_number".into(), Value::String(partition_number.to_string()));
    let key = event.get("reviewerID").and_then(Value::as_str).map(str::to_string);
    Some((key, Value::Object(event).to_string()))
}

/// The `N` of a `partition_<N>` folder on `path`, the batch layout's partition number.
///
/// ```
/// use reviewlake_jobs::stream::partition_number;
/// assert_eq!(partition_number(std::path::Path::new("amazon_reviews/partition_12/part-0.json.gz")), Some(12));
/// assert_eq!(partition_number(std::path::Path::new("Gift_Cards_5.json.gz")), None);
/// ```
pub fn partition_number(path: &std::path::Path) -> Option<u32> {
    path.components().rev().find_map(|part| part.as_os_str().to_str()?.strip_prefix("partition_")?.parse().ok())
}
