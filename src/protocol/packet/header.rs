//! The fixed header: packet types, their required flag bits, and framing
//! of a read buffer into whole packets.

use super::varint::{read_varint, varint_len, write_varint};
use super::DecodeError;

/// The MQTT control packet types (the high nibble of the first byte).
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PacketType {
    /// Client request to connect.
    Connect = 1,
    /// Connect acknowledgement.
    Connack = 2,
    /// Application message.
    Publish = 3,
    /// QoS 1 acknowledgement.
    Puback = 4,
    /// QoS 2 delivery, part 1.
    Pubrec = 5,
    /// QoS 2 delivery, part 2.
    Pubrel = 6,
    /// QoS 2 delivery, part 3.
    Pubcomp = 7,
    /// Subscribe request.
    Subscribe = 8,
    /// Subscribe acknowledgement.
    Suback = 9,
    /// Unsubscribe request.
    Unsubscribe = 10,
    /// Unsubscribe acknowledgement.
    Unsuback = 11,
    /// Ping request.
    Pingreq = 12,
    /// Ping response.
    Pingresp = 13,
    /// Disconnect notification.
    Disconnect = 14,
    /// Authentication exchange (v5 only).
    Auth = 15,
}

impl PacketType {
    /// The type named by a first byte's high nibble; `None` for the
    /// reserved type 0.
    #[inline]
    pub fn from_header(first_byte: u8) -> Option<PacketType> {
        use PacketType::*;
        Some(match first_byte >> 4 {
            1 => Connect,
            2 => Connack,
            3 => Publish,
            4 => Puback,
            5 => Pubrec,
            6 => Pubrel,
            7 => Pubcomp,
            8 => Subscribe,
            9 => Suback,
            10 => Unsubscribe,
            11 => Unsuback,
            12 => Pingreq,
            13 => Pingresp,
            14 => Disconnect,
            15 => Auth,
            _ => return None,
        })
    }

    /// The `CMD_*` value (`type << 4`) used to pick allowed properties.
    #[inline]
    pub fn command(self) -> u32 {
        (self as u32) << 4
    }

    /// The flag nibble every packet of this type must carry (PUBLISH's
    /// flags vary and are checked separately; this returns 0 for it).
    #[inline]
    pub fn required_flags(self) -> u8 {
        match self {
            PacketType::Pubrel | PacketType::Subscribe | PacketType::Unsubscribe => 0x2,
            _ => 0,
        }
    }

    /// The first byte of a packet of this type with its required flags.
    #[inline]
    pub fn first_byte(self) -> u8 {
        ((self as u8) << 4) | self.required_flags()
    }
}

/// `CMD_WILL`: the pseudo command for properties of a CONNECT's will.
pub const CMD_WILL: u32 = 0x100;

/// The fixed header of a complete (or completely announced) packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame {
    /// The first byte: packet type and flags.
    pub header: u8,
    /// Bytes taken by the first byte plus the remaining length (2 to 5).
    pub header_len: usize,
    /// The remaining length: bytes after the fixed header.
    pub remaining_length: u32,
}

impl Frame {
    /// Total bytes of the packet, fixed header included.
    #[inline]
    pub fn total_len(&self) -> usize {
        self.header_len + self.remaining_length as usize
    }

    /// The flag nibble of the first byte.
    #[inline]
    pub fn flags(&self) -> u8 {
        self.header & 0x0F
    }
}

/// Finds the packet at the start of a read buffer.
///
/// Returns `Ok(None)` while the fixed header is incomplete, and
/// `Ok(Some(frame))` as soon as the remaining length is known, whether or
/// not the body has arrived yet (compare `buf.len()` with
/// [`Frame::total_len`]). A remaining length with a fifth byte is
/// [`DecodeError::Malformed`]; a packet whose total size exceeds
/// `max_packet_size` is [`DecodeError::Oversize`] (0 means no limit), so an
/// absurd announced length is refused before its body is buffered.
#[inline]
pub fn frame(buf: &[u8], max_packet_size: u32) -> Result<Option<Frame>, DecodeError> {
    let Some(&header) = buf.first() else {
        return Ok(None);
    };
    let Some((remaining_length, n)) = read_varint(&buf[1..])? else {
        return Ok(None);
    };
    let f = Frame {
        header,
        header_len: 1 + n,
        remaining_length,
    };
    if max_packet_size != 0 && f.total_len() as u64 > u64::from(max_packet_size) {
        return Err(DecodeError::Oversize);
    }
    Ok(Some(f))
}

/// Total encoded size of a packet with this remaining length.
#[inline]
pub fn packet_len(remaining_length: usize) -> usize {
    1 + varint_len(remaining_length as u32) + remaining_length
}

/// Reserves room for the whole packet, then writes its fixed header.
#[inline]
pub fn write_fixed_header(out: &mut Vec<u8>, first_byte: u8, remaining_length: usize) {
    out.reserve(packet_len(remaining_length));
    out.push(first_byte);
    write_varint(out, remaining_length as u32);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_more_bytes_until_length_complete() {
        assert_eq!(frame(&[], 0), Ok(None));
        assert_eq!(frame(&[0x30], 0), Ok(None));
        assert_eq!(frame(&[0x30, 0x80], 0), Ok(None));
        assert_eq!(frame(&[0x30, 0x80, 0x80, 0x80], 0), Ok(None));
        let f = frame(&[0x30, 0x80, 0x01], 0).unwrap().unwrap();
        assert_eq!(f.header, 0x30);
        assert_eq!(f.header_len, 3);
        assert_eq!(f.remaining_length, 128);
        assert_eq!(f.total_len(), 131);
    }

    #[test]
    fn complete_small_packet() {
        let f = frame(&[0xD0, 0x00, 0xC0], 0).unwrap().unwrap();
        assert_eq!(f.total_len(), 2);
        assert_eq!(f.flags(), 0);
        assert_eq!(
            PacketType::from_header(f.header),
            Some(PacketType::Pingresp)
        );
    }

    #[test]
    fn five_length_bytes_is_malformed() {
        assert_eq!(
            frame(&[0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F], 0),
            Err(DecodeError::Malformed)
        );
    }

    #[test]
    fn oversize_rejected_from_header_alone() {
        // Announces 268,435,455 bytes; only the header is present.
        assert_eq!(
            frame(&[0x30, 0xFF, 0xFF, 0xFF, 0x7F], 1_000_000),
            Err(DecodeError::Oversize)
        );
        // Limit counts the whole packet: 2 + 10 = 12 bytes.
        assert!(frame(&[0x30, 10], 12).unwrap().is_some());
        assert_eq!(frame(&[0x30, 10], 11), Err(DecodeError::Oversize));
    }

    #[test]
    fn packet_types_and_flags() {
        assert_eq!(PacketType::from_header(0x00), None);
        assert_eq!(PacketType::from_header(0xF0), Some(PacketType::Auth));
        assert_eq!(PacketType::Pubrel.first_byte(), 0x62);
        assert_eq!(PacketType::Subscribe.first_byte(), 0x82);
        assert_eq!(PacketType::Unsubscribe.first_byte(), 0xA2);
        assert_eq!(PacketType::Puback.first_byte(), 0x40);
        assert_eq!(PacketType::Disconnect.command(), 0xE0);
    }

    #[test]
    fn fixed_header_writer() {
        let mut out = vec![0xAA];
        write_fixed_header(&mut out, 0x30, 321);
        assert_eq!(out, [0xAA, 0x30, 0xC1, 0x02]);
        assert_eq!(packet_len(321), 324);
        assert!(out.capacity() >= 325);
    }
}
