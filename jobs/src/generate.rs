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

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use flate2::Compression;
use flate2::write::GzEncoder;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// What [`generate`] writes.
///
/// ```
/// use reviewlake_jobs::generate::{GenerateOptions, generate};
///
/// let out = tempfile::tempdir()?;
/// let options = GenerateOptions { reviews: 1_000, products: 20, out: out.path().to_path_buf(), seed: 7, files: 2 };
/// let report = generate(&options)?;
/// assert_eq!(report.review_lines, 1_000);
/// assert_eq!(report.review_files.len(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateOptions {
    /// Review lines to write in total, malformed and duplicate lines included.
    pub reviews: u64,
    /// Distinct products (metadata asins); reviews refer only to these.
    pub products: u64,
    /// Output root; `amazon_reviews/` and `amazon_metadata/` are created under it.
    pub out: PathBuf,
    /// Seed of every random choice: the same options give byte-identical files.
    pub seed: u64,
    /// Review partitions; metadata gets `max(1, files / 2)` partitions.
    pub files: u32,
}

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

/// Why [`generate`] failed.
///
/// ```
/// use reviewlake_jobs::generate::{GenerateError, GenerateOptions, generate};
///
/// let options = GenerateOptions { reviews: 10, products: 0, out: "unused".into(), seed: 1, files: 1 };
/// assert!(matches!(generate(&options), Err(GenerateError::InvalidOptions(_))));
/// ```
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// Options that cannot produce a data set; nothing was written.
    #[error("invalid options: {0}")]
    InvalidOptions(String),
    /// A partition directory could not be created.
    #[error("cannot create directory {path}")]
    CreateDirectory {
        /// The directory.
        path: PathBuf,
        /// The system's reason.
        #[source]
        source: io::Error,
    },
    /// A data or marker file could not be written.
    #[error("cannot write {path}")]
    WriteFile {
        /// The file.
        path: PathBuf,
        /// The system's reason.
        #[source]
        source: io::Error,
    },
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

const REVIEWS_DIR: &str = "amazon_reviews";
const METADATA_DIR: &str = "amazon_metadata";

/// Two workers: the machine this targets has two cores, and gzip dominates the cost.
const WORKER_THREADS: usize = 2;
/// Lines are gathered into batches this big before they reach the compressor: one call per line
/// would pay the compressor's per-call overhead hundreds of thousands of times.
const BATCH_BYTES: usize = 128 * 1024;
const OUTPUT_BUFFER_BYTES: usize = 256 * 1024;

const DUPLICATE_REVIEW_RATE: f64 = 0.01;
/// Per mille of products listed twice in the metadata (the reference had ~1.9% duplicate rows).
const RELISTED_PER_MILLE: u64 = 19;
const LINES_PER_MALFORMED: u64 = 20_000;
/// From this many reviews on, at least one malformed line is written, so loaders always meet one.
const MIN_REVIEWS_FOR_MALFORMED: u64 = 1_000;
/// Earlier lines kept per file as candidates for exact duplicates.
const REMEMBERED_LINES: usize = 32;

const VOTE_RATE: f64 = 0.25;
const VERIFIED_RATE: f64 = 0.78;
const MISSING_TEXT_RATE: f64 = 0.02;
const REVIEW_IMAGE_RATE: f64 = 0.03;
const OFF_TONE_RATE: f64 = 0.15;
const TONE_WORD_RATE: f64 = 0.2;
const STAR_SUMMARY_RATE: f64 = 0.35;
const URL_RATE: f64 = 0.02;
const EMOJI_RATE: f64 = 0.05;

/// 36^7: the number of distinct `B00` + 7 base-36 asins.
const ASIN_SPACE: u64 = 78_364_164_096;
/// Odd and not a multiple of 3, hence coprime with 36^7: `index * ASIN_MULTIPLIER` is a bijection.
const ASIN_MULTIPLIER: u64 = 2_654_435_761;
const ASIN_OFFSET: u64 = 1_234_567_890;
const REVIEWER_ID_SALT: u64 = 0x5EED_0000_0000_0001;
const REVIEWER_NAME_SALT: u64 = 0x5EED_0000_0000_0002;
/// Spark task ids as they appear in the reference file names: 19 digits, a positive `i64`.
const MIN_TID: u64 = 1_000_000_000_000_000_000;
const MAX_TID: u64 = 9_223_372_036_854_775_807;
const SECONDS_PER_DAY: u64 = 86_400;

fn validate(options: &GenerateOptions) -> Result<(), GenerateError> {
    let invalid = |reason: &str| Err(GenerateError::InvalidOptions(reason.to_owned()));
    if options.files == 0 {
        return invalid("files must be at least 1");
    }
    if options.reviews > 0 && options.products == 0 {
        return invalid("reviews need products to refer to: products must be at least 1");
    }
    if options.products > ASIN_SPACE {
        return invalid("more products than distinct 10-character asins (36^7)");
    }
    Ok(())
}

/// Independent random streams; each file and each product seeds its own generator from one of these.
#[derive(Clone, Copy)]
enum Stream {
    ReviewFile = 1,
    MetadataFile = 2,
    Product = 3,
    ReviewNames = 4,
    MetadataNames = 5,
    Relisting = 6,
    Popularity = 7,
}

