//! `reviewlake gen`: deterministic synthetic Amazon-review batch files.
//!
//! Writes the reference pipeline's batch input (seed-spec §1.1-1.3): gzip JSON Lines under
//! `amazon_reviews/partition_<N>/` and `amazon_metadata/partition_<N>/`, each partition holding one
//! Spark-named data file plus the `_SUCCESS`, `_started_<tid>` and `_committed_<tid>` markers a loader
//! must skip. The records carry the quirks of the real exports (string-or-number fields, HTML
//! entities, missing text, truncated lines, duplicate rows), so the bronze and silver jobs can be
//! tested against them without the 34 GB original.
//!
//! Every partition file draws from its own ChaCha8 stream derived from the seed, so files can be
//! written in any order, on any thread, and the same options always give byte-identical output.

mod calendar;
mod ids;
mod json;
mod options;
mod plan;
mod product;
mod random;
mod review;
mod vocabulary;
mod writer;

use std::path::PathBuf;

use options::validate;
pub use options::{GenerateError, GenerateOptions};
use plan::{Dataset, Plan};
use writer::run_jobs;

/// What [`generate`] wrote.
///
/// ```
/// use reviewlake_jobs::generate::{GenerateOptions, generate};
///
/// let out = tempfile::tempdir()?;
/// let options = GenerateOptions { reviews: 2_000, products: 40, out: out.path().to_path_buf(), seed: 1, files: 4 };
/// let report = generate(&options)?;
/// assert_eq!(report.metadata_files.len(), 2);
/// assert!(report.malformed_lines >= 1);
/// assert!(report.metadata_lines >= 40);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenerateReport {
    /// The review data files, in partition order.
    pub review_files: Vec<PathBuf>,
    /// The metadata data files, in partition order.
    pub metadata_files: Vec<PathBuf>,
    /// Review lines written, malformed and duplicate lines included.
    pub review_lines: u64,
    /// Metadata lines written, duplicate-asin rows included.
    pub metadata_lines: u64,
    /// Review lines cut short so they are not valid JSON.
    pub malformed_lines: u64,
    /// Review lines that repeat an earlier line of the same file byte for byte.
    pub duplicate_reviews: u64,
    /// Bytes on disk: compressed data files plus marker files.
    pub bytes_written: u64,
}

