//! Table names: `schema.table`, optionally pinned to a version or a time with `@`.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};

use crate::error::LakehouseError;

/// The schemas a lakehouse holds.
pub const LAKE_SCHEMAS: [&str; 4] = ["bronze", "silver", "gold", "ml"];

/// A point in a table's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    /// A Delta version.
    Version(u64),
    /// The latest version committed at or before this time.
    Timestamp(DateTime<Utc>),
}

/// A lakehouse table name: `schema.table`, `schema.table@v3` or
/// `schema.table@2024-05-01T00:00:00Z`.
///
/// ```
/// use reviewlake_lakehouse::{At, TableName};
/// let name: TableName = "silver.reviews@v3".parse().unwrap();
/// assert_eq!((name.schema.as_str(), name.table.as_str(), name.at), ("silver", "reviews", Some(At::Version(3))));
/// assert!("silver.Reviews".parse::<TableName>().is_err());
/// assert!("nowhere.reviews".parse::<TableName>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableName {
    /// One of [`LAKE_SCHEMAS`].
    pub schema: String,
    /// Lowercase letters, digits and underscores.
    pub table: String,
    /// A pinned version or time; latest when `None`.
    pub at: Option<At>,
}

impl TableName {
    /// Builds a name from a schema and a table part that may carry `@version`.
    pub fn new(schema: &str, table: &str) -> Result<Self, LakehouseError> {
        let full = format!("{schema}.{table}");
        let invalid = |reason: String| LakehouseError::InvalidName { name: full.clone(), reason };
        if !LAKE_SCHEMAS.contains(&schema) {
            return Err(invalid(format!(
                "unknown schema {schema:?}; lakehouse schemas are {}",
                LAKE_SCHEMAS.join(", ")
            )));
        }
        let (table, at) = match table.split_once('@') {
            None => (table, None),
            Some((table, at)) => (table, Some(parse_at(at).map_err(invalid)?)),
        };
        check_identifier(table).map_err(invalid)?;
        Ok(Self { schema: schema.to_string(), table: table.to_string(), at })
    }

    /// `schema.table`, without the version.
    pub fn qualified(&self) -> String {
        format!("{}.{}", self.schema, self.table)
    }

    /// The same table at its latest version.
    pub fn latest(&self) -> Self {
        Self { at: None, ..self.clone() }
    }
}

impl FromStr for TableName {
    type Err = LakehouseError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name.split_once('.') {
            Some((schema, table)) => Self::new(schema, table),
            None => Err(LakehouseError::InvalidName {
                name: name.to_string(),
                reason: "expected schema.table, e.g. silver.reviews".into(),
            }),
        }
    }
}

impl fmt::Display for TableName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.schema, self.table)?;
        match self.at {
            None => Ok(()),
            Some(At::Version(version)) => write!(f, "@v{version}"),
            Some(At::Timestamp(time)) => write!(f, "@{}", time.to_rfc3339()),
        }
    }
}

fn parse_at(at: &str) -> Result<At, String> {
    if let Some(version) = at.strip_prefix('v') {
        return version
            .parse()
            .map(At::Version)
            .map_err(|_| format!("bad version {at:?}; expected @v<number>, e.g. @v3"));
    }
    DateTime::parse_from_rfc3339(at).map(|time| At::Timestamp(time.with_timezone(&Utc))).map_err(|e| {
        format!("bad time {at:?} ({e}); expected @v<number> or an RFC 3339 time like 2024-05-01T00:00:00Z")
    })
}

fn check_identifier(table: &str) -> Result<(), String> {
    let valid = !table.is_empty()
        && table.len() <= 128
        && table.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !table.starts_with('_');
    if valid {
        Ok(())
    } else {
        Err("a table name is 1-128 lowercase letters, digits or underscores, not starting with _".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_versions_and_times() {
        let name: TableName = "gold.q1@2024-05-01T10:00:00+02:00".parse().unwrap();
        assert_eq!(name.at, Some(At::Timestamp("2024-05-01T08:00:00Z".parse().unwrap())));
        assert_eq!(name.to_string(), "gold.q1@2024-05-01T08:00:00+00:00");
        assert_eq!(name.latest().to_string(), "gold.q1");
    }

    #[test]
    fn rejects_bad_names_with_the_reason() {
        for (name, reason) in [
            ("silver", "expected schema.table"),
            ("silver.", "lowercase"),
            ("silver.a/b", "lowercase"),
            ("silver._delta_log", "not starting with _"),
            ("silver.t@x", "bad time"),
            ("silver.t@vx", "bad version"),
            ("public.t", "unknown schema"),
        ] {
            let error = name.parse::<TableName>().unwrap_err().to_string();
            assert!(error.contains(reason), "{name}: {error}");
        }
    }
}
