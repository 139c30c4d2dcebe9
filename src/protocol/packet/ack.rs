//! PUBACK, PUBREC, PUBREL and PUBCOMP: a packet identifier plus, in v5, an
//! optional reason code and properties.

use super::header::{packet_len, write_fixed_header, PacketType};
use super::properties::Properties;
use super::reader::Reader;
use super::tail::{read_tail, tail_len, write_tail};
use super::writer::put_u16;
use super::{DecodeError, ProtocolVersion};

/// Which of the four publish acknowledgements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AckKind {
    /// QoS 1 acknowledgement.
    Puback,
    /// QoS 2 "publish received".
    Pubrec,
    /// QoS 2 "publish release".
    Pubrel,
    /// QoS 2 "publish complete".
    Pubcomp,
}

impl AckKind {
    /// The packet type.
    #[inline]
    pub fn packet_type(self) -> PacketType {
        match self {
            AckKind::Puback => PacketType::Puback,
            AckKind::Pubrec => PacketType::Pubrec,
            AckKind::Pubrel => PacketType::Pubrel,
            AckKind::Pubcomp => PacketType::Pubcomp,
        }
    }
}

/// A publish acknowledgement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ack<'a> {
    /// Which acknowledgement.
    pub kind: AckKind,
    /// Packet identifier (never 0).
    pub packet_id: u16,
    /// v5 reason code (0 = success; always 0 in v3).
    pub reason_code: u8,
    /// v5 properties.
    pub properties: Properties<'a>,
}

impl<'a> Ack<'a> {
    /// Bytes after the fixed header: 2 in v3; in v5 the short forms (2 for
    /// success without properties, 3 for a reason code alone).
    #[inline]
    pub fn remaining_len(&self, v: ProtocolVersion) -> usize {
        if v.is_v5() {
            2 + tail_len(self.reason_code, &self.properties)
        } else {
            2
        }
    }

    /// Total encoded size.
    #[inline]
    pub fn encoded_len(&self, v: ProtocolVersion) -> usize {
        packet_len(self.remaining_len(v))
    }

    /// Appends the whole packet to `out`.
    #[inline]
    pub fn write(&self, v: ProtocolVersion, out: &mut Vec<u8>) {
        write_fixed_header(
            out,
            self.kind.packet_type().first_byte(),
            self.remaining_len(v),
        );
        put_u16(out, self.packet_id);
        if v.is_v5() {
            write_tail(out, self.reason_code, &self.properties);
        }
    }

    /// Decodes the body of an acknowledgement of `kind`.
    #[inline]
    pub(crate) fn decode(
        kind: AckKind,
        body: &'a [u8],
        v: ProtocolVersion,
    ) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let packet_id = r.packet_id()?;
        let (reason_code, properties) = if v.is_v5() {
            read_tail(&mut r, kind.packet_type().command())?
        } else {
            r.finish()?;
            (0, Properties::EMPTY)
        };
        Ok(Ack {
            kind,
            packet_id,
            reason_code,
            properties,
        })
    }
}
