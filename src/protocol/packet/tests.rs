//! Codec tests: byte-exact encodings, round trips, one test per
//! malformation class, and seeded random tests.

use super::*;
use crate::protocol::property::{Identifier, Property, Value};
use ProtocolVersion::{V31, V311, V5};

const ALL: [ProtocolVersion; 3] = [V31, V311, V5];

fn enc(p: &Packet<'_>, v: ProtocolVersion) -> Vec<u8> {
    let mut out = Vec::new();
    p.write(v, &mut out);
    assert_eq!(out.len(), p.encoded_len(v), "encoded_len for {p:?}");
    out
}

/// Encodes, checks the bytes, decodes them back and checks equality.
fn exact(p: Packet<'_>, v: ProtocolVersion, bytes: &[u8]) {
    assert_eq!(enc(&p, v), bytes, "encoding of {p:?} for {v:?}");
    assert_eq!(decode(bytes, v), Ok(p), "decoding for {v:?}");
}

fn err(bytes: &[u8], v: ProtocolVersion) -> DecodeError {
    decode(bytes, v).expect_err("decode must fail")
}

const SESSION_EXPIRY_10: [Property<'static>; 1] = [Property {
    id: Identifier::SessionExpiryInterval,
    value: Value::Int32(10),
}];
const WILL_DELAY_5: [Property<'static>; 1] = [Property {
    id: Identifier::WillDelayInterval,
    value: Value::Int32(5),
}];
const REASON_X: [Property<'static>; 1] = [Property {
    id: Identifier::ReasonString,
    value: Value::String(b"x"),
}];

fn connect(version: ProtocolVersion) -> Packet<'static> {
    let v5 = version == V5;
    Packet::Connect(Connect {
        version,
        clean_start: true,
        keep_alive: if v5 { 10 } else { 60 },
        properties: if v5 {
            Properties::List(&SESSION_EXPIRY_10)
        } else {
            Properties::EMPTY
        },
        client_id: b"cid",
        will: Some(Will {
            topic: b"w/t",
            payload: b"bye",
            qos: 1,
            retain: true,
            properties: if v5 {
                Properties::List(&WILL_DELAY_5)
            } else {
                Properties::EMPTY
            },
        }),
        username: Some(b"user"),
        password: Some(b"pw"),
    })
}

const CONNECT_PAYLOAD: &[u8] = &[
    0, 3, b'c', b'i', b'd', 0, 3, b'w', b'/', b't', 0, 3, b'b', b'y', b'e', 0, 4, b'u', b's', b'e',
    b'r', 0, 2, b'p', b'w',
];

#[test]
fn connect_v311_exact() {
    let mut b = vec![0x10, 35, 0, 4, b'M', b'Q', b'T', b'T', 4, 0xEE, 0, 60];
    b.extend_from_slice(CONNECT_PAYLOAD);
    // The version argument is irrelevant: CONNECT announces its own.
    exact(connect(V311), V5, &b);
    exact(connect(V311), V311, &b);
}

#[test]
fn connect_v31_exact() {
    let mut b = vec![
        0x10, 37, 0, 6, b'M', b'Q', b'I', b's', b'd', b'p', 3, 0xEE, 0, 60,
    ];
    b.extend_from_slice(CONNECT_PAYLOAD);
    exact(connect(V31), V311, &b);
}

#[test]
fn connect_v5_exact() {
    // Variable header as in the v5 specification's example (3.1.2.11):
    // keep alive 10, Session Expiry Interval 10.
    let mut b = vec![0x10, 47, 0, 4, b'M', b'Q', b'T', b'T', 5, 0xEE, 0, 10];
    b.extend_from_slice(&[5, 0x11, 0, 0, 0, 10]);
    b.extend_from_slice(&CONNECT_PAYLOAD[..5]); // client id
    b.extend_from_slice(&[5, 0x18, 0, 0, 0, 5]); // will properties
    b.extend_from_slice(&CONNECT_PAYLOAD[5..]);
    exact(connect(V5), V5, &b);
}

#[test]
fn connect_minimal_and_password_only_v5() {
    let c = Packet::Connect(Connect {
        version: V5,
        clean_start: false,
        keep_alive: 0,
        properties: Properties::EMPTY,
        client_id: b"",
        will: None,
        username: None,
        password: Some(b"s"),
    });
    exact(
        c,
        V5,
        &[
            0x10, 16, 0, 4, b'M', b'Q', b'T', b'T', 5, 0x40, 0, 0, 0, 0, 0, 0, 1, b's',
        ],
    );
}

fn publish<'a>(qos: u8, dup: bool, retain: bool, props: Properties<'a>) -> Packet<'a> {
    Packet::Publish(Publish {
        dup,
        qos,
        retain,
        topic: b"a/b",
        packet_id: if qos > 0 { 10 } else { 0 },
        properties: props,
        payload: b"hi",
    })
}

#[test]
fn publish_v3_each_qos_exact() {
    for v in [V31, V311] {
        let e = Properties::EMPTY;
        exact(
            publish(0, false, false, e),
            v,
            &[0x30, 7, 0, 3, b'a', b'/', b'b', b'h', b'i'],
        );
        exact(
            publish(1, false, true, e),
            v,
            &[0x33, 9, 0, 3, b'a', b'/', b'b', 0, 10, b'h', b'i'],
        );
        exact(
            publish(2, true, false, e),
            v,
            &[0x3C, 9, 0, 3, b'a', b'/', b'b', 0, 10, b'h', b'i'],
        );
    }
}

