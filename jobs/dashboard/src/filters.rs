//! The filters of a request (`?from=2014-01&to=2016-12&category=Books&brand=Acme`), checked and
//! turned into the parameters every panel statement binds.

use std::collections::HashMap;

use datafusion::common::ParamValues;
use datafusion::scalar::ScalarValue;
use serde::Serialize;

/// The parameters panel statements may use, without their `$`.
pub const PARAMETERS: [&str; 4] = ["from_month", "to_month", "category", "brand"];

/// The query-string keys of the filters.
const KEYS: [&str; 4] = ["from", "to", "category", "brand"];

/// Longest category or brand accepted.
const MAX_NAME_CHARS: usize = 500;

/// A malformed filter, naming the key and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    /// A key that is no filter.
    #[error("unknown filter `{0}`: the filters are from, to (YYYY-MM), category and brand")]
    UnknownKey(String),
    /// A month that is not `YYYY-MM`.
    #[error("filter `{key}`: `{value}` is not a month of the form YYYY-MM")]
    Month {
        /// `from` or `to`.
        key: &'static str,
        /// The value given.
        value: String,
    },
    /// `from` after `to`.
    #[error("filter `from` ({from}) is after `to` ({to})")]
    EmptyRange {
        /// The first month.
        from: String,
        /// The last month.
        to: String,
    },
    /// A category or brand too long to be one.
    #[error("filter `{0}` is longer than {MAX_NAME_CHARS} characters")]
    TooLong(&'static str),
}

/// Checked filters; `None` filters nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Filters {
    /// First month, as YYYYMM.
    pub from_month: Option<i64>,
    /// Last month, as YYYYMM.
    pub to_month: Option<i64>,
    /// Exact category.
    pub category: Option<String>,
    /// Exact brand.
    pub brand: Option<String>,
}

impl Filters {
    /// Parses the query string's pairs; an empty value is no filter.
    ///
    /// ```
    /// use reviewlake_dashboard::filters::Filters;
    /// let query = [("from".to_string(), "2014-01".to_string()), ("category".to_string(), "Books".to_string())];
    /// let filters = Filters::from_query(&query.into_iter().collect()).unwrap();
    /// assert_eq!(filters.from_month, Some(201401));
    /// assert!(Filters::from_query(&[("to".to_string(), "2014-13".to_string())].into_iter().collect()).is_err());
    /// ```
    pub fn from_query(query: &HashMap<String, String>) -> Result<Self, FilterError> {
        if let Some(key) = query.keys().find(|key| !KEYS.contains(&key.as_str())) {
            return Err(FilterError::UnknownKey(key.clone()));
        }
        let value = |key: &str| query.get(key).map(|v| v.trim()).filter(|v| !v.is_empty());
        let month = |key: &'static str| value(key).map(|v| parse_month(key, v)).transpose();
        let name = |key: &'static str| match value(key) {
            Some(v) if v.chars().count() > MAX_NAME_CHARS => Err(FilterError::TooLong(key)),
            v => Ok(v.map(str::to_string)),
        };
        let filters = Self {
            from_month: month("from")?,
            to_month: month("to")?,
            category: name("category")?,
            brand: name("brand")?,
        };
        if let (Some(from), Some(to)) = (filters.from_month, filters.to_month)
            && from > to
        {
            return Err(FilterError::EmptyRange { from: show_month(from), to: show_month(to) });
        }
        Ok(filters)
    }

    /// True when no filter is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The statement parameters; unset filters are typed nulls.
    pub fn params(&self) -> ParamValues {
        let text = |value: &Option<String>| ScalarValue::Utf8(value.clone());
        ParamValues::from(vec![
            ("from_month", ScalarValue::Int64(self.from_month)),
            ("to_month", ScalarValue::Int64(self.to_month)),
            ("category", text(&self.category)),
            ("brand", text(&self.brand)),
        ])
    }
}

/// `YYYY-MM` as YYYYMM.
fn parse_month(key: &'static str, value: &str) -> Result<i64, FilterError> {
    let invalid = || FilterError::Month { key, value: value.to_string() };
    let (year, month) = value.split_once('-').ok_or_else(invalid)?;
    if year.len() != 4 || month.len() != 2 || !year.bytes().chain(month.bytes()).all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    let (year, month): (i64, i64) = (year.parse().map_err(|_| invalid())?, month.parse().map_err(|_| invalid())?);
    if !(1..=12).contains(&month) {
        return Err(invalid());
    }
    Ok(year * 100 + month)
}

/// YYYYMM as `YYYY-MM`.
pub fn show_month(month: i64) -> String {
    format!("{:04}-{:02}", month / 100, month % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<Filters, FilterError> {
        Filters::from_query(&pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    #[test]
    fn parses_every_filter_and_ignores_empty_values() {
        let filters = parse(&[("from", "2014-01"), ("to", "2016-12"), ("category", " Books "), ("brand", "")]).unwrap();
        assert_eq!(
            filters,
            Filters { from_month: Some(201401), to_month: Some(201612), category: Some("Books".into()), brand: None }
        );
        assert!(parse(&[]).unwrap().is_empty());
    }

    #[test]
    fn names_the_key_and_value_that_are_wrong() {
        assert_eq!(parse(&[("catgory", "x")]).unwrap_err(), FilterError::UnknownKey("catgory".into()));
        for bad in ["2014", "2014-1", "14-01", "2014-00", "2014-13", "abcd-ef", "2014-01-01"] {
            let error = parse(&[("from", bad)]).unwrap_err();
            assert_eq!(error, FilterError::Month { key: "from", value: bad.into() }, "{bad}");
        }
        assert_eq!(
            parse(&[("from", "2016-02"), ("to", "2015-12")]).unwrap_err().to_string(),
            "filter `from` (2016-02) is after `to` (2015-12)"
        );
        assert_eq!(parse(&[("brand", &"x".repeat(501))]).unwrap_err(), FilterError::TooLong("brand"));
    }

    #[test]
    fn binds_every_parameter_statements_may_use() {
        let ParamValues::Map(map) = Filters::default().params() else { panic!("named parameters") };
        let mut names: Vec<&str> = map.keys().map(String::as_str).collect();
        names.sort_unstable();
        let mut expected = PARAMETERS.to_vec();
        expected.sort_unstable();
        assert_eq!(names, expected);
    }
}
