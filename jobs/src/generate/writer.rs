//! Writing partitions: each job's markers and gzip data file, in the order Spark's commit
//! protocol does, on worker threads that reuse their buffers.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use flate2::Compression;
use flate2::write::GzEncoder;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::options::GenerateError;
use super::plan::{Dataset, PartitionJob, Plan};
use super::product::write_product;
use super::random::{Stream, derive_seed};
use super::review::write_review;

/// Two workers: the machine this targets has two cores, and gzip dominates the cost.
pub(super) const WORKER_THREADS: usize = 2;
/// Lines are gathered into batches this big before they reach the compressor: one call per line
/// would pay the compressor's per-call overhead hundreds of thousands of times.
pub(super) const BATCH_BYTES: usize = 128 * 1024;
pub(super) const OUTPUT_BUFFER_BYTES: usize = 256 * 1024;

const DUPLICATE_REVIEW_RATE: f64 = 0.01;
/// Earlier lines kept per file as candidates for exact duplicates.
const REMEMBERED_LINES: usize = 32;
/// Spark task ids as they appear in the reference file names: 19 digits, a positive `i64`.
const MIN_TID: u64 = 1_000_000_000_000_000_000;
const MAX_TID: u64 = 9_223_372_036_854_775_807;

#[derive(Debug, Default, Clone, Copy)]
pub(super) struct LineCounts {
    pub(super) lines: u64,
    pub(super) malformed: u64,
    pub(super) duplicates: u64,
}

pub(super) struct PartitionOutcome {
    pub(super) data_file: PathBuf,
    pub(super) counts: LineCounts,
    pub(super) bytes: u64,
}

/// Runs the partition jobs on up to [`WORKER_THREADS`] threads and returns the outcomes in job order.
pub(super) fn run_jobs(plan: &Plan, jobs: &[PartitionJob]) -> Result<Vec<PartitionOutcome>, GenerateError> {
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
                write_review(plan, &mut rng, &mut self.line, &mut self.scratch);
                truncate_mid_record(&mut rng, &mut self.line);
                counts.malformed += 1;
            } else if self.remembered_len > 0 && rng.random_bool(DUPLICATE_REVIEW_RATE) {
                let earlier = &self.remembered[rng.random_range(0..self.remembered_len)];
                self.line.push_str(earlier);
                counts.duplicates += 1;
            } else {
                write_review(plan, &mut rng, &mut self.line, &mut self.scratch);
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
            write_product(plan, product, false, &mut volatile, &mut self.line, &mut self.scratch);
            self.emit_line(sink)?;
            counts.lines += 1;
        }
        // Second rows of some products of the previous partition: duplicate asins then span
        // partitions, so deduplication has to look across files.
        let previous = (job.partition + plan.metadata_partitions - 1) % plan.metadata_partitions;
        let (first, count) = plan.metadata_share(previous);
        for product in (first..first + count).filter(|&product| plan.is_relisted(product)) {
            self.line.clear();
            write_product(plan, product, true, &mut volatile, &mut self.line, &mut self.scratch);
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
