//! What a job wrote to a table, told by its data files: a [`TableFootprint`] taken before the job
//! and one after, compared by [`TableFootprint::written_since`]. Works the same for appends and
//! overwrites, whichever process committed, because it reads only the Delta log.

use std::collections::HashMap;

use crate::error::LakehouseError;
use crate::lake::Lakehouse;
use crate::name::TableName;

/// A table's version and its active data files (path → bytes and rows); empty with no version
/// while the table does not exist.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableFootprint {
    version: Option<u64>,
    files: HashMap<String, FileFootprint>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileFootprint {
    bytes: u64,
    rows: u64,
}

/// The files a table gained between two footprints.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    /// The later footprint's version (`None` while the table does not exist).
    pub version: Option<u64>,
    /// Data files added.
    pub files: usize,
    /// Rows in them, from their statistics.
    pub rows: u64,
    /// Their bytes.
    pub bytes: u64,
}

impl Lakehouse {
    /// The footprint of table `name` at its latest version (or the one `name.at` pins).
    pub async fn footprint(&self, name: &TableName) -> Result<TableFootprint, LakehouseError> {
        let table = match self.open(name).await {
            Ok(table) => table,
            Err(LakehouseError::NoSuchTable { .. }) => return Ok(TableFootprint::default()),
            Err(error) => return Err(error),
        };
        let delta = |source| LakehouseError::Delta { name: name.qualified(), source };
        let snapshot = table.snapshot().map_err(delta)?;
        let log = snapshot.snapshot().try_log_data().map_err(delta)?;
        let files = log
            .iter()
            .map(|file| {
                let footprint = FileFootprint {
                    bytes: u64::try_from(file.size()).unwrap_or(0),
                    rows: file.num_records().unwrap_or(0) as u64,
                };
                (file.path().to_string(), footprint)
            })
            .collect();
        Ok(TableFootprint { version: Some(snapshot.version()), files })
    }
}

impl TableFootprint {
    /// The table's version, `None` while it does not exist.
    pub fn version(&self) -> Option<u64> {
        self.version
    }

    /// Rows in all its files.
    pub fn rows(&self) -> u64 {
        self.files.values().map(|file| file.rows).sum()
    }

    /// What the table gained since `earlier`: the files this footprint holds and `earlier` does not.
    pub fn written_since(&self, earlier: &TableFootprint) -> Written {
        let added = self.files.iter().filter(|(path, _)| !earlier.files.contains_key(*path)).map(|(_, file)| file);
        added.fold(Written { version: self.version, ..Written::default() }, |mut written, file| {
            written.files += 1;
            written.rows += file.rows;
            written.bytes += file.bytes;
            written
        })
    }
}

impl Written {
    /// Adds what another table gained; the version stays this one's.
    pub fn add(self, other: Written) -> Written {
        Written {
            version: self.version,
            files: self.files + other.files,
            rows: self.rows + other.rows,
            bytes: self.bytes + other.bytes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn footprint(version: u64, files: &[(&str, u64, u64)]) -> TableFootprint {
        TableFootprint {
            version: Some(version),
            files: files
                .iter()
                .map(|(p, bytes, rows)| (p.to_string(), FileFootprint { bytes: *bytes, rows: *rows }))
                .collect(),
        }
    }

    #[test]
    fn only_files_the_earlier_footprint_lacks_count_as_written() {
        let before = footprint(3, &[("a", 100, 10), ("b", 200, 20)]);
        let appended = footprint(4, &[("a", 100, 10), ("b", 200, 20), ("c", 50, 5)]);
        assert_eq!(appended.written_since(&before), Written { version: Some(4), files: 1, rows: 5, bytes: 50 });
        let overwritten = footprint(5, &[("d", 70, 7)]);
        assert_eq!(overwritten.written_since(&appended), Written { version: Some(5), files: 1, rows: 7, bytes: 70 });
        assert_eq!(appended.written_since(&TableFootprint::default()).files, 3);
        assert_eq!(appended.rows(), 35);
    }
}