/// The splitmix64 finaliser: a bijection on `u64` that scatters nearby inputs.
fn mix64(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn derive_seed(seed: u64, stream: Stream, index: u64) -> u64 {
    mix64(mix64(seed ^ (stream as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)).wrapping_add(index))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dataset {
    Reviews,
    Metadata,
}

impl Dataset {
    fn dir_name(self) -> &'static str {
        match self {
            Self::Reviews => REVIEWS_DIR,
            Self::Metadata => METADATA_DIR,
        }
    }

    fn naming_stream(self) -> Stream {
        match self {
            Self::Reviews => Stream::ReviewNames,
            Self::Metadata => Stream::MetadataNames,
        }
    }
}

/// One partition to write: its data file holds `count` lines starting at item `first`.
struct PartitionJob {
    dataset: Dataset,
    /// 0-based; the directory is `partition_<partition + 1>`.
    partition: u32,
    /// First product index (metadata only: review lines are not indexed).
    first: u64,
    count: u64,
    malformed: u64,
}

#[derive(Debug, Default, Clone, Copy)]
struct LineCounts {
    lines: u64,
    malformed: u64,
    duplicates: u64,
}

struct PartitionOutcome {
    data_file: PathBuf,
    counts: LineCounts,
    bytes: u64,
}

/// Splits `total` items into `parts` nearly equal runs and returns run `part` as (first, count).
fn even_share(total: u64, parts: u64, part: u64) -> (u64, u64) {
    let base = total / parts;
    let remainder = total % parts;
    let first = part * base + part.min(remainder);
    let count = base + u64::from(part < remainder);
    (first, count)
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// A stride coprime with `n`, about 0.618 n, so `rank * stride mod n` scatters ranks over indices.
fn coprime_stride(n: u64) -> u64 {
    let mut stride = ((n as f64 * 0.618) as u64).max(1);
    while gcd(stride, n) != 1 {
        stride += 1;
    }
    stride
}

/// Weighted choice over a fixed table by cumulative weights.
struct Weighted {
    cumulative: Vec<u32>,
    total: u32,
}

impl Weighted {
    fn new(weights: impl IntoIterator<Item = u32>) -> Self {
        let mut total = 0;
        let cumulative = weights
            .into_iter()
            .map(|weight| {
                total += weight;
                total
            })
            .collect();
        Self { cumulative, total }
    }

    fn sample(&self, rng: &mut ChaCha8Rng) -> usize {
        let target = rng.random_range(0..self.total);
        self.cumulative.partition_point(|&bound| bound <= target)
    }
}

/// Everything shared by the partition writers: sizes, derived constants and sampling tables.
struct Plan {
    out: PathBuf,
    seed: u64,
    reviews: u64,
    products: u64,
    review_partitions: u32,
    metadata_partitions: u32,
    malformed_total: u64,
    /// Distinct reviewers; reviews pick among them with a skew, so a few are very active.
    reviewers: u64,
    /// Popularity rank `r` maps to product `(r * stride + offset) mod products`, so the popular
    /// products are spread over all metadata partitions instead of the first one.
    product_stride: u64,
    product_offset: u64,
    relisting_salt: u64,
    ratings: Weighted,
    years: Weighted,
    months: Weighted,
    categories: Weighted,
}

impl Plan {
    fn new(options: &GenerateOptions) -> Self {
        let by_rate = options.reviews / LINES_PER_MALFORMED;
        let malformed_total = if options.reviews >= MIN_REVIEWS_FOR_MALFORMED { by_rate.max(1) } else { by_rate };
        let product_offset =
            if options.products == 0 { 0 } else { derive_seed(options.seed, Stream::Popularity, 0) % options.products };
        Self {
            out: options.out.clone(),
            seed: options.seed,
            reviews: options.reviews,
            products: options.products,
            review_partitions: options.files,
            metadata_partitions: (options.files / 2).max(1),
            malformed_total,
            reviewers: (options.reviews / 3).max(1),
            product_stride: coprime_stride(options.products),
            product_offset,
            relisting_salt: derive_seed(options.seed, Stream::Relisting, 0),
            ratings: Weighted::new(RATINGS.iter().map(|&(_, weight)| weight)),
            years: Weighted::new(YEAR_WEIGHTS),
            months: Weighted::new(MONTH_WEIGHTS),
            categories: Weighted::new(CATEGORIES.iter().map(|category| category.weight)),
        }
    }

    fn jobs(&self) -> Vec<PartitionJob> {
        let review_parts = u64::from(self.review_partitions);
        let mut jobs = Vec::with_capacity(self.review_partitions as usize + self.metadata_partitions as usize);
        for partition in 0..self.review_partitions {
            let (first, count) = even_share(self.reviews, review_parts, u64::from(partition));
            // Extra malformed lines go to the first partitions, which also hold the extra reviews,
            // so a partition never gets more malformed lines than lines.
            let (_, malformed) = even_share(self.malformed_total, review_parts, u64::from(partition));
            let malformed = malformed.min(count);
            jobs.push(PartitionJob { dataset: Dataset::Reviews, partition, first, count, malformed });
        }
        for partition in 0..self.metadata_partitions {
            let (first, count) = self.metadata_share(partition);
            jobs.push(PartitionJob { dataset: Dataset::Metadata, partition, first, count, malformed: 0 });
        }
        jobs
    }

    fn metadata_share(&self, partition: u32) -> (u64, u64) {
        even_share(self.products, u64::from(self.metadata_partitions), u64::from(partition))
    }

    /// Whether `product` gets a second metadata row (in the next partition).
    fn is_relisted(&self, product: u64) -> bool {
        mix64(product ^ self.relisting_salt) % 1000 < RELISTED_PER_MILLE
    }

    /// A product index with Zipf-like popularity: the top 1% of products get about a fifth of the reviews.
    fn popular_product(&self, rng: &mut ChaCha8Rng) -> u64 {
        let skewed = rng.random::<f64>().powi(3);
        let rank = ((skewed * self.products as f64) as u64).min(self.products - 1);
        let scattered = (u128::from(rank) * u128::from(self.product_stride) + u128::from(self.product_offset))
            % u128::from(self.products);
        scattered as u64
    }

    fn active_reviewer(&self, rng: &mut ChaCha8Rng) -> u64 {
        let skewed = rng.random::<f64>().powi(2);
        ((skewed * self.reviewers as f64) as u64).min(self.reviewers - 1)
    }

    fn review_date(&self, rng: &mut ChaCha8Rng) -> ReviewDate {
        let year = FIRST_REVIEW_YEAR + self.years.sample(rng) as u32;
        let month = 1 + self.months.sample(rng) as u32;
        let day = rng.random_range(1..=days_in_month(year, month));
        ReviewDate { year, month, day }
    }

    /// Writes one review object (without newline) into `line`; `scratch` holds nested values that are
    /// JSON-encoded as strings.
    fn write_review(&self, rng: &mut ChaCha8Rng, line: &mut String, scratch: &mut String) {
        let rating = RATINGS[self.ratings.sample(rng)].0;
        let tone = Tone::for_rating(rating, rng);
        let product = self.popular_product(rng);
        let reviewer = self.active_reviewer(rng);
        let date = self.review_date(rng);
        // The datathon exports typed every field as a string; the public files used JSON numbers and
        // booleans. Both kinds are mixed so loaders must accept either.
        let string_typed = rng.random_bool(0.5);

        line.push_str("{\"overall\": ");
        if string_typed {
            line.push('"');
            push_rating(line, rating);
            line.push('"');
        } else {
            push_rating(line, rating);
        }

        if rng.random_bool(VOTE_RATE) {
            push_key(line, "vote");
            push_vote(rng, line);
        }

        push_key(line, "verified");
        let verified = rng.random_bool(VERIFIED_RATE);
        line.push_str(match (string_typed, verified) {
            (true, true) => "\"true\"",
            (true, false) => "\"false\"",
            (false, true) => "true",
            (false, false) => "false",
        });

        push_key(line, "reviewTime");
        line.push('"');
        push_two_digits(line, date.month);
        line.push(' ');
        push_uint(line, u64::from(date.day));
        line.push_str(", ");
        push_uint(line, u64::from(date.year));
        line.push('"');

        push_key(line, "reviewerID");
        line.push('"');
        push_reviewer_id(line, reviewer);
        line.push('"');

        push_key(line, "asin");
        line.push('"');
        push_asin(line, product);
        line.push('"');

        match rng.random_range(0..100) {
            0..45 => {}
            45..85 => {
                push_key(line, "style");
                push_style(rng, line);
            }
            _ => {
                push_key(line, "style");
                scratch.clear();
                push_style(rng, scratch);
                push_json_string(line, scratch);
            }
        }

        push_key(line, "reviewerName");
        scratch.clear();
        push_reviewer_name(scratch, reviewer);
        push_json_string(line, scratch);

        if !rng.random_bool(MISSING_TEXT_RATE) {
            push_key(line, "reviewText");
            scratch.clear();
            push_review_text(rng, scratch, tone, product);
            push_json_string(line, scratch);
        }
        if !rng.random_bool(MISSING_TEXT_RATE) {
            push_key(line, "summary");
            scratch.clear();
            push_summary(rng, scratch, tone, rating);
            push_json_string(line, scratch);
        }

        push_key(line, "unixReviewTime");
        if string_typed {
            line.push('"');
            push_uint(line, date.epoch_seconds());
            line.push('"');
        } else {
            push_uint(line, date.epoch_seconds());
        }

        if rng.random_bool(REVIEW_IMAGE_RATE) {
            push_key(line, "image");
            if rng.random_bool(0.1) {
                scratch.clear();
                push_review_images(rng, scratch);
                push_json_string(line, scratch);
            } else {
                push_review_images(rng, line);
            }
        }
        line.push('}');
    }

    /// Writes the metadata object of `product` (without newline) into `line`.
    ///
    /// The stable content comes from the product's own generator, so a relisted product repeats its
    /// title, brand and category; rank and price come from the file's generator (`volatile`) and so
    /// differ between the two rows. A relisted row always has a price, so it never repeats the first
    /// row exactly.
    fn write_product(
        &self,
        product: u64,
        relisted: bool,
        volatile: &mut ChaCha8Rng,
        line: &mut String,
        scratch: &mut String,
    ) {
        let mut product_rng = ChaCha8Rng::seed_from_u64(derive_seed(self.seed, Stream::Product, product));
        let rng = &mut product_rng;
        let category = &CATEGORIES[self.categories.sample(rng)];
        let brand = pick(rng, BRANDS);

        line.push_str("{\"category\": ");
        push_breadcrumb(rng, line, category);

        push_key(line, "tech1");
        let tech1 = if rng.random_bool(0.05) { pick(rng, TECH_DETAILS) } else { "" };
        push_json_string(line, tech1);

        push_key(line, "description");
        push_string_array(rng, line, DESCRIPTIONS, 0.3, 2);

        push_key(line, "fit");
        let fit = if rng.random_bool(0.08) { FIT_JUNK } else { "" };
        push_json_string(line, fit);

        push_key(line, "title");
        scratch.clear();
        push_title(rng, scratch, category, brand);
        push_json_string(line, scratch);

        push_key(line, "also_buy");
        self.push_related_asins(rng, line);

        push_key(line, "image");
        push_product_images(rng, line);

        push_key(line, "tech2");
        let tech2 = if rng.random_bool(0.02) { pick(rng, TECH_DETAILS) } else { "" };
        push_json_string(line, tech2);

        push_key(line, "brand");
        scratch.clear();
        push_brand(rng, scratch, brand);
        push_json_string(line, scratch);

        push_key(line, "feature");
        push_string_array(rng, line, FEATURES, 0.4, 4);

        push_key(line, "rank");
        push_rank(volatile, line, category);

        push_key(line, "also_view");
        self.push_related_asins(rng, line);

        push_key(line, "details");
        push_details(rng, line, product);

        push_key(line, "main_cat");
        scratch.clear();
        push_main_cat(rng, scratch, category);
        push_json_string(line, scratch);

        push_key(line, "similar_item");
        let similar = if rng.random_bool(0.05) { SIMILAR_ITEM_JUNK } else { "" };
        push_json_string(line, similar);

        push_key(line, "date");
        push_release_date(rng, line);

        push_key(line, "price");
        push_price(volatile, line, category.typical_price, relisted);

        push_key(line, "asin");
        line.push('"');
        push_asin(line, product);
        line.push_str("\"}");
    }

    fn push_related_asins(&self, rng: &mut ChaCha8Rng, out: &mut String) {
        out.push('[');
        if !rng.random_bool(0.5) {
            for index in 0..rng.random_range(1..=8) {
                if index > 0 {
                    out.push_str(", ");
                }
                out.push('"');
                push_asin(out, rng.random_range(0..self.products));
                out.push('"');
            }
        }
        out.push(']');
    }
}

/// Runs the partition jobs on up to [`WORKER_THREADS`] threads and returns the outcomes in job order.
fn run_jobs(plan: &Plan, jobs: &[PartitionJob]) -> Result<Vec<PartitionOutcome>, GenerateError> {
    let next_job = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let threads = WORKER_THREADS.min(jobs.len()).max(1);
    let (next_job, failed) = (&next_job, &failed);

    let mut finished = std::thread::scope(|scope| {
        let mut workers = Vec::with_capacity(threads);
        for _ in 0..threads {
            workers.push(scope.spawn(move || {
                let mut writer = PartitionWriter::new(plan);
                let mut done = Vec::new();
                // Stop taking jobs once any failed: the first error is reported anyway.
                while !failed.load(Ordering::Relaxed) {
                    let index = next_job.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(index) else { break };
                    let result = writer.write_partition(job);
                    if result.is_err() {
                        failed.store(true, Ordering::Relaxed);
                    }
                    done.push((index, result));
                }
                done
            }));
        }
        let mut finished = Vec::with_capacity(jobs.len());
        for worker in workers {
            match worker.join() {
                Ok(done) => finished.extend(done),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        finished
    });
    finished.sort_by_key(|&(index, _)| index);
    finished.into_iter().map(|(_, result)| result).collect()
}

fn write_error(path: &Path) -> impl Fn(io::Error) -> GenerateError + '_ {
    move |source| GenerateError::WriteFile { path: path.to_path_buf(), source }
}

/// Writes `contents` to `path` and returns its length.
fn write_marker(path: &Path, contents: &str) -> Result<u64, GenerateError> {
    fs::write(path, contents).map_err(write_error(path))?;
    Ok(contents.len() as u64)
}

/// Spark's names for one partition's write: task id and data file name.
struct PartitionNames {
    tid: u64,
    data_file: String,
}

impl PartitionNames {
    fn new(seed: u64, dataset: Dataset, partition: u32) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(derive_seed(seed, dataset.naming_stream(), u64::from(partition)));
        let tid = rng.random_range(MIN_TID..=MAX_TID);
        let uuid = random_uuid(&mut rng);
        let task = rng.random_range(0..100_000_u32);
        Self { tid, data_file: format!("part-00000-tid-{tid}-{uuid}-{task}-1-c000.json.gz") }
    }
}

/// A version-4-shaped UUID in lower-case 8-4-4-4-12 hex.
fn random_uuid(rng: &mut ChaCha8Rng) -> String {
    let bits: u128 = rng.random();
    let time_low = bits >> 96;
    let time_mid = (bits >> 80) & 0xffff;
    let version = ((bits >> 64) & 0x0fff) | 0x4000;
    let variant = ((bits >> 48) & 0x3fff) | 0x8000;
    let node = bits & 0xffff_ffff_ffff;
    format!("{time_low:08x}-{time_mid:04x}-{version:04x}-{variant:04x}-{node:012x}")
}

/// One worker's reusable buffers: after the first lines no row allocates.
struct PartitionWriter<'a> {
    plan: &'a Plan,
    line: String,
    scratch: String,
    batch: Vec<u8>,
    /// A changing sample of earlier valid lines of the current file, the sources of duplicates.
    remembered: Vec<String>,
    remembered_len: usize,
}

impl<'a> PartitionWriter<'a> {
    fn new(plan: &'a Plan) -> Self {
        Self {
            plan,
            line: String::with_capacity(4096),
            scratch: String::with_capacity(4096),
            batch: Vec::with_capacity(BATCH_BYTES + 8192),
            remembered: vec![String::new(); REMEMBERED_LINES],
            remembered_len: 0,
        }
    }

    /// Writes the markers and the data file of one partition, in the order Spark's commit protocol does.
    fn write_partition(&mut self, job: &PartitionJob) -> Result<PartitionOutcome, GenerateError> {
        let dir = self.plan.out.join(job.dataset.dir_name()).join(format!("partition_{}", job.partition + 1));
        fs::create_dir_all(&dir).map_err(|source| GenerateError::CreateDirectory { path: dir.clone(), source })?;
        let names = PartitionNames::new(self.plan.seed, job.dataset, job.partition);
        let tid = names.tid;
        let data_file = dir.join(&names.data_file);

        let mut bytes = write_marker(&dir.join(format!("_started_{tid}")), &format!("{}\n", names.data_file))?;
        let (counts, data_bytes) = self.write_data_file(&data_file, job)?;
        bytes += data_bytes;
        bytes += write_marker(
            &dir.join(format!("_committed_{tid}")),
            &format!("{{\"added\":[\"{}\"],\"removed\":[]}}\n", names.data_file),
        )?;
        bytes += write_marker(&dir.join("_SUCCESS"), "")?;
        Ok(PartitionOutcome { data_file, counts, bytes })
    }

    /// Writes the gzip data file and returns its line counts and compressed size.
    fn write_data_file(&mut self, path: &Path, job: &PartitionJob) -> Result<(LineCounts, u64), GenerateError> {
        self.batch.clear();
        self.remembered_len = 0;
        let file = File::create(path).map_err(write_error(path))?;
        let mut encoder = GzEncoder::new(BufWriter::with_capacity(OUTPUT_BUFFER_BYTES, file), Compression::fast());
        let written = match job.dataset {
            Dataset::Reviews => self.write_reviews(&mut encoder, job),
            Dataset::Metadata => self.write_metadata(&mut encoder, job),
        };
        let counts = written.map_err(write_error(path))?;
        let mut buffered = encoder.finish().map_err(write_error(path))?;
        buffered.flush().map_err(write_error(path))?;
        let bytes = buffered.get_ref().metadata().map_err(write_error(path))?.len();
        Ok((counts, bytes))
    }

    fn write_reviews<W: Write>(&mut self, sink: &mut W, job: &PartitionJob) -> io::Result<LineCounts> {
        let plan = self.plan;
        let mut rng = ChaCha8Rng::seed_from_u64(derive_seed(plan.seed, Stream::ReviewFile, u64::from(job.partition)));
        let malformed_at = malformed_positions(&mut rng, job.count, job.malformed);
        let mut upcoming_malformed = malformed_at.iter().copied().peekable();
        let mut counts = LineCounts::default();
        for position in 0..job.count {
            self.line.clear();
            if upcoming_malformed.next_if_eq(&position).is_some() {
                plan.write_review(&mut rng, &mut self.line, &mut self.scratch);
                truncate_mid_record(&mut rng, &mut self.line);
                counts.malformed += 1;
            } else if self.remembered_len > 0 && rng.random_bool(DUPLICATE_REVIEW_RATE) {
                let earlier = &self.remembered[rng.random_range(0..self.remembered_len)];
                self.line.push_str(earlier);
                counts.duplicates += 1;
            } else {
                plan.write_review(&mut rng, &mut self.line, &mut self.scratch);
                self.remember_line(&mut rng);
            }
            self.emit_line(sink)?;
            counts.lines += 1;
        }
        self.flush_batch(sink)?;
        Ok(counts)
    }

    fn write_metadata<W: Write>(&mut self, sink: &mut W, job: &PartitionJob) -> io::Result<LineCounts> {
        let plan = self.plan;
        let mut volatile =
            ChaCha8Rng::seed_from_u64(derive_seed(plan.seed, Stream::MetadataFile, u64::from(job.partition)));
        let mut counts = LineCounts::default();
        for product in job.first..job.first + job.count {
            self.line.clear();
            plan.write_product(product, false, &mut volatile, &mut self.line, &mut self.scratch);
            self.emit_line(sink)?;
            counts.lines += 1;
        }
        // Second rows of some products of the previous partition: duplicate asins then span
        // partitions, so deduplication has to look across files.
        let previous = (job.partition + plan.metadata_partitions - 1) % plan.metadata_partitions;
        let (first, count) = plan.metadata_share(previous);
        for product in (first..first + count).filter(|&product| plan.is_relisted(product)) {
            self.line.clear();
            plan.write_product(product, true, &mut volatile, &mut self.line, &mut self.scratch);
            self.emit_line(sink)?;
            counts.lines += 1;
            counts.duplicates += 1;
        }
        self.flush_batch(sink)?;
        Ok(counts)
    }

    /// Keeps the current line as a future duplicate source: the first lines fill the slots, later
    /// ones replace a random slot now and then, so duplicates come from all over the file.
    fn remember_line(&mut self, rng: &mut ChaCha8Rng) {
        let slot = if self.remembered_len < REMEMBERED_LINES {
            self.remembered_len += 1;
            self.remembered_len - 1
        } else if rng.random_ratio(1, 8) {
            rng.random_range(0..REMEMBERED_LINES)
        } else {
            return;
        };
        let kept = &mut self.remembered[slot];
        kept.clear();
        kept.push_str(&self.line);
    }

    fn emit_line<W: Write>(&mut self, sink: &mut W) -> io::Result<()> {
        self.batch.extend_from_slice(self.line.as_bytes());
        self.batch.push(b'\n');
        if self.batch.len() >= BATCH_BYTES {
            sink.write_all(&self.batch)?;
            self.batch.clear();
        }
        Ok(())
    }

    fn flush_batch<W: Write>(&mut self, sink: &mut W) -> io::Result<()> {
        if !self.batch.is_empty() {
            sink.write_all(&self.batch)?;
            self.batch.clear();
        }
        Ok(())
    }
}

/// `malformed` distinct sorted line positions in `0..lines`, one in each of `malformed` equal strata.
fn malformed_positions(rng: &mut ChaCha8Rng, lines: u64, malformed: u64) -> Vec<u64> {
    if malformed == 0 || lines == 0 {
        return Vec::new();
    }
    let stratum = lines / malformed.min(lines);
    (0..malformed.min(lines)).map(|index| index * stratum + rng.random_range(0..stratum)).collect()
}

/// Cuts a record short, like a file truncated mid-write: `{"overall": 5.0, "verified": tr`.
/// Any proper prefix of an object lacks its closing brace, so the line never parses.
fn truncate_mid_record(rng: &mut ChaCha8Rng, line: &mut String) {
    let length = line.len();
    let mut cut = rng.random_range(length / 8..(length * 3 / 4).max(length / 8 + 1)).max(1);
    // Cut between characters: the line stays valid UTF-8 so line readers reach the JSON parser.
    while !line.is_char_boundary(cut) {
        cut -= 1;
    }
    line.truncate(cut);
}

/// A calendar day of a review, at midnight UTC as in the public files.
struct ReviewDate {
    year: u32,
    month: u32,
    day: u32,
}

impl ReviewDate {
    fn epoch_seconds(&self) -> u64 {
        days_since_epoch(self.year, self.month, self.day) * SECONDS_PER_DAY
    }
}

fn is_leap_year(year: u32) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given date (from 1970 on), by the civil-from-days algorithm with
/// years starting in March, so the leap day falls at the end of the year.
fn days_since_epoch(year: u32, month: u32, day: u32) -> u64 {
    let march_year = u64::from(if month <= 2 { year - 1 } else { year });
    let march_month = u64::from(if month > 2 { month - 3 } else { month + 9 });
    let day_of_year = (153 * march_month + 2) / 5 + u64::from(day) - 1;
    let era = march_year / 400;
    let year_of_era = march_year % 400;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn pick<T: Copy>(rng: &mut ChaCha8Rng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

/// Appends `, "key": `.
fn push_key(out: &mut String, key: &str) {
    out.push_str(", \"");
    out.push_str(key);
    out.push_str("\": ");
}

/// Appends `value` as a JSON string literal, escaping quotes, backslashes and control characters.
fn push_json_string(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let mut copied = 0;
    for (index, byte) in value.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            _ if byte < 0x20 => "",
            _ => continue,
        };
        // Escaped bytes are ASCII, so both slice ends fall on character boundaries.
        out.push_str(&value[copied..index]);
        if escape.is_empty() {
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        } else {
            out.push_str(escape);
        }
        copied = index + 1;
    }
    out.push_str(&value[copied..]);
    out.push('"');
}

/// Appends the decimal digits of `value`.
fn push_uint(out: &mut String, value: u64) {
    let mut digits = [0_u8; 20];
    let mut start = digits.len();
    let mut rest = value;
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.extend(digits[start..].iter().map(|&digit| char::from(digit)));
}

/// Appends `value` with thousands separators: `1,341`.
fn push_grouped(out: &mut String, value: u64) {
    let mut digits = [0_u8; 20];
    let mut start = digits.len();
    let mut rest = value;
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let significant = &digits[start..];
    for (index, &digit) in significant.iter().enumerate() {
        if index > 0 && (significant.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(char::from(digit));
    }
}

fn push_two_digits(out: &mut String, value: u32) {
    out.push(char::from(b'0' + (value / 10 % 10) as u8));
    out.push(char::from(b'0' + (value % 10) as u8));
}

/// Appends `value mod 36^width` as `width` upper-case base-36 digits (at most 13, enough for a `u64`).
fn push_base36(out: &mut String, value: u64, width: usize) {
    const DIGITS: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut encoded = [b'0'; 13];
    let mut rest = value;
    for slot in encoded[..width].iter_mut().rev() {
        *slot = DIGITS[(rest % 36) as usize];
        rest /= 36;
    }
    out.extend(encoded[..width].iter().map(|&digit| char::from(digit)));
}

fn push_random_alphanumerics(rng: &mut ChaCha8Rng, out: &mut String, count: usize) {
    const ALPHANUMERICS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    for _ in 0..count {
        out.push(char::from(pick(rng, ALPHANUMERICS)));
    }
}

/// `B00` and 7 base-36 characters, distinct for every product index below 36^7.
fn push_asin(out: &mut String, product: u64) {
    let code = (u128::from(product) * u128::from(ASIN_MULTIPLIER) + u128::from(ASIN_OFFSET)) % u128::from(ASIN_SPACE);
    out.push_str("B00");
    push_base36(out, code as u64, 7);
}

/// `A` and 13 base-36 characters, like `A31UBHTUUIFJUT`; distinct per reviewer since `mix64` is a bijection.
fn push_reviewer_id(out: &mut String, reviewer: u64) {
    out.push('A');
    push_base36(out, mix64(reviewer ^ REVIEWER_ID_SALT), 13);
}

/// A reviewer's display name, fixed per reviewer, with the entity-escaped forms of the real data.
fn push_reviewer_name(out: &mut String, reviewer: u64) {
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

fn push_rating(out: &mut String, rating: u8) {
    out.push(char::from(b'0' + rating));
    out.push_str(".0");
}

/// Helpful votes, always a string, with a thousands separator from 1,000 on.
fn push_vote(rng: &mut ChaCha8Rng, out: &mut String) {
    let votes: u64 = match rng.random_range(0..100) {
        0..80 => rng.random_range(2..=20),
        80..98 => rng.random_range(21..=999),
        _ => rng.random_range(1_000..=20_000),
    };
    out.push('"');
    push_grouped(out, votes);
    out.push('"');
}

/// `{"Size:": " Medium", "Color:": " Black"}`: keys end with a colon, values start with a space.
fn push_style(rng: &mut ChaCha8Rng, out: &mut String) {
    let first = rng.random_range(0..STYLES.len());
    out.push('{');
    push_style_entry(rng, out, first);
    if rng.random_bool(0.4) {
        let second = (first + rng.random_range(1..STYLES.len())) % STYLES.len();
        out.push_str(", ");
        push_style_entry(rng, out, second);
    }
    out.push('}');
}

fn push_style_entry(rng: &mut ChaCha8Rng, out: &mut String, entry: usize) {
    let (key, values) = STYLES[entry];
    push_json_string(out, key);
    out.push_str(": ");
    push_json_string(out, pick(rng, values));
}

/// One to three review photo URLs; a quarter of the lists hold a corrupt `"88"` entry.
fn push_review_images(rng: &mut ChaCha8Rng, out: &mut String) {
    let count = rng.random_range(1..=3_usize);
    let corrupt = if rng.random_bool(0.25) { Some(rng.random_range(0..count)) } else { None };
    out.push('[');
    for index in 0..count {
        if index > 0 {
            out.push_str(", ");
        }
        if corrupt == Some(index) {
            out.push_str("\"88\"");
        } else {
            out.push_str("\"https://images-na.ssl-images-amazon.com/images/I/");
            push_random_alphanumerics(rng, out, 11);
            out.push_str("._SY88.jpg\"");
        }
    }
    out.push(']');
}

/// The sentiment a review's words carry.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tone {
    Positive,
    Mixed,
    Negative,
}

impl Tone {
    /// The rating's tone, or the opposite one [`OFF_TONE_RATE`] of the time (sarcasm, mis-clicks):
    /// text and rating should agree mostly, not always.
    fn for_rating(rating: u8, rng: &mut ChaCha8Rng) -> Self {
        let natural = match rating {
            4.. => Self::Positive,
            3 => Self::Mixed,
            _ => Self::Negative,
        };
        if rng.random_bool(OFF_TONE_RATE) { natural.opposite() } else { natural }
    }

    fn opposite(self) -> Self {
        match self {
            Self::Positive => Self::Negative,
            Self::Mixed => Self::Mixed,
            Self::Negative => Self::Positive,
        }
    }

    fn word(self, rng: &mut ChaCha8Rng) -> &'static str {
        let words = match self {
            Self::Positive => POSITIVE_WORDS,
            Self::Negative => NEGATIVE_WORDS,
            Self::Mixed => match rng.random_range(0..4) {
                0 => POSITIVE_WORDS,
                1 => NEGATIVE_WORDS,
                _ => MIXED_WORDS,
            },
        };
        pick(rng, words)
    }

    fn emoji(self) -> &'static [&'static str] {
        match self {
            Self::Positive => &["😊", "👍", "❤️", "😍", "🙂"],
            Self::Mixed => &["😐", "🤷", "🙃"],
            Self::Negative => &["😡", "👎", "😞", "🤬"],
        }
    }
}

