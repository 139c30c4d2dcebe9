//! DISCONNECT: empty in v3; in v5 an optional reason code and properties.

use super::header::{packet_len, write_fixed_header, PacketType};
use super::properties::Properties;
use super::reader::Reader;
use super::tail::{read_tail, tail_len, write_tail};
use super::{DecodeError, ProtocolVersion};

/// A DISCONNECT packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Disconnect<'a> {
    /// v5 reason code (0 = normal disconnection; always 0 in v3).
    pub reason_code: u8,
    /// v5 DISCONNECT properties.
    pub properties: Properties<'a>,
}

impl<'a> Disconnect<'a> {
    /// Bytes after the fixed header (0 in v3; v5 short forms 0 and 1).
    pub fn remaining_len(&self, v: ProtocolVersion) -> usize {
        if v.is_v5() {
            tail_len(self.reason_code, &self.properties)
        } else {
            0
        }
    }

    /// Total encoded size.
    pub fn encoded_len(&self, v: ProtocolVersion) -> usize {
        packet_len(self.remaining_len(v))
    }

    /// Appends the whole packet to `out`.
    pub fn write(&self, v: ProtocolVersion, out: &mut Vec<u8>) {
        write_fixed_header(
            out,
            PacketType::Disconnect.first_byte(),
            self.remaining_len(v),
        );
        if v.is_v5() {
            write_tail(out, self.reason_code, &self.properties);
        }
    }

    /// Decodes a DISCONNECT body.
    pub(crate) fn decode(body: &'a [u8], v: ProtocolVersion) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let (reason_code, properties) = if v.is_v5() {
            read_tail(&mut r, PacketType::Disconnect.command())?
        } else {
            r.finish()?;
            (0, Properties::EMPTY)
        };
        Ok(Disconnect {
            reason_code,
            properties,
        })
    }
}
