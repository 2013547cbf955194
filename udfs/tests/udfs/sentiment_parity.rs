//! Parity of `reviewlake_udfs::sentiment` with TextBlob 0.20.1 on every review of the
//! repository's reference files (`tests/data/reference`), which hold
//! `TextBlob(reviewText).sentiment` as computed by Python.
//!
//! A row matches when both polarity and subjectivity are within 1e-9 of TextBlob's. At least
//! 99.5% of rows must match, every row that doesn't must be listed in [`KNOWN_DIFFERENCES`] with
//! its reason, and every listed row must still differ, so the list never goes stale.

use std::fs;
use std::path::{Path, PathBuf};

use reviewlake_udfs::sentiment::sentiment;

const TOLERANCE: f64 = 1e-9;
const MIN_MATCH_RATE: f64 = 0.995;

/// `(file name, line number, reason)` for rows where the Rust scores knowingly differ.
/// Empty: every reference row matches.
const KNOWN_DIFFERENCES: &[(&str, u64, &str)] = &[];

struct Row {
    line: u64,
    polarity: f64,
    subjectivity: f64,
    text: String,
}

/// Reverses the reference files' escaping of tab, newline, carriage return and backslash.
fn unescape(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

fn read_rows(path: &Path) -> Vec<Row> {
    let data = fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let mut lines = data.split('\n');
    let header = lines.next().unwrap_or_default();
    assert_eq!(header, "line\tpolarity\tsubjectivity\ttext", "unexpected header in {}", path.display());
    lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut cols = l.splitn(4, '\t');
            let mut next =
                |what: &str| cols.next().unwrap_or_else(|| panic!("{}: row {l:?} has no {what}", path.display()));
            let line = next("line").parse().expect("line number");
            let polarity = next("polarity").parse().expect("polarity");
            let subjectivity = next("subjectivity").parse().expect("subjectivity");
            let text = unescape(next("text"));
            Row { line, polarity, subjectivity, text }
        })
        .collect()
}

fn reference_files() -> Vec<PathBuf> {
    // Read at run time: a compile-time path goes stale when checkouts share a target dir.
    let dir =
        &PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("run by cargo")).join("../tests/data/reference");
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reference data missing at {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with(".textblob.tsv")))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no *.textblob.tsv files in {}", dir.display());
    files
}

#[test]
fn sentiment_matches_textblob_on_reference_reviews() {
    let mut total = 0usize;
    let mut matching = 0usize;
    let mut unexpected = Vec::new();
    let mut still_listed = Vec::new();

    for path in reference_files() {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let rows = read_rows(&path);
        let (mut file_matching, mut bit_exact) = (0usize, 0usize);
        for row in &rows {
            let got = sentiment(&row.text);
            let ok = (got.polarity - row.polarity).abs() <= TOLERANCE
                && (got.subjectivity - row.subjectivity).abs() <= TOLERANCE;
            let listed = KNOWN_DIFFERENCES.iter().any(|&(f, l, _)| f == name && l == row.line);
            if ok {
                file_matching += 1;
                bit_exact += usize::from(got.polarity == row.polarity && got.subjectivity == row.subjectivity);
                if listed {
                    still_listed.push(format!("{name}:{}", row.line));
                }
            } else if !listed {
                unexpected.push(format!(
                    "{name}:{} textblob=({}, {}) rust=({}, {}) text={:?}",
                    row.line, row.polarity, row.subjectivity, got.polarity, got.subjectivity, row.text
                ));
            }
        }
        println!("{name}: {file_matching}/{} rows within {TOLERANCE:e}, {bit_exact} bit-exact", rows.len());
        total += rows.len();
        matching += file_matching;
    }

    let rate = matching as f64 / total as f64;
    println!("all files: {matching}/{total} rows match ({:.3}%)", rate * 100.0);
    assert!(
        unexpected.is_empty(),
        "{} rows differ from TextBlob and are not in KNOWN_DIFFERENCES:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
    assert!(still_listed.is_empty(), "rows in KNOWN_DIFFERENCES now match; remove them: {}", still_listed.join(", "));
    assert!(rate >= MIN_MATCH_RATE, "match rate {rate} below {MIN_MATCH_RATE}");
}