/// Review length in words, 3 to 120, mostly short as on Amazon.
fn review_length(rng: &mut ChaCha8Rng) -> u32 {
    match rng.random_range(0..100) {
        0..45 => rng.random_range(3..=15),
        45..80 => rng.random_range(16..=50),
        _ => rng.random_range(51..=120),
    }
}

/// Review text from word lists: sentences of filler words with tone words mixed in (at least one),
/// plus the noise the cleaning steps must remove: `<br />`, entities, URLs, emoji, shouting.
fn push_review_text(rng: &mut ChaCha8Rng, out: &mut String, tone: Tone, product: u64) {
    let words = review_length(rng);
    let anchor = rng.random_range(0..words);
    let mut left_in_sentence = 0_u32;
    for index in 0..words {
        let starts_sentence = left_in_sentence == 0;
        if starts_sentence {
            if index > 0 {
                push_sentence_end(rng, out);
            }
            left_in_sentence = rng.random_range(4..=14);
        } else {
            out.push(' ');
        }
        if index == anchor || rng.random_bool(TONE_WORD_RATE) {
            push_tone_word(rng, out, tone, starts_sentence);
        } else {
            let word = pick(rng, FILLER_WORDS);
            push_word(rng, out, word, starts_sentence);
        }
        left_in_sentence -= 1;
    }
    out.push(if rng.random_bool(0.8) { '.' } else { '!' });
    if rng.random_bool(URL_RATE) {
        if rng.random_bool(0.5) {
            out.push_str(" See https://www.amazon.com/dp/");
            push_asin(out, product);
        } else {
            out.push_str(" Video: http://www.youtube.com/watch?v=");
            push_random_alphanumerics(rng, out, 11);
        }
    }
    if rng.random_bool(EMOJI_RATE) {
        out.push(' ');
        out.push_str(pick(rng, tone.emoji()));
    }
}

