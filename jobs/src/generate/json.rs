//! The JSON text encoder the records are written with: keys, string literals with escapes,
//! and the number forms of the raw data, appended to reused buffers without allocating.

/// Appends `, "key": `.
pub(super) fn push_key(out: &mut String, key: &str) {
    out.push_str(", \"");
    out.push_str(key);
    out.push_str("\": ");
}

/// Appends `value` as a JSON string literal, escaping quotes, backslashes and control characters.
pub(super) fn push_json_string(out: &mut String, value: &str) {
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
pub(super) fn push_uint(out: &mut String, value: u64) {
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
pub(super) fn push_grouped(out: &mut String, value: u64) {
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

pub(super) fn push_two_digits(out: &mut String, value: u32) {
    out.push(char::from(b'0' + (value / 10 % 10) as u8));
    out.push(char::from(b'0' + (value % 10) as u8));
}

/// Appends `value mod 36^width` as `width` upper-case base-36 digits (at most 13, enough for a `u64`).
pub(super) fn push_base36(out: &mut String, value: u64, width: usize) {
    const DIGITS: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut encoded = [b'0'; 13];
    let mut rest = value;
    for slot in encoded[..width].iter_mut().rev() {
        *slot = DIGITS[(rest % 36) as usize];
        rest /= 36;
    }
    out.extend(encoded[..width].iter().map(|&digit| char::from(digit)));
}
