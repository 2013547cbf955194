//! Throughput of the text UDF kernels on the real review texts of `tests/data/amazon2018`,
//! per core, and TextBlob on the same texts in the same run.
//!
//! `cargo bench -p reviewlake-benches --bench udfs` (TextBlob: `pip install textblob==0.20.1`;
//! without it the ratio is skipped). `REVIEWLAKE_DATA` overrides the data folder.

use std::hint::black_box;
use std::io::Write;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use criterion::{Criterion, Throughput};
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::prelude::{JsonReadOptions, SessionContext};
use reviewlake_udfs::sentiment;
use reviewlake_udfs::text::{TokenBuffer, hash_features_into, normalize_text};

/// The review files: the repository's samples unless `REVIEWLAKE_DATA` names another folder.
fn data_dir() -> PathBuf {
    std::env::var_os("REVIEWLAKE_DATA").map(PathBuf::from).unwrap_or_else(reviewlake_tests::samples_dir)
}

/// The `reviewText` of every review file (`*_5.json.gz`), missing texts skipped.
fn review_texts() -> Vec<String> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let ctx = SessionContext::new();
        let mut texts = Vec::new();
        for entry in std::fs::read_dir(data_dir()).expect("the review data folder") {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if !name.ends_with("_5.json.gz") {
                continue;
            }
            let options = JsonReadOptions::default().file_extension(".json.gz").file_compression_type(
                datafusion::datasource::file_format::file_compression_type::FileCompressionType::GZIP,
            );
            let frame = ctx.read_json(path.to_str().unwrap(), options).await.unwrap();
            let batches = frame.select_columns(&["reviewText"]).unwrap().collect().await.unwrap();
            for batch in batches {
                let column = cast(batch.column(0), &DataType::Utf8).unwrap();
                let column = column.as_string::<i32>();
                texts.extend((0..column.len()).filter(|&i| !column.is_null(i)).map(|i| column.value(i).to_string()));
            }
        }
        texts
    })
}

/// TextBlob's reviews per second on `texts`, single-threaded, or why it could not be measured.
fn textblob_reviews_per_second(texts: &[String]) -> Result<f64, String> {
    let mut file = tempfile::NamedTempFile::new().map_err(|e| e.to_string())?;
    let lines: String = texts.iter().map(|t| serde_json::to_string(t).unwrap() + "\n").collect();
    file.write_all(lines.as_bytes()).map_err(|e| e.to_string())?;
    let script = "import json,sys,time\n\
                  from textblob import TextBlob\n\
                  texts=[json.loads(l) for l in open(sys.argv[1])]\n\
                  t=time.process_time()\n\
                  for x in texts: TextBlob(x).sentiment\n\
                  print(len(texts)/(time.process_time()-t))\n";
    let output = Command::new("python3")
        .args(["-c", script, file.path().to_str().unwrap()])
        .env("OMP_NUM_THREADS", "1")
        .output()
        .map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).lines().last().unwrap_or("python failed").to_string());
    }
    String::from_utf8_lossy(&output.stdout).trim().parse().map_err(|e| format!("{e}"))
}

fn main() {
    let texts = review_texts();
    let bytes: usize = texts.iter().map(String::len).sum();
    println!("{} review texts, {:.1} MB", texts.len(), bytes as f64 / 1e6);
    let mut criterion = Criterion::default().measurement_time(Duration::from_secs(5)).configure_from_args();
    let mut group = criterion.benchmark_group("udf_kernels");
    group.throughput(Throughput::Bytes(bytes as u64));

    group
        .bench_function("sentiment_polarity", |b| b.iter(|| texts.iter().map(|t| sentiment::polarity(t)).sum::<f64>()));
    group.bench_function("normalize_text", |b| {
        let mut out = String::new();
        b.iter(|| {
            let mut total = 0;
            for text in &texts {
                out.clear();
                normalize_text(text, &mut out);
                total += out.len();
            }
            black_box(total)
        })
    });
    group.bench_function("tokenize+hash_features", |b| {
        let mut tokens = TokenBuffer::new();
        let (mut indices, mut values) = (Vec::new(), Vec::new());
        b.iter(|| {
            let mut total = 0;
            for text in &texts {
                tokens.tokenize(text);
                hash_features_into(tokens.iter(), 1 << 18, &mut indices, &mut values);
                total += indices.len();
            }
            black_box(total)
        })
    });
    group.finish();

    // A plain single-threaded timing for the reviews/s figures and the TextBlob ratio.
    let started = std::time::Instant::now();
    let mut rounds = 0;
    while started.elapsed() < Duration::from_secs(3) {
        black_box(texts.iter().map(|t| sentiment::polarity(t)).sum::<f64>());
        rounds += 1;
    }
    let ours = (rounds * texts.len()) as f64 / started.elapsed().as_secs_f64();
    println!("sentiment_polarity: {ours:.0} reviews/s per core");
    match textblob_reviews_per_second(&texts) {
        Ok(theirs) => println!("TextBlob 0.20.1: {theirs:.0} reviews/s per core; ratio {:.0}x", ours / theirs),
        Err(reason) => println!("TextBlob not measured ({reason}); install it with `pip install textblob==0.20.1`"),
    }
    criterion.final_summary();
}