#[test]
fn publish_v5_each_qos_exact() {
    const PROPS: [Property<'static>; 2] = [
        Property {
            id: Identifier::ContentType,
            value: Value::String(b"t"),
        },
        Property {
            id: Identifier::TopicAlias,
            value: Value::Int16(2),
        },
    ];
    let p = Properties::List(&PROPS);
    let block = [7, 0x03, 0, 1, b't', 0x23, 0, 2];
    let mut b = vec![0x30, 15, 0, 3, b'a', b'/', b'b'];
    b.extend_from_slice(&block);
    b.extend_from_slice(b"hi");
    exact(publish(0, false, false, p), V5, &b);
    let mut b = vec![0x32, 17, 0, 3, b'a', b'/', b'b', 0, 10];
    b.extend_from_slice(&block);
    b.extend_from_slice(b"hi");
    exact(publish(1, false, false, p), V5, &b);
    b[0] = 0x35;
    exact(publish(2, false, true, p), V5, &b);
    exact(
        publish(0, false, false, Properties::EMPTY),
        V5,
        &[0x30, 8, 0, 3, b'a', b'/', b'b', 0, b'h', b'i'],
    );
    let Ok(Packet::Publish(d)) = decode(&b, V5) else {
        panic!("publish did not decode")
    };
    assert_eq!(d.topic_alias(), Some(2));
    assert_eq!(d.payload, b"hi");
}

fn ack<'a>(kind: AckKind, reason_code: u8, properties: Properties<'a>) -> Packet<'a> {
    Packet::Ack(Ack {
        kind,
        packet_id: 0x1234,
        reason_code,
        properties,
    })
}

#[test]
fn ack_forms_exact() {
    let kinds = [
        (AckKind::Puback, 0x40),
        (AckKind::Pubrec, 0x50),
        (AckKind::Pubrel, 0x62),
        (AckKind::Pubcomp, 0x70),
    ];
    for (kind, h) in kinds {
        let e = Properties::EMPTY;
        let r = Properties::List(&REASON_X);
        exact(ack(kind, 0, e), V311, &[h, 2, 0x12, 0x34]);
        exact(ack(kind, 0, e), V31, &[h, 2, 0x12, 0x34]);
        // v5 short forms: success without properties, reason code only.
        exact(ack(kind, 0, e), V5, &[h, 2, 0x12, 0x34]);
        exact(ack(kind, 0x10, e), V5, &[h, 3, 0x12, 0x34, 0x10]);
        exact(
            ack(kind, 0x10, r),
            V5,
            &[h, 8, 0x12, 0x34, 0x10, 4, 0x1F, 0, 1, b'x'],
        );
        exact(
            ack(kind, 0, r),
            V5,
            &[h, 8, 0x12, 0x34, 0, 4, 0x1F, 0, 1, b'x'],
        );
        // Reason code with an empty property block is accepted.
        assert_eq!(
            decode(&[h, 4, 0x12, 0x34, 0x92, 0], V5),
            Ok(ack(kind, 0x92, e))
        );
    }
}

#[test]
fn connack_exact() {
    let c = |sp, rc, properties| {
        Packet::Connack(Connack {
            session_present: sp,
            reason_code: rc,
            properties,
        })
    };
    exact(c(true, 0, Properties::EMPTY), V311, &[0x20, 2, 1, 0]);
    exact(c(false, 5, Properties::EMPTY), V31, &[0x20, 2, 0, 5]);
    exact(c(true, 0, Properties::EMPTY), V5, &[0x20, 3, 1, 0, 0]);
    exact(
        c(false, 0x87, Properties::List(&REASON_X)),
        V5,
        &[0x20, 7, 0, 0x87, 4, 0x1F, 0, 1, b'x'],
    );
    // A v3 server refusing the version answers a v5 client in v3 form.
    assert_eq!(
        decode(&[0x20, 2, 0, 1], V5),
        Ok(c(false, 1, Properties::EMPTY))
    );
    assert_eq!(err(&[0x20, 2, 0, 0], V5), DecodeError::Malformed);
    // 3.1 reserved the flags byte; like libmosquitto, its low bit is read
    // as session present and the rest ignored.
    assert_eq!(
        decode(&[0x20, 2, 0xFE, 0], V31),
        Ok(c(false, 0, Properties::EMPTY))
    );
    assert_eq!(
        decode(&[0x20, 2, 0x01, 0], V31),
        Ok(c(true, 0, Properties::EMPTY))
    );
}

