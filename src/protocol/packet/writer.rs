//! Small appenders for packet fields; each assumes room was reserved by
//! [`super::header::write_fixed_header`].

/// A big-endian two-byte integer.
#[inline]
pub(crate) fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

/// A two-byte length then the bytes (strings and binary data alike).
///
/// Fields longer than 65,535 bytes cannot be encoded; callers check sizes
/// before encoding.
#[inline]
pub(crate) fn put_binary(out: &mut Vec<u8>, b: &[u8]) {
    debug_assert!(b.len() <= usize::from(u16::MAX), "field too long");
    put_u16(out, b.len() as u16);
    out.extend_from_slice(b);
}

/// Encoded size of a length-prefixed field.
#[inline]
pub(crate) fn binary_len(b: &[u8]) -> usize {
    2 + b.len()
}
