//! SUBACK: one return/reason code per requested subscription.

use super::header::{packet_len, write_fixed_header, PacketType};
use super::properties::Properties;
use super::reader::Reader;
use super::writer::put_u16;
use super::{DecodeError, ProtocolVersion};

/// A SUBACK packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Suback<'a> {
    /// Packet identifier (never 0).
    pub packet_id: u16,
    /// v5 SUBACK properties.
    pub properties: Properties<'a>,
    /// Granted QoS or failure code per subscription (at least one).
    pub codes: &'a [u8],
}

impl<'a> Suback<'a> {
    /// Bytes after the fixed header.
    pub fn remaining_len(&self, v: ProtocolVersion) -> usize {
        let mut n = 2 + self.codes.len();
        if v.is_v5() {
            n += self.properties.encoded_len();
        }
        n
    }

    /// Total encoded size.
    pub fn encoded_len(&self, v: ProtocolVersion) -> usize {
        packet_len(self.remaining_len(v))
    }

    /// Appends the whole packet to `out`.
    pub fn write(&self, v: ProtocolVersion, out: &mut Vec<u8>) {
        write_fixed_header(out, PacketType::Suback.first_byte(), self.remaining_len(v));
        put_u16(out, self.packet_id);
        if v.is_v5() {
            self.properties.write(out);
        }
        out.extend_from_slice(self.codes);
    }

    /// Decodes a SUBACK body. An empty code list is a protocol error (as
    /// libmosquitto reports it).
    pub(crate) fn decode(body: &'a [u8], v: ProtocolVersion) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let packet_id = r.packet_id()?;
        let properties = if v.is_v5() {
            r.properties_for(PacketType::Suback)?
        } else {
            Properties::EMPTY
        };
        let codes = r.rest();
        if codes.is_empty() {
            return Err(DecodeError::Protocol);
        }
        Ok(Suback {
            packet_id,
            properties,
            codes,
        })
    }
}
