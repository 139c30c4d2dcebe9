//! PUBLISH: an application message, the hot path of the codec.

use super::header::{packet_len, PacketType};
use super::properties::Properties;
use super::reader::Reader;
use super::writer::{binary_len, put_u16};
use super::{has_wildcard, DecodeError, ProtocolVersion};

/// A PUBLISH packet; every field borrows from the frame or the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Publish<'a> {
    /// DUP flag (redelivery of a QoS 1/2 message).
    pub dup: bool,
    /// QoS level, 0 to 2.
    pub qos: u8,
    /// RETAIN flag.
    pub retain: bool,
    /// Topic name; empty only in v5 with a Topic Alias property.
    pub topic: &'a [u8],
    /// Packet identifier; 0 for QoS 0 (not on the wire).
    pub packet_id: u16,
    /// v5 PUBLISH properties.
    pub properties: Properties<'a>,
    /// Application payload.
    pub payload: &'a [u8],
}

impl<'a> Publish<'a> {
    /// Bytes after the fixed header.
    #[inline]
    pub fn remaining_len(&self, v: ProtocolVersion) -> usize {
        let mut n = binary_len(self.topic) + self.payload.len();
        if self.qos > 0 {
            n += 2;
        }
        if v.is_v5() {
            n += self.properties.encoded_len();
        }
        n
    }

    /// Total encoded size.
    #[inline]
    pub fn encoded_len(&self, v: ProtocolVersion) -> usize {
        packet_len(self.remaining_len(v))
    }

    /// The first byte: type, DUP, QoS and RETAIN.
    #[inline]
    fn first_byte(&self) -> u8 {
        PacketType::Publish.first_byte()
            | (u8::from(self.dup) << 3)
            | ((self.qos & 0x03) << 1)
            | u8::from(self.retain)
    }

    /// Appends the whole packet to `out`.
    #[inline]
    pub fn write(&self, v: ProtocolVersion, out: &mut Vec<u8>) {
        let remaining = self.remaining_len(v);
        put_head(out, self.first_byte(), remaining, self.topic);
        if self.qos > 0 {
            put_u16(out, self.packet_id);
        }
        if v.is_v5() {
            self.properties.write(out);
        }
        out.extend_from_slice(self.payload);
    }

    /// Appends a QoS 0 PUBLISH without properties; `remaining` is its
    /// [`Self::remaining_len`]. The same bytes as [`Self::write`], for the
    /// publish fast path.
    #[inline]
    pub fn write_qos0(
        v: ProtocolVersion,
        topic: &[u8],
        payload: &[u8],
        retain: bool,
        remaining: usize,
        out: &mut Vec<u8>,
    ) {
        let first = PacketType::Publish.first_byte() | u8::from(retain);
        put_head(out, first, remaining, topic);
        if v.is_v5() {
            out.push(0);
        }
        out.extend_from_slice(payload);
    }

    /// The v5 Topic Alias property, if present (resolution is the
    /// session's job).
    #[inline]
    pub fn topic_alias(&self) -> Option<u16> {
        if self.properties.is_empty() {
            None
        } else {
            self.properties.topic_alias()
        }
    }

    /// Decodes a PUBLISH from its flag nibble and body.
    #[inline]
    pub(crate) fn decode(
        flags: u8,
        body: &'a [u8],
        v: ProtocolVersion,
    ) -> Result<Self, DecodeError> {
        let dup = flags & 0x08 != 0;
        let qos = (flags >> 1) & 0x03;
        let retain = flags & 0x01 != 0;
        if qos == 3 || (dup && qos == 0) {
            return Err(DecodeError::Malformed);
        }
        let mut r = Reader::new(body);
        let topic = r.string()?;
        if has_wildcard(topic) {
            return Err(DecodeError::Malformed);
        }
        let packet_id = if qos > 0 { r.packet_id()? } else { 0 };
        let properties = if v.is_v5() {
            r.properties_for(PacketType::Publish)?
        } else {
            Properties::EMPTY
        };
        let p = Publish {
            dup,
            qos,
            retain,
            topic,
            packet_id,
            properties,
            payload: r.rest(),
        };
        if topic.is_empty() && p.topic_alias().is_none() {
            return Err(DecodeError::Protocol);
        }
        Ok(p)
    }
}

/// Reserves room for a whole PUBLISH whose remaining length is
/// `remaining`, then appends its fixed header, the topic's length and the
/// topic. The header and the length (at most 1 + 4 + 2 bytes) are
/// assembled in one integer and stored at once: this runs for every
/// message published.
#[inline(always)]
fn put_head(out: &mut Vec<u8>, first_byte: u8, remaining: usize, topic: &[u8]) {
    debug_assert!(topic.len() <= usize::from(u16::MAX), "topic too long");
    debug_assert!(remaining <= 268_435_455, "remaining length too large");
    let mut head = u64::from(first_byte);
    let mut n = 1;
    let mut rest = remaining as u32;
    loop {
        let digit = u64::from(rest & 0x7F);
        rest >>= 7;
        if rest == 0 {
            head |= digit << (8 * n);
            n += 1;
            break;
        }
        head |= (digit | 0x80) << (8 * n);
        n += 1;
    }
    let [hi, lo] = (topic.len() as u16).to_be_bytes();
    head |= (u64::from(hi) << (8 * n)) | (u64::from(lo) << (8 * (n + 1)));
    n += 2;
    // The whole packet, and at least the 8 bytes copied below.
    let total = n - 2 + remaining;
    out.reserve(total.max(8));
    let len = out.len();
    // All 8 bytes in one fixed-size copy (one store once inlined), then
    // the unused ones (`n` <= 7 are the header's) dropped again.
    out.extend_from_slice(&head.to_le_bytes());
    out.truncate(len + n);
    out.extend_from_slice(topic);
}
