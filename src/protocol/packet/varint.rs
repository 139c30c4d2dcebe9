//! The variable byte integer used for the remaining length and v5
//! property lengths: 7 bits per byte, least significant group first, at
//! most four bytes.

use super::DecodeError;

/// The largest value a variable byte integer can hold (268,435,455).
pub const MAX_VARINT: u32 = 0x0FFF_FFFF;

/// How many bytes `value` takes when encoded (1 to 4).
#[inline]
pub fn varint_len(value: u32) -> usize {
    match value {
        0..=0x7F => 1,
        0x80..=0x3FFF => 2,
        0x4000..=0x1F_FFFF => 3,
        _ => 4,
    }
}

/// Appends `value` encoded as a variable byte integer.
///
/// `value` must not exceed [`MAX_VARINT`]; higher bits are dropped.
#[inline]
pub fn write_varint(out: &mut Vec<u8>, value: u32) {
    debug_assert!(value <= MAX_VARINT, "variable byte integer too large");
    let mut v = value & MAX_VARINT;
    loop {
        let digit = (v & 0x7F) as u8;
        v >>= 7;
        if v == 0 {
            out.push(digit);
            return;
        }
        out.push(digit | 0x80);
    }
}

/// Reads a variable byte integer from the start of `buf`.
///
/// Returns `Ok(None)` when `buf` ends before the last byte of the integer,
/// `Ok(Some((value, bytes_used)))` when complete, and
/// [`DecodeError::Malformed`] when a fourth byte still has its
/// continuation bit set.
#[inline]
pub fn read_varint(buf: &[u8]) -> Result<Option<(u32, usize)>, DecodeError> {
    let mut value = 0u32;
    for (i, &b) in buf.iter().enumerate().take(4) {
        value |= u32::from(b & 0x7F) << (7 * i);
        if b & 0x80 == 0 {
            return Ok(Some((value, i + 1)));
        }
    }
    if buf.len() >= 4 {
        Err(DecodeError::Malformed)
    } else {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(v: u32) -> Vec<u8> {
        let mut out = Vec::new();
        write_varint(&mut out, v);
        out
    }

    #[test]
    fn spec_boundaries_encode() {
        // Table 1.1 of the 3.1.1 specification (2.2.3 remaining length).
        assert_eq!(enc(0), [0x00]);
        assert_eq!(enc(127), [0x7F]);
        assert_eq!(enc(128), [0x80, 0x01]);
        assert_eq!(enc(16_383), [0xFF, 0x7F]);
        assert_eq!(enc(16_384), [0x80, 0x80, 0x01]);
        assert_eq!(enc(2_097_151), [0xFF, 0xFF, 0x7F]);
        assert_eq!(enc(2_097_152), [0x80, 0x80, 0x80, 0x01]);
        assert_eq!(enc(268_435_455), [0xFF, 0xFF, 0xFF, 0x7F]);
    }

    #[test]
    fn lengths_match_encoding() {
        for v in [
            0, 1, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152, MAX_VARINT,
        ] {
            assert_eq!(varint_len(v), enc(v).len(), "value {v}");
        }
    }

    #[test]
    fn decode_round_trip_and_partial() {
        for v in [0, 5, 127, 128, 300, 16_383, 16_384, 2_097_152, MAX_VARINT] {
            let e = enc(v);
            assert_eq!(read_varint(&e), Ok(Some((v, e.len()))));
            // Every strict prefix asks for more bytes.
            for cut in 0..e.len() {
                assert_eq!(read_varint(&e[..cut]), Ok(None));
            }
        }
        // Trailing bytes are not consumed.
        assert_eq!(read_varint(&[0x05, 0xFF]), Ok(Some((5, 1))));
    }

    #[test]
    fn fifth_byte_is_malformed() {
        assert_eq!(
            read_varint(&[0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
            Err(DecodeError::Malformed)
        );
        assert_eq!(
            read_varint(&[0x80, 0x80, 0x80, 0x80]),
            Err(DecodeError::Malformed)
        );
    }
}
