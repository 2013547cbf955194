//! Term-frequency feature hashing, bit-compatible with Spark ML's `HashingTF` (Spark 3.x).
//!
//! Spark 3.x `org.apache.spark.ml.feature.HashingTF` hashes a string term with
//! `FeatureHasher.murmur3Hash`: MurmurHash3 x86_32 over the term's UTF-8 bytes with seed 42,
//! through `Murmur3_x86_32.hashUnsafeBytes2`, which is the standard MurmurHash3 (tail bytes mixed
//! as one little-endian word). The bucket is `Utils.nonNegativeMod(hash, numFeatures)`.
//! Spark 2.x and the old RDD-based `mllib.feature.HashingTF` used `hashUnsafeBytes`, which
//! mixes each tail byte separately as a sign-extended int; that variant is
//! [`spark_legacy_murmur3_x86_32`], kept for reading features of models trained there.
//!
//! Test vectors in this module were produced with PySpark 3.5.3 (`HashingTF.transform` and
//! `HashingTF.indexOf`) on OpenJDK 17.

/// Spark's `HashingTF` default number of features (2^18).
pub const DEFAULT_NUM_FEATURES: i32 = 1 << 18;

/// The seed Spark's `HashingTF` and `FeatureHasher` use.
pub const SPARK_HASH_SEED: u32 = 42;

const C1: u32 = 0xcc9e_2d51;
const C2: u32 = 0x1b87_3593;

#[inline(always)]
fn mix_k1(k1: u32) -> u32 {
    k1.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2)
}

#[inline(always)]
fn mix_h1(h1: u32, k1: u32) -> u32 {
    (h1 ^ k1).rotate_left(13).wrapping_mul(5).wrapping_add(0xe654_6b64)
}

#[inline(always)]
fn fmix(mut h1: u32, len: usize) -> u32 {
    // Spark passes the length as an int; only its low 32 bits matter to the mix.
    h1 ^= len as u32;
    h1 ^= h1 >> 16;
    h1 = h1.wrapping_mul(0x85eb_ca6b);
    h1 ^= h1 >> 13;
    h1 = h1.wrapping_mul(0xc2b2_ae35);
    h1 ^ (h1 >> 16)
}

#[inline(always)]
fn hash_aligned(data: &[u8], seed: u32) -> (u32, &[u8]) {
    let mut h1 = seed;
    let mut chunks = data.chunks_exact(4);
    for c in &mut chunks {
        h1 = mix_h1(h1, mix_k1(u32::from_le_bytes([c[0], c[1], c[2], c[3]])));
    }
    (h1, chunks.remainder())
}

/// Standard MurmurHash3 x86_32 (what Spark 3.x calls `hashUnsafeBytes2`).
///
/// ```
/// # use reviewlake_udfs::text::murmur3_x86_32;
/// assert_eq!(murmur3_x86_32(b"", 0), 0);
/// assert_eq!(murmur3_x86_32(b"Hello, world!", 0), 0xc036_3e43);
/// ```
pub fn murmur3_x86_32(data: &[u8], seed: u32) -> u32 {
    let (mut h1, tail) = hash_aligned(data, seed);
    let mut k1 = 0u32;
    for (shift, &b) in tail.iter().enumerate() {
        k1 ^= (b as u32) << (8 * shift);
    }
    h1 ^= mix_k1(k1);
    fmix(h1, data.len())
}

/// Spark's pre-3.0 `Murmur3_x86_32.hashUnsafeBytes`: each tail byte is sign-extended and mixed
/// as a whole block. Used by Spark 2.x `HashingTF` and by `mllib.feature.HashingTF`.
///
/// ```
/// # use reviewlake_udfs::text::{murmur3_x86_32, spark_legacy_murmur3_x86_32};
/// // Inputs whose length is a multiple of 4 hash the same in both variants.
/// assert_eq!(spark_legacy_murmur3_x86_32(b"abcd", 42), murmur3_x86_32(b"abcd", 42));
/// assert_ne!(spark_legacy_murmur3_x86_32(b"abc", 42), murmur3_x86_32(b"abc", 42));
/// ```
pub fn spark_legacy_murmur3_x86_32(data: &[u8], seed: u32) -> u32 {
    let (mut h1, tail) = hash_aligned(data, seed);
    for &b in tail {
        h1 = mix_h1(h1, mix_k1(b as i8 as i32 as u32));
    }
    fmix(h1, data.len())
}

