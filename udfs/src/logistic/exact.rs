//! Exact, order-independent sums of floating-point terms.
//!
//! A distributed aggregate merges its partitions' partial sums in whatever order they finish,
//! and floating-point addition is not associative: summing in f64 would make the trained model
//! depend on task timing and on the cluster's size. Each term is instead rounded once (toward
//! zero) to a fixed-point integer with 60 fractional bits; integer addition is associative, so
//! any grouping and order of the same terms gives the same bits.

use super::ModelError;

/// Fractional bits of the fixed point: terms are kept to 2^-60 ≈ 8.7e-19.
const FRACTION_BITS: i32 = 60;

/// The largest term magnitude accepted (2^40): with 60 fractional bits, 2^26 such terms still
/// fit an i128. Training terms are bounded by the sample weight times the log loss.
pub const MAX_TERM: f64 = (1u64 << 40) as f64;

/// A sum of f64 terms held exactly as a fixed-point i128.
///
/// ```
/// use reviewlake_udfs::logistic::ExactSum;
/// let (mut forward, mut backward) = (ExactSum::default(), ExactSum::default());
/// let terms = [1e-3, 1e10, -1e10, 3.25e-7];
/// for t in terms { forward.add(t).unwrap(); }
/// for t in terms.iter().rev() { backward.add(*t).unwrap(); }
/// assert_eq!(forward, backward);
/// assert!((forward.value() - (1e-3 + 3.25e-7)).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExactSum(i128);

impl ExactSum {
    /// Bytes of [`Self::to_le_bytes`].
    pub const BYTES: usize = 16;

    /// Adds one term; a term that is not finite or above [`MAX_TERM`] is an error and adds
    /// nothing.
    #[inline]
    pub fn add(&mut self, term: f64) -> Result<(), ModelError> {
        self.merge(ExactSum(fixed(term)?))
    }

    /// Adds another sum.
    #[inline]
    pub fn merge(&mut self, other: ExactSum) -> Result<(), ModelError> {
        self.0 = self.0.checked_add(other.0).ok_or(ModelError::SumOverflow)?;
        Ok(())
    }

    /// The sum, rounded to the nearest f64.
    pub fn value(self) -> f64 {
        self.0 as f64 * f64::powi(2.0, -FRACTION_BITS)
    }

    /// The sum as 16 little-endian bytes (a partial state on the wire).
    pub fn to_le_bytes(self) -> [u8; 16] {
        self.0.to_le_bytes()
    }

    /// The sum [`Self::to_le_bytes`] wrote.
    pub fn from_le_bytes(bytes: [u8; 16]) -> Self {
        ExactSum(i128::from_le_bytes(bytes))
    }
}

/// `term · 2^60` truncated to an integer, in two native f64 → i64 conversions (the direct
/// f64 → i128 one is a library call): the high part holds the bits above 2^50, the low part the
/// rest, and both subtractions are exact.
#[inline]
fn fixed(term: f64) -> Result<i128, ModelError> {
    if !(term.abs() <= MAX_TERM) {
        return Err(ModelError::Term(term));
    }
    let scaled = term * f64::powi(2.0, FRACTION_BITS);
    let high = (scaled * f64::powi(2.0, -50)).trunc();
    let low = scaled - high * f64::powi(2.0, 50);
    Ok(((high as i64 as i128) << 50) + low as i64 as i128)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_keep_their_value() {
        for term in [0.0, 1.0, -1.0, 0.1, -0.3, 1e-12, 12345.678, -MAX_TERM, MAX_TERM, 2.0f64.powi(-60)] {
            let mut sum = ExactSum::default();
            sum.add(term).unwrap();
            assert!((sum.value() - term).abs() <= 2.0f64.powi(-59), "{term}: {}", sum.value());
            assert_eq!(ExactSum::from_le_bytes(sum.to_le_bytes()), sum);
        }
    }

    #[test]
    fn any_order_gives_the_same_bits() {
        let terms: Vec<f64> = (0..1000).map(|i| ((i * 7919) % 1000) as f64 * 1.1e-3 - 0.5).collect();
        let forward = terms.iter().fold(ExactSum::default(), |mut s, &t| {
            s.add(t).unwrap();
            s
        });
        let (mut evens, mut odds) = (ExactSum::default(), ExactSum::default());
        for (i, &t) in terms.iter().enumerate().rev() {
            if i % 2 == 0 { evens.add(t).unwrap() } else { odds.add(t).unwrap() }
        }
        odds.merge(evens).unwrap();
        assert_eq!(forward, odds);
    }

    #[test]
    fn bad_terms_are_errors() {
        let mut sum = ExactSum::default();
        assert!(matches!(sum.add(f64::NAN), Err(ModelError::Term(_))));
        assert!(matches!(sum.add(f64::INFINITY), Err(ModelError::Term(_))));
        assert!(matches!(sum.add(MAX_TERM * 2.0), Err(ModelError::Term(_))));
        assert_eq!(sum, ExactSum::default());
        let mut big = ExactSum(i128::MAX - 1);
        assert_eq!(big.add(1.0), Err(ModelError::SumOverflow));
    }
}