#[test]
fn subscribe_suback_exact() {
    let subs = [
        Subscription {
            filter: b"a/b",
            options: 1,
        },
        Subscription {
            filter: b"c/#",
            options: 0x2D,
        },
    ];
    let s = |properties| {
        Packet::Subscribe(Subscribe {
            packet_id: 1,
            properties,
            subscriptions: SubscriptionList::List(&subs[..1]),
        })
    };
    exact(
        s(Properties::EMPTY),
        V311,
        &[0x82, 8, 0, 1, 0, 3, b'a', b'/', b'b', 1],
    );
    exact(
        s(Properties::EMPTY),
        V5,
        &[0x82, 9, 0, 1, 0, 0, 3, b'a', b'/', b'b', 1],
    );
    let two = Packet::Subscribe(Subscribe {
        packet_id: 2,
        properties: Properties::EMPTY,
        subscriptions: SubscriptionList::List(&subs),
    });
    let bytes = [
        0x82, 15, 0, 2, 0, 0, 3, b'a', b'/', b'b', 1, 0, 3, b'c', b'/', b'#', 0x2D,
    ];
    exact(two, V5, &bytes);
    let Ok(Packet::Subscribe(d)) = decode(&bytes, V5) else {
        panic!("subscribe did not decode")
    };
    let second = d.subscriptions.iter().nth(1).unwrap();
    assert_eq!(
        (
            second.qos(),
            second.no_local(),
            second.retain_as_published()
        ),
        (1, true, true)
    );
    assert_eq!(second.retain_handling(), 2);

    let sa = |codes| {
        Packet::Suback(Suback {
            packet_id: 1,
            properties: Properties::EMPTY,
            codes,
        })
    };
    exact(sa(&[0, 0x80]), V311, &[0x90, 4, 0, 1, 0, 0x80]);
    exact(sa(&[2]), V5, &[0x90, 4, 0, 1, 0, 2]);
}

#[test]
fn unsubscribe_unsuback_exact() {
    let topics: [&[u8]; 2] = [b"a/b", b"c"];
    let u = Packet::Unsubscribe(Unsubscribe {
        packet_id: 1,
        properties: Properties::EMPTY,
        topics: TopicList::List(&topics),
    });
    exact(
        u,
        V311,
        &[0xA2, 10, 0, 1, 0, 3, b'a', b'/', b'b', 0, 1, b'c'],
    );
    exact(
        u,
        V5,
        &[0xA2, 11, 0, 1, 0, 0, 3, b'a', b'/', b'b', 0, 1, b'c'],
    );
    let ua = |codes| {
        Packet::Unsuback(Unsuback {
            packet_id: 1,
            properties: Properties::EMPTY,
            codes,
        })
    };
    exact(ua(&[]), V311, &[0xB0, 2, 0, 1]);
    exact(ua(&[0, 0x11]), V5, &[0xB0, 5, 0, 1, 0, 0, 0x11]);
}

#[test]
fn ping_disconnect_auth_exact() {
    for v in ALL {
        exact(Packet::Pingreq, v, &[0xC0, 0]);
        exact(Packet::Pingresp, v, &[0xD0, 0]);
    }
    let d = |rc, properties| {
        Packet::Disconnect(Disconnect {
            reason_code: rc,
            properties,
        })
    };
    exact(d(0, Properties::EMPTY), V311, &[0xE0, 0]);
    exact(d(0, Properties::EMPTY), V5, &[0xE0, 0]);
    exact(d(0x8E, Properties::EMPTY), V5, &[0xE0, 1, 0x8E]);
    exact(
        d(0x04, Properties::List(&REASON_X)),
        V5,
        &[0xE0, 6, 0x04, 4, 0x1F, 0, 1, b'x'],
    );
    let a = |rc, properties| {
        Packet::Auth(Auth {
            reason_code: rc,
            properties,
        })
    };
    exact(a(0, Properties::EMPTY), V5, &[0xF0, 0]);
    // No short form with the reason code alone: the property length follows.
    exact(a(0x18, Properties::EMPTY), V5, &[0xF0, 2, 0x18, 0]);
    exact(
        a(0x19, Properties::List(&REASON_X)),
        V5,
        &[0xF0, 6, 0x19, 4, 0x1F, 0, 1, b'x'],
    );
}

// ---- one test per malformation class ----

#[test]
fn reserved_type_and_auth_before_v5() {
    for v in ALL {
        assert_eq!(err(&[0x00, 0], v), DecodeError::Protocol);
    }
    assert_eq!(err(&[0xF0, 0], V311), DecodeError::Protocol);
    // AUTH: reserved flags, a reason code alone, bytes after the properties.
    assert_eq!(err(&[0xF1, 2, 0x18, 0], V5), DecodeError::Malformed);
    assert_eq!(err(&[0xF8, 0], V5), DecodeError::Malformed);
    assert_eq!(err(&[0xF0, 1, 0x18], V5), DecodeError::Malformed);
    assert_eq!(err(&[0xF0, 3, 0x18, 0, 0], V5), DecodeError::Malformed);
    assert_eq!(err(&[0xF0, 0], V31), DecodeError::Protocol);
}

