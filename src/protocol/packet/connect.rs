//! CONNECT: the client's opening packet, for all three versions.

use super::header::{packet_len, write_fixed_header, PacketType, CMD_WILL};
use super::properties::Properties;
use super::reader::Reader;
use super::writer::{binary_len, put_binary, put_u16};
use super::{has_wildcard, DecodeError, ProtocolVersion};

const FLAG_CLEAN: u8 = 0x02;
const FLAG_WILL: u8 = 0x04;
const FLAG_WILL_RETAIN: u8 = 0x20;
const FLAG_PASSWORD: u8 = 0x40;
const FLAG_USERNAME: u8 = 0x80;

/// The will message carried in CONNECT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Will<'a> {
    /// Will topic (MQTT UTF-8).
    pub topic: &'a [u8],
    /// Will payload.
    pub payload: &'a [u8],
    /// Will QoS (0 to 2).
    pub qos: u8,
    /// Will retain flag.
    pub retain: bool,
    /// v5 will properties.
    pub properties: Properties<'a>,
}

/// A CONNECT packet. Unlike the other packets it carries its own protocol
/// version, so its encoders take none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Connect<'a> {
    /// Protocol version announced by the protocol name and level.
    pub version: ProtocolVersion,
    /// Clean session (v3) / clean start (v5).
    pub clean_start: bool,
    /// Keep alive in seconds.
    pub keep_alive: u16,
    /// v5 CONNECT properties.
    pub properties: Properties<'a>,
    /// Client identifier (may be empty).
    pub client_id: &'a [u8],
    /// The will, if any.
    pub will: Option<Will<'a>>,
    /// User name, if any.
    pub username: Option<&'a [u8]>,
    /// Password, if any.
    pub password: Option<&'a [u8]>,
}

impl<'a> Connect<'a> {
    /// Bytes after the fixed header.
    pub fn remaining_len(&self) -> usize {
        let v5 = self.version.is_v5();
        let mut n = binary_len(self.version.protocol_name()) + 1 + 1 + 2;
        if v5 {
            n += self.properties.encoded_len();
        }
        n += binary_len(self.client_id);
        if let Some(w) = &self.will {
            if v5 {
                n += w.properties.encoded_len();
            }
            n += binary_len(w.topic) + binary_len(w.payload);
        }
        n += self.username.map_or(0, binary_len);
        n += self.password.map_or(0, binary_len);
        n
    }

    /// Total encoded size.
    pub fn encoded_len(&self) -> usize {
        packet_len(self.remaining_len())
    }

    fn flags(&self) -> u8 {
        let mut f = 0;
        if self.clean_start {
            f |= FLAG_CLEAN;
        }
        if let Some(w) = &self.will {
            f |= FLAG_WILL | ((w.qos & 0x03) << 3);
            if w.retain {
                f |= FLAG_WILL_RETAIN;
            }
        }
        if self.username.is_some() {
            f |= FLAG_USERNAME;
        }
        if self.password.is_some() {
            f |= FLAG_PASSWORD;
        }
        f
    }

    /// Appends the whole packet to `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
        let v5 = self.version.is_v5();
        write_fixed_header(out, PacketType::Connect.first_byte(), self.remaining_len());
        put_binary(out, self.version.protocol_name());
        out.push(self.version as u8);
        out.push(self.flags());
        put_u16(out, self.keep_alive);
        if v5 {
            self.properties.write(out);
        }
        put_binary(out, self.client_id);
        if let Some(w) = &self.will {
            if v5 {
                w.properties.write(out);
            }
            put_binary(out, w.topic);
            put_binary(out, w.payload);
        }
        if let Some(u) = self.username {
            put_binary(out, u);
        }
        if let Some(p) = self.password {
            put_binary(out, p);
        }
    }

    /// Decodes a CONNECT body; the version comes from the packet itself.
    pub(crate) fn decode(body: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let name = r.string()?;
        let level = r.u8()?;
        let version = match ProtocolVersion::from_level(level) {
            Some(v) if v.protocol_name() == name => v,
            _ => return Err(DecodeError::Protocol),
        };
        let v5 = version.is_v5();
        let flags = r.u8()?;
        if flags & 0x01 != 0 {
            return Err(DecodeError::Malformed);
        }
        let will_flag = flags & FLAG_WILL != 0;
        let will_qos = (flags >> 3) & 0x03;
        let will_retain = flags & FLAG_WILL_RETAIN != 0;
        if will_qos == 3 || (!will_flag && (will_qos != 0 || will_retain)) {
            return Err(DecodeError::Malformed);
        }
        let has_user = flags & FLAG_USERNAME != 0;
        let has_pass = flags & FLAG_PASSWORD != 0;
        if !v5 && has_pass && !has_user {
            return Err(DecodeError::Protocol);
        }
        let keep_alive = r.u16()?;
        let properties = if v5 {
            r.properties_for(PacketType::Connect)?
        } else {
            Properties::EMPTY
        };
        let client_id = r.string()?;
        let will = if will_flag {
            let properties = if v5 {
                r.properties(CMD_WILL)?
            } else {
                Properties::EMPTY
            };
            let topic = r.string()?;
            if topic.is_empty() || has_wildcard(topic) {
                return Err(DecodeError::Protocol);
            }
            let payload = r.binary()?;
            Some(Will {
                topic,
                payload,
                qos: will_qos,
                retain: will_retain,
                properties,
            })
        } else {
            None
        };
        let username = if has_user { Some(r.string()?) } else { None };
        let password = if has_pass { Some(r.binary()?) } else { None };
        r.finish()?;
        Ok(Connect {
            version,
            clean_start: flags & FLAG_CLEAN != 0,
            keep_alive,
            properties,
            client_id,
            will,
            username,
            password,
        })
    }
}
