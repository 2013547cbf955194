//! The plan of a run: how the reviews and products split into partition jobs, and the sizes,
//! skews and sampling tables every partition writer shares.

use std::path::PathBuf;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::calendar::{ReviewDate, days_in_month};
use super::options::GenerateOptions;
use super::random::{Stream, Weighted, derive_seed, mix64};
use super::vocabulary::{CATEGORIES, FIRST_REVIEW_YEAR, MONTH_WEIGHTS, RATINGS, YEAR_WEIGHTS};

pub(super) const REVIEWS_DIR: &str = "amazon_reviews";
pub(super) const METADATA_DIR: &str = "amazon_metadata";

/// Per mille of products listed twice in the metadata (the reference had ~1.9% duplicate rows).
pub(super) const RELISTED_PER_MILLE: u64 = 19;
pub(super) const LINES_PER_MALFORMED: u64 = 20_000;
/// From this many reviews on, at least one malformed line is written, so loaders always meet one.
pub(super) const MIN_REVIEWS_FOR_MALFORMED: u64 = 1_000;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Dataset {
    Reviews,
    Metadata,
}

impl Dataset {
    pub(super) fn dir_name(self) -> &'static str {
        match self {
            Self::Reviews => REVIEWS_DIR,
            Self::Metadata => METADATA_DIR,
        }
    }

    pub(super) fn naming_stream(self) -> Stream {
        match self {
            Self::Reviews => Stream::ReviewNames,
            Self::Metadata => Stream::MetadataNames,
        }
    }
}

/// One partition to write: its data file holds `count` lines starting at item `first`.
pub(super) struct PartitionJob {
    pub(super) dataset: Dataset,
    /// 0-based; the directory is `partition_<partition + 1>`.
    pub(super) partition: u32,
    /// First product index (metadata only: review lines are not indexed).
    pub(super) first: u64,
    pub(super) count: u64,
    pub(super) malformed: u64,
}

/// Splits `total` items into `parts` nearly equal runs and returns run `part` as (first, count).
pub(super) fn even_share(total: u64, parts: u64, part: u64) -> (u64, u64) {
    let base = total / parts;
    let remainder = total % parts;
    let first = part * base + part.min(remainder);
    let count = base + u64::from(part < remainder);
    (first, count)
}

pub(super) fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// A stride coprime with `n`, about 0.618 n, so `rank * stride mod n` scatters ranks over indices.
pub(super) fn coprime_stride(n: u64) -> u64 {
    let mut stride = ((n as f64 * 0.618) as u64).max(1);
    while gcd(stride, n) != 1 {
        stride += 1;
    }
    stride
}

/// Everything shared by the partition writers: sizes, derived constants and sampling tables.
pub(super) struct Plan {
    pub(super) out: PathBuf,
    pub(super) seed: u64,
    pub(super) reviews: u64,
    pub(super) products: u64,
    pub(super) review_partitions: u32,
    pub(super) metadata_partitions: u32,
    pub(super) malformed_total: u64,
    /// Distinct reviewers; reviews pick among them with a skew, so a few are very active.
    pub(super) reviewers: u64,
    /// Popularity rank `r` maps to product `(r * stride + offset) mod products`, so the popular
    /// products are spread over all metadata partitions instead of the first one.
    pub(super) product_stride: u64,
    pub(super) product_offset: u64,
    pub(super) relisting_salt: u64,
    pub(super) ratings: Weighted,
    pub(super) years: Weighted,
    pub(super) months: Weighted,
    pub(super) categories: Weighted,
}

impl Plan {
    pub(super) fn new(options: &GenerateOptions) -> Self {
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

    pub(super) fn jobs(&self) -> Vec<PartitionJob> {
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

    pub(super) fn metadata_share(&self, partition: u32) -> (u64, u64) {
        even_share(self.products, u64::from(self.metadata_partitions), u64::from(partition))
    }

    /// Whether `product` gets a second metadata row (in the next partition).
    pub(super) fn is_relisted(&self, product: u64) -> bool {
        mix64(product ^ self.relisting_salt) % 1000 < RELISTED_PER_MILLE
    }

    /// A product index with Zipf-like popularity: the top 1% of products get about a fifth of the reviews.
    pub(super) fn popular_product(&self, rng: &mut ChaCha8Rng) -> u64 {
        let skewed = rng.random::<f64>().powi(3);
        let rank = ((skewed * self.products as f64) as u64).min(self.products - 1);
        let scattered = (u128::from(rank) * u128::from(self.product_stride) + u128::from(self.product_offset))
            % u128::from(self.products);
        scattered as u64
    }

    pub(super) fn active_reviewer(&self, rng: &mut ChaCha8Rng) -> u64 {
        let skewed = rng.random::<f64>().powi(2);
        ((skewed * self.reviewers as f64) as u64).min(self.reviewers - 1)
    }

    pub(super) fn review_date(&self, rng: &mut ChaCha8Rng) -> ReviewDate {
        let year = FIRST_REVIEW_YEAR + self.years.sample(rng) as u32;
        let month = 1 + self.months.sample(rng) as u32;
        let day = rng.random_range(1..=days_in_month(year, month));
        ReviewDate { year, month, day }
    }
}