/// The `HashingTF` bucket of `term` among `num_features`, as Spark 3.x computes it
/// (`nonNegativeMod(murmur3(utf8(term), 42), numFeatures)`); `None` if `num_features <= 0`,
/// which Spark rejects.
///
/// ```
/// # use reviewlake_udfs::text::hashing_tf_index;
/// assert_eq!(hashing_tf_index("great", 1 << 18), Some(261870));
/// assert_eq!(hashing_tf_index("great", 0), None);
/// ```
#[inline]
pub fn hashing_tf_index(term: &str, num_features: i32) -> Option<i32> {
    if num_features <= 0 {
        return None;
    }
    let h = murmur3_x86_32(term.as_bytes(), SPARK_HASH_SEED) as i32;
    Some(h.rem_euclid(num_features))
}

/// Term-frequency vector of `tokens` in `num_features` hashed buckets, as Spark 3.x
/// `HashingTF` (with `binary = false`) produces it: the sparse vector's indices in increasing
/// order and, for each, how many tokens fell into that bucket.
///
/// `num_features <= 0` (rejected by Spark) gives an empty vector instead of a panic.
///
/// ```
/// # use reviewlake_udfs::text::hash_features;
/// let (idx, val) = hash_features(["great", "product", "great", "price"], 1 << 18);
/// assert_eq!(idx, [52879, 201386, 261870]);
/// assert_eq!(val, [1.0, 1.0, 2.0]);
/// ```
pub fn hash_features<I, S>(tokens: I, num_features: i32) -> (Vec<i32>, Vec<f64>)
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut indices = Vec::new();
    let mut values = Vec::new();
    hash_features_into(tokens, num_features, &mut indices, &mut values);
    (indices, values)
}

