//! AUTH (v5 only): an optional reason code and properties.

use super::header::{packet_len, write_fixed_header, PacketType};
use super::properties::Properties;
use super::reader::Reader;
use super::tail::{read_tail, tail_len, write_tail};
use super::{DecodeError, ProtocolVersion};

/// An AUTH packet. It exists only in v5; its encoders ignore the version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Auth<'a> {
    /// Reason code (0 success, 0x18 continue, 0x19 re-authenticate).
    pub reason_code: u8,
    /// AUTH properties.
    pub properties: Properties<'a>,
}

impl<'a> Auth<'a> {
    /// Bytes after the fixed header (short forms 0 and 1).
    pub fn remaining_len(&self, _v: ProtocolVersion) -> usize {
        tail_len(self.reason_code, &self.properties)
    }

    /// Total encoded size.
    pub fn encoded_len(&self, v: ProtocolVersion) -> usize {
        packet_len(self.remaining_len(v))
    }

    /// Appends the whole packet to `out`.
    pub fn write(&self, v: ProtocolVersion, out: &mut Vec<u8>) {
        write_fixed_header(out, PacketType::Auth.first_byte(), self.remaining_len(v));
        write_tail(out, self.reason_code, &self.properties);
    }

    /// Decodes an AUTH body; a protocol error before v5.
    pub(crate) fn decode(body: &'a [u8], v: ProtocolVersion) -> Result<Self, DecodeError> {
        if !v.is_v5() {
            return Err(DecodeError::Protocol);
        }
        let mut r = Reader::new(body);
        let (reason_code, properties) = read_tail(&mut r, PacketType::Auth.command())?;
        Ok(Auth {
            reason_code,
            properties,
        })
    }
}
