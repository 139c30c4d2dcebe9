//! UTF-8 validation with MQTT's extra rules, as `mosquitto_validate_utf8`
//! applies them.
//!
//! Besides well-formedness (no overlong forms, no surrogates, nothing above
//! U+10FFFF, no stray or missing continuation bytes), the original refuses
//! U+0000, the C0 and C1 control characters (U+0001..U+001F, U+007F..U+009F)
//! and the Unicode non-characters (U+FDD0..U+FDEF and every code point whose
//! low 16 bits are FFFE or FFFF). Inputs longer than 65536 bytes are refused
//! outright (one byte more than an MQTT string may hold: the original's
//! limit, kept as is).

/// The longest input `mosquitto_validate_utf8` accepts, in bytes.
pub const MAX_VALIDATED_LEN: usize = 65536;

/// Why a byte string was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Utf8Error {
    /// Longer than [`MAX_VALIDATED_LEN`] (`MOSQ_ERR_INVAL`).
    TooLong,
    /// Not UTF-8, or UTF-8 that MQTT forbids (`MOSQ_ERR_MALFORMED_UTF8`).
    Malformed,
}

/// Checks `bytes` as `mosquitto_validate_utf8` does.
///
/// One deliberate difference: where the original, given a length that cuts
/// a multi-byte sequence short, reads on past that length, this never looks
/// beyond `bytes` and calls the sequence malformed.
pub fn validate(bytes: &[u8]) -> Result<(), Utf8Error> {
    if bytes.len() > MAX_VALIDATED_LEN {
        return Err(Utf8Error::TooLong);
    }
    let mut i = 0;
    while i < bytes.len() {
        // Fast path for the common case: runs of printable ASCII, eight
        // bytes at a time.
        while let Some(chunk) = bytes.get(i..i + 8) {
            let word = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
            // Every byte in 0x20..=0x7E: no high bit, not below 0x20, not 0x7F.
            let high = word & 0x8080_8080_8080_8080;
            let below_space =
                word.wrapping_sub(0x2020_2020_2020_2020) & !word & 0x8080_8080_8080_8080;
            let del = (word ^ 0x7F7F_7F7F_7F7F_7F7F).wrapping_sub(0x0101_0101_0101_0101)
                & !(word ^ 0x7F7F_7F7F_7F7F_7F7F)
                & 0x8080_8080_8080_8080;
            if high | below_space | del != 0 {
                break;
            }
            i += 8;
        }
        // The tail, and anything the word test stopped at, byte by byte
        // while it is printable ASCII.
        while i < bytes.len() && (0x20..0x7F).contains(&bytes[i]) {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        let (code_point, width) = decode_one(&bytes[i..]).ok_or(Utf8Error::Malformed)?;
        if !allowed_in_mqtt(code_point) {
            return Err(Utf8Error::Malformed);
        }
        i += width;
    }
    Ok(())
}

/// Decodes the sequence at the start of `bytes` (non-empty), returning the
/// code point and its encoded width, or `None` when it is not well formed.
fn decode_one(bytes: &[u8]) -> Option<(u32, usize)> {
    let lead = bytes[0];
    let (width, initial, minimum) = match lead {
        0x00..=0x7F => return Some((u32::from(lead), 1)),
        // 0xC0 and 0xC1 can only start overlong two-byte forms.
        0xC2..=0xDF => (2, u32::from(lead & 0x1F), 0x80),
        0xE0..=0xEF => (3, u32::from(lead & 0x0F), 0x800),
        // 0xF5..0xF7 would start code points above U+10FFFF.
        0xF0..=0xF4 => (4, u32::from(lead & 0x07), 0x10000),
        _ => return None,
    };
    let tail = bytes.get(1..width)?;
    let mut code_point = initial;
    for &b in tail {
        if b & 0xC0 != 0x80 {
            return None;
        }
        code_point = (code_point << 6) | u32::from(b & 0x3F);
    }
    let surrogate = (0xD800..=0xDFFF).contains(&code_point);
    if code_point < minimum || code_point > 0x10FFFF || surrogate {
        return None;
    }
    Some((code_point, width))
}

/// Whether a well-formed code point may appear in an MQTT UTF-8 string, by
/// the original's rules (controls and non-characters refused).
fn allowed_in_mqtt(code_point: u32) -> bool {
    let control = code_point <= 0x1F || (0x7F..=0x9F).contains(&code_point);
    let non_character = (0xFDD0..=0xFDEF).contains(&code_point) || (code_point & 0xFFFE) == 0xFFFE;
    !control && !non_character
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(cp: u32) -> Vec<u8> {
        // Hand-rolled so surrogates and out-of-range values can be encoded.
        match cp {
            0..=0x7F => vec![cp as u8],
            0x80..=0x7FF => vec![0xC0 | (cp >> 6) as u8, 0x80 | (cp & 0x3F) as u8],
            0x800..=0xFFFF => vec![
                0xE0 | (cp >> 12) as u8,
                0x80 | ((cp >> 6) & 0x3F) as u8,
                0x80 | (cp & 0x3F) as u8,
            ],
            _ => vec![
                0xF0 | (cp >> 18) as u8,
                0x80 | ((cp >> 12) & 0x3F) as u8,
                0x80 | ((cp >> 6) & 0x3F) as u8,
                0x80 | (cp & 0x3F) as u8,
            ],
        }
    }

    /// The verdict the reference (2.0.11) gave for each code point, probed
    /// over 0..=0x1FFFFF and summarised as ranges.
    fn reference_accepts(cp: u32) -> bool {
        if cp <= 0x1F || (0x7F..=0x9F).contains(&cp) {
            return false;
        }
        if (0xD800..=0xDFFF).contains(&cp) || (0xFDD0..=0xFDEF).contains(&cp) {
            return false;
        }
        if cp & 0xFFFF >= 0xFFFE {
            return false;
        }
        cp <= 0x10FFFD
    }

    #[test]
    fn every_code_point_gets_the_reference_verdict() {
        for cp in 0..=0x1F_FFFF {
            let got = validate(&encode(cp)).is_ok();
            assert_eq!(got, reference_accepts(cp), "U+{cp:X}");
        }
    }

    #[test]
    fn spot_checks_of_the_probed_ranges() {
        assert_eq!(validate(b"\x00"), Err(Utf8Error::Malformed));
        assert_eq!(validate(b"\x1f"), Err(Utf8Error::Malformed));
        assert_eq!(validate(b" ~"), Ok(()));
        assert_eq!(validate(b"\x7f"), Err(Utf8Error::Malformed));
        assert_eq!(validate(b"\xc2\x80"), Err(Utf8Error::Malformed)); // U+0080
        assert_eq!(validate(b"\xc2\x9f"), Err(Utf8Error::Malformed)); // U+009F
        assert_eq!(validate(b"\xc2\xa0"), Ok(())); // U+00A0
        assert_eq!(validate(b"\xed\xa0\x80"), Err(Utf8Error::Malformed)); // U+D800
        assert_eq!(validate(b"\xef\xb7\x90"), Err(Utf8Error::Malformed)); // U+FDD0
        assert_eq!(validate(b"\xef\xbf\xbd"), Ok(())); // U+FFFD
        assert_eq!(validate(b"\xef\xbf\xbe"), Err(Utf8Error::Malformed)); // U+FFFE
        assert_eq!(validate(b"\xf0\x9f\x98\x80"), Ok(())); // U+1F600
        assert_eq!(validate(b"\xf4\x8f\xbf\xbd"), Ok(())); // U+10FFFD
        assert_eq!(validate(b"\xf4\x90\x80\x80"), Err(Utf8Error::Malformed)); // > U+10FFFF
    }

    #[test]
    fn overlong_forms_are_malformed() {
        assert_eq!(validate(b"\xc0\x80"), Err(Utf8Error::Malformed));
        assert_eq!(validate(b"\xc1\xbf"), Err(Utf8Error::Malformed));
        assert_eq!(validate(b"\xe0\x9f\xbf"), Err(Utf8Error::Malformed));
        assert_eq!(validate(b"\xf0\x8f\xbf\xbf"), Err(Utf8Error::Malformed));
    }

    #[test]
    fn stray_and_missing_continuation_bytes_are_malformed() {
        for b in 0x80..=0xFFu8 {
            assert_eq!(validate(&[b]), Err(Utf8Error::Malformed), "{b:#x} alone");
        }
        assert_eq!(validate(b"\xc3\x28"), Err(Utf8Error::Malformed));
        assert_eq!(validate(b"\xe0\x41\x80"), Err(Utf8Error::Malformed));
        assert_eq!(validate(b"\xf5\x80\x80\x80"), Err(Utf8Error::Malformed));
        assert_eq!(validate(b"\xf8\x80\x80\x80\x80"), Err(Utf8Error::Malformed));
        assert_eq!(validate(b"\xe2\x82"), Err(Utf8Error::Malformed));
        assert_eq!(validate(b"\xf0\x9f\x98"), Err(Utf8Error::Malformed));
    }

    #[test]
    fn embedded_nul_is_malformed() {
        assert_eq!(validate(b"a\0b"), Err(Utf8Error::Malformed));
    }

    #[test]
    fn empty_input_is_valid() {
        assert_eq!(validate(b""), Ok(()));
    }

    #[test]
    fn length_limit_is_65536_bytes() {
        assert_eq!(validate(&vec![b'a'; 65535]), Ok(()));
        assert_eq!(validate(&vec![b'a'; 65536]), Ok(()));
        assert_eq!(validate(&vec![b'a'; 65537]), Err(Utf8Error::TooLong));
        // The length is refused before the content is looked at.
        assert_eq!(validate(&vec![0xFF; 65537]), Err(Utf8Error::TooLong));
    }
}

#[cfg(test)]
mod fast_path_tests {
    use super::*;

    /// The validator without its ASCII fast path.
    fn slow(bytes: &[u8]) -> Result<(), Utf8Error> {
        if bytes.len() > MAX_VALIDATED_LEN {
            return Err(Utf8Error::TooLong);
        }
        let mut i = 0;
        while i < bytes.len() {
            let (cp, w) = decode_one(&bytes[i..]).ok_or(Utf8Error::Malformed)?;
            if !allowed_in_mqtt(cp) {
                return Err(Utf8Error::Malformed);
            }
            i += w;
        }
        Ok(())
    }

    #[test]
    fn fast_path_agrees_with_the_byte_wise_check() {
        // Mostly printable ASCII, with every byte value sprinkled in at
        // random places, at every alignment.
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let len = (next() % 40) as usize;
            let mut v: Vec<u8> = (0..len).map(|_| b' ' + (next() % 95) as u8).collect();
            if len > 0 && next() % 2 == 0 {
                let at = (next() as usize) % len;
                v[at] = next() as u8;
            }
            assert_eq!(validate(&v), slow(&v), "{v:02x?}");
        }
        for b in 0..=255u8 {
            for at in 0..17 {
                let mut v = vec![b'a'; 17];
                v[at] = b;
                assert_eq!(validate(&v), slow(&v), "{b:02x} at {at}");
            }
        }
    }
}