#[test]
fn invalid_fixed_header_flags() {
    // The packets a client sends must carry their fixed flags.
    let malformed: &[&[u8]] = &[
        &[0x80, 6, 0, 1, 0, 1, b'a', 0], // SUBSCRIBE without 0x2
        &[0xA0, 5, 0, 1, 0, 1, b'a'],    // UNSUBSCRIBE without 0x2
        &[0xC1, 0],                      // PINGREQ with flags
    ];
    for bytes in malformed {
        assert_eq!(err(bytes, V311), DecodeError::Malformed, "{bytes:02x?}");
        assert_eq!(err(bytes, V5), DecodeError::Malformed, "{bytes:02x?}");
    }
    // PUBREL's flags are fixed from 3.1.1 on; 3.1 did not fix them.
    for bytes in [&[0x60u8, 2, 0, 1][..], &[0x63, 2, 0, 1]] {
        assert_eq!(err(bytes, V311), DecodeError::Malformed, "{bytes:02x?}");
        assert_eq!(err(bytes, V5), DecodeError::Malformed, "{bytes:02x?}");
        assert!(decode(bytes, V31).is_ok(), "{bytes:02x?}");
    }
    // The reserved flags of what a server sends are checked from 3.1.1 on
    // [MQTT-2.2.2-2], [MQTT-2.1.3-1] (libmosquitto ignores them), and
    // ignored in 3.1, as libmosquitto does.
    let reserved: &[&[u8]] = &[
        &[0x42, 2, 0, 1],    // PUBACK with flags
        &[0x72, 2, 0, 1],    // PUBCOMP with flags
        &[0x91, 3, 0, 1, 0], // SUBACK with flags
        &[0xD8, 0],          // PINGRESP with flags
        &[0x21, 2, 0, 0],    // CONNACK with flags
    ];
    for bytes in reserved {
        assert_eq!(err(bytes, V311), DecodeError::Malformed, "{bytes:02x?}");
        assert_eq!(err(bytes, V5), DecodeError::Malformed, "{bytes:02x?}");
        assert!(decode(bytes, V31).is_ok(), "{bytes:02x?}");
    }
}

#[test]
fn publish_qos3_and_dup_on_qos0() {
    for v in ALL {
        assert_eq!(err(&[0x36, 5, 0, 1, b'a', 0, 1], v), DecodeError::Malformed);
        assert_eq!(err(&[0x38, 3, 0, 1, b'a'], v), DecodeError::Malformed);
    }
}

#[test]
fn packet_id_zero() {
    for v in ALL {
        assert_eq!(err(&[0x32, 5, 0, 1, b'a', 0, 0], v), DecodeError::Protocol);
        assert_eq!(err(&[0x40, 2, 0, 0], v), DecodeError::Protocol);
        assert_eq!(err(&[0x62, 2, 0, 0], v), DecodeError::Protocol);
        assert_eq!(err(&[0x90, 3, 0, 0, 0], V311), DecodeError::Protocol);
        assert_eq!(
            err(&[0x82, 6, 0, 0, 0, 1, b'a', 0], V311),
            DecodeError::Protocol
        );
        assert_eq!(err(&[0xB0, 2, 0, 0], V311), DecodeError::Protocol);
    }
}

#[test]
fn wrong_remaining_lengths() {
    // Trailing bytes.
    assert_eq!(err(&[0x40, 3, 0, 1, 0], V311), DecodeError::Malformed);
    assert_eq!(err(&[0xC0, 1, 0], V5), DecodeError::Malformed);
    assert_eq!(err(&[0x20, 3, 0, 0, 0], V311), DecodeError::Malformed);
    assert_eq!(err(&[0xE0, 1, 0], V311), DecodeError::Malformed);
    assert_eq!(err(&[0xB0, 3, 0, 1, 0], V311), DecodeError::Malformed);
    assert_eq!(err(&[0x40, 5, 0, 1, 0, 0, 9], V5), DecodeError::Malformed);
    assert_eq!(err(&[0xE0, 3, 0, 0, 9], V5), DecodeError::Malformed);
    // Too short.
    assert_eq!(err(&[0x40, 1, 0], V311), DecodeError::Malformed);
    assert_eq!(err(&[0x20, 1, 0], V311), DecodeError::Malformed);
    assert_eq!(err(&[0x30, 3, 0, 5, b'a'], V311), DecodeError::Malformed);
    assert_eq!(err(&[0x32, 4, 0, 1, b'a', 0], V311), DecodeError::Malformed);
    assert_eq!(err(&[0x30, 3, 0, 1, b'a'], V5), DecodeError::Malformed); // no props
                                                                         // The slice disagrees with the remaining length.
    assert_eq!(err(&[0xC0, 0, 0], V311), DecodeError::Malformed);
    assert_eq!(err(&[0x40, 2, 0], V311), DecodeError::Malformed);
    assert_eq!(err(&[], V311), DecodeError::Malformed);
    assert_eq!(err(&[0x30, 0x80], V311), DecodeError::Malformed);
    // A fifth remaining length byte.
    assert_eq!(
        err(&[0x30, 0x80, 0x80, 0x80, 0x80, 0x01], V311),
        DecodeError::Malformed
    );
}

#[test]
fn malformed_utf8() {
    // Invalid sequence, NUL, and a control character.
    assert_eq!(
        err(&[0x30, 4, 0, 2, 0xC3, 0x28], V311),
        DecodeError::MalformedUtf8
    );
    assert_eq!(err(&[0x30, 3, 0, 1, 0], V311), DecodeError::MalformedUtf8);
    assert_eq!(
        err(&[0x82, 6, 0, 1, 0, 1, 0x01, 0], V311),
        DecodeError::MalformedUtf8
    );
    let mut c = vec![
        0x10, 14, 0, 4, b'M', b'Q', b'T', b'T', 4, 0, 0, 0, 0, 2, b'a', 0xFF,
    ];
    assert_eq!(err(&c, V311), DecodeError::MalformedUtf8);
    c[15] = b'b';
    assert!(decode(&c, V311).is_ok());
    // A string inside a property.
    assert_eq!(
        err(&[0x40, 8, 0, 1, 0x80, 4, 0x1F, 0, 1, 0xFF], V5),
        DecodeError::MalformedUtf8
    );
}