fn push_sentence_end(rng: &mut ChaCha8Rng, out: &mut String) {
    out.push_str(match rng.random_range(0..100) {
        0..70 => ".",
        70..90 => "!",
        90..95 => "!!!",
        _ => "?",
    });
    match rng.random_range(0..100) {
        0..8 => out.push_str("<br />"),
        8..11 => out.push_str("<br /><br />"),
        _ => out.push(' '),
    }
}

/// A tone word, now and then in entity quotes, raw quotes or shouted.
fn push_tone_word(rng: &mut ChaCha8Rng, out: &mut String, tone: Tone, capitalise: bool) {
    let word = tone.word(rng);
    match rng.random_range(0..100) {
        0..2 => {
            out.push_str("&quot;");
            push_word(rng, out, word, capitalise);
            out.push_str("&quot;");
        }
        2 => {
            out.push('"');
            push_word(rng, out, word, capitalise);
            out.push('"');
        }
        3..6 => out.extend(word.chars().map(|c| c.to_ascii_uppercase())),
        _ => push_word(rng, out, word, capitalise),
    }
}

/// A word, capitalised at a sentence start, sometimes entity-escaped (`&amp;`, `don&#39;t`).
fn push_word(rng: &mut ChaCha8Rng, out: &mut String, word: &str, capitalise: bool) {
    let word = if word == "and" && rng.random_bool(0.25) { "&amp;" } else { word };
    let escape_apostrophe = word.contains('\'') && rng.random_bool(0.4);
    for (index, c) in word.chars().enumerate() {
        if c == '\'' && escape_apostrophe {
            out.push_str("&#39;");
        } else if index == 0 && capitalise {
            out.push(c.to_ascii_uppercase());
        } else {
            out.push(c);
        }
    }
}

