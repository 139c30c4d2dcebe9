//! The tests' one packet builder: one-line builders for well-formed packets
//! a test script sends, encoded with the crate's own codec; raw byte
//! builders ([`pkt`], [`s`], [`sb`], [`varint`], [`props`], ...) for
//! expected bytes and for the malformed packets no codec would write; and a
//! hex dump for failure messages.

use mosquitto::protocol::packet::{
    Ack, AckKind, Connack, Connect, Disconnect, Packet, Properties, ProtocolVersion, Publish,
    Suback, Subscribe, Subscription, SubscriptionList, Unsuback,
};
use mosquitto::protocol::property::Property;

pub use mosquitto::protocol::packet::ProtocolVersion::{V31, V311, V5};

/// Encodes any packet for `v`.
pub fn encode(v: ProtocolVersion, packet: &Packet<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(packet.encoded_len(v));
    packet.write(v, &mut out);
    out
}

/// CONNACK with return/reason code `rc` and v5 `props`.
pub fn connack(v: ProtocolVersion, rc: u8, session_present: bool, props: &[Property]) -> Vec<u8> {
    encode(
        v,
        &Packet::Connack(Connack {
            session_present,
            reason_code: rc,
            properties: Properties::List(props),
        }),
    )
}

/// A successful CONNACK without session or properties.
pub fn connack_ok(v: ProtocolVersion) -> Vec<u8> {
    connack(v, 0, false, &[])
}

/// SUBACK granting (or refusing) one code per subscription.
pub fn suback(v: ProtocolVersion, packet_id: u16, codes: &[u8]) -> Vec<u8> {
    suback_props(v, packet_id, codes, &[])
}

/// SUBACK with v5 properties.
pub fn suback_props(
    v: ProtocolVersion,
    packet_id: u16,
    codes: &[u8],
    props: &[Property],
) -> Vec<u8> {
    encode(
        v,
        &Packet::Suback(Suback {
            packet_id,
            properties: Properties::List(props),
            codes,
        }),
    )
}

/// UNSUBACK (the v5 reason codes are ignored for v3).
pub fn unsuback(v: ProtocolVersion, packet_id: u16, codes: &[u8]) -> Vec<u8> {
    encode(
        v,
        &Packet::Unsuback(Unsuback {
            packet_id,
            properties: Properties::EMPTY,
            codes,
        }),
    )
}

/// PUBACK, PUBREC, PUBREL or PUBCOMP with a v5 reason code.
pub fn ack(v: ProtocolVersion, kind: AckKind, packet_id: u16, rc: u8) -> Vec<u8> {
    encode(
        v,
        &Packet::Ack(Ack {
            kind,
            packet_id,
            reason_code: rc,
            properties: Properties::EMPTY,
        }),
    )
}

/// A successful PUBACK.
pub fn puback(v: ProtocolVersion, packet_id: u16) -> Vec<u8> {
    ack(v, AckKind::Puback, packet_id, 0)
}

/// A successful PUBREC.
pub fn pubrec(v: ProtocolVersion, packet_id: u16) -> Vec<u8> {
    ack(v, AckKind::Pubrec, packet_id, 0)
}

/// A successful PUBREL.
pub fn pubrel(v: ProtocolVersion, packet_id: u16) -> Vec<u8> {
    ack(v, AckKind::Pubrel, packet_id, 0)
}

/// A successful PUBCOMP.
pub fn pubcomp(v: ProtocolVersion, packet_id: u16) -> Vec<u8> {
    ack(v, AckKind::Pubcomp, packet_id, 0)
}

/// PUBLISH (`packet_id` is ignored for QoS 0).
pub fn publish(
    v: ProtocolVersion,
    topic: &str,
    payload: &[u8],
    qos: u8,
    retain: bool,
    packet_id: u16,
) -> Vec<u8> {
    publish_props(v, topic, payload, qos, retain, packet_id, &[])
}