/// Writes the synthetic review and metadata partitions described by `options` under `options.out`,
/// overwriting files of an earlier run with the same seed.
///
/// ```
/// use reviewlake_jobs::generate::{GenerateOptions, generate};
///
/// let out = tempfile::tempdir()?;
/// let options = GenerateOptions { reviews: 500, products: 10, out: out.path().to_path_buf(), seed: 3, files: 1 };
/// let report = generate(&options)?;
/// assert!(report.review_files[0].starts_with(out.path().join("amazon_reviews").join("partition_1")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`GenerateError::InvalidOptions`] when `files` is 0, when reviews are asked for without products,
/// or when there are more products than 10-character asins; an I/O error naming the path otherwise.
pub fn generate(options: &GenerateOptions) -> Result<GenerateReport, GenerateError> {
    validate(options)?;
    let plan = Plan::new(options);
    let jobs = plan.jobs();
    let outcomes = run_jobs(&plan, &jobs)?;

    let mut report = GenerateReport::default();
    for (job, outcome) in jobs.iter().zip(outcomes) {
        report.bytes_written += outcome.bytes;
        match job.dataset {
            Dataset::Reviews => {
                report.review_files.push(outcome.data_file);
                report.review_lines += outcome.counts.lines;
                report.malformed_lines += outcome.counts.malformed;
                report.duplicate_reviews += outcome.counts.duplicates;
            }
            Dataset::Metadata => {
                report.metadata_files.push(outcome.data_file);
                report.metadata_lines += outcome.counts.lines;
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashSet};
    use std::fs::{self, File};
    use std::io::{BufRead, BufReader};
    use std::path::Path;

    use flate2::read::GzDecoder;
    use serde_json::Value;

    use super::calendar::{SECONDS_PER_DAY, days_since_epoch};
    use super::ids::push_asin;
    use super::json::{push_grouped, push_json_string};
    use super::plan::{METADATA_DIR, REVIEWS_DIR};
    use super::product::{push_case_variant, push_dollars};
    use super::*;

    fn options(out: &Path, seed: u64) -> GenerateOptions {
        GenerateOptions { reviews: 2_000, products: 50, out: out.to_path_buf(), seed, files: 4 }
    }

    fn decompressed_lines(path: &Path) -> Vec<String> {
        let reader = BufReader::new(GzDecoder::new(File::open(path).expect("open data file")));
        reader.lines().collect::<Result<_, _>>().expect("read gzip lines")
    }

    /// Every file under `root`, by path relative to it, with its bytes.
    fn tree(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
        let mut files = BTreeMap::new();
        let mut pending = vec![root.to_path_buf()];
        while let Some(dir) = pending.pop() {
            for entry in fs::read_dir(dir).expect("read dir") {
                let path = entry.expect("dir entry").path();
                if path.is_dir() {
                    pending.push(path);
                } else {
                    let relative = path.strip_prefix(root).expect("under root").to_path_buf();
                    files.insert(relative, fs::read(path).expect("read file"));
                }
            }
        }
        files
    }

    const PART_PREFIX: &str = "part-00000-tid-";

    /// `part-00000-tid-<19 digits>-<8-4-4-4-12 hex>-<n>-1-c000.json.gz`
    fn is_spark_part_name(name: &str) -> bool {
        let Some(rest) = name.strip_prefix(PART_PREFIX) else { return false };
        let Some(rest) = rest.strip_suffix("-1-c000.json.gz") else { return false };
        let (tid, rest) = rest.split_at_checked(19).unwrap_or(("", ""));
        let Some(rest) = rest.strip_prefix('-') else { return false };
        let (uuid, task) = rest.split_at_checked(36).unwrap_or(("", ""));
        let uuid_ok = uuid.len() == 36
            && uuid.char_indices().all(|(index, c)| match index {
                8 | 13 | 18 | 23 => c == '-',
                _ => c.is_ascii_hexdigit() && !c.is_ascii_uppercase(),
            });
        tid.len() == 19
            && tid.bytes().all(|byte| byte.is_ascii_digit())
            && uuid_ok
            && task.strip_prefix('-').is_some_and(|task| !task.is_empty() && task.bytes().all(|b| b.is_ascii_digit()))
    }

    #[test]
    fn writes_spark_layout_with_markers() {
        let out = tempfile::tempdir().expect("tempdir");
        let report = generate(&options(out.path(), 11)).expect("generate");
        assert_eq!(report.review_files.len(), 4);
        assert_eq!(report.metadata_files.len(), 2);
        for (dataset, partitions, files) in
            [(REVIEWS_DIR, 4, &report.review_files), (METADATA_DIR, 2, &report.metadata_files)]
        {
            for partition in 1..=partitions {
                let dir = out.path().join(dataset).join(format!("partition_{partition}"));
                let names: Vec<String> = fs::read_dir(&dir)
                    .expect("partition dir")
                    .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
                    .collect();
                assert_eq!(names.len(), 4, "{dir:?} holds {names:?}");
                let data: Vec<&String> = names.iter().filter(|name| name.ends_with(".json.gz")).collect();
                assert_eq!(data.len(), 1, "{names:?}");
                assert!(is_spark_part_name(data[0]), "{}", data[0]);
                assert_eq!(files[partition - 1], dir.join(data[0]));
                let tid = &data[0][PART_PREFIX.len()..PART_PREFIX.len() + 19];
                assert!(names.contains(&"_SUCCESS".to_owned()));
                assert!(names.contains(&format!("_started_{tid}")), "{names:?}");
                assert!(names.contains(&format!("_committed_{tid}")), "{names:?}");
                assert_eq!(fs::metadata(dir.join("_SUCCESS")).expect("_SUCCESS").len(), 0);
            }
        }
        let on_disk: u64 = tree(out.path()).values().map(|bytes| bytes.len() as u64).sum();
        assert_eq!(report.bytes_written, on_disk);
    }

    #[test]
    fn lines_parse_except_the_malformed_ones() {
        let out = tempfile::tempdir().expect("tempdir");
        let report = generate(&options(out.path(), 12)).expect("generate");
        assert_eq!(report.review_lines, 2_000);
        assert!(report.malformed_lines >= 1);
        assert!(report.duplicate_reviews > 0);

        let mut unparsable = 0;
        let mut string_ratings = 0;
        let mut number_ratings = 0;
        let mut repeated = 0;
        let mut seen = HashSet::new();
        let mut review_lines = 0;
        for file in &report.review_files {
            seen.clear();
            for line in decompressed_lines(file) {
                review_lines += 1;
                if !seen.insert(line.clone()) {
                    repeated += 1;
                }
                let Ok(review) = serde_json::from_str::<Value>(&line) else {
                    unparsable += 1;
                    continue;
                };
                match &review["overall"] {
                    Value::String(_) => string_ratings += 1,
                    Value::Number(_) => number_ratings += 1,
                    other => panic!("overall {other:?} in {line}"),
                }
                let asin = review["asin"].as_str().expect("asin");
                assert!(asin.len() == 10 && asin.starts_with("B00"), "{asin}");
                // reviewTime "MM D, YYYY" names the UTC day of unixReviewTime.
                let review_time = review["reviewTime"].as_str().expect("reviewTime");
                let (month, rest) = review_time.split_once(' ').expect("month");
                let (day, year) = rest.split_once(", ").expect("day, year");
                let [month, day, year] = [month, day, year].map(|part| part.parse::<u32>().expect("date part"));
                let unix = match &review["unixReviewTime"] {
                    Value::String(text) => text.parse::<u64>().expect("unix string"),
                    other => other.as_u64().expect("unix number"),
                };
                assert!((1996..=2018).contains(&year));
                assert_eq!(unix, days_since_epoch(year, month, day) * SECONDS_PER_DAY, "{line}");
            }
        }
        assert_eq!(review_lines, report.review_lines);
        assert_eq!(unparsable, report.malformed_lines);
        assert!(repeated >= report.duplicate_reviews);
        assert!(string_ratings > 0 && number_ratings > 0);

        let mut asins = HashSet::new();
        let mut metadata_lines = 0;
        for file in &report.metadata_files {
            for line in decompressed_lines(file) {
                metadata_lines += 1;
                let product: Value = serde_json::from_str(&line).unwrap_or_else(|error| panic!("{error}: {line}"));
                asins.insert(product["asin"].as_str().expect("asin").to_owned());
            }
        }
        assert_eq!(metadata_lines, report.metadata_lines);
        assert_eq!(asins.len(), 50);
        assert!(report.metadata_lines >= 50);
    }

    #[test]
    fn same_seed_same_bytes_other_seed_differs() {
        let (first, second, other) = (
            tempfile::tempdir().expect("tempdir"),
            tempfile::tempdir().expect("tempdir"),
            tempfile::tempdir().expect("tempdir"),
        );
        let first_report = generate(&options(first.path(), 42)).expect("generate");
        let second_report = generate(&options(second.path(), 42)).expect("generate");
        let other_report = generate(&options(other.path(), 43)).expect("generate");

        assert_eq!(tree(first.path()), tree(second.path()));
        assert_eq!(first_report.bytes_written, second_report.bytes_written);

        let all_lines = |report: &GenerateReport| -> Vec<String> {
            report.review_files.iter().flat_map(|file| decompressed_lines(file)).collect()
        };
        assert_ne!(all_lines(&first_report), all_lines(&other_report));
        assert_ne!(first_report.review_files[0].file_name(), other_report.review_files[0].file_name());
    }

    #[test]
    fn rejects_options_that_cannot_work() {
        let out = tempfile::tempdir().expect("tempdir");
        let no_files = GenerateOptions { files: 0, ..options(out.path(), 1) };
        assert!(matches!(generate(&no_files), Err(GenerateError::InvalidOptions(_))));
        let no_products = GenerateOptions { products: 0, ..options(out.path(), 1) };
        assert!(matches!(generate(&no_products), Err(GenerateError::InvalidOptions(_))));
        assert!(fs::read_dir(out.path()).expect("out").next().is_none(), "nothing written");
    }

    #[test]
    fn empty_data_set_still_has_the_layout() {
        let out = tempfile::tempdir().expect("tempdir");
        let options = GenerateOptions { reviews: 0, products: 0, out: out.path().to_path_buf(), seed: 5, files: 1 };
        let report = generate(&options).expect("generate");
        assert_eq!((report.review_lines, report.metadata_lines), (0, 0));
        assert!(decompressed_lines(&report.review_files[0]).is_empty());
        assert!(decompressed_lines(&report.metadata_files[0]).is_empty());
    }

    #[test]
    fn helpers_format_like_the_real_data() {
        let mut out = String::new();
        push_grouped(&mut out, 1_341);
        out.push(' ');
        push_grouped(&mut out, 2_165_223);
        out.push(' ');
        push_dollars(&mut out, 125_000);
        out.push(' ');
        push_json_string(&mut out, "a\"b\\c\nd\u{1}é");
        assert_eq!(out, "1,341 2,165,223 $1,250.00 \"a\\\"b\\\\c\\nd\\u0001é\"");

        assert_eq!(days_since_epoch(1970, 1, 1), 0);
        assert_eq!(days_since_epoch(2018, 6, 17) * SECONDS_PER_DAY, 1_529_193_600);
        assert_eq!(days_since_epoch(2016, 2, 29) + 1, days_since_epoch(2016, 3, 1));

        let mut variant = String::new();
        push_case_variant(&mut variant, "AMAZON FASHION");
        variant.push('|');
        push_case_variant(&mut variant, "Toys &amp; Games");
        assert_eq!(variant, "Amazon Fashion|TOYS &amp; GAMES");

        let asins: HashSet<String> = (0..10_000)
            .map(|product| {
                let mut asin = String::new();
                push_asin(&mut asin, product);
                asin
            })
            .collect();
        assert_eq!(asins.len(), 10_000);
        assert!(asins.iter().all(|asin| asin.len() == 10));
    }
}
