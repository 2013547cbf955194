//! Random streams and choices: every file and product seeds its own ChaCha8 generator from
//! the run's seed and a stream, so output does not depend on the order files are written in.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Independent random streams; each file and each product seeds its own generator from one of these.
#[derive(Clone, Copy)]
pub(super) enum Stream {
    ReviewFile = 1,
    MetadataFile = 2,
    Product = 3,
    ReviewNames = 4,
    MetadataNames = 5,
    Relisting = 6,
    Popularity = 7,
}

/// The splitmix64 finaliser: a bijection on `u64` that scatters nearby inputs.
pub(super) fn mix64(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

pub(super) fn derive_seed(seed: u64, stream: Stream, index: u64) -> u64 {
    mix64(mix64(seed ^ (stream as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)).wrapping_add(index))
}

/// Weighted choice over a fixed table by cumulative weights.
pub(super) struct Weighted {
    cumulative: Vec<u32>,
    total: u32,
}

impl Weighted {
    pub(super) fn new(weights: impl IntoIterator<Item = u32>) -> Self {
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

    pub(super) fn sample(&self, rng: &mut ChaCha8Rng) -> usize {
        let target = rng.random_range(0..self.total);
        self.cumulative.partition_point(|&bound| bound <= target)
    }
}

pub(super) fn pick<T: Copy>(rng: &mut ChaCha8Rng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

pub(super) fn push_random_alphanumerics(rng: &mut ChaCha8Rng, out: &mut String, count: usize) {
    const ALPHANUMERICS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    for _ in 0..count {
        out.push(char::from(pick(rng, ALPHANUMERICS)));
    }
}