/// PUBLISH with v5 properties.
pub fn publish_props(
    v: ProtocolVersion,
    topic: &str,
    payload: &[u8],
    qos: u8,
    retain: bool,
    packet_id: u16,
    props: &[Property],
) -> Vec<u8> {
    encode(
        v,
        &Packet::Publish(Publish {
            dup: false,
            qos,
            retain,
            topic: topic.as_bytes(),
            packet_id: if qos > 0 { packet_id } else { 0 },
            properties: Properties::List(props),
            payload,
        }),
    )
}

/// PINGREQ.
pub fn pingreq() -> Vec<u8> {
    vec![0xC0, 0x00]
}

/// PINGRESP.
pub fn pingresp() -> Vec<u8> {
    vec![0xD0, 0x00]
}

/// DISCONNECT with a v5 reason code.
pub fn disconnect(v: ProtocolVersion, rc: u8) -> Vec<u8> {
    encode(
        v,
        &Packet::Disconnect(Disconnect {
            reason_code: rc,
            properties: Properties::EMPTY,
        }),
    )
}

/// A plain CONNECT (no will, user or properties), for raw clients.
pub fn connect(v: ProtocolVersion, client_id: &str, keep_alive: u16, clean: bool) -> Vec<u8> {
    encode(
        v,
        &Packet::Connect(Connect {
            version: v,
            clean_start: clean,
            keep_alive,
            properties: Properties::EMPTY,
            client_id: client_id.as_bytes(),
            will: None,
            username: None,
            password: None,
        }),
    )
}

/// SUBSCRIBE to one filter (the options byte is the QoS), for raw clients.
pub fn subscribe(v: ProtocolVersion, packet_id: u16, filter: &str, qos: u8) -> Vec<u8> {
    let entry = [Subscription {
        filter: filter.as_bytes(),
        options: qos,
    }];
    encode(
        v,
        &Packet::Subscribe(Subscribe {
            packet_id,
            properties: Properties::EMPTY,
            subscriptions: SubscriptionList::List(&entry),
        }),
    )
}

// ---- raw bytes, written by hand ------------------------------------------------

/// An MQTT string from raw bytes (which need not be UTF-8): two-byte
/// length, then the bytes.
pub fn sb(x: &[u8]) -> Vec<u8> {
    let mut v = (x.len() as u16).to_be_bytes().to_vec();
    v.extend_from_slice(x);
    v
}

/// An MQTT string: two-byte length, then the bytes.
pub fn s(x: &str) -> Vec<u8> {
    sb(x.as_bytes())
}

/// A variable byte integer (the remaining length's encoding), of any size:
/// values beyond the four bytes MQTT allows give longer, invalid encodings.
pub fn varint(mut n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let mut b = (n % 128) as u8;
        n /= 128;
        if n > 0 {
            b |= 0x80;
        }
        out.push(b);
        if n == 0 {
            return out;
        }
    }
}

/// A whole packet: first byte, remaining length, then the parts.
pub fn pkt(first: u8, parts: &[&[u8]]) -> Vec<u8> {
    let body: Vec<u8> = parts.concat();
    let mut out = vec![first];
    out.extend(varint(body.len()));
    out.extend_from_slice(&body);
    out
}

/// A big-endian two-byte integer.
pub fn be16(n: u16) -> [u8; 2] {
    n.to_be_bytes()
}

/// A v5 property block: length, then the raw property bytes.
pub fn props(bytes: &[u8]) -> Vec<u8> {
    let mut out = varint(bytes.len());
    out.extend_from_slice(bytes);
    out
}

/// A v5 QoS 0 PUBLISH to `topic` (payload "x") with raw property bytes.
pub fn publish5_raw(topic: &[u8], prop_bytes: &[u8]) -> Vec<u8> {
    pkt(0x30, &[&sb(topic), &props(prop_bytes), b"x"])
}

/// A v5 CONNACK (success) with raw property bytes.
pub fn connack5_raw(prop_bytes: &[u8]) -> Vec<u8> {
    pkt(0x20, &[&[0, 0], &props(prop_bytes)])
}

/// `bytes` as spaced hex, for failure messages.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(&format!("{b:02x}"));
    }
    s
}
