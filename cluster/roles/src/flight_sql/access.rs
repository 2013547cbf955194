//! What a statement needs: the role that may run it, and whether the paths and URLs it names
//! lie under the roots the configuration allows (the lakehouse root and `flight_sql.data_roots`).
//!
//! Deny by default: readers run queries, `EXPLAIN` of queries and `SHOW`/`DESCRIBE`; everything
//! else needs a writer; `SET` and `RESET` are refused for everyone because the planning session is
//! shared by every client.

use std::path::{Component, Path, PathBuf};

use datafusion::sql::parser::{CopyToStatement, CreateExternalTable, Statement as DFStatement};
use datafusion::sql::sqlparser::ast::Statement;
use reviewlake_core::config::FlightSqlRole;
use tonic::Status;
use url::Url;

/// The role a statement needs.
pub fn required_role(statement: &DFStatement) -> Result<FlightSqlRole, Status> {
    match statement {
        DFStatement::Statement(inner) => match inner.as_ref() {
            Statement::Query(_)
            | Statement::ShowTables { .. }
            | Statement::ShowColumns { .. }
            | Statement::ShowFunctions { .. }
            | Statement::ExplainTable { .. }
            | Statement::ShowVariable { .. } => Ok(FlightSqlRole::Reader),
            // `EXPLAIN ANALYZE` runs the statement it explains, so both need what it needs.
            Statement::Explain { statement, .. } => required_role(&DFStatement::Statement(statement.clone())),
            Statement::Set(_) => Err(shared_session()),
            _ => Ok(FlightSqlRole::Writer),
        },
        DFStatement::Explain(explain) => required_role(&explain.statement),
        DFStatement::Reset(_) => Err(shared_session()),
        DFStatement::CreateExternalTable(_) | DFStatement::CopyTo(_) => Ok(FlightSqlRole::Writer),
    }
}

fn shared_session() -> Status {
    Status::invalid_argument(
        "SET and RESET are not available over Flight SQL: the planning session is shared by every client",
    )
}

/// The paths and URLs a statement names, in the order written.
pub fn named_locations(statement: &DFStatement) -> Vec<&str> {
    match statement {
        DFStatement::CreateExternalTable(CreateExternalTable { locations, .. }) => {
            locations.iter().map(String::as_str).collect()
        }
        DFStatement::CopyTo(CopyToStatement { target, .. }) => vec![target.as_str()],
        DFStatement::Explain(explain) => named_locations(&explain.statement),
        DFStatement::Statement(_) | DFStatement::Reset(_) => Vec::new(),
    }
}

/// Where statements may read and write files.
#[derive(Debug, Clone)]
pub struct DataRoots {
    directories: Vec<PathBuf>,
    urls: Vec<Url>,
}

impl DataRoots {
    /// The lakehouse root and the configured `data_roots` (paths or URLs).
    pub fn new(lakehouse_root: &Url, configured: &[String]) -> Result<DataRoots, String> {
        let mut roots = DataRoots { directories: Vec::new(), urls: Vec::new() };
        roots.add(lakehouse_root.as_str())?;
        for root in configured {
            roots.add(root)?;
        }
        Ok(roots)
    }

    fn add(&mut self, root: &str) -> Result<(), String> {
        match parse_location(root) {
            Some(Location::Directory(path)) => self.directories.push(resolved(&path)),
            Some(Location::Url(mut url)) => {
                if !url.path().ends_with('/') {
                    url.set_path(&format!("{}/", url.path()));
                }
                self.urls.push(url)
            }
            None => return Err(format!("data root `{root}` is neither a path nor a URL")),
        }
        Ok(())
    }

    /// Refuses `location` unless it lies under one of the roots.
    pub fn check(&self, location: &str) -> Result<(), Status> {
        let allowed = match parse_location(location) {
            Some(Location::Directory(path)) => {
                let path = resolved(&path);
                self.directories.iter().any(|root| path.starts_with(root))
            }
            Some(Location::Url(url)) => self.urls.iter().any(|root| {
                url.scheme() == root.scheme()
                    && url.host_str() == root.host_str()
                    && url.port() == root.port()
                    && format!("{}/", url.path().trim_end_matches('/')).starts_with(root.path())
            }),
            None => false,
        };
        if allowed {
            Ok(())
        } else {
            Err(Status::permission_denied(format!(
                "location `{location}` is outside the lakehouse root and the configured flight_sql.data_roots"
            )))
        }
    }
}

