//! A bounds-checked cursor over a packet body that hands out borrowed
//! fields.

use super::header::PacketType;
use super::properties::Properties;
use super::varint::read_varint;
use super::DecodeError;
use crate::protocol::property::parse_properties;
use crate::protocol::utf8;

/// Reads fields front to back; every short read is
/// [`DecodeError::Malformed`].
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader over a whole packet body.
    #[inline]
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf }
    }

    /// Bytes not yet read.
    #[inline]
    pub fn remaining(&self) -> usize {
        self.buf.len()
    }

    /// Takes all unread bytes.
    #[inline]
    pub fn rest(&mut self) -> &'a [u8] {
        core::mem::take(&mut self.buf)
    }

    /// Fails unless every byte has been read.
    #[inline]
    pub fn finish(&self) -> Result<(), DecodeError> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::Malformed)
        }
    }

    /// Takes the next `n` bytes.
    #[inline]
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.buf.len() < n {
            return Err(DecodeError::Malformed);
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Ok(head)
    }

    /// One byte.
    #[inline]
    pub fn u8(&mut self) -> Result<u8, DecodeError> {
        let (&b, tail) = self.buf.split_first().ok_or(DecodeError::Malformed)?;
        self.buf = tail;
        Ok(b)
    }

    /// A big-endian two-byte integer.
    #[inline]
    pub fn u16(&mut self) -> Result<u16, DecodeError> {
        let b = self.bytes(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    /// A packet identifier, which must not be 0.
    #[inline]
    pub fn packet_id(&mut self) -> Result<u16, DecodeError> {
        match self.u16()? {
            0 => Err(DecodeError::Protocol),
            id => Ok(id),
        }
    }

    /// Two-byte length followed by that many bytes.
    #[inline]
    pub fn binary(&mut self) -> Result<&'a [u8], DecodeError> {
        let n = self.u16()?;
        self.bytes(usize::from(n))
    }

    /// A length-prefixed string, validated as MQTT UTF-8.
    #[inline]
    pub fn string(&mut self) -> Result<&'a [u8], DecodeError> {
        let s = self.binary()?;
        utf8::validate(s).map_err(|_| DecodeError::MalformedUtf8)?;
        Ok(s)
    }

    /// A v5 property block (varint length then properties), validated for
    /// the packet's `command` (`CMD_*` value).
    #[inline]
    pub fn properties(&mut self, command: u32) -> Result<Properties<'a>, DecodeError> {
        let (len, n) = read_varint(self.buf)?.ok_or(DecodeError::Malformed)?;
        self.buf = &self.buf[n..];
        let block = self.bytes(len as usize)?;
        if !block.is_empty() {
            parse_properties(block, command)?;
        }
        Ok(Properties::wire(block, command))
    }

    /// A v5 property block for a packet type.
    #[inline]
    pub fn properties_for(&mut self, t: PacketType) -> Result<Properties<'a>, DecodeError> {
        self.properties(t.command())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_reads_are_malformed() {
        let mut r = Reader::new(&[0x00]);
        assert_eq!(r.u16(), Err(DecodeError::Malformed));
        let mut r = Reader::new(&[0x00, 0x03, b'a', b'b']);
        assert_eq!(r.binary(), Err(DecodeError::Malformed));
        let mut r = Reader::new(&[]);
        assert_eq!(r.u8(), Err(DecodeError::Malformed));
    }

    #[test]
    fn fields_in_order() {
        let mut r = Reader::new(&[0x00, 0x02, b'h', b'i', 0x12, 0x34, 0x07, 0xFF]);
        assert_eq!(r.string(), Ok(&b"hi"[..]));
        assert_eq!(r.u16(), Ok(0x1234));
        assert_eq!(r.remaining(), 2);
        assert_eq!(r.finish(), Err(DecodeError::Malformed));
        assert_eq!(r.rest(), &[0x07, 0xFF]);
        assert_eq!(r.finish(), Ok(()));
    }

    #[test]
    fn bad_string_and_zero_id() {
        let mut r = Reader::new(&[0x00, 0x01, 0x00]);
        assert_eq!(r.string(), Err(DecodeError::MalformedUtf8));
        let mut r = Reader::new(&[0x00, 0x02, 0xC3, 0x28]);
        assert_eq!(r.string(), Err(DecodeError::MalformedUtf8));
        let mut r = Reader::new(&[0x00, 0x00]);
        assert_eq!(r.packet_id(), Err(DecodeError::Protocol));
    }

    #[test]
    fn property_block_validated() {
        // Topic alias 5 in PUBLISH: fine.
        let mut r = Reader::new(&[0x03, 0x23, 0x00, 0x05]);
        assert_eq!(r.properties(0x30).unwrap().wire_len(), 3);
        // Same property in SUBSCRIBE: not valid for the type, malformed.
        let mut r = Reader::new(&[0x03, 0x23, 0x00, 0x05]);
        assert_eq!(r.properties(0x80), Err(DecodeError::Malformed));
        // Block longer than the packet.
        let mut r = Reader::new(&[0x05, 0x23, 0x00]);
        assert_eq!(r.properties(0x30), Err(DecodeError::Malformed));
        // Missing length entirely.
        let mut r = Reader::new(&[]);
        assert_eq!(r.properties(0x30), Err(DecodeError::Malformed));
    }
}