/// A summary: often the star phrase (`Five Stars`), else a few words led by a tone word.
fn push_summary(rng: &mut ChaCha8Rng, out: &mut String, tone: Tone, rating: u8) {
    if rng.random_bool(STAR_SUMMARY_RATE) {
        out.push_str(STAR_SUMMARIES[usize::from(rating)]);
        return;
    }
    let quoted = rng.random_bool(0.02);
    if quoted {
        out.push('"');
    }
    for index in 0..rng.random_range(1..=5) {
        if index > 0 {
            out.push(' ');
        }
        if index == 0 || rng.random_bool(0.4) {
            push_tone_word(rng, out, tone, index == 0);
        } else {
            let word = pick(rng, FILLER_WORDS);
            push_word(rng, out, word, false);
        }
    }
    if rng.random_bool(0.2) {
        out.push('!');
    }
    if quoted {
        out.push('"');
    }
}

/// A JSON array of `0..=max_len` entries of `items`; empty with probability `empty_rate`.
fn push_string_array(rng: &mut ChaCha8Rng, out: &mut String, items: &[&str], empty_rate: f64, max_len: usize) {
    out.push('[');
    if !rng.random_bool(empty_rate) {
        for index in 0..rng.random_range(1..=max_len) {
            if index > 0 {
                out.push_str(", ");
            }
            push_json_string(out, pick(rng, items));
        }
    }
    out.push(']');
}

