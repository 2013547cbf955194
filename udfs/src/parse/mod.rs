//! Parsers for the raw, string-typed review and metadata fields.
//!
//! Every parser accepts any string and returns `None` (or the documented placeholder) for junk
//! instead of failing, because the raw files hold scraped HTML and CSS in numeric fields and a
//! single bad row must not stop a batch. Text outputs have `_into` forms that write into a
//! reusable buffer for per-row use in UDFs.
//!
//! | field | function |
//! |---|---|
//! | `price` | [`parse_price`] |
//! | `vote` | [`parse_vote`] |
//! | `verified` | [`parse_bool`] |
//! | `overall` | [`parse_rating`] |
//! | `reviewTime`, `unixReviewTime`, metadata `date` | [`parse_review_date`], [`unix_seconds_to_days`] |
//! | `main_cat` + `category` | [`extract_category`], [`extract_category_into`] |
//! | `brand` | [`normalize_brand`], [`normalize_brand_into`] |
//! | `title` | [`clean_title`], [`clean_title_into`] |
//! | a whole JSON Lines record | [`record::parse_record`] |

mod brand;
mod category;
mod dates;
mod numbers;
mod price;
pub mod record;
mod title;

pub use brand::{UNKNOWN, normalize_brand, normalize_brand_into};
pub use category::{canonical_category_case, extract_category, extract_category_into};
pub use dates::{checked_unix_seconds_to_days, days_from_ymd, parse_review_date, unix_seconds_to_days};
pub use numbers::{parse_bool, parse_rating, parse_vote};
pub use price::parse_price;
pub use title::{clean_title, clean_title_into};
