//! CONNACK: the server's answer to CONNECT.

use super::header::{packet_len, write_fixed_header, PacketType};
use super::properties::Properties;
use super::reader::Reader;
use super::{DecodeError, ProtocolVersion};

/// v3 return code "unacceptable protocol version".
const REFUSED_PROTOCOL_VERSION: u8 = 1;

/// A CONNACK packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Connack<'a> {
    /// Session present flag (always false in MQTT 3.1).
    pub session_present: bool,
    /// v3 return code or v5 reason code.
    pub reason_code: u8,
    /// v5 CONNACK properties.
    pub properties: Properties<'a>,
}

impl<'a> Connack<'a> {
    /// Bytes after the fixed header.
    pub fn remaining_len(&self, v: ProtocolVersion) -> usize {
        if v.is_v5() {
            2 + self.properties.encoded_len()
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
        write_fixed_header(out, PacketType::Connack.first_byte(), self.remaining_len(v));
        out.push(u8::from(self.session_present));
        out.push(self.reason_code);
        if v.is_v5() {
            self.properties.write(out);
        }
    }

    /// Decodes a CONNACK body.
    ///
    /// A v5 client talking to a v3-only server receives a two-byte CONNACK
    /// with return code 1 ("unacceptable protocol version"); that form is
    /// accepted with no properties so the session can report it.
    pub(crate) fn decode(body: &'a [u8], v: ProtocolVersion) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let flags = r.u8()?;
        let reason_code = r.u8()?;
        // MQTT 3.1 reserved the byte; libmosquitto reports its low bit
        // as "session present" all the same.
        let session_present = match v {
            ProtocolVersion::V31 => flags & 0x01 != 0,
            _ if flags & 0xFE != 0 => return Err(DecodeError::Protocol),
            _ => flags & 0x01 != 0,
        };
        let properties =
            if v.is_v5() && !(r.remaining() == 0 && reason_code == REFUSED_PROTOCOL_VERSION) {
                r.properties_for(PacketType::Connack)?
            } else {
                Properties::EMPTY
            };
        r.finish()?;
        Ok(Connack {
            session_present,
            reason_code,
            properties,
        })
    }
}