/// [`hash_features`] into caller-owned vectors (cleared first), so a batch can reuse them.
///
/// ```
/// # use reviewlake_udfs::text::{hash_features_into, TokenBuffer};
/// let (mut idx, mut val) = (Vec::new(), Vec::new());
/// let mut tokens = TokenBuffer::new();
/// tokens.tokenize("Love it, love it, LOVE it");
/// hash_features_into(tokens.iter(), 1000, &mut idx, &mut val);
/// assert_eq!((idx, val), (vec![240], vec![3.0]));
/// ```
pub fn hash_features_into<I, S>(tokens: I, num_features: i32, indices: &mut Vec<i32>, values: &mut Vec<f64>)
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    indices.clear();
    values.clear();
    if num_features <= 0 {
        return;
    }
    indices.extend(tokens.into_iter().filter_map(|t| hashing_tf_index(t.as_ref(), num_features)));
    indices.sort_unstable();
    // Collapse runs of equal buckets in place into (bucket, count).
    let mut w = 0;
    let mut r = 0;
    while r < indices.len() {
        let bucket = indices[r];
        let run = indices[r..].iter().take_while(|&&x| x == bucket).count();
        indices[w] = bucket;
        values.push(run as f64);
        w += 1;
        r += run;
    }
    indices.truncate(w);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_murmur3_vectors() {
        assert_eq!(murmur3_x86_32(b"", 0), 0);
        assert_eq!(murmur3_x86_32(b"", 1), 0x514e_28b7);
        assert_eq!(murmur3_x86_32(b"", 0xffff_ffff), 0x81f1_6f39);
        assert_eq!(murmur3_x86_32(b"test", 0), 0xba6b_d213);
        assert_eq!(murmur3_x86_32(b"Hello, world!", 0), 0xc036_3e43);
        assert_eq!(murmur3_x86_32(b"Hello, world!", 0x9747_b28c), 0x2488_4cba);
        assert_eq!(murmur3_x86_32(b"The quick brown fox jumps over the lazy dog", 0), 0x2e4f_f723);
        assert_eq!(murmur3_x86_32(b"\xff\xff\xff\xff", 0), 0x7629_3b50);
        assert_eq!(murmur3_x86_32(b"\x21\x43\x65\x87", 0), 0xf55b_516b);
        assert_eq!(murmur3_x86_32(b"\x21\x43\x65", 0), 0x7e4a_8634);
        assert_eq!(murmur3_x86_32(b"\x21\x43", 0), 0xa0f7_b07a);
        assert_eq!(murmur3_x86_32(b"\x21", 0), 0x7266_1cf4);
    }

    /// `HashingTF(numFeatures=Int.MaxValue).indexOf(term)` in PySpark 3.5.3.
    #[test]
    fn spark_index_of_vectors() {
        let cases = [
            ("", 142593372),
            ("a", 853910114),
            ("ab", 1462570566),
            ("abc", 1313807976),
            ("abcd", 1751180747),
            ("abcde", 786050031),
            ("hello", 1658573536),
            ("café", 1312538061),
            ("日本", 685738085),
            ("😀", 1877935379),
            ("great", 562560750),
            ("product", 770494094),
        ];
        for (term, expected) in cases {
            assert_eq!(hashing_tf_index(term, i32::MAX), Some(expected), "{term:?}");
        }
    }

    /// `HashingTF(numFeatures=n).transform(...)` in PySpark 3.5.3.
    #[test]
    fn spark_transform_vectors() {
        type Case = (&'static [&'static str], i32, &'static [i32], &'static [f64]);
        let cases: &[Case] = &[
            (&["great", "product", "great", "price"], 262144, &[52879, 201386, 261870], &[1.0, 1.0, 2.0]),
            (
                &["a", "b", "c", "abc", "abcd", "hello", "world"],
                262144,
                &[58828, 60080, 74920, 107107, 148981, 204392, 250593],
                &[1.0; 7],
            ),
            (&["café", "日本", "naïve", "ß", "😀"], 262144, &[101311, 149954, 197907, 231525, 245197], &[1.0; 5]),
            (&[""], 262144, &[249180], &[1.0]),
            (&["love", "it", "love", "it", "love"], 262144, &[30950, 186480], &[2.0, 3.0]),
            (
                &["the", "quick", "brown", "fox", "jumps", "over", "the", "lazy", "dog"],
                262144,
                &[51504, 54556, 95713, 95889, 100700, 149272, 179832, 248572],
                &[1.0, 1.0, 1.0, 2.0, 1.0, 1.0, 1.0, 1.0],
            ),
            (
                &["spark", "hashingtf", "murmur3", "seed", "42", "tail1", "tail12", "tail123"],
                262144,
                &[6524, 62649, 66801, 82515, 163916, 167047, 173558, 225888],
                &[1.0; 8],
            ),
            (&["great", "product", "great", "price"], 1000, &[447, 738, 750], &[1.0, 1.0, 2.0]),
            (&["love", "it", "love", "it", "love"], 1000, &[240, 686], &[3.0, 2.0]),
            (
                &["a", "b", "c", "abc", "abcd", "hello", "world"],
                20,
                &[0, 5, 7, 8, 9, 16],
                &[2.0, 1.0, 1.0, 1.0, 1.0, 1.0],
            ),
            (
                &["the", "quick", "brown", "fox", "jumps", "over", "the", "lazy", "dog"],
                20,
                &[4, 8, 12, 13, 16, 17],
                &[1.0, 3.0, 1.0, 1.0, 1.0, 2.0],
            ),
            (&["café", "日本", "naïve", "ß", "😀"], 1 << 20, &[149954, 363455, 769485, 984339, 1017957], &[1.0; 5]),
            (&["great", "product", "great", "price"], 1 << 20, &[524014, 725674, 839311], &[2.0, 1.0, 1.0]),
        ];
        for (tokens, n, idx, val) in cases {
            let (i, v) = hash_features(tokens.iter(), *n);
            assert_eq!((&i[..], &v[..]), (*idx, *val), "{tokens:?} {n}");
        }
    }

    /// `Murmur3_x86_32.hashUnsafeBytes` / `hashUnsafeBytes2` with seed 42, called through the
    /// JVM of PySpark 3.5.3.
    #[test]
    fn spark_raw_hash_vectors_both_variants() {
        let cases: [(&[u8], i32, i32); 8] = [
            (b"", 142593372, 142593372),
            (b"a", 1485273170, -1293573533),
            (b"abc", 1322437556, 1313807976),
            (b"abcd", -396302900, -396302900),
            (b"abcde", 814637928, -1361433616),
            ("日本".as_bytes(), -336983209, 685738085),
            ("café".as_bytes(), -1360878028, 1312538061),
            (b"\xff", 1398487324, 283744786),
        ];
        for (bytes, legacy, v2) in cases {
            assert_eq!(spark_legacy_murmur3_x86_32(bytes, SPARK_HASH_SEED) as i32, legacy, "{bytes:?}");
            assert_eq!(murmur3_x86_32(bytes, SPARK_HASH_SEED) as i32, v2, "{bytes:?}");
        }
    }

    #[test]
    fn legacy_variant_differs_only_on_tails() {
        for s in ["", "abcd", "12345678"] {
            assert_eq!(spark_legacy_murmur3_x86_32(s.as_bytes(), 42), murmur3_x86_32(s.as_bytes(), 42));
        }
        for s in ["a", "abcde", "日本"] {
            assert_ne!(spark_legacy_murmur3_x86_32(s.as_bytes(), 42), murmur3_x86_32(s.as_bytes(), 42));
        }
    }

    #[test]
    fn degenerate_sizes() {
        assert_eq!(hash_features(["a", "b"], 0), (vec![], vec![]));
        assert_eq!(hash_features(["a", "b"], -5), (vec![], vec![]));
        assert_eq!(hash_features(["a", "b", "c"], 1), (vec![0], vec![3.0]));
        assert_eq!(hash_features(Vec::<&str>::new(), 10), (vec![], vec![]));
        assert!(hashing_tf_index("x", i32::MIN).is_none());
    }
}