/// `["Toys & Games", "Puzzles"]`: the category name, then up to two sub-categories; rarely empty.
fn push_breadcrumb(rng: &mut ChaCha8Rng, out: &mut String, category: &Category) {
    out.push('[');
    if !rng.random_bool(0.05) {
        push_json_string(out, category.name);
        for _ in 0..rng.random_range(0..=2) {
            out.push_str(", ");
            push_json_string(out, pick(rng, category.subcategories));
        }
    }
    out.push(']');
}

fn push_product_images(rng: &mut ChaCha8Rng, out: &mut String) {
    out.push('[');
    if !rng.random_bool(0.4) {
        for index in 0..rng.random_range(1..=3) {
            if index > 0 {
                out.push_str(", ");
            }
            out.push_str("\"https://images-na.ssl-images-amazon.com/images/I/");
            push_random_alphanumerics(rng, out, 11);
            out.push_str("._SX38_SY50_CR,0,0,38,50_.jpg\"");
        }
    }
    out.push(']');
}

/// A product title, sometimes empty, wrapped in the page's `<span>`, or holding entities.
fn push_title(rng: &mut ChaCha8Rng, out: &mut String, category: &Category, brand: &str) {
    let form = rng.random_range(0..100);
    if form < 3 {
        return;
    }
    let wrapped = form < 8;
    if wrapped {
        out.push_str("<span id=\"productTitle\" class=\"a-size-large\">");
    }
    if rng.random_bool(0.7) {
        out.push_str(brand);
        out.push(' ');
    }
    if (8..18).contains(&form) {
        out.push_str(pick(rng, TITLE_ENTITY_WORDS));
    }
    out.push_str(pick(rng, TITLE_ADJECTIVES));
    out.push(' ');
    out.push_str(pick(rng, category.items));
    out.push_str(pick(rng, TITLE_DETAILS));
    if wrapped {
        out.push_str("</span>");
    }
}

/// The brand as the reference saw it: blank, `Unknown`, `by\n    \n    X`, `Visit Amazon's X Page`,
/// or in another case.
fn push_brand(rng: &mut ChaCha8Rng, out: &mut String, brand: &str) {
    match rng.random_range(0..100) {
        0..8 => {}
        8..15 => out.push_str("Unknown"),
        15..21 => {
            out.push_str("by\n    \n    ");
            out.push_str(brand);
        }
        21..27 => {
            out.push_str("Visit Amazon's ");
            out.push_str(brand);
            out.push_str(" Page");
        }
        27..34 => out.extend(brand.chars().map(|c| c.to_ascii_uppercase())),
        34..40 => out.extend(brand.chars().map(|c| c.to_ascii_lowercase())),
        _ => out.push_str(brand),
    }
}

/// `main_cat`: mostly the plain (entity-escaped) value, sometimes the store's `<img>` tag, blank, or
/// in another case.
fn push_main_cat(rng: &mut ChaCha8Rng, out: &mut String, category: &Category) {
    match rng.random_range(0..100) {
        0..5 => {
            out.push_str(
                "<img src=\"https://images-na.ssl-images-amazon.com/images/G/01/nav2/images/gui/\
                 amazon-fashion-store-new._CB520838675_.png\" class=\"nav-categ-image\" alt=\"",
            );
            out.push_str(category.main_cat);
            out.push_str("\"/>");
        }
        5..10 => {}
        10..16 => push_case_variant(out, category.main_cat),
        _ => out.push_str(category.main_cat),
    }
}

/// `AMAZON FASHION` -> `Amazon Fashion`, `Toys &amp; Games` -> `TOYS &amp; GAMES`; entities are
/// copied unchanged so they still decode.
fn push_case_variant(out: &mut String, text: &str) {
    let title_case = !text.bytes().any(|byte| byte.is_ascii_lowercase());
    let mut in_entity = false;
    let mut word_start = true;
    for c in text.chars() {
        if c == '&' {
            in_entity = true;
        }
        let changed = if in_entity {
            c
        } else if !title_case || word_start {
            c.to_ascii_uppercase()
        } else {
            c.to_ascii_lowercase()
        };
        out.push(changed);
        if c == ';' {
            in_entity = false;
        }
        word_start = !c.is_ascii_alphanumeric();
    }
}

/// `">#2,165,223 in Books (See Top 100 in Books)"`, a truncated form, a list of such, or `[]`.
fn push_rank(rng: &mut ChaCha8Rng, out: &mut String, category: &Category) {
    match rng.random_range(0..100) {
        0..30 => out.push_str("[]"),
        30..70 => {
            out.push('"');
            push_rank_text(rng, out, category.name);
            out.push('"');
        }
        70..75 => {
            out.push('"');
            push_grouped(out, sales_rank(rng));
            out.push_str(" in ");
            out.push_str(category.name);
            out.push_str(" (\"");
        }
        _ => {
            out.push_str("[\"");
            push_rank_text(rng, out, category.name);
            if rng.random_bool(0.5) {
                out.push_str("\", \"#");
                push_grouped(out, sales_rank(rng));
                out.push_str(" in ");
                out.push_str(category.name);
                out.push_str(" > ");
                out.push_str(pick(rng, category.subcategories));
            }
            out.push_str("\"]");
        }
    }
}

fn push_rank_text(rng: &mut ChaCha8Rng, out: &mut String, name: &str) {
    out.push_str(">#");
    push_grouped(out, sales_rank(rng));
    out.push_str(" in ");
    out.push_str(name);
    out.push_str(" (See Top 100 in ");
    out.push_str(name);
    out.push(')');
}

/// Best-sellers rank, 1 to 5,000,000, mostly in the hundreds of thousands and up.
fn sales_rank(rng: &mut ChaCha8Rng) -> u64 {
    1 + (rng.random::<f64>().powi(2) * 5_000_000.0) as u64
}

/// `"June 6, 2016"` for about a third of the products, else `""`.
fn push_release_date(rng: &mut ChaCha8Rng, out: &mut String) {
    out.push('"');
    if rng.random_bool(0.35) {
        let year = rng.random_range(FIRST_REVIEW_YEAR..=LAST_REVIEW_YEAR);
        let month = rng.random_range(1..=12_u32);
        out.push_str(MONTH_NAMES[month as usize - 1]);
        out.push(' ');
        push_uint(out, u64::from(rng.random_range(1..=days_in_month(year, month))));
        out.push_str(", ");
        push_uint(out, u64::from(year));
    }
    out.push('"');
}

/// `"$12.99"`, `"$1,250.00"`, `"$10.00 - $20.00"`, blank in 55% of rows, rarely CSS junk; a relisted
/// row always carries a listed price.
fn push_price(rng: &mut ChaCha8Rng, out: &mut String, typical_price: f64, relisted: bool) {
    let form = if relisted { rng.random_range(560..1000) } else { rng.random_range(0..1000) };
    out.push('"');
    match form {
        0..550 => {}
        550..555 => out.push_str(pick(rng, PRICE_JUNK)),
        555..610 => {
            let low = price_cents(rng, typical_price);
            let high = low + low * rng.random_range(20..=200) / 100;
            push_dollars(out, low);
            out.push_str(" - ");
            push_dollars(out, high);
        }
        _ => push_dollars(out, price_cents(rng, typical_price)),
    }
    out.push('"');
}

/// A price around the category's typical price (log-uniform, 0.2x to 5x), rarely a luxury 40x;
/// mostly ending in .99.
fn price_cents(rng: &mut ChaCha8Rng, typical_price: f64) -> u64 {
    let spread: f64 = rng.random_range(-1.6..1.6);
    let luxury = if rng.random_bool(0.01) { 40.0 } else { 1.0 };
    let dollars = (typical_price * spread.exp() * luxury).max(1.0) as u64;
    let cents = match rng.random_range(0..10) {
        0..7 => 99,
        7..9 => 0,
        _ => rng.random_range(0..100),
    };
    dollars * 100 + cents
}

