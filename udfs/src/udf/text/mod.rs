//! Text functions: `normalize_text(text)`, `word_count(text)`.

mod normalize_text;
mod word_count;

pub use normalize_text::NormalizeText;
pub use word_count::WordCount;
