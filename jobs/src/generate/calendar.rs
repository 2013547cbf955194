//! Calendar arithmetic for review dates: days per month, and days since the Unix epoch.

pub(super) const SECONDS_PER_DAY: u64 = 86_400;

/// A calendar day of a review, at midnight UTC as in the public files.
pub(super) struct ReviewDate {
    pub(super) year: u32,
    pub(super) month: u32,
    pub(super) day: u32,
}

impl ReviewDate {
    pub(super) fn epoch_seconds(&self) -> u64 {
        days_since_epoch(self.year, self.month, self.day) * SECONDS_PER_DAY
    }
}

pub(super) fn is_leap_year(year: u32) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

pub(super) fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given date (from 1970 on), by the civil-from-days algorithm with
/// years starting in March, so the leap day falls at the end of the year.
pub(super) fn days_since_epoch(year: u32, month: u32, day: u32) -> u64 {
    let march_year = u64::from(if month <= 2 { year - 1 } else { year });
    let march_month = u64::from(if month > 2 { month - 3 } else { month + 9 });
    let day_of_year = (153 * march_month + 2) / 5 + u64::from(day) - 1;
    let era = march_year / 400;
    let year_of_era = march_year % 400;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}
