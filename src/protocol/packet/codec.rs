//! Any packet: decoding a frame into the right typed packet, and encoding
//! through one entry point.

use super::ack::{Ack, AckKind};
use super::auth::Auth;
use super::connack::Connack;
use super::connect::Connect;
use super::disconnect::Disconnect;
use super::header::{frame, packet_len, write_fixed_header, PacketType};
use super::publish::Publish;
use super::suback::Suback;
use super::subscribe::Subscribe;
use super::unsuback::Unsuback;
use super::unsubscribe::Unsubscribe;
use super::{DecodeError, ProtocolVersion};

/// A decoded (or to-be-encoded) MQTT control packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Packet<'a> {
    /// CONNECT.
    Connect(Connect<'a>),
    /// CONNACK.
    Connack(Connack<'a>),
    /// PUBLISH.
    Publish(Publish<'a>),
    /// PUBACK, PUBREC, PUBREL or PUBCOMP (see [`Ack::kind`]).
    Ack(Ack<'a>),
    /// SUBSCRIBE.
    Subscribe(Subscribe<'a>),
    /// SUBACK.
    Suback(Suback<'a>),
    /// UNSUBSCRIBE.
    Unsubscribe(Unsubscribe<'a>),
    /// UNSUBACK.
    Unsuback(Unsuback<'a>),
    /// PINGREQ.
    Pingreq,
    /// PINGRESP.
    Pingresp,
    /// DISCONNECT.
    Disconnect(Disconnect<'a>),
    /// AUTH (v5).
    Auth(Auth<'a>),
}

impl<'a> Packet<'a> {
    /// The control packet type.
    pub fn packet_type(&self) -> PacketType {
        match self {
            Packet::Connect(_) => PacketType::Connect,
            Packet::Connack(_) => PacketType::Connack,
            Packet::Publish(_) => PacketType::Publish,
            Packet::Ack(a) => a.kind.packet_type(),
            Packet::Subscribe(_) => PacketType::Subscribe,
            Packet::Suback(_) => PacketType::Suback,
            Packet::Unsubscribe(_) => PacketType::Unsubscribe,
            Packet::Unsuback(_) => PacketType::Unsuback,
            Packet::Pingreq => PacketType::Pingreq,
            Packet::Pingresp => PacketType::Pingresp,
            Packet::Disconnect(_) => PacketType::Disconnect,
            Packet::Auth(_) => PacketType::Auth,
        }
    }

    /// Bytes after the fixed header when encoded for `v` (CONNECT uses its
    /// own version).
    pub fn remaining_len(&self, v: ProtocolVersion) -> usize {
        match self {
            Packet::Connect(p) => p.remaining_len(),
            Packet::Connack(p) => p.remaining_len(v),
            Packet::Publish(p) => p.remaining_len(v),
            Packet::Ack(p) => p.remaining_len(v),
            Packet::Subscribe(p) => p.remaining_len(v),
            Packet::Suback(p) => p.remaining_len(v),
            Packet::Unsubscribe(p) => p.remaining_len(v),
            Packet::Unsuback(p) => p.remaining_len(v),
            Packet::Pingreq | Packet::Pingresp => 0,
            Packet::Disconnect(p) => p.remaining_len(v),
            Packet::Auth(p) => p.remaining_len(v),
        }
    }

    /// Total encoded size for `v`.
    pub fn encoded_len(&self, v: ProtocolVersion) -> usize {
        packet_len(self.remaining_len(v))
    }

    /// Appends the whole packet, encoded for `v`, to `out`.
    ///
    /// Encoders trust their input: strings over 65,535 bytes, QoS above 2
    /// or a remaining length above [`super::MAX_VARINT`] must be rejected by
    /// the caller beforehand.
    pub fn write(&self, v: ProtocolVersion, out: &mut Vec<u8>) {
        match self {
            Packet::Connect(p) => p.write(out),
            Packet::Connack(p) => p.write(v, out),
            Packet::Publish(p) => p.write(v, out),
            Packet::Ack(p) => p.write(v, out),
            Packet::Subscribe(p) => p.write(v, out),
            Packet::Suback(p) => p.write(v, out),
            Packet::Unsubscribe(p) => p.write(v, out),
            Packet::Unsuback(p) => p.write(v, out),
            Packet::Pingreq | Packet::Pingresp => {
                write_fixed_header(out, self.packet_type().first_byte(), 0)
            }
            Packet::Disconnect(p) => p.write(v, out),
            Packet::Auth(p) => p.write(v, out),
        }
    }
}

/// Decodes one complete frame (fixed header included, nothing after it),
/// as found by [`frame`], for a connection speaking `version`.
///
/// A CONNECT is decoded according to the version it announces.
#[inline]
pub fn decode(frame_bytes: &[u8], version: ProtocolVersion) -> Result<Packet<'_>, DecodeError> {
    let f = frame(frame_bytes, 0)?.ok_or(DecodeError::Malformed)?;
    if f.total_len() != frame_bytes.len() {
        return Err(DecodeError::Malformed);
    }
    decode_body(f.header, &frame_bytes[f.header_len..], version)
}

/// Decodes a packet from its first byte and its body (the `remaining
/// length` bytes after the fixed header).
#[inline]
pub fn decode_body(
    first_byte: u8,
    body: &[u8],
    version: ProtocolVersion,
) -> Result<Packet<'_>, DecodeError> {
    let t = PacketType::from_header(first_byte).ok_or(DecodeError::Protocol)?;
    let flags = first_byte & 0x0F;
    match t {
        PacketType::Publish => {}
        // Reserved flags must be as the specification lists them: other
        // flags make a Malformed Packet in MQTT 5 [MQTT-2.1.3-1], and close
        // the connection in 3.1.1 [MQTT-2.2.2-2]. MQTT 3.1 did not fix
        // them (not even PUBREL's); libmosquitto ignores the flags of
        // PUBACK, PUBREC, PUBCOMP, SUBACK, UNSUBACK and PINGRESP in every
        // version. In 3.1...
        _ if flags != t.required_flags() && version != ProtocolVersion::V31 => {
            return Err(DecodeError::Malformed)
        }
        // ...a DISCONNECT or AUTH with flags is refused (libmosquitto
        // refuses DISCONNECT; 2.1 refuses AUTH)...
        PacketType::Disconnect | PacketType::Auth if flags != t.required_flags() => {
            return Err(DecodeError::Malformed)
        }
        // ...the packets only a client sends must carry their flags...
        PacketType::Connect
        | PacketType::Subscribe
        | PacketType::Unsubscribe
        | PacketType::Pingreq
            if flags != t.required_flags() =>
        {
            return Err(DecodeError::Malformed)
        }
        // ...and the reserved flags of the other packets a server sends
        // are ignored in 3.1, as libmosquitto ignores them.
        _ => {}
    }
    let v = version;
    Ok(match t {
        PacketType::Connect => Packet::Connect(Connect::decode(body)?),
        PacketType::Connack => Packet::Connack(Connack::decode(body, v)?),
        PacketType::Publish => Packet::Publish(Publish::decode(flags, body, v)?),
        PacketType::Puback => Packet::Ack(Ack::decode(AckKind::Puback, body, v)?),
        PacketType::Pubrec => Packet::Ack(Ack::decode(AckKind::Pubrec, body, v)?),
        PacketType::Pubrel => Packet::Ack(Ack::decode(AckKind::Pubrel, body, v)?),
        PacketType::Pubcomp => Packet::Ack(Ack::decode(AckKind::Pubcomp, body, v)?),
        PacketType::Subscribe => Packet::Subscribe(Subscribe::decode(body, v)?),
        PacketType::Suback => Packet::Suback(Suback::decode(body, v)?),
        PacketType::Unsubscribe => Packet::Unsubscribe(Unsubscribe::decode(body, v)?),
        PacketType::Unsuback => Packet::Unsuback(Unsuback::decode(body, v)?),
        PacketType::Pingreq | PacketType::Pingresp => {
            if !body.is_empty() {
                return Err(DecodeError::Malformed);
            }
            if t == PacketType::Pingreq {
                Packet::Pingreq
            } else {
                Packet::Pingresp
            }
        }
        PacketType::Disconnect => Packet::Disconnect(Disconnect::decode(body, v)?),
        PacketType::Auth => Packet::Auth(Auth::decode(body, v)?),
    })
}