#[test]
fn publish_topic_rules() {
    for v in ALL {
        assert_eq!(err(&[0x30, 3, 0, 1, b'#'], v), DecodeError::Malformed);
        assert_eq!(
            err(&[0x30, 5, 0, 3, b'a', b'+', b'b'], v),
            DecodeError::Malformed
        );
    }
    // Empty topic: a protocol error in v3 and in v5 without an alias.
    assert_eq!(err(&[0x30, 3, 0, 0, b'x'], V311), DecodeError::Protocol);
    assert_eq!(err(&[0x30, 3, 0, 0, 0], V5), DecodeError::Protocol);
    let aliased = [0x30, 7, 0, 0, 3, 0x23, 0, 9, b'x'];
    let Ok(Packet::Publish(p)) = decode(&aliased, V5) else {
        panic!("aliased publish rejected")
    };
    assert_eq!(
        (p.topic, p.topic_alias(), p.payload),
        (&b""[..], Some(9), &b"x"[..])
    );
}

#[test]
fn empty_lists() {
    assert_eq!(err(&[0x90, 2, 0, 1], V311), DecodeError::Protocol);
    assert_eq!(err(&[0x90, 3, 0, 1, 0], V5), DecodeError::Protocol);
    assert_eq!(err(&[0xB0, 3, 0, 1, 0], V5), DecodeError::Protocol);
    assert_eq!(err(&[0x82, 2, 0, 1], V311), DecodeError::Protocol);
    assert_eq!(err(&[0xA2, 2, 0, 1], V311), DecodeError::Protocol);
    assert_eq!(err(&[0xA2, 3, 0, 1, 0], V5), DecodeError::Protocol);
    // An empty filter inside the list.
    assert_eq!(err(&[0x82, 5, 0, 1, 0, 0, 1], V311), DecodeError::Malformed);
    assert_eq!(err(&[0xA2, 4, 0, 1, 0, 0], V311), DecodeError::Malformed);
}

#[test]
fn subscription_options() {
    let sub = |v, o| err(&[0x82, 6, 0, 1, 0, 1, b'a', o], v);
    assert_eq!(sub(V311, 0x03), DecodeError::Malformed); // QoS 3
    assert_eq!(sub(V311, 0x04), DecodeError::Malformed); // v3 reserved bit
    assert_eq!(
        err(&[0x82, 7, 0, 1, 0, 0, 1, b'a', 0x40], V5),
        DecodeError::Malformed
    );
    assert_eq!(
        err(&[0x82, 7, 0, 1, 0, 0, 1, b'a', 0x03], V5),
        DecodeError::Malformed
    );
    assert_eq!(
        err(&[0x82, 7, 0, 1, 0, 0, 1, b'a', 0x30], V5),
        DecodeError::Protocol
    );
    assert!(decode(&[0x82, 7, 0, 1, 0, 0, 1, b'a', 0x2E], V5).is_ok());
    // No Local on a shared subscription.
    let mut shared = vec![0x82, 15, 0, 1, 0, 0, 9];
    shared.extend_from_slice(b"$share/g/");
    shared.push(0x04);
    assert_eq!(err(&shared, V5), DecodeError::Protocol);
    *shared.last_mut().unwrap() = 0x08;
    assert!(decode(&shared, V5).is_ok());
    // Options byte missing after the filter.
    assert_eq!(
        err(&[0x82, 5, 0, 1, 0, 1, b'a'], V311),
        DecodeError::Malformed
    );
}

#[test]
fn property_errors() {
    // Topic Alias is not valid in PUBACK: a Malformed Packet (2.2.2.2).
    assert_eq!(
        err(&[0x40, 7, 0, 1, 0, 3, 0x23, 0, 1], V5),
        DecodeError::Malformed
    );
    // Two Content Types in PUBLISH.
    let dup = [0x30, 13, 0, 1, b'a', 8, 3, 0, 1, b'x', 3, 0, 1, b'y', b'p'];
    assert_eq!(err(&dup, V5), DecodeError::DuplicateProperty);
    // Unknown identifier 0x7F.
    assert_eq!(
        err(&[0x40, 6, 0, 1, 0, 2, 0x7F, 0], V5),
        DecodeError::Malformed
    );
    // Block length beyond the packet.
    assert_eq!(
        err(&[0x40, 5, 0, 1, 0, 9, 0x1F], V5),
        DecodeError::Malformed
    );
    // Property value cut short.
    assert_eq!(
        err(&[0x40, 6, 0, 1, 0, 2, 0x23, 0], V5),
        DecodeError::Malformed
    );
    // Will properties are checked against CMD_WILL.
    let will_with = |prop: &[u8]| {
        let mut c = vec![
            0x10, 0, 0, 4, b'M', b'Q', b'T', b'T', 5, 0x04, 0, 0, 0, 0, 0,
        ];
        c.push(prop.len() as u8);
        c.extend_from_slice(prop);
        c.extend_from_slice(&[0, 1, b't', 0, 0]);
        c[1] = (c.len() - 2) as u8;
        c
    };
    assert_eq!(err(&will_with(&[0x23, 0, 1]), V5), DecodeError::Malformed);
    let good = will_with(&[0x01, 1]);
    let Ok(Packet::Connect(c)) = decode(&good, V5) else {
        panic!("will with payload format indicator rejected")
    };
    let will = c.will.unwrap();
    assert_eq!(
        will.properties.find(Identifier::PayloadFormatIndicator),
        Some(Value::Byte(1))
    );
    assert_eq!(will.topic, b"t");
}

