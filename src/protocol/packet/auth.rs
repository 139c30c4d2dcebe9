//! AUTH (v5 only): an optional reason code and properties.

use super::header::{packet_len, write_fixed_header, PacketType};
use super::properties::Properties;
use super::reader::Reader;
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
    /// Bytes after the fixed header: 0 for a success without properties,
    /// else the reason code and the property block (unlike the acks and
    /// DISCONNECT, AUTH has no form with a reason code alone).
    pub fn remaining_len(&self, _v: ProtocolVersion) -> usize {
        if self.is_short() {
            0
        } else {
            1 + self.properties.encoded_len()
        }
    }

    /// Whether the packet is a success without properties, sent with no
    /// bytes after the fixed header.
    fn is_short(&self) -> bool {
        self.reason_code == 0 && self.properties.is_empty()
    }

    /// Total encoded size.
    pub fn encoded_len(&self, v: ProtocolVersion) -> usize {
        packet_len(self.remaining_len(v))
    }

    /// Appends the whole packet to `out`.
    pub fn write(&self, v: ProtocolVersion, out: &mut Vec<u8>) {
        write_fixed_header(out, PacketType::Auth.first_byte(), self.remaining_len(v));
        if !self.is_short() {
            out.push(self.reason_code);
            self.properties.write(out);
        }
    }

    /// Decodes an AUTH body; a protocol error before v5. An empty body is
    /// a success; any other must hold the reason code, the property block
    /// and nothing more (malformed otherwise).
    pub(crate) fn decode(body: &'a [u8], v: ProtocolVersion) -> Result<Self, DecodeError> {
        if !v.is_v5() {
            return Err(DecodeError::Protocol);
        }
        if body.is_empty() {
            return Ok(Auth {
                reason_code: 0,
                properties: Properties::EMPTY,
            });
        }
        let mut r = Reader::new(body);
        let reason_code = r.u8()?;
        let properties = r.properties(PacketType::Auth.command())?;
        r.finish()?;
        Ok(Auth {
            reason_code,
            properties,
        })
    }
}
