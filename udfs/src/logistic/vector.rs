//! Dense `f64` vectors as text: standard base64 (with padding) of the little-endian bytes of
//! each value.
//!
//! The model travels inside the query plan as string literals because Ballista's codec drops
//! the parameters of aggregate functions, and a `Utf8` literal is cheap to display and copy
//! where a `Binary` one is not. Every bit survives the trip, NaN payloads included, so the
//! executors score with exactly the client's model.

use thiserror::Error;

/// Why text is not an encoded vector.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VectorError {
    /// A byte that is not in the base64 alphabet, or padding where padding cannot be.
    #[error("invalid base64 character at byte offset {offset}")]
    Character {
        /// Byte offset of the character in the text.
        offset: usize,
    },
    /// Padded base64 comes in groups of 4 characters.
    #[error("base64 text of {0} characters is not a whole number of 4-character groups")]
    TextLength(usize),
    /// The decoded bytes do not split into 8-byte doubles.
    #[error("the vector's {0} bytes are not a whole number of 8-byte doubles")]
    ByteLength(usize),
}

/// The standard base64 alphabet (RFC 4648 section 4).
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Marks the bytes of [`DECODE`] that are not in the alphabet.
const INVALID: u8 = 0xFF;

/// The value of each byte in the alphabet, [`INVALID`] for every other byte.
static DECODE: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < ALPHABET.len() {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// The vector as base64 text of its little-endian bytes, padded with `=`.
///
/// ```
/// use reviewlake_udfs::logistic::{decode_vector, encode_vector};
/// assert_eq!(encode_vector(&[1.5]), "AAAAAAAA+D8=");
/// assert_eq!(decode_vector(&encode_vector(&[1.0, -2.0])).unwrap(), [1.0, -2.0]);
/// ```
pub fn encode_vector(values: &[f64]) -> String {
    let bytes: Vec<u8> = values.iter().flat_map(|value| value.to_le_bytes()).collect();
    let mut text = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let byte = |k: usize| u32::from(chunk.get(k).copied().unwrap_or(0));
        let group = (byte(0) << 16) | (byte(1) << 8) | byte(2);
        // A chunk of n bytes fills n + 1 characters; padding makes up the 4.
        for k in 0..4 {
            if k <= chunk.len() {
                text.push(char::from(ALPHABET[((group >> (18 - 6 * k)) & 63) as usize]));
            } else {
                text.push('=');
            }
        }
    }
    text
}