#[test]
fn connect_rules() {
    let base = |name: &[u8], level: u8, flags: u8| {
        let mut c = vec![0x10, 0];
        c.extend_from_slice(&[0, name.len() as u8]);
        c.extend_from_slice(name);
        c.extend_from_slice(&[level, flags, 0, 0]);
        if level == 5 {
            c.push(0);
        }
        c.extend_from_slice(&[0, 0]);
        c[1] = (c.len() - 2) as u8;
        c
    };
    assert!(decode(&base(b"MQTT", 4, 0), V311).is_ok());
    assert!(decode(&base(b"MQIsdp", 3, 0), V311).is_ok());
    assert_eq!(err(&base(b"MQTT", 3, 0), V311), DecodeError::Protocol);
    assert_eq!(err(&base(b"MQIsdp", 4, 0), V311), DecodeError::Protocol);
    assert_eq!(err(&base(b"MQTT", 6, 0), V311), DecodeError::Protocol);
    assert_eq!(err(&base(b"HELLO", 4, 0), V311), DecodeError::Protocol);
    assert_eq!(err(&base(b"MQTT", 4, 0x01), V311), DecodeError::Malformed); // reserved
    assert_eq!(err(&base(b"MQTT", 4, 0x08), V311), DecodeError::Malformed); // will QoS, no will
    assert_eq!(err(&base(b"MQTT", 4, 0x20), V311), DecodeError::Malformed); // will retain, no will
    assert_eq!(err(&base(b"MQTT", 4, 0x1C), V311), DecodeError::Malformed); // will QoS 3
                                                                            // Password without user name: a protocol error before v5.
    let mut p4 = base(b"MQTT", 4, 0x40);
    p4.extend_from_slice(&[0, 1, b'p']);
    p4[1] += 3;
    assert_eq!(err(&p4, V311), DecodeError::Protocol);
    let mut p5 = base(b"MQTT", 5, 0x40);
    p5.extend_from_slice(&[0, 1, b'p']);
    p5[1] += 3;
    assert!(decode(&p5, V5).is_ok());
    // Missing will fields, trailing bytes.
    assert_eq!(err(&base(b"MQTT", 4, 0x04), V311), DecodeError::Malformed);
    let mut t = base(b"MQTT", 4, 0);
    t.push(0);
    t[1] += 1;
    assert_eq!(err(&t, V311), DecodeError::Malformed);
    // Will topic with a wildcard.
    let mut w = base(b"MQTT", 4, 0x04);
    w.extend_from_slice(&[0, 1, b'#', 0, 0]);
    w[1] += 5;
    assert_eq!(err(&w, V311), DecodeError::Protocol);
}

#[test]
fn connack_reserved_flags() {
    assert_eq!(err(&[0x20, 2, 0x02, 0], V311), DecodeError::Protocol);
    assert_eq!(err(&[0x20, 3, 0x80, 0, 0], V5), DecodeError::Protocol);
}

#[test]
fn oversize_frame() {
    assert_eq!(
        frame(&[0x30, 0xFF, 0xFF, 0xFF, 0x7F], 4096),
        Err(DecodeError::Oversize)
    );
    assert_eq!(
        frame(&[0x30, 0x80, 0x80, 0x80, 0x80], 0),
        Err(DecodeError::Malformed)
    );
}

#[test]
fn frame_then_decode_stream() {
    let mut stream = Vec::new();
    let pkts = [
        publish(1, false, false, Properties::EMPTY),
        Packet::Pingresp,
        ack(AckKind::Pubrec, 0, Properties::EMPTY),
    ];
    for p in &pkts {
        p.write(V311, &mut stream);
    }
    let mut got = Vec::new();
    let mut rest = &stream[..];
    while let Some(f) = frame(rest, 0).unwrap() {
        if rest.len() < f.total_len() {
            break;
        }
        got.push(decode(&rest[..f.total_len()], V311).unwrap());
        rest = &rest[f.total_len()..];
    }
    assert!(rest.is_empty());
    assert_eq!(got, pkts);
    // decode_body agrees with decode.
    let f = frame(&stream, 0).unwrap().unwrap();
    assert_eq!(
        decode_body(f.header, &stream[f.header_len..f.total_len()], V311),
        Ok(pkts[0])
    );
}

// ---- seeded random tests ----