fn push_dollars(out: &mut String, cents: u64) {
    out.push('$');
    push_grouped(out, cents / 100);
    out.push('.');
    push_two_digits(out, (cents % 100) as u32);
}

/// A few entries of the product-details object, whose keys are as messy as the scraped ones.
fn push_details(rng: &mut ChaCha8Rng, out: &mut String, product: u64) {
    out.push('{');
    if rng.random_bool(0.8) {
        let mut first = true;
        for &(key, values) in DETAILS {
            if rng.random_bool(0.3) {
                if !first {
                    out.push_str(", ");
                }
                first = false;
                push_json_string(out, key);
                out.push_str(": ");
                push_json_string(out, pick(rng, values));
            }
        }
        if rng.random_bool(0.7) {
            if !first {
                out.push_str(", ");
            }
            push_json_string(out, pick(rng, &["ASIN:", "ASIN: "]));
            out.push_str(": \"");
            push_asin(out, product);
            out.push('"');
        }
    }
    out.push('}');
}

// ---------------------------------------------------------------------------------------------
// Tables. Strings written without `push_json_string` (category names, price junk) must hold no
// quote, backslash or control character; a test checks.

/// Ratings and their weights per mille: 5 60%, 4 20%, 3 8%, 2 5%, 1 6.9%, and a rare 0.
const RATINGS: [(u8, u32); 6] = [(5, 600), (4, 200), (3, 80), (2, 50), (1, 69), (0, 1)];
const STAR_SUMMARIES: [&str; 6] = ["One Star", "One Star", "Two Stars", "Three Stars", "Four Stars", "Five Stars"];

const FIRST_REVIEW_YEAR: u32 = 1996;
const LAST_REVIEW_YEAR: u32 = 2018;
/// Reviews per year from 1996 to 2018: few early on, most after 2012.
const YEAR_WEIGHTS: [u32; 23] =
    [1, 2, 4, 8, 15, 20, 25, 30, 40, 55, 75, 120, 160, 220, 300, 450, 750, 1_400, 2_100, 2_700, 2_900, 3_100, 3_200];
/// Reviews per month, January to December: a holiday peak in December and January.
const MONTH_WEIGHTS: [u32; 12] = [125, 95, 100, 95, 95, 95, 100, 100, 90, 95, 105, 130];
const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const POSITIVE_WORDS: &[&str] = &[
    "great",
    "love",
    "excellent",
    "perfect",
    "comfortable",
    "good",
    "amazing",
    "awesome",
    "nice",
    "happy",
    "recommend",
    "best",
    "beautiful",
    "sturdy",
    "wonderful",
    "fantastic",
    "easy",
    "fast",
];
const NEGATIVE_WORDS: &[&str] = &[
    "bad",
    "terrible",
    "poor",
    "broke",
    "disappointed",
    "worst",
    "cheap",
    "useless",
    "awful",
    "returned",
    "waste",
    "flimsy",
    "horrible",
    "defective",
    "wrong",
    "annoying",
];
const MIXED_WORDS: &[&str] =
    &["okay", "average", "decent", "fine", "mediocre", "acceptable", "so-so", "alright", "ordinary", "fair"];
const FILLER_WORDS: &[&str] = &[
    "the",
    "this",
    "it",
    "product",
    "item",
    "size",
    "color",
    "quality",
    "price",
    "shipping",
    "box",
    "arrived",
    "after",
    "week",
    "month",
    "use",
    "daughter",
    "son",
    "wife",
    "husband",
    "gift",
    "bought",
    "for",
    "and",
    "was",
    "is",
    "very",
    "really",
    "with",
    "my",
    "a",
    "of",
    "to",
    "in",
    "fits",
    "looks",
    "works",
    "battery",
    "material",
    "book",
    "story",
    "read",
    "characters",
    "game",
    "kids",
    "time",
    "days",
    "order",
    "package",
    "again",
    "would",
    "but",
    "just",
    "as",
    "described",
    "expected",
    "money",
    "value",
    "don't",
    "it's",
    "I'm",
    "we",
    "they",
    "one",
    "two",
    "first",
];

const FIRST_NAMES: &[&str] = &[
    "John",
    "Mary",
    "James",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "William",
    "Elizabeth",
    "David",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Daniel",
    "Nancy",
    "Matthew",
    "Lisa",
    "Anthony",
    "Betty",
    "Mark",
    "Sandra",
    "Steven",
    "Ashley",
];
const LAST_NAMES: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Stoiber",
];

const STYLES: &[(&str, &[&str])] = &[
    ("Size:", &[" Small", " Medium", " Large", " X-Large", " 8.5", " 10 B(M) US"]),
    ("Color:", &[" Black", " White", " Navy", " Red", " Heather Grey"]),
    ("Format:", &[" Paperback", " Kindle Edition", " Hardcover", " Audio CD", " DVD"]),
    ("Style:", &[" Classic", " Modern", " Pack of 2"]),
    ("Size Name:", &[" 1 Pack", " Family Size"]),
    ("Package Quantity:", &[" 1", " 3", " 12"]),
    ("Gift Amount:", &[" 25", " 50", " 100"]),
    ("Edition:", &[" Standard", " Deluxe"]),
];

/// A product category: `name` is the plain name (breadcrumbs, ranks), `main_cat` the form the
/// `main_cat` field carries (entity-escaped where the real one was).
struct Category {
    name: &'static str,
    main_cat: &'static str,
    weight: u32,
    typical_price: f64,
    subcategories: &'static [&'static str],
    items: &'static [&'static str],
}

