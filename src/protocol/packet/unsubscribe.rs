//! UNSUBSCRIBE: a packet identifier, v5 properties and topic filters.

use super::header::{packet_len, write_fixed_header, PacketType};
use super::list::TopicList;
use super::properties::Properties;
use super::reader::Reader;
use super::writer::put_u16;
use super::{DecodeError, ProtocolVersion};

/// An UNSUBSCRIBE packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unsubscribe<'a> {
    /// Packet identifier (never 0).
    pub packet_id: u16,
    /// v5 UNSUBSCRIBE properties.
    pub properties: Properties<'a>,
    /// The filters (at least one).
    pub topics: TopicList<'a>,
}

impl<'a> Unsubscribe<'a> {
    /// Bytes after the fixed header.
    pub fn remaining_len(&self, v: ProtocolVersion) -> usize {
        let mut n = 2 + self.topics.encoded_len();
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
        write_fixed_header(
            out,
            PacketType::Unsubscribe.first_byte(),
            self.remaining_len(v),
        );
        put_u16(out, self.packet_id);
        if v.is_v5() {
            self.properties.write(out);
        }
        self.topics.write(out);
    }

    /// Decodes an UNSUBSCRIBE body, validating every filter.
    pub(crate) fn decode(body: &'a [u8], v: ProtocolVersion) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let packet_id = r.packet_id()?;
        let properties = if v.is_v5() {
            r.properties_for(PacketType::Unsubscribe)?
        } else {
            Properties::EMPTY
        };
        let list = r.rest();
        let mut entries = Reader::new(list);
        if entries.remaining() == 0 {
            return Err(DecodeError::Protocol);
        }
        while entries.remaining() > 0 {
            if entries.string()?.is_empty() {
                return Err(DecodeError::Malformed);
            }
        }
        Ok(Unsubscribe {
            packet_id,
            properties,
            topics: TopicList::Wire(list),
        })
    }
}
