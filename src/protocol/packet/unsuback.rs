//! UNSUBACK: a packet identifier; in v5 also properties and one reason
//! code per filter.

use super::header::{packet_len, write_fixed_header, PacketType};
use super::properties::Properties;
use super::reader::Reader;
use super::writer::put_u16;
use super::{DecodeError, ProtocolVersion};

/// An UNSUBACK packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unsuback<'a> {
    /// Packet identifier (never 0).
    pub packet_id: u16,
    /// v5 UNSUBACK properties.
    pub properties: Properties<'a>,
    /// v5 reason codes, one per filter (empty in v3).
    pub codes: &'a [u8],
}

impl<'a> Unsuback<'a> {
    /// Bytes after the fixed header.
    pub fn remaining_len(&self, v: ProtocolVersion) -> usize {
        if v.is_v5() {
            2 + self.properties.encoded_len() + self.codes.len()
        } else {
            2
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
            PacketType::Unsuback.first_byte(),
            self.remaining_len(v),
        );
        put_u16(out, self.packet_id);
        if v.is_v5() {
            self.properties.write(out);
            out.extend_from_slice(self.codes);
        }
    }

    /// Decodes an UNSUBACK body.
    pub(crate) fn decode(body: &'a [u8], v: ProtocolVersion) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let packet_id = r.packet_id()?;
        if !v.is_v5() {
            r.finish()?;
            return Ok(Unsuback {
                packet_id,
                properties: Properties::EMPTY,
                codes: &[],
            });
        }
        let properties = r.properties_for(PacketType::Unsuback)?;
        let codes = r.rest();
        if codes.is_empty() {
            return Err(DecodeError::Protocol);
        }
        Ok(Unsuback {
            packet_id,
            properties,
            codes,
        })
    }
}