/// Weighted like the reference's gold table: Books first, then AMAZON FASHION and Amazon Home.
const CATEGORIES: &[Category] = &[
    Category {
        name: "Books",
        main_cat: "Books",
        weight: 300,
        typical_price: 15.0,
        subcategories: &["Literature & Fiction", "Mystery, Thriller & Suspense", "Children's Books"],
        items: &["Novel", "Cookbook", "Paperback Edition"],
    },
    Category {
        name: "AMAZON FASHION",
        main_cat: "AMAZON FASHION",
        weight: 140,
        typical_price: 30.0,
        subcategories: &["Clothing, Shoes & Jewelry", "Women", "Men"],
        items: &["Cotton T-Shirt", "Running Shoe", "Denim Jacket"],
    },
    Category {
        name: "Amazon Home",
        main_cat: "Amazon Home",
        weight: 80,
        typical_price: 35.0,
        subcategories: &["Kitchen & Dining", "Bedding", "Home Décor"],
        items: &["Coffee Maker", "Throw Pillow", "Knife Set"],
    },
    Category {
        name: "Toys & Games",
        main_cat: "Toys &amp; Games",
        weight: 50,
        typical_price: 25.0,
        subcategories: &["Puzzles", "Games", "Stuffed Animals & Plush Toys"],
        items: &["Jigsaw Puzzle", "Board Game", "Plush Bear"],
    },
    Category {
        name: "Sports & Outdoors",
        main_cat: "Sports &amp; Outdoors",
        weight: 45,
        typical_price: 40.0,
        subcategories: &["Outdoor Recreation", "Exercise & Fitness"],
        items: &["Yoga Mat", "Camping Lantern", "Water Bottle"],
    },
    Category {
        name: "Tools & Home Improvement",
        main_cat: "Tools &amp; Home Improvement",
        weight: 40,
        typical_price: 45.0,
        subcategories: &["Power Tools", "Hardware"],
        items: &["Cordless Drill", "Tape Measure", "LED Bulb"],
    },
    Category {
        name: "Health & Personal Care",
        main_cat: "Health &amp; Personal Care",
        weight: 35,
        typical_price: 20.0,
        subcategories: &["Vitamins & Dietary Supplements", "Personal Care"],
        items: &["Multivitamin", "Electric Toothbrush", "Heating Pad"],
    },
    Category {
        name: "All Beauty",
        main_cat: "All Beauty",
        weight: 30,
        typical_price: 18.0,
        subcategories: &["Skin Care", "Hair Care"],
        items: &["Face Cream", "Shampoo", "Nail Polish"],
    },
    Category {
        name: "Cell Phones & Accessories",
        main_cat: "Cell Phones &amp; Accessories",
        weight: 40,
        typical_price: 15.0,
        subcategories: &["Cases, Holsters & Sleeves", "Chargers & Power Adapters"],
        items: &["Phone Case", "USB Charger", "Screen Protector"],
    },
    Category {
        name: "Arts, Crafts & Sewing",
        main_cat: "Arts, Crafts &amp; Sewing",
        weight: 25,
        typical_price: 12.0,
        subcategories: &["Painting, Drawing & Art Supplies", "Sewing"],
        items: &["Acrylic Paint Set", "Sketchbook", "Yarn"],
    },
    Category {
        name: "Automotive",
        main_cat: "Automotive",
        weight: 30,
        typical_price: 35.0,
        subcategories: &["Replacement Parts", "Interior Accessories"],
        items: &["Wiper Blade", "Floor Mat", "Tire Gauge"],
    },
    Category {
        name: "Office Products",
        main_cat: "Office Products",
        weight: 20,
        typical_price: 20.0,
        subcategories: &["Office & School Supplies"],
        items: &["Gel Pen", "Stapler", "Desk Organizer"],
    },
    Category {
        name: "Grocery",
        main_cat: "Grocery",
        weight: 20,
        typical_price: 10.0,
        subcategories: &["Beverages", "Snack Foods"],
        items: &["Green Tea", "Trail Mix", "Olive Oil"],
    },
    Category {
        name: "Pet Supplies",
        main_cat: "Pet Supplies",
        weight: 20,
        typical_price: 22.0,
        subcategories: &["Dogs", "Cats"],
        items: &["Dog Leash", "Cat Tree", "Pet Bed"],
    },
    Category {
        name: "Movies & TV",
        main_cat: "Movies &amp; TV",
        weight: 30,
        typical_price: 14.0,
        subcategories: &["Movies", "TV"],
        items: &["Blu-ray", "DVD Box Set", "Season 1"],
    },
    Category {
        name: "Digital Music",
        main_cat: "Digital Music",
        weight: 15,
        typical_price: 9.0,
        subcategories: &["Pop", "Rock"],
        items: &["Album", "Single", "Live Recording"],
    },
    Category {
        name: "Video Games",
        main_cat: "Video Games",
        weight: 15,
        typical_price: 40.0,
        subcategories: &["PlayStation 4", "Nintendo Switch"],
        items: &["Controller", "Game", "Headset"],
    },
    Category {
        name: "Computers",
        main_cat: "Computers",
        weight: 20,
        typical_price: 80.0,
        subcategories: &["Computer Accessories & Peripherals", "Laptops"],
        items: &["Wireless Mouse", "Keyboard", "USB Hub"],
    },
    Category {
        name: "All Electronics",
        main_cat: "All Electronics",
        weight: 30,
        typical_price: 60.0,
        subcategories: &["Headphones", "Portable Audio & Video"],
        items: &["Bluetooth Speaker", "Earbuds", "HDMI Cable"],
    },
    Category {
        name: "Industrial & Scientific",
        main_cat: "Industrial &amp; Scientific",
        weight: 10,
        typical_price: 50.0,
        subcategories: &["Lab & Scientific Products"],
        items: &["Digital Scale", "Safety Glasses", "Nitrile Gloves"],
    },
    Category {
        name: "Musical Instruments",
        main_cat: "Musical Instruments",
        weight: 10,
        typical_price: 90.0,
        subcategories: &["Guitars", "Instrument Accessories"],
        items: &["Guitar Strings", "Ukulele", "Capo"],
    },
    Category {
        name: "Gift Cards",
        main_cat: "Gift Cards",
        weight: 5,
        typical_price: 50.0,
        subcategories: &["Gift Cards"],
        items: &["Gift Card", "eGift Card", "Gift Card in a Box"],
    },
];

const BRANDS: &[&str] = &[
    "Nintendo",
    "Acme",
    "Sony",
    "Samsung",
    "Hanes",
    "Carhartt",
    "Penguin Books",
    "LEGO",
    "Crayola",
    "Anker",
    "KitchenAid",
    "Amazon",
    "Generic",
    "Fisher-Price",
    "Levi's",
    "Columbia",
    "Hasbro",
    "Logitech",
    "Bosch",
    "Nike",
];
const TITLE_ADJECTIVES: &[&str] =
    &["Classic", "Premium", "Deluxe", "Portable", "Heavy Duty", "Organic", "Vintage", "Ultra-Soft", "Compact", "New"];
const TITLE_ENTITY_WORDS: &[&str] = &["Men&rsquo;s ", "Kid&#39;s ", "&quot;Original&quot; ", "Women&#39;s "];
const TITLE_DETAILS: &[&str] =
    &["", "", ", Black", ", Pack of 2", " - Large", ", 12 oz", " (2nd Edition)", " &amp; More", " - Blue/Grey"];

const FEATURES: &[&str] = &[
    "100% cotton",
    "Machine wash cold, tumble dry low",
    "Includes 2 AA batteries",
    "BPA free &amp; dishwasher safe",
    "Lightweight and durable",
    "Compatible with iPhone 8, X &amp; XS",
    "1-year manufacturer&#39;s warranty",
    "Imported",
];
const DESCRIPTIONS: &[&str] = &[
    "A great addition to any collection.",
    "<b>Product description</b><br>Made from premium materials for everyday use.<br /><br />",
    "From the Publisher: a story of courage &amp; hope.",
    "Statements regarding dietary supplements have not been evaluated by the FDA.",
    "<div class=\"aplus\"> <p>Designed in California. Assembled in China.</p> </div>",
];
const TECH_DETAILS: &[&str] = &[
    "class=\"a-keyvalue prodDetTable\" role=\"presentation\">",
    "Brand Name: Generic; Model: X-200",
    "<table id=\"productDetails_techSpec_section_1\">",
];
const FIT_JUNK: &str = "class=\"a-normal a-align-center a-spacing-small\">\n<tbody>\n<tr>\n<td class=\"a-span3\">";
const SIMILAR_ITEM_JUNK: &str =
    " class=\"a-bordered a-horizontal-stripes  a-spacing-extra-large a-size-base comparison_table\">";
const PRICE_JUNK: &[&str] = &[
    ".a-box-inner{background-color:#fff}#alohaBuyBoxWidget .selected{background-color:#fffbf3}",
    ".a-section.a-spacing-mini{margin-bottom:0}",
];
const DETAILS: &[(&str, &[&str])] = &[
    ("\n    Product Dimensions: \n    ", &["3.4 x 2.1 inches ; 1.44 ounces", "10 x 8 x 2 inches ; 1.2 pounds"]),
    ("Shipping Weight:", &["3 ounces", "1.8 pounds (", "12.8 ounces (View shipping rates and policies)"]),
    ("Item model number:", &["XJ-200", "B-1001", "MX-5"]),
    ("Language:", &["English", "Spanish"]),
    ("Publisher:", &["Penguin Books (June 6, 2016)", "Scholastic; 1st edition"]),
    ("Domestic Shipping: ", &["Item can be shipped within U.S."]),
    ("International Shipping: ", &["This item is not eligible for international shipping."]),
    ("UPC:", &["885909950805", "012345678905"]),
];

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashSet};
    use std::io::{BufRead, BufReader};

    use flate2::read::GzDecoder;
    use serde_json::Value;

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

    #[test]
    fn raw_table_strings_need_no_json_escaping() {
        let needs_escaping = |text: &str| text.chars().any(|c| c == '"' || c == '\\' || c.is_control());
        for category in CATEGORIES {
            assert!(!needs_escaping(category.name) && !needs_escaping(category.main_cat), "{}", category.name);
            assert!(category.subcategories.iter().all(|&sub| !needs_escaping(sub)), "{}", category.name);
        }
        assert!(PRICE_JUNK.iter().all(|&junk| !needs_escaping(junk)));
    }
}
