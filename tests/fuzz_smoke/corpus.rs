//! The seed corpus of the fuzz targets (fuzz/corpus/<target>/<name>),
//! built here from the crate's own encoders so that it is reproducible:
//! small valid packets of every type for each version, property blocks
//! for each command, topic/filter pairs and UTF-8 strings, and session
//! scripts that exercise each exchange.

use std::collections::BTreeMap;

use mosquitto::protocol::packet::{
    Ack, AckKind, Auth, Connack, Connect, Disconnect, Packet, Properties, ProtocolVersion, Publish,
    Suback, Subscribe, Subscription, SubscriptionList, TopicList, Unsuback, Unsubscribe, Will,
};
use mosquitto::protocol::property::{write_property, Identifier as I, Property, Value};

/// Every seed: target name, then file name, to the file's bytes.
pub type Corpus = BTreeMap<&'static str, BTreeMap<String, Vec<u8>>>;

/// The whole seed corpus.
pub fn corpus() -> Corpus {
    let mut c = Corpus::new();
    for (target, v) in [
        ("decode_v31", ProtocolVersion::V31),
        ("decode_v311", ProtocolVersion::V311),
        ("decode_v5", ProtocolVersion::V5),
    ] {
        let seeds = c.entry(target).or_default();
        let mut stream = Vec::new();
        for (name, p) in packets(v) {
            let bytes = encode(v, &p);
            stream.extend_from_slice(&bytes);
            seeds.insert(name.to_string(), bytes);
        }
        seeds.insert("stream-of-all".to_string(), stream);
    }
    c.insert("properties", property_seeds());
    c.insert("topic_utf8", topic_seeds());
    c.insert("session", session_seeds());
    #[cfg(all(feature = "tls", feature = "websockets"))]
    c.extend(crate::transport_seeds::seeds());
    c
}

fn encode(v: ProtocolVersion, p: &Packet<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    p.write(v, &mut out);
    out
}

fn prop(id: I, value: Value<'static>) -> Property<'static> {
    Property { id, value }
}

const USER: Property<'static> = Property {
    id: I::UserProperty,
    value: Value::StringPair(b"key", b"value"),
};

/// Properties typical of each packet (only encoded for v5).
fn props_for(command: u32) -> Vec<Property<'static>> {
    match command {
        0x10 => vec![
            prop(I::SessionExpiryInterval, Value::Int32(60)),
            prop(I::ReceiveMaximum, Value::Int16(20)),
            prop(I::MaximumPacketSize, Value::Int32(65536)),
            prop(I::TopicAliasMaximum, Value::Int16(10)),
            prop(I::RequestProblemInformation, Value::Byte(1)),
            prop(I::AuthenticationMethod, Value::String(b"SCRAM")),
            USER,
        ],
        0x20 => vec![
            prop(I::AssignedClientIdentifier, Value::String(b"auto-1")),
            prop(I::ServerKeepAlive, Value::Int16(30)),
            prop(I::ReceiveMaximum, Value::Int16(10)),
            prop(I::MaximumQos, Value::Byte(1)),
            prop(I::RetainAvailable, Value::Byte(0)),
            prop(I::TopicAliasMaximum, Value::Int16(5)),
            prop(I::WildcardSubscriptionAvailable, Value::Byte(1)),
            prop(I::SharedSubscriptionAvailable, Value::Byte(1)),
            prop(I::SubscriptionIdentifierAvailable, Value::Byte(1)),
            prop(I::ResponseInformation, Value::String(b"resp/")),
            prop(I::ServerReference, Value::String(b"other")),
            prop(I::ReasonString, Value::String(b"ok")),
        ],
        0x30 => vec![
            prop(I::PayloadFormatIndicator, Value::Byte(1)),
            prop(I::MessageExpiryInterval, Value::Int32(3600)),
            prop(I::TopicAlias, Value::Int16(1)),
            prop(I::ResponseTopic, Value::String(b"reply/to")),
            prop(I::CorrelationData, Value::Binary(b"\x00\x01")),
            prop(I::SubscriptionIdentifier, Value::VarInt(200)),
            prop(I::ContentType, Value::String(b"text/plain")),
            USER,
        ],
        0x80 => vec![prop(I::SubscriptionIdentifier, Value::VarInt(7)), USER],
        0xA0 => vec![USER],
        0x100 => vec![
            prop(I::WillDelayInterval, Value::Int32(5)),
            prop(I::PayloadFormatIndicator, Value::Byte(0)),
            prop(I::ContentType, Value::String(b"c")),
        ],
        0xE0 => vec![
            prop(I::SessionExpiryInterval, Value::Int32(0)),
            prop(I::ReasonString, Value::String(b"bye")),
            USER,
        ],
        0xF0 => vec![
            prop(I::AuthenticationMethod, Value::String(b"SCRAM")),
            prop(I::AuthenticationData, Value::Binary(b"\x01\x02\x03")),
        ],
        // PUBACK..PUBCOMP, SUBACK, UNSUBACK.
        _ => vec![prop(I::ReasonString, Value::String(b"why")), USER],
    }
}

