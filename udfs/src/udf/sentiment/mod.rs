//! Sentiment functions: `sentiment_polarity(text)`, `sentiment_subjectivity(text)`,
//! `sentiment_label(polarity[, positive_above, negative_below])`, `rating_sentiment(overall)`.

mod rating_sentiment;
mod sentiment_label;
mod sentiment_polarity;
mod sentiment_subjectivity;

pub use rating_sentiment::{RatingSentiment, rating_label};
pub use sentiment_label::{SentimentLabel, polarity_label};
pub use sentiment_polarity::SentimentPolarity;
pub use sentiment_subjectivity::SentimentSubjectivity;