/// SplitMix64: small, seeded, good enough for test inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn bool(&mut self) -> bool {
        self.next() & 1 == 1
    }
    fn byte(&mut self) -> u8 {
        self.next() as u8
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
    /// A random prefix of a property list (empty in v3).
    fn props<'a>(&mut self, v: ProtocolVersion, list: &'a [Property<'a>]) -> Properties<'a> {
        if v == V5 {
            Properties::List(&list[..self.below(list.len() + 1)])
        } else {
            Properties::EMPTY
        }
    }
}

/// Exercises every lazy accessor of a decoded packet.
fn touch(p: &Packet<'_>) -> usize {
    let props = |x: &Properties<'_>| x.iter().count();
    match p {
        Packet::Connect(c) => props(&c.properties) + c.will.map_or(0, |w| props(&w.properties)),
        Packet::Connack(c) => props(&c.properties),
        Packet::Publish(x) => props(&x.properties) + usize::from(x.topic_alias().is_some()),
        Packet::Ack(x) => props(&x.properties),
        Packet::Subscribe(x) => props(&x.properties) + x.subscriptions.len(),
        Packet::Suback(x) => props(&x.properties) + x.codes.len(),
        Packet::Unsubscribe(x) => props(&x.properties) + x.topics.len(),
        Packet::Unsuback(x) => props(&x.properties) + x.codes.len(),
        Packet::Disconnect(x) => props(&x.properties),
        Packet::Auth(x) => props(&x.properties),
        Packet::Pingreq | Packet::Pingresp => 0,
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(0x5EED_0001);
    let mut buf = Vec::new();
    let mut decoded = 0;
    for i in 0..30_000 {
        buf.clear();
        let len = rng.below(48);
        if i % 2 == 0 {
            // Well-framed: a random first byte, a correct length, random body.
            buf.push(rng.byte());
            write_varint(&mut buf, len as u32);
        }
        for _ in 0..len {
            // Bias towards small values so lengths and ids often fit.
            buf.push(if rng.bool() {
                rng.byte() & 0x07
            } else {
                rng.byte()
            });
        }
        for v in ALL {
            let _ = frame(&buf, rng.next() as u32);
            if let Ok(p) = decode(&buf, v) {
                decoded += 1;
                touch(&p);
                // Whatever decodes must re-encode to the same bytes,
                // except forms the encoder normalises (shortest ack/
                // disconnect tails, v3 CONNACK quirks).
                let again = enc(&p, v);
                assert_eq!(decode(&again, v), Ok(p));
            }
        }
    }
    assert!(decoded > 100, "only {decoded} random frames decoded");
}

#[test]
fn mutated_valid_packets_never_panic() {
    let mut rng = Rng(0x5EED_0002);
    let mut seeds = Vec::new();
    for v in ALL {
        let mut out = Vec::new();
        connect(v).write(v, &mut out);
        seeds.push((out, v));
    }
    let mut out = Vec::new();
    publish(1, false, false, Properties::List(&REASON_X[..0])).write(V5, &mut out);
    seeds.push((out, V5));
    for _ in 0..20_000 {
        let (seed, v) = rng.pick(
            &seeds
                .iter()
                .map(|(s, v)| (s.as_slice(), *v))
                .collect::<Vec<_>>(),
        );
        let mut m = seed.to_vec();
        for _ in 0..1 + rng.below(3) {
            let i = rng.below(m.len());
            m[i] ^= 1 << rng.below(8);
        }
        if let Ok(p) = decode(&m, v) {
            touch(&p);
        }
    }
}

const TOPICS: [&[u8]; 4] = [
    b"a",
    b"a/b",
    b"sport/tennis/player1",
    "\u{fc}/\u{65e5}\u{672c}".as_bytes(),
];
const FILTERS: [&[u8]; 4] = [b"a/+", b"#", b"x/y", b"$share/g/t"];

const P_CONNECT: [Property<'static>; 3] = [
    Property {
        id: Identifier::SessionExpiryInterval,
        value: Value::Int32(3600),
    },
    Property {
        id: Identifier::ReceiveMaximum,
        value: Value::Int16(20),
    },
    Property {
        id: Identifier::UserProperty,
        value: Value::StringPair(b"k", b"v"),
    },
];
const P_WILL: [Property<'static>; 3] = [
    Property {
        id: Identifier::WillDelayInterval,
        value: Value::Int32(7),
    },
    Property {
        id: Identifier::PayloadFormatIndicator,
        value: Value::Byte(1),
    },
    Property {
        id: Identifier::CorrelationData,
        value: Value::Binary(&[0, 1, 2]),
    },
];
const P_CONNACK: [Property<'static>; 3] = [
    Property {
        id: Identifier::AssignedClientIdentifier,
        value: Value::String(b"auto-1"),
    },
    Property {
        id: Identifier::TopicAliasMaximum,
        value: Value::Int16(10),
    },
    Property {
        id: Identifier::MaximumQos,
        value: Value::Byte(1),
    },
];
const P_PUBLISH: [Property<'static>; 4] = [
    Property {
        id: Identifier::TopicAlias,
        value: Value::Int16(3),
    },
    Property {
        id: Identifier::SubscriptionIdentifier,
        value: Value::VarInt(300),
    },
    Property {
        id: Identifier::MessageExpiryInterval,
        value: Value::Int32(60),
    },
    Property {
        id: Identifier::UserProperty,
        value: Value::StringPair(b"a", b""),
    },
];
const P_REPLY: [Property<'static>; 2] = [
    Property {
        id: Identifier::ReasonString,
        value: Value::String(b"why"),
    },
    Property {
        id: Identifier::UserProperty,
        value: Value::StringPair(b"k", b"v"),
    },
];
const P_SUBSCRIBE: [Property<'static>; 2] = [
    Property {
        id: Identifier::SubscriptionIdentifier,
        value: Value::VarInt(1),
    },
    Property {
        id: Identifier::UserProperty,
        value: Value::StringPair(b"k", b"v"),
    },
];
const P_AUTH: [Property<'static>; 2] = [
    Property {
        id: Identifier::AuthenticationMethod,
        value: Value::String(b"SCRAM"),
    },
    Property {
        id: Identifier::AuthenticationData,
        value: Value::Binary(b"\x00\xff"),
    },
];

fn random_packet<'a>(
    rng: &mut Rng,
    v: ProtocolVersion,
    payload: &'a [u8],
    subs: &'a [Subscription<'a>],
) -> Packet<'a> {
    let v5 = v == V5;
    let id = 1 + rng.below(65_535) as u16;
    let codes = &payload[..1 + rng.below(4)];
    match rng.below(if v5 { 12 } else { 11 }) {
        0 => {
            let will = rng.bool().then(|| Will {
                topic: rng.pick(&TOPICS),
                payload: &payload[..rng.below(payload.len())],
                qos: rng.below(3) as u8,
                retain: rng.bool(),
                properties: rng.props(v, &P_WILL),
            });
            let username = rng.bool().then_some(&b"user"[..]);
            Packet::Connect(Connect {
                version: v,
                clean_start: rng.bool(),
                keep_alive: rng.next() as u16,
                properties: rng.props(v, &P_CONNECT),
                client_id: if rng.bool() { b"" } else { b"client-7" },
                will,
                password: (rng.bool() && (v5 || username.is_some())).then_some(&payload[..3]),
                username,
            })
        }
        1 => Packet::Connack(Connack {
            session_present: v != V31 && rng.bool(),
            reason_code: rng.byte(),
            properties: rng.props(v, &P_CONNACK),
        }),
        2 => {
            let qos = rng.below(3) as u8;
            let properties = rng.props(v, &P_PUBLISH);
            Packet::Publish(Publish {
                dup: qos > 0 && rng.bool(),
                qos,
                retain: rng.bool(),
                // An empty topic needs the alias, the list's first entry.
                topic: if !properties.is_empty() && rng.bool() {
                    b""
                } else {
                    rng.pick(&TOPICS)
                },
                packet_id: if qos > 0 { id } else { 0 },
                properties,
                payload: &payload[..rng.below(payload.len())],
            })
        }
        3 => Packet::Ack(Ack {
            kind: rng.pick(&[
                AckKind::Puback,
                AckKind::Pubrec,
                AckKind::Pubrel,
                AckKind::Pubcomp,
            ]),
            packet_id: id,
            reason_code: if v5 {
                rng.pick(&[0, 0x10, 0x80, 0x92])
            } else {
                0
            },
            properties: rng.props(v, &P_REPLY),
        }),
        4 => Packet::Subscribe(Subscribe {
            packet_id: id,
            properties: rng.props(v, &P_SUBSCRIBE),
            subscriptions: SubscriptionList::List(&subs[..1 + rng.below(subs.len())]),
        }),
        5 => Packet::Suback(Suback {
            packet_id: id,
            properties: rng.props(v, &P_REPLY),
            codes,
        }),
        6 => Packet::Unsubscribe(Unsubscribe {
            packet_id: id,
            properties: rng.props(v, &P_REPLY[1..]),
            topics: TopicList::List(&FILTERS[..1 + rng.below(FILTERS.len())]),
        }),
        7 => Packet::Unsuback(Unsuback {
            packet_id: id,
            properties: rng.props(v, &P_REPLY),
            codes: if v5 { codes } else { &[] },
        }),
        8 => Packet::Pingreq,
        9 => Packet::Pingresp,
        10 => Packet::Disconnect(Disconnect {
            reason_code: if v5 { rng.byte() } else { 0 },
            properties: rng.props(v, &P_REPLY),
        }),
        _ => Packet::Auth(Auth {
            reason_code: rng.pick(&[0, 0x18, 0x19]),
            properties: rng.props(v, &P_AUTH),
        }),
    }
}

