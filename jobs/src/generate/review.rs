//! Review records: rating, tone, dates, ids, style, text and summary, with the quirks of the
//! real exports (string-or-number fields, entities, missing text, noise to clean).

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::ids::{push_asin, push_reviewer_id, push_reviewer_name};
use super::json::{push_grouped, push_json_string, push_key, push_two_digits, push_uint};
use super::plan::Plan;
use super::random::{pick, push_random_alphanumerics};
use super::vocabulary::{FILLER_WORDS, MIXED_WORDS, NEGATIVE_WORDS, POSITIVE_WORDS, RATINGS, STAR_SUMMARIES, STYLES};

pub(super) const VOTE_RATE: f64 = 0.25;
pub(super) const VERIFIED_RATE: f64 = 0.78;
pub(super) const MISSING_TEXT_RATE: f64 = 0.02;
pub(super) const REVIEW_IMAGE_RATE: f64 = 0.03;
pub(super) const OFF_TONE_RATE: f64 = 0.15;
pub(super) const TONE_WORD_RATE: f64 = 0.2;
pub(super) const STAR_SUMMARY_RATE: f64 = 0.35;
pub(super) const URL_RATE: f64 = 0.02;
pub(super) const EMOJI_RATE: f64 = 0.05;

/// Writes one review object (without newline) into `line`; `scratch` holds nested values that are
/// JSON-encoded as strings.
pub(super) fn write_review(plan: &Plan, rng: &mut ChaCha8Rng, line: &mut String, scratch: &mut String) {
    let rating = RATINGS[plan.ratings.sample(rng)].0;
    let tone = Tone::for_rating(rating, rng);
    let product = plan.popular_product(rng);
    let reviewer = plan.active_reviewer(rng);
    let date = plan.review_date(rng);
    // The datathon exports typed every field as a string; the public files used JSON numbers and
    // booleans. Both kinds are mixed so loaders must accept either.
    let string_typed = rng.random_bool(0.5);

    line.push_str("{\"overall\": ");
    if string_typed {
        line.push('"');
        push_rating(line, rating);
        line.push('"');
    } else {
        push_rating(line, rating);
    }

    if rng.random_bool(VOTE_RATE) {
        push_key(line, "vote");
        push_vote(rng, line);
    }

    push_key(line, "verified");
    let verified = rng.random_bool(VERIFIED_RATE);
    line.push_str(match (string_typed, verified) {
        (true, true) => "\"true\"",
        (true, false) => "\"false\"",
        (false, true) => "true",
        (false, false) => "false",
    });

    push_key(line, "reviewTime");
    line.push('"');
    push_two_digits(line, date.month);
    line.push(' ');
    push_uint(line, u64::from(date.day));
    line.push_str(", ");
    push_uint(line, u64::from(date.year));
    line.push('"');

    push_key(line, "reviewerID");
    line.push('"');
    push_reviewer_id(line, reviewer);
    line.push('"');

    push_key(line, "asin");
    line.push('"');
    push_asin(line, product);
    line.push('"');

    match rng.random_range(0..100) {
        0..45 => {}
        45..85 => {
            push_key(line, "style");
            push_style(rng, line);
        }
        _ => {
            push_key(line, "style");
            scratch.clear();
            push_style(rng, scratch);
            push_json_string(line, scratch);
        }
    }

    push_key(line, "reviewerName");
    scratch.clear();
    push_reviewer_name(scratch, reviewer);
    push_json_string(line, scratch);

    if !rng.random_bool(MISSING_TEXT_RATE) {
        push_key(line, "reviewText");
        scratch.clear();
        push_review_text(rng, scratch, tone, product);
        push_json_string(line, scratch);
    }
    if !rng.random_bool(MISSING_TEXT_RATE) {
        push_key(line, "summary");
        scratch.clear();
        push_summary(rng, scratch, tone, rating);
        push_json_string(line, scratch);
    }

    push_key(line, "unixReviewTime");
    if string_typed {
        line.push('"');
        push_uint(line, date.epoch_seconds());
        line.push('"');
    } else {
        push_uint(line, date.epoch_seconds());
    }

    if rng.random_bool(REVIEW_IMAGE_RATE) {
        push_key(line, "image");
        if rng.random_bool(0.1) {
            scratch.clear();
            push_review_images(rng, scratch);
            push_json_string(line, scratch);
        } else {
            push_review_images(rng, line);
        }
    }
    line.push('}');
}

