//! Raw JSON Lines records and the JSON held as text in their fields: `parse_review_json(line)`,
//! `parse_metadata_json(line)`, `json_record_error(line)`, `parse_style(text)`,
//! `json_text_array(text)`.

mod json_record_error;
mod json_text_array;
mod parse_metadata_json;
mod parse_review_json;
mod parse_style;
mod record_struct;

pub use json_record_error::JsonRecordError;
pub use json_text_array::JsonTextArray;
pub use parse_metadata_json::ParseMetadataJson;
pub use parse_review_json::ParseReviewJson;
pub use parse_style::{ParseStyle, style_map_type};
pub use record_struct::record_type;