/// The vector [`encode_vector`] encoded: strict padded base64 (no whitespace, padding only at
/// the end) of a whole number of doubles.
///
/// ```
/// use reviewlake_udfs::logistic::{VectorError, decode_vector};
/// assert_eq!(decode_vector("AAAAAAAA+D8=").unwrap(), [1.5]);
/// assert_eq!(decode_vector("AAAA"), Err(VectorError::ByteLength(3)));
/// ```
pub fn decode_vector(text: &str) -> Result<Vec<f64>, VectorError> {
    let text = text.as_bytes();
    if !text.len().is_multiple_of(4) {
        return Err(VectorError::TextLength(text.len()));
    }
    let groups = text.len() / 4;
    let mut values = Vec::with_capacity(groups * 3 / 8);
    let (mut word, mut filled, mut bytes) = ([0u8; 8], 0usize, 0usize);
    for (g, group) in text.chunks_exact(4).enumerate() {
        let (mut bits, mut chars) = (0u32, 4usize);
        for (k, &c) in group.iter().enumerate() {
            let value = DECODE[usize::from(c)];
            if value == INVALID {
                // `=` only ends the last group, after at least two characters, and only `=`
                // follows it.
                if c == b'=' && g + 1 == groups && k >= 2 && group[k..].iter().all(|&p| p == b'=') {
                    chars = k;
                    break;
                }
                return Err(VectorError::Character { offset: g * 4 + k });
            }
            bits = (bits << 6) | u32::from(value);
        }
        bits <<= 6 * (4 - chars) as u32;
        let decoded = [(bits >> 16) as u8, (bits >> 8) as u8, bits as u8];
        // `chars` characters carry `chars - 1` whole bytes (2 → 1, 3 → 2, 4 → 3).
        for &byte in &decoded[..chars - 1] {
            word[filled] = byte;
            filled += 1;
            if filled == word.len() {
                values.push(f64::from_le_bytes(word));
                filled = 0;
            }
        }
        bytes += chars - 1;
    }
    if filled != 0 {
        return Err(VectorError::ByteLength(bytes));
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(values: &[f64]) {
        let text = encode_vector(values);
        assert_eq!(text.len() % 4, 0, "{text}");
        let decoded = decode_vector(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&decoded), bits(values), "{text}");
    }

    #[test]
    fn vectors_survive_the_trip_bit_for_bit() {
        round_trip(&[]);
        round_trip(&[1.0]);
        round_trip(&[1.0, -2.5]);
        round_trip(&[0.1, f64::MAX, f64::MIN_POSITIVE]);
        round_trip(&[-0.0, f64::INFINITY, f64::NEG_INFINITY, 5e-324]);
        round_trip(&[f64::NAN, f64::from_bits(0x7ff8_0000_0000_1234), f64::from_bits(0xfff0_0000_0000_0001)]);
        round_trip(&(0..1000).map(|i| f64::from(i) * 0.37 - 100.0).collect::<Vec<_>>());
    }

    #[test]
    fn encoding_is_standard_base64() {
        // Python: base64.b64encode(struct.pack('<3d', 1, 2, 3)), and so on.
        assert_eq!(encode_vector(&[]), "");
        assert_eq!(encode_vector(&[1.5]), "AAAAAAAA+D8=");
        assert_eq!(encode_vector(&[1.0, -2.0]), "AAAAAAAA8D8AAAAAAAAAwA==");
        assert_eq!(encode_vector(&[1.0, 2.0, 3.0]), "AAAAAAAA8D8AAAAAAAAAQAAAAAAAAAhA");
        assert_eq!(decode_vector("AAAAAAAA8D8AAAAAAAAAQAAAAAAAAAhA").unwrap(), [1.0, 2.0, 3.0]);
        assert_eq!(decode_vector("").unwrap(), Vec::<f64>::new());
    }

    #[test]
    fn bad_text_names_what_is_wrong() {
        assert_eq!(decode_vector("AAAAAAAA+D8"), Err(VectorError::TextLength(11)));
        assert_eq!(decode_vector("AAAAAAA*+D8="), Err(VectorError::Character { offset: 7 }));
        assert_eq!(decode_vector("AAAAAAAA +D8"), Err(VectorError::Character { offset: 8 }));
        assert_eq!(decode_vector("AAAAAAAA+D8é"), Err(VectorError::TextLength(13)));
        assert_eq!(decode_vector("AAAAAAAA+Dé"), Err(VectorError::Character { offset: 10 }));
        // Padding in the middle, padding of one character, a character after padding.
        assert_eq!(decode_vector("AA==AAAA+D8="), Err(VectorError::Character { offset: 2 }));
        assert_eq!(decode_vector("AAAAAAAA+==="), Err(VectorError::Character { offset: 9 }));
        assert_eq!(decode_vector("AAAAAAAA+D=A"), Err(VectorError::Character { offset: 10 }));
        // 3, 1 and 9 bytes are not whole doubles.
        assert_eq!(decode_vector("AAAA"), Err(VectorError::ByteLength(3)));
        assert_eq!(decode_vector("AA=="), Err(VectorError::ByteLength(1)));
        assert_eq!(decode_vector("AAAAAAAA8D8A"), Err(VectorError::ByteLength(9)));
        assert_eq!(decode_vector("AAAAAAAA8D8AAA=="), Err(VectorError::ByteLength(10)));
        assert!(decode_vector("AAAA").unwrap_err().to_string().contains("3 bytes"));
    }
}