pub(super) fn push_rating(out: &mut String, rating: u8) {
    out.push(char::from(b'0' + rating));
    out.push_str(".0");
}

/// Helpful votes, always a string, with a thousands separator from 1,000 on.
pub(super) fn push_vote(rng: &mut ChaCha8Rng, out: &mut String) {
    let votes: u64 = match rng.random_range(0..100) {
        0..80 => rng.random_range(2..=20),
        80..98 => rng.random_range(21..=999),
        _ => rng.random_range(1_000..=20_000),
    };
    out.push('"');
    push_grouped(out, votes);
    out.push('"');
}

/// `{"Size:": " Medium", "Color:": " Black"}`: keys end with a colon, values start with a space.
pub(super) fn push_style(rng: &mut ChaCha8Rng, out: &mut String) {
    let first = rng.random_range(0..STYLES.len());
    out.push('{');
    push_style_entry(rng, out, first);
    if rng.random_bool(0.4) {
        let second = (first + rng.random_range(1..STYLES.len())) % STYLES.len();
        out.push_str(", ");
        push_style_entry(rng, out, second);
    }
    out.push('}');
}

pub(super) fn push_style_entry(rng: &mut ChaCha8Rng, out: &mut String, entry: usize) {
    let (key, values) = STYLES[entry];
    push_json_string(out, key);
    out.push_str(": ");
    push_json_string(out, pick(rng, values));
}

/// One to three review photo URLs; a quarter of the lists hold a corrupt `"88"` entry.
pub(super) fn push_review_images(rng: &mut ChaCha8Rng, out: &mut String) {
    let count = rng.random_range(1..=3_usize);
    let corrupt = if rng.random_bool(0.25) { Some(rng.random_range(0..count)) } else { None };
    out.push('[');
    for index in 0..count {
        if index > 0 {
            out.push_str(", ");
        }
        if corrupt == Some(index) {
            out.push_str("\"88\"");
        } else {
            out.push_str("\"https://images-na.ssl-images-amazon.com/images/I/");
            push_random_alphanumerics(rng, out, 11);
            out.push_str("._SY88.jpg\"");
        }
    }
    out.push(']');
}

/// The sentiment a review's words carry.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Tone {
    Positive,
    Mixed,
    Negative,
}

impl Tone {
    /// The rating's tone, or the opposite one [`OFF_TONE_RATE`] of the time (sarcasm, mis-clicks):
    /// text and rating should agree mostly, not always.
    fn for_rating(rating: u8, rng: &mut ChaCha8Rng) -> Self {
        let natural = match rating {
            4.. => Self::Positive,
            3 => Self::Mixed,
            _ => Self::Negative,
        };
        if rng.random_bool(OFF_TONE_RATE) { natural.opposite() } else { natural }
    }

    fn opposite(self) -> Self {
        match self {
            Self::Positive => Self::Negative,
            Self::Mixed => Self::Mixed,
            Self::Negative => Self::Positive,
        }
    }

    fn word(self, rng: &mut ChaCha8Rng) -> &'static str {
        let words = match self {
            Self::Positive => POSITIVE_WORDS,
            Self::Negative => NEGATIVE_WORDS,
            Self::Mixed => match rng.random_range(0..4) {
                0 => POSITIVE_WORDS,
                1 => NEGATIVE_WORDS,
                _ => MIXED_WORDS,
            },
        };
        pick(rng, words)
    }

    fn emoji(self) -> &'static [&'static str] {
        match self {
            Self::Positive => &["😊", "👍", "❤️", "😍", "🙂"],
            Self::Mixed => &["😐", "🤷", "🙃"],
            Self::Negative => &["😡", "👎", "😞", "🤬"],
        }
    }
}

/// Review length in words, 3 to 120, mostly short as on Amazon.
pub(super) fn review_length(rng: &mut ChaCha8Rng) -> u32 {
    match rng.random_range(0..100) {
        0..45 => rng.random_range(3..=15),
        45..80 => rng.random_range(16..=50),
        _ => rng.random_range(51..=120),
    }
}