/// Leaks a property list so packets can borrow it for 'static (seed
/// generation only: a few hundred bytes per run).
fn leak(list: Vec<Property<'static>>) -> Properties<'static> {
    Properties::List(Vec::leak(list))
}

/// One packet of each type and interesting shape for version `v`.
fn packets(v: ProtocolVersion) -> Vec<(&'static str, Packet<'static>)> {
    let v5 = v.is_v5();
    let p = |command: u32| {
        if v5 {
            leak(props_for(command))
        } else {
            Properties::EMPTY
        }
    };
    let ack = |kind, rc: u8, props| {
        Packet::Ack(Ack {
            kind,
            packet_id: 7,
            reason_code: rc,
            properties: props,
        })
    };
    let subs: &'static [Subscription<'static>] = Vec::leak(vec![
        Subscription {
            filter: b"a/+/c",
            options: 1,
        },
        Subscription {
            filter: b"sport/#",
            options: if v5 { 0x2E } else { 2 },
        },
    ]);
    let topics: &'static [&'static [u8]] = Vec::leak(vec![&b"a/+/c"[..], &b"sport/#"[..]]);
    let mut list = vec![
        (
            "connect-minimal",
            Packet::Connect(Connect {
                version: v,
                clean_start: true,
                keep_alive: 60,
                properties: Properties::EMPTY,
                client_id: b"client",
                will: None,
                username: None,
                password: None,
            }),
        ),
        (
            "connect-full",
            Packet::Connect(Connect {
                version: v,
                clean_start: false,
                keep_alive: 10,
                properties: p(0x10),
                client_id: b"client-full",
                will: Some(Will {
                    topic: b"will/topic",
                    payload: b"gone",
                    qos: 1,
                    retain: true,
                    properties: p(0x100),
                }),
                username: Some(b"user"),
                password: Some(b"pass\x00word"),
            }),
        ),
        (
            "connack-accepted",
            Packet::Connack(Connack {
                session_present: false,
                reason_code: 0,
                properties: p(0x20),
            }),
        ),
        (
            "connack-refused",
            Packet::Connack(Connack {
                session_present: false,
                reason_code: if v5 { 0x87 } else { 5 },
                properties: Properties::EMPTY,
            }),
        ),
    ];
    for (name, qos, dup, retain, topic, props) in [
        (
            "publish-qos0",
            0,
            false,
            false,
            &b"a/b"[..],
            Properties::EMPTY,
        ),
        (
            "publish-qos1-retain",
            1,
            false,
            true,
            &b"sensors/t"[..],
            p(0x30),
        ),
        (
            "publish-qos2-dup",
            2,
            true,
            false,
            &b"x/\xc3\xa9"[..],
            Properties::EMPTY,
        ),
    ] {
        list.push((
            name,
            Packet::Publish(Publish {
                dup,
                qos,
                retain,
                topic,
                packet_id: if qos > 0 { 1 } else { 0 },
                properties: props,
                payload: b"hello",
            }),
        ));
    }
    if v5 {
        list.push((
            "publish-alias-only",
            Packet::Publish(Publish {
                dup: false,
                qos: 1,
                retain: false,
                topic: b"",
                packet_id: 2,
                properties: leak(vec![prop(I::TopicAlias, Value::Int16(3))]),
                payload: b"",
            }),
        ));
    }
    for (name, kind) in [
        ("puback", AckKind::Puback),
        ("pubrec", AckKind::Pubrec),
        ("pubrel", AckKind::Pubrel),
        ("pubcomp", AckKind::Pubcomp),
    ] {
        list.push((name, ack(kind, 0, Properties::EMPTY)));
    }
    if v5 {
        list.push(("puback-rc-props", ack(AckKind::Puback, 0x10, p(0x40))));
        list.push(("pubrec-failure", ack(AckKind::Pubrec, 0x80, p(0x50))));
        list.push(("pubrel-not-found", ack(AckKind::Pubrel, 0x92, p(0x60))));
        list.push(("pubcomp-rc-props", ack(AckKind::Pubcomp, 0x92, p(0x70))));
    }
    list.extend([
        (
            "subscribe",
            Packet::Subscribe(Subscribe {
                packet_id: 3,
                properties: p(0x80),
                subscriptions: SubscriptionList::List(subs),
            }),
        ),
        (
            "suback",
            Packet::Suback(Suback {
                packet_id: 3,
                properties: p(0x90),
                codes: if v5 { b"\x01\x02\x87" } else { b"\x01\x02\x80" },
            }),
        ),
        (
            "unsubscribe",
            Packet::Unsubscribe(Unsubscribe {
                packet_id: 4,
                properties: p(0xA0),
                topics: TopicList::List(topics),
            }),
        ),
        (
            "unsuback",
            Packet::Unsuback(Unsuback {
                packet_id: 4,
                properties: p(0xB0),
                codes: if v5 { b"\x00\x11" } else { b"" },
            }),
        ),
        ("pingreq", Packet::Pingreq),
        ("pingresp", Packet::Pingresp),
        (
            "disconnect",
            Packet::Disconnect(Disconnect {
                reason_code: 0,
                properties: Properties::EMPTY,
            }),
        ),
    ]);
    if v5 {
        list.push((
            "disconnect-rc-props",
            Packet::Disconnect(Disconnect {
                reason_code: 0x8E,
                properties: p(0xE0),
            }),
        ));
        list.push((
            "auth",
            Packet::Auth(Auth {
                reason_code: 0x18,
                properties: p(0xF0),
            }),
        ));
    }
    list
}

