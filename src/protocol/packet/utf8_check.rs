//! MQTT UTF-8 string validation for decoded fields.
// STAND-IN: replaced at merge. The body should become a call to
// `crate::protocol::utf8::validate` once that module lands; callers only
// see `check`.

use super::DecodeError;

/// Checks that `s` is a valid MQTT UTF-8 string: well-formed UTF-8 without
/// U+0000, control characters (U+0001..U+001F, U+007F..U+009F) or
/// non-characters ending in FFFE/FFFF.
#[inline]
pub(crate) fn check(s: &[u8]) -> Result<(), DecodeError> {
    // Fast path: plain printable ASCII.
    if s.iter().all(|&b| (0x20..0x7F).contains(&b)) {
        return Ok(());
    }
    let text = core::str::from_utf8(s).map_err(|_| DecodeError::MalformedUtf8)?;
    for c in text.chars() {
        let cp = c as u32;
        if cp < 0x20 || (0x7F..=0x9F).contains(&cp) || (cp & 0xFFFE) == 0xFFFE {
            return Err(DecodeError::MalformedUtf8);
        }
    }
    Ok(())
}