/// Review text from word lists: sentences of filler words with tone words mixed in (at least one),
/// plus the noise the cleaning steps must remove: `<br />`, entities, URLs, emoji, shouting.
pub(super) fn push_review_text(rng: &mut ChaCha8Rng, out: &mut String, tone: Tone, product: u64) {
    let words = review_length(rng);
    let anchor = rng.random_range(0..words);
    let mut left_in_sentence = 0_u32;
    for index in 0..words {
        let starts_sentence = left_in_sentence == 0;
        if starts_sentence {
            if index > 0 {
                push_sentence_end(rng, out);
            }
            left_in_sentence = rng.random_range(4..=14);
        } else {
            out.push(' ');
        }
        if index == anchor || rng.random_bool(TONE_WORD_RATE) {
            push_tone_word(rng, out, tone, starts_sentence);
        } else {
            let word = pick(rng, FILLER_WORDS);
            push_word(rng, out, word, starts_sentence);
        }
        left_in_sentence -= 1;
    }
    out.push(if rng.random_bool(0.8) { '.' } else { '!' });
    if rng.random_bool(URL_RATE) {
        if rng.random_bool(0.5) {
            out.push_str(" See https://www.amazon.com/dp/");
            push_asin(out, product);
        } else {
            out.push_str(" Video: http://www.youtube.com/watch?v=");
            push_random_alphanumerics(rng, out, 11);
        }
    }
    if rng.random_bool(EMOJI_RATE) {
        out.push(' ');
        out.push_str(pick(rng, tone.emoji()));
    }
}

pub(super) fn push_sentence_end(rng: &mut ChaCha8Rng, out: &mut String) {
    out.push_str(match rng.random_range(0..100) {
        0..70 => ".",
        70..90 => "!",
        90..95 => "!!!",
        _ => "?",
    });
    match rng.random_range(0..100) {
        0..8 => out.push_str("<br />"),
        8..11 => out.push_str("<br /><br />"),
        _ => out.push(' '),
    }
}

/// A tone word, now and then in entity quotes, raw quotes or shouted.
pub(super) fn push_tone_word(rng: &mut ChaCha8Rng, out: &mut String, tone: Tone, capitalise: bool) {
    let word = tone.word(rng);
    match rng.random_range(0..100) {
        0..2 => {
            out.push_str("&quot;");
            push_word(rng, out, word, capitalise);
            out.push_str("&quot;");
        }
        2 => {
            out.push('"');
            push_word(rng, out, word, capitalise);
            out.push('"');
        }
        3..6 => out.extend(word.chars().map(|c| c.to_ascii_uppercase())),
        _ => push_word(rng, out, word, capitalise),
    }
}

/// A word, capitalised at a sentence start, sometimes entity-escaped (`&amp;`, `don&#39;t`).
pub(super) fn push_word(rng: &mut ChaCha8Rng, out: &mut String, word: &str, capitalise: bool) {
    let word = if word == "and" && rng.random_bool(0.25) { "&amp;" } else { word };
    let escape_apostrophe = word.contains('\'') && rng.random_bool(0.4);
    for (index, c) in word.chars().enumerate() {
        if c == '\'' && escape_apostrophe {
            out.push_str("&#39;");
        } else if index == 0 && capitalise {
            out.push(c.to_ascii_uppercase());
        } else {
            out.push(c);
        }
    }
}

/// A summary: often the star phrase (`Five Stars`), else a few words led by a tone word.
pub(super) fn push_summary(rng: &mut ChaCha8Rng, out: &mut String, tone: Tone, rating: u8) {
    if rng.random_bool(STAR_SUMMARY_RATE) {
        out.push_str(STAR_SUMMARIES[usize::from(rating)]);
        return;
    }
    let quoted = rng.random_bool(0.02);
    if quoted {
        out.push('"');
    }
    for index in 0..rng.random_range(1..=5) {
        if index > 0 {
            out.push(' ');
        }
        if index == 0 || rng.random_bool(0.4) {
            push_tone_word(rng, out, tone, index == 0);
        } else {
            let word = pick(rng, FILLER_WORDS);
            push_word(rng, out, word, false);
        }
    }
    if rng.random_bool(0.2) {
        out.push('!');
    }
    if quoted {
        out.push('"');
    }
}
