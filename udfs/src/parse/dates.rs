//! Review and metadata dates, as days since 1970-01-01 (Arrow `Date32`).

const SECONDS_PER_DAY: i64 = 86_400;

/// The UTC calendar day of a Unix time in seconds, as days since 1970-01-01, saturating at the
/// `i32` range so that it cannot panic; see [`checked_unix_seconds_to_days`] to detect that.
///
/// Days are floored, so times before 1970 land on the right day (-1 second is 1969-12-31).
///
/// ```
/// # use reviewlake_udfs::parse::unix_seconds_to_days;
/// assert_eq!(unix_seconds_to_days(1_420_070_400), 16_436); // 2015-01-01
/// assert_eq!(unix_seconds_to_days(-1), -1);
/// ```
pub fn unix_seconds_to_days(secs: i64) -> i32 {
    let days = secs.div_euclid(SECONDS_PER_DAY);
    days.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

/// [`unix_seconds_to_days`], or `None` when the day does not fit a `Date32`.
///
/// ```
/// # use reviewlake_udfs::parse::checked_unix_seconds_to_days;
/// assert_eq!(checked_unix_seconds_to_days(86_400), Some(1));
/// assert_eq!(checked_unix_seconds_to_days(i64::MAX), None);
/// ```
pub fn checked_unix_seconds_to_days(secs: i64) -> Option<i32> {
    i32::try_from(secs.div_euclid(SECONDS_PER_DAY)).ok()
}

/// Days since 1970-01-01 of a proleptic Gregorian date, or `None` if the date does not exist
/// (month 13, February 30, February 29 of a non-leap year).
///
/// ```
/// # use reviewlake_udfs::parse::days_from_ymd;
/// assert_eq!(days_from_ymd(2016, 2, 29), Some(16_860));
/// assert_eq!(days_from_ymd(2017, 2, 29), None);
/// ```
pub fn days_from_ymd(year: i32, month: u32, day: u32) -> Option<i32> {
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    // Howard Hinnant's days_from_civil, in i64 so no year can overflow.
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    i32::try_from(era * 146_097 + doe - 719_468).ok()
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Parses a review (or metadata) date into days since 1970-01-01.
///
/// Accepted forms, surrounding whitespace ignored:
/// - Unix seconds as a string, `"1420070400"` (the datathon's `unixReviewTime`), taken as UTC;
///   an optional leading `-`. Bare digits are always seconds, never `YYYYMMDD`;
/// - `"MM D, YYYY"` as in `reviewTime`: `"04 5, 2017"`, `"12 30, 2016"` (one or two digit month
///   and day, the comma optional);
/// - `"June 6, 2016"` / `"Jun 6, 2016"` as in the metadata `date` field (English month names,
///   any case);
/// - ISO `"2016-06-06"`.
///
/// Dates that do not exist (`"02 30, 2016"`) and everything else are `None`.
///
/// ```
/// # use reviewlake_udfs::parse::parse_review_date;
/// assert_eq!(parse_review_date("1420070400"), Some(16_436));
/// assert_eq!(parse_review_date("01 1, 2015"), Some(16_436));
/// assert_eq!(parse_review_date("June 6, 2016"), Some(16_958));
/// assert_eq!(parse_review_date("02 30, 2016"), None);
/// ```
pub fn parse_review_date(text: &str) -> Option<i32> {
    let t = text.trim();
    let b = t.as_bytes();
    let first = *b.first()?;
    if (first == b'-' || b.iter().all(u8::is_ascii_digit))
        && let Some(secs) = parse_i64(b)
    {
        return checked_unix_seconds_to_days(secs);
    }
    if first.is_ascii_digit() {
        parse_iso(b).or_else(|| parse_mdy(b, None))
    } else {
        let name_len = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
        let month = month_from_name(&b[..name_len])?;
        let mut i = name_len;
        if b.get(i) == Some(&b'.') {
            i += 1;
        }
        parse_mdy(&b[i..], Some(month))
    }
}

fn parse_i64(b: &[u8]) -> Option<i64> {
    let (neg, digits) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: i64 = 0;
    for &d in digits {
        let d = i64::from(d - b'0');
        v = v.checked_mul(10)?.checked_add(if neg { -d } else { d })?;
    }
    Some(v)
}

/// Reads 1..=`max` ASCII digits at `*i`.
fn digits(b: &[u8], i: &mut usize, max: usize) -> Option<u32> {
    let start = *i;
    let mut v = 0u32;
    while *i < b.len() && *i - start < max && b[*i].is_ascii_digit() {
        v = v * 10 + u32::from(b[*i] - b'0');
        *i += 1;
    }
    (*i > start).then_some(v)
}

fn skip_spaces(b: &[u8], i: &mut usize) -> usize {
    let start = *i;
    while b.get(*i).is_some_and(u8::is_ascii_whitespace) {
        *i += 1;
    }
    *i - start
}

/// `[MM ]D[,] YYYY`, with the month already known when it was given by name.
fn parse_mdy(b: &[u8], month: Option<u32>) -> Option<i32> {
    let mut i = 0;
    let month = match month {
        Some(m) => {
            (skip_spaces(b, &mut i) > 0).then_some(())?;
            m
        }
        None => {
            let m = digits(b, &mut i, 2)?;
            (skip_spaces(b, &mut i) > 0).then_some(())?;
            m
        }
    };
    let day = digits(b, &mut i, 2)?;
    if b.get(i) == Some(&b',') {
        i += 1;
    }
    (skip_spaces(b, &mut i) > 0).then_some(())?;
    let year_start = i;
    let year = digits(b, &mut i, 4)?;
    (i - year_start == 4 && i == b.len()).then_some(())?;
    days_from_ymd(year as i32, month, day)
}

fn parse_iso(b: &[u8]) -> Option<i32> {
    let mut i = 0;
    let year = digits(b, &mut i, 4)?;
    (i == 4 && b.get(i) == Some(&b'-')).then_some(())?;
    i += 1;
    let month = digits(b, &mut i, 2)?;
    (i == 7 && b.get(i) == Some(&b'-')).then_some(())?;
    i += 1;
    let day = digits(b, &mut i, 2)?;
    (i == 10 && i == b.len()).then_some(())?;
    days_from_ymd(year as i32, month, day)
}

fn month_from_name(name: &[u8]) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    if name.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| {
            // Full name, or its first three letters ("Sep" and "Sept" both work).
            (name.len() == m.len() || name.len() == 3 || (name.len() == 4 && *m == "september"))
                && m.as_bytes()[..name.len().min(m.len())].eq_ignore_ascii_case(name)
        })
        .map(|p| p as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_seconds() {
        assert_eq!(unix_seconds_to_days(0), 0);
        assert_eq!(unix_seconds_to_days(86_399), 0);
        assert_eq!(unix_seconds_to_days(86_400), 1);
        assert_eq!(unix_seconds_to_days(-86_400), -1);
        assert_eq!(unix_seconds_to_days(-86_401), -2);
        assert_eq!(unix_seconds_to_days(i64::MAX), i32::MAX);
        assert_eq!(unix_seconds_to_days(i64::MIN), i32::MIN);
        // Gift_Cards_5 row 1: unixReviewTime 1529193600 with reviewTime "06 17, 2018".
        assert_eq!(unix_seconds_to_days(1_529_193_600), days_from_ymd(2018, 6, 17).unwrap());
    }

    #[test]
    fn review_time_strings_from_the_sample_files() {
        assert_eq!(parse_review_date("06 17, 2018"), days_from_ymd(2018, 6, 17));
        assert_eq!(parse_review_date("06 2, 2018"), days_from_ymd(2018, 6, 2));
        assert_eq!(parse_review_date("04 5, 2017"), days_from_ymd(2017, 4, 5));
        assert_eq!(parse_review_date("12 30, 2016"), days_from_ymd(2016, 12, 30));
        assert_eq!(parse_review_date("1529193600"), days_from_ymd(2018, 6, 17));
        assert_eq!(parse_review_date(" 1420070400 "), Some(16_436));
    }

    #[test]
    fn metadata_date_strings() {
        assert_eq!(parse_review_date("May 15, 2009"), days_from_ymd(2009, 5, 15));
        assert_eq!(parse_review_date("December 13, 2013"), days_from_ymd(2013, 12, 13));
        assert_eq!(parse_review_date("Sept 5, 2012"), days_from_ymd(2012, 9, 5));
        assert_eq!(parse_review_date("aug. 3, 2012"), days_from_ymd(2012, 8, 3));
        assert_eq!(parse_review_date("2016-06-06"), days_from_ymd(2016, 6, 6));
        let html = "<div class=\"a-fixed-left-grid a-spacing-none\"><div class=\"a-fixed-left-grid-inner\"";
        assert_eq!(parse_review_date(html), None);
    }

    #[test]
    fn invalid_dates_are_none() {
        for junk in [
            "",
            " ",
            "02 30, 2016",
            "02 29, 2017",
            "13 1, 2016",
            "00 1, 2016",
            "01 0, 2016",
            "1 1, 16",
            "01 1 2016x",
            "Jun 31, 2016",
            "Ju 1, 2016",
            "Junee 1, 2016",
            "2016-02-30",
            "2016-2-3",
            "-",
            "12a",
            "99999999999999999999",
            "04 5, 2017 extra",
            "Juneteenth 1, 2016",
        ] {
            assert_eq!(parse_review_date(junk), None, "{junk:?}");
        }
        assert_eq!(parse_review_date("02 29, 2016"), days_from_ymd(2016, 2, 29));
        assert_eq!(parse_review_date("01 1 2016"), Some(16_801));
    }

    #[test]
    fn civil_days() {
        assert_eq!(days_from_ymd(1970, 1, 1), Some(0));
        assert_eq!(days_from_ymd(1969, 12, 31), Some(-1));
        assert_eq!(days_from_ymd(2000, 3, 1), Some(11_017));
        assert_eq!(days_from_ymd(1900, 2, 29), None);
        assert_eq!(days_from_ymd(2000, 2, 29), Some(11_016));
        assert_eq!(days_from_ymd(i32::MAX, 12, 31), None);
    }
}
