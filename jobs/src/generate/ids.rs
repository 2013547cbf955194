//! Identifiers as the real data spells them: asins and reviewer ids, distinct per index, and
//! reviewers' display names, fixed per reviewer.

use super::json::push_base36;
use super::random::mix64;
use super::vocabulary::{FIRST_NAMES, LAST_NAMES};

/// 36^7: the number of distinct `B00` + 7 base-36 asins.
pub(super) const ASIN_SPACE: u64 = 78_364_164_096;
/// Odd and not a multiple of 3, hence coprime with 36^7: `index * ASIN_MULTIPLIER` is a bijection.
pub(super) const ASIN_MULTIPLIER: u64 = 2_654_435_761;
pub(super) const ASIN_OFFSET: u64 = 1_234_567_890;
pub(super) const REVIEWER_ID_SALT: u64 = 0x5EED_0000_0000_0001;
pub(super) const REVIEWER_NAME_SALT: u64 = 0x5EED_0000_0000_0002;

/// `B00` and 7 base-36 characters, distinct for every product index below 36^7.
pub(super) fn push_asin(out: &mut String, product: u64) {
    let code = (u128::from(product) * u128::from(ASIN_MULTIPLIER) + u128::from(ASIN_OFFSET)) % u128::from(ASIN_SPACE);
    out.push_str("B00");
    push_base36(out, code as u64, 7);
}

/// `A` and 13 base-36 characters, like `A31UBHTUUIFJUT`; distinct per reviewer since `mix64` is a bijection.
pub(super) fn push_reviewer_id(out: &mut String, reviewer: u64) {
    out.push('A');
    push_base36(out, mix64(reviewer ^ REVIEWER_ID_SALT), 13);
}

/// A reviewer's display name, fixed per reviewer, with the entity-escaped forms of the real data.
pub(super) fn push_reviewer_name(out: &mut String, reviewer: u64) {
    let hash = mix64(reviewer ^ REVIEWER_NAME_SALT);
    let first = FIRST_NAMES[(hash >> 8) as usize % FIRST_NAMES.len()];
    let last = LAST_NAMES[(hash >> 24) as usize % LAST_NAMES.len()];
    let partner = FIRST_NAMES[(hash >> 40) as usize % FIRST_NAMES.len()];
    match hash % 100 {
        0..12 => out.push_str("Amazon Customer"),
        12..15 => out.push_str("Kindle Customer"),
        15..19 => {
            out.push_str(first);
            out.push_str(" &amp; ");
            out.push_str(partner);
        }
        19..22 => {
            out.push_str(first);
            out.push_str(" &quot;");
            out.push_str(partner);
            out.push_str("&quot; ");
            out.push_str(last);
        }
        22..45 => {
            out.extend(first.chars().map(|c| c.to_ascii_lowercase()));
            out.push(' ');
            out.extend(last.chars().map(|c| c.to_ascii_lowercase()));
        }
        45..70 => {
            out.push_str(first);
            out.push(' ');
            out.extend(last.chars().take(1));
            out.push('.');
        }
        _ => {
            out.push_str(first);
            out.push(' ');
            out.push_str(last);
        }
    }
}