#[test]
fn random_valid_packets_round_trip() {
    let mut rng = Rng(0x5EED_0003);
    let payload: Vec<u8> = (0..300).map(|_| rng.byte()).collect();
    let mut out = Vec::new();
    for _ in 0..5_000 {
        let v = rng.pick(&ALL);
        let subs: Vec<Subscription<'_>> = (0..4)
            .map(|_| Subscription {
                filter: rng.pick(&FILTERS[..3]),
                options: if v == V5 {
                    rng.below(3) as u8
                        | u8::from(rng.bool()) << 2
                        | u8::from(rng.bool()) << 3
                        | (rng.below(3) as u8) << 4
                } else {
                    rng.below(3) as u8
                },
            })
            .collect();
        let p = random_packet(&mut rng, v, &payload, &subs);
        out.clear();
        out.extend_from_slice(b"prefix");
        p.write(v, &mut out);
        let bytes = &out[6..];
        assert_eq!(bytes.len(), p.encoded_len(v));
        let f = frame(bytes, 0).unwrap().unwrap();
        assert_eq!(f.total_len(), bytes.len());
        let d = decode(bytes, v).unwrap_or_else(|e| panic!("{e:?} decoding {p:?} ({v:?})"));
        assert_eq!(d, p, "{v:?}");
        touch(&d);
        assert_eq!(enc(&d, v), bytes, "re-encoding {v:?}");
    }
}
