//! `decode_v31`, `decode_v311`, `decode_v5`: arbitrary bytes through the
//! framer and the decoder as a read loop would feed them; whatever
//! decodes must survive an encode/decode round trip unchanged.

use mosquitto::protocol::packet::{decode, frame, Packet, ProtocolVersion};

/// Arbitrary bytes as a stream received on an MQTT 3.1 connection.
pub fn decode_v31(data: &[u8]) {
    stream(data, ProtocolVersion::V31);
}

/// Arbitrary bytes as a stream received on an MQTT 3.1.1 connection.
pub fn decode_v311(data: &[u8]) {
    stream(data, ProtocolVersion::V311);
}

/// Arbitrary bytes as a stream received on an MQTT 5.0 connection.
pub fn decode_v5(data: &[u8]) {
    stream(data, ProtocolVersion::V5);
}

/// Frames `data` packet after packet, decoding each complete one, until
/// the framer needs more bytes or refuses the header.
fn stream(mut data: &[u8], v: ProtocolVersion) {
    loop {
        let f = match frame(data, 0) {
            Ok(Some(f)) => f,
            Ok(None) | Err(_) => return,
        };
        assert!((2..=5).contains(&f.header_len), "{f:?}");
        assert_eq!(f.header, data[0]);
        if data.len() < f.total_len() {
            return;
        }
        let (packet, rest) = data.split_at(f.total_len());
        // The framer honours a limit exactly at the packet's size.
        let limit = u32::try_from(f.total_len()).expect("at most 2^28 + 4");
        assert_eq!(frame(packet, limit), Ok(Some(f)));
        assert!(frame(packet, limit - 1).is_err());
        if let Ok(p) = decode(packet, v) {
            round_trip(&p, v);
        }
        // A packet is decoded alone: trailing bytes make it malformed.
        if !rest.is_empty() {
            assert!(decode(&data[..f.total_len() + 1], v).is_err());
        }
        data = rest;
    }
}

/// Encodes a decoded packet, decodes that again and compares.
fn round_trip(p: &Packet<'_>, v: ProtocolVersion) {
    let mut bytes = Vec::new();
    p.write(v, &mut bytes);
    assert_eq!(bytes.len(), p.encoded_len(v), "encoded_len of {p:?}");
    let again = decode(&bytes, v)
        .unwrap_or_else(|e| panic!("{p:?} re-encoded as {bytes:02x?} does not decode: {e}"));
    assert_eq!(&again, p, "re-encoded as {bytes:02x?}");
    assert_eq!(again.packet_type(), p.packet_type());
    // Encoding is a function of the packet: the same bytes again.
    let mut twice = Vec::new();
    again.write(v, &mut twice);
    assert_eq!(twice, bytes, "second encoding of {p:?}");
}
