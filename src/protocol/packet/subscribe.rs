//! SUBSCRIBE: a packet identifier, v5 properties and a list of topic
//! filters with their options.

use super::header::{packet_len, write_fixed_header, PacketType};
use super::list::SubscriptionList;
use super::properties::Properties;
use super::reader::Reader;
use super::writer::put_u16;
use super::{DecodeError, ProtocolVersion};

/// A SUBSCRIBE packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Subscribe<'a> {
    /// Packet identifier (never 0).
    pub packet_id: u16,
    /// v5 SUBSCRIBE properties.
    pub properties: Properties<'a>,
    /// The filters and options (at least one).
    pub subscriptions: SubscriptionList<'a>,
}

impl<'a> Subscribe<'a> {
    /// Bytes after the fixed header.
    pub fn remaining_len(&self, v: ProtocolVersion) -> usize {
        let mut n = 2 + self.subscriptions.encoded_len();
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
            PacketType::Subscribe.first_byte(),
            self.remaining_len(v),
        );
        put_u16(out, self.packet_id);
        if v.is_v5() {
            self.properties.write(out);
        }
        self.subscriptions.write(v.is_v5(), out);
    }

    /// Decodes a SUBSCRIBE body, validating every entry.
    pub(crate) fn decode(body: &'a [u8], v: ProtocolVersion) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let packet_id = r.packet_id()?;
        let properties = if v.is_v5() {
            r.properties_for(PacketType::Subscribe)?
        } else {
            Properties::EMPTY
        };
        let list = r.rest();
        let mut entries = Reader::new(list);
        if entries.remaining() == 0 {
            return Err(DecodeError::Protocol);
        }
        // v3 options hold only a QoS; v5 reserves the top two bits.
        let reserved = if v.is_v5() { 0xC0 } else { 0xFC };
        while entries.remaining() > 0 {
            let filter = entries.string()?;
            if filter.is_empty() {
                return Err(DecodeError::Malformed);
            }
            let options = entries.u8()?;
            if options & reserved != 0 || options & 0x03 == 3 {
                return Err(DecodeError::Malformed);
            }
            if (options >> 4) & 0x03 == 3 {
                return Err(DecodeError::Protocol);
            }
            // No Local on a shared subscription [MQTT-3.8.3-4].
            if options & 0x04 != 0 && filter.starts_with(b"$share/") {
                return Err(DecodeError::Protocol);
            }
        }
        Ok(Subscribe {
            packet_id,
            properties,
            subscriptions: SubscriptionList::Wire(list),
        })
    }
}
