//! Parsers and cleaners of raw fields: `parse_price`, `parse_vote`, `parse_bool`,
//! `parse_rating`, `parse_review_date`, `normalize_brand`, `clean_title`, `extract_category`.

mod clean_title;
mod extract_category;
mod normalize_brand;
mod parse_bool;
mod parse_price;
mod parse_rating;
mod parse_review_date;
mod parse_vote;

pub use clean_title::CleanTitle;
pub use extract_category::ExtractCategory;
pub use normalize_brand::NormalizeBrand;
pub use parse_bool::ParseBool;
pub use parse_price::ParsePrice;
pub use parse_rating::ParseRating;
pub use parse_review_date::ParseReviewDate;
pub use parse_vote::ParseVote;