enum Location {
    Directory(PathBuf),
    Url(Url),
}

fn parse_location(text: &str) -> Option<Location> {
    if text.contains("://") {
        let url = Url::parse(text).ok()?;
        if url.scheme() == "file" {
            return url.to_file_path().ok().map(Location::Directory);
        }
        return Some(Location::Url(url));
    }
    let path = Path::new(text);
    let absolute = if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir().ok()?.join(path) };
    Some(Location::Directory(absolute))
}

/// `path` with `.` and `..` resolved by their names, then with symbolic links resolved for the
/// longest part that exists, so neither `../` nor a link leads out of a root unseen.
fn resolved(path: &Path) -> PathBuf {
    let mut lexical = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                lexical.pop();
            }
            Component::CurDir => {}
            other => lexical.push(other.as_os_str()),
        }
    }
    let mut existing = lexical.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return lexical,
        }
    }
    let mut real = std::fs::canonicalize(existing).unwrap_or_else(|_| existing.to_path_buf());
    real.extend(rest.iter().rev());
    real
}

#[cfg(test)]
mod tests {
    use datafusion::sql::parser::DFParser;

    use super::*;

    fn parse(sql: &str) -> DFStatement {
        DFParser::parse_sql(sql).unwrap().pop_front().unwrap()
    }

    #[test]
    fn readers_query_writers_change_nobody_sets() {
        for sql in [
            "SELECT 1",
            "EXPLAIN SELECT 1",
            "SHOW TABLES",
            "DESCRIBE gold.reviews",
            "WITH a AS (SELECT 1) SELECT * FROM a",
        ] {
            assert_eq!(required_role(&parse(sql)).unwrap(), FlightSqlRole::Reader, "{sql}");
        }
        for sql in [
            "INSERT INTO t VALUES (1)",
            "CREATE TABLE gold.t AS SELECT 1",
            "DROP TABLE t",
            "CREATE VIEW v AS SELECT 1",
            "CREATE EXTERNAL TABLE t STORED AS CSV LOCATION '/tmp/x'",
            "COPY (SELECT 1) TO '/tmp/x.parquet'",
            "EXPLAIN ANALYZE INSERT INTO t VALUES (1)",
        ] {
            assert_eq!(required_role(&parse(sql)).unwrap(), FlightSqlRole::Writer, "{sql}");
        }
        for sql in ["SET datafusion.execution.batch_size = 1", "RESET datafusion.execution.batch_size"] {
            assert!(required_role(&parse(sql)).is_err(), "{sql}");
        }
    }

    #[test]
    fn only_locations_under_a_root_are_allowed() {
        let lake = tempfile::tempdir().unwrap();
        let lake_url = Url::from_directory_path(lake.path()).unwrap();
        let roots = DataRoots::new(&lake_url, &["s3://raw/landing".to_string()]).unwrap();
        let inside = lake.path().join("bronze/t");
        for location in [
            inside.display().to_string(),
            format!("{}bronze/t/", lake_url),
            "s3://raw/landing/2024/".to_string(),
            "s3://raw/landing".to_string(),
        ] {
            assert!(roots.check(&location).is_ok(), "{location}");
        }
        for location in [
            "/etc/passwd".to_string(),
            "file:///etc/passwd".to_string(),
            format!("{}/../../etc/passwd", lake.path().display()),
            format!("{}../etc", lake_url),
            "s3://raw/landing-other/x".to_string(),
            "s3://raw/landing/../secret/x".to_string(),
            "s3://other/landing/x".to_string(),
            "relative/path".to_string(),
        ] {
            assert_eq!(roots.check(&location).unwrap_err().code(), tonic::Code::PermissionDenied, "{location}");
        }
    }

    #[test]
    fn a_symbolic_link_out_of_a_root_is_refused() {
        let lake = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), lake.path().join("escape")).unwrap();
        let roots = DataRoots::new(&Url::from_directory_path(lake.path()).unwrap(), &[]).unwrap();
        assert!(roots.check(&lake.path().join("escape/data.csv").display().to_string()).is_err());
    }

    #[test]
    fn named_locations_cover_external_tables_and_copy() {
        assert_eq!(named_locations(&parse("CREATE EXTERNAL TABLE t STORED AS CSV LOCATION '/a'")), vec!["/a"]);
        assert_eq!(named_locations(&parse("COPY (SELECT 1) TO '/b.parquet'")), vec!["/b.parquet"]);
        assert!(named_locations(&parse("SELECT 1")).is_empty());
    }
}
