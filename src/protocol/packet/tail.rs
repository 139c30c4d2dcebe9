//! The optional v5 "reason code, then properties" ending shared by the
//! acks, DISCONNECT and AUTH, with the specification's short forms: no
//! bytes means success without properties, one byte means a reason code
//! without properties.

use super::properties::Properties;
use super::reader::Reader;
use super::DecodeError;

/// Encoded size of the tail: 0 for success without properties, 1 for a
/// reason code alone, otherwise the code plus the property block.
#[inline]
pub(crate) fn tail_len(reason_code: u8, props: &Properties<'_>) -> usize {
    if !props.is_empty() {
        1 + props.encoded_len()
    } else if reason_code != 0 {
        1
    } else {
        0
    }
}

/// Appends the tail in its shortest form.
#[inline]
pub(crate) fn write_tail(out: &mut Vec<u8>, reason_code: u8, props: &Properties<'_>) {
    if !props.is_empty() {
        out.push(reason_code);
        props.write(out);
    } else if reason_code != 0 {
        out.push(reason_code);
    }
}

/// Reads the tail from the rest of `r` (which must end with it).
#[inline]
pub(crate) fn read_tail<'a>(
    r: &mut Reader<'a>,
    command: u32,
) -> Result<(u8, Properties<'a>), DecodeError> {
    if r.remaining() == 0 {
        return Ok((0, Properties::EMPTY));
    }
    let code = r.u8()?;
    if r.remaining() == 0 {
        return Ok((code, Properties::EMPTY));
    }
    let props = r.properties(command)?;
    r.finish()?;
    Ok((code, props))
}