fn block(props: &[Property<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in props {
        write_property(&mut out, p);
    }
    out
}

/// Property blocks (no length prefix): the typical set of each command,
/// every identifier alone, and a few that break one rule each.
fn property_seeds() -> BTreeMap<String, Vec<u8>> {
    let mut s = BTreeMap::new();
    for (name, command) in [
        ("connect", 0x10),
        ("connack", 0x20),
        ("publish", 0x30),
        ("ack", 0x40),
        ("subscribe", 0x80),
        ("disconnect", 0xE0),
        ("auth", 0xF0),
        ("will", 0x100),
    ] {
        s.insert(format!("block-{name}"), block(&props_for(command)));
    }
    let mut every = Vec::new();
    for command in [0x10, 0x20, 0x30, 0x80, 0xE0, 0xF0, 0x100] {
        every.extend(props_for(command));
    }
    for id in 0..=255u8 {
        let Some(p) = every.iter().find(|p| p.id as u8 == id) else {
            continue;
        };
        s.insert(format!("single-{id:02}"), block(std::slice::from_ref(p)));
    }
    s.insert(
        "duplicate".to_string(),
        block(&[prop(I::ReasonString, Value::String(b"a")); 2]),
    );
    s.insert("user-pairs".to_string(), block(&[USER, USER, USER]));
    s.insert(
        "invalid-value".to_string(),
        block(&[prop(I::ReceiveMaximum, Value::Int16(0))]),
    );
    s.insert(
        "bad-utf8".to_string(),
        vec![I::ReasonString as u8, 0, 2, 0xC3, 0x28],
    );
    s.insert(
        "varint-4-bytes".to_string(),
        vec![I::SubscriptionIdentifier as u8, 0xFF, 0xFF, 0xFF, 0x7F],
    );
    s
}

/// Topic seeds: two bytes giving where the rest splits, then filter and
/// topic (see the target), plus UTF-8 edge cases.
fn topic_seeds() -> BTreeMap<String, Vec<u8>> {
    let pairs: [(&str, &[u8], &[u8]); 12] = [
        ("exact", b"a/b/c", b"a/b/c"),
        ("plus", b"a/+/c", b"a/b/c"),
        ("hash", b"sport/#", b"sport/tennis/player1"),
        ("hash-parent", b"sport/#", b"sport"),
        ("plus-empty-levels", b"+/+", b"/"),
        ("dollar", b"#", b"$SYS/broker/load"),
        ("dollar-explicit", b"$SYS/#", b"$SYS/broker"),
        ("pattern", b"%c/%u/#", b"c/u/x"),
        ("bad-filter", b"a/b#", b"a/b"),
        ("wildcard-topic", b"a/b", b"a/+"),
        (
            "utf8",
            "caf\u{e9}/\u{1F600}".as_bytes(),
            "caf\u{e9}/\u{1F600}".as_bytes(),
        ),
        ("nul", b"a/\x00/b", b"a/\x00/b"),
    ];
    let mut s = BTreeMap::new();
    for (name, filter, topic) in pairs {
        let mut bytes = (filter.len() as u16).to_be_bytes().to_vec();
        bytes.extend_from_slice(filter);
        bytes.extend_from_slice(topic);
        s.insert(format!("pair-{name}"), bytes);
    }
    let strings: [(&str, &[u8]); 7] = [
        ("control", b"\x00\x00a\x7f\xc2\x80"),
        ("surrogate", b"\x00\x00\xed\xa0\x80"),
        ("overlong", b"\x00\x00\xc0\xaf\xe0\x80\xaf"),
        (
            "noncharacter",
            "\x00\x00\u{FDD0}\u{FFFE}\u{10FFFF}".as_bytes(),
        ),
        ("max-scalar", "\x00\x00\u{10FFFD}".as_bytes()),
        ("truncated", b"\x00\x00\xf0\x9f\x98"),
        ("too-big", b"\x00\x00\xf4\x90\x80\x80"),
    ];
    for (name, bytes) in strings {
        s.insert(format!("utf8-{name}"), bytes.to_vec());
    }
    s
}

/// Session scripts: a configuration byte (bits 0-1 version, 2 session
/// present, 3 clean start, 4 will, 5-7 send maximum), then operations:
/// 0 = the MQTT packet that follows, 4 = publish, 5 = subscribe,
/// 6 = unsubscribe, 7 = tick, 8 = disconnect, 9 = reconnect (see the
/// session target).
fn session_seeds() -> BTreeMap<String, Vec<u8>> {
    let mut s = BTreeMap::new();
    for (vname, cfg, v) in [
        ("v31", 0u8, ProtocolVersion::V31),
        ("v311", 1, ProtocolVersion::V311),
        ("v5", 2, ProtocolVersion::V5),
    ] {
        let v5 = v.is_v5();
        let frame = |p: Packet<'_>| {
            let mut b = vec![0];
            b.extend(encode(v, &p));
            b
        };
        let ack = |kind, mid| {
            frame(Packet::Ack(Ack {
                kind,
                packet_id: mid,
                reason_code: 0,
                properties: Properties::EMPTY,
            }))
        };
        let publish = |qos: u8, mid: u16, props: Properties<'static>, topic: &'static [u8]| {
            frame(Packet::Publish(Publish {
                dup: false,
                qos,
                retain: false,
                topic,
                packet_id: mid,
                properties: props,
                payload: b"data",
            }))
        };
        let mut scripts: Vec<(&str, Vec<u8>)> = vec![
            // Our QoS 1 publish (mid 1), acknowledged.
            (
                "out-qos1",
                [vec![cfg, 4, 1], ack(AckKind::Puback, 1)].concat(),
            ),
            // Our QoS 2 publish (mid 1): PUBREC, we send PUBREL, PUBCOMP.
            (
                "out-qos2",
                [
                    vec![cfg, 4, 2],
                    ack(AckKind::Pubrec, 1),
                    ack(AckKind::Pubcomp, 1),
                ]
                .concat(),
            ),
            // Their QoS 0/1/2 publishes; PUBREL releases the QoS 2 one.
            (
                "in-publishes",
                [
                    vec![cfg],
                    publish(0, 0, Properties::EMPTY, b"a/b"),
                    publish(1, 5, Properties::EMPTY, b"a/b"),
                    publish(2, 6, Properties::EMPTY, b"a/b"),
                    ack(AckKind::Pubrel, 6),
                ]
                .concat(),
            ),
            // Subscribe (mid 1), SUBACK; unsubscribe (mid 2), UNSUBACK.
            (
                "sub-unsub",
                [
                    vec![cfg, 5, 1],
                    frame(Packet::Suback(Suback {
                        packet_id: 1,
                        properties: Properties::EMPTY,
                        codes: b"\x01",
                    })),
                    vec![6, 0],
                    frame(Packet::Unsuback(Unsuback {
                        packet_id: 2,
                        properties: Properties::EMPTY,
                        codes: if v5 { b"\x00" } else { b"" },
                    })),
                ]
                .concat(),
            ),
            // Keep alive: tick past it (PINGREQ), PINGRESP; broker PINGREQ.
            (
                "keepalive",
                [
                    vec![cfg, 7, 60],
                    frame(Packet::Pingresp),
                    frame(Packet::Pingreq),
                    vec![7, 255, 7, 255],
                ]
                .concat(),
            ),
            // In-flight messages resent after a reconnection.
            (
                "resend",
                [vec![cfg | 4, 4, 1, 4, 2, 9, 0], ack(AckKind::Puback, 1)].concat(),
            ),
            // A second CONNACK and a DISCONNECT from our side.
            (
                "connack-again",
                [
                    vec![cfg],
                    frame(Packet::Connack(Connack {
                        session_present: true,
                        reason_code: 0,
                        properties: Properties::EMPTY,
                    })),
                    vec![8, 0],
                ]
                .concat(),
            ),
        ];
        if v5 {
            scripts.push((
                "v5-aliases",
                [
                    vec![cfg],
                    publish(
                        1,
                        9,
                        leak(vec![prop(I::TopicAlias, Value::Int16(2))]),
                        b"alias/t",
                    ),
                    publish(0, 0, leak(vec![prop(I::TopicAlias, Value::Int16(2))]), b""),
                    vec![4, 0x44],
                ]
                .concat(),
            ));
            scripts.push((
                "v5-disconnect-auth",
                [
                    vec![cfg],
                    frame(Packet::Auth(Auth {
                        reason_code: 0x18,
                        properties: leak(props_for(0xF0)),
                    })),
                    frame(Packet::Disconnect(Disconnect {
                        reason_code: 0x8E,
                        properties: leak(vec![prop(I::ReasonString, Value::String(b"x"))]),
                    })),
                    publish(1, 3, Properties::EMPTY, b"after"),
                ]
                .concat(),
            ));
            scripts.push((
                "v5-connack-props",
                [
                    vec![cfg],
                    frame(Packet::Connack(Connack {
                        session_present: false,
                        reason_code: 0,
                        properties: leak(props_for(0x20)),
                    })),
                    vec![4, 2, 4, 1, 5, 2],
                ]
                .concat(),
            ));
        }
        for (name, bytes) in scripts {
            s.insert(format!("{vname}-{name}"), bytes);
        }
    }
    s
}
