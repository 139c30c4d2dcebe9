//! Drives the session with bytes and times, checking the exact bytes sent.

use super::*;
use crate::protocol::packet::{
    decode, Ack, AckKind, Connack, Disconnect, Packet, Properties, ProtocolVersion, Publish,
    Suback, Subscribe, SubscriptionList, Unsuback,
};
use crate::protocol::property::{Identifier, Property, Value, CMD_CONNECT};

const V311: ProtocolVersion = ProtocolVersion::V311;
const V5: ProtocolVersion = ProtocolVersion::V5;

fn enc(v: ProtocolVersion, p: Packet<'_>) -> Vec<u8> {
    let mut b = Vec::new();
    p.write(v, &mut b);
    b
}

fn prop(id: Identifier, value: Value<'static>) -> Property<'static> {
    Property { id, value }
}

fn session(v: ProtocolVersion) -> Session {
    let mut c = Config::new(Some(b"c"), true);
    c.version = v;
    c.keepalive = 10;
    Session::new(c)
}

fn connack(v: ProtocolVersion, session_present: bool, rc: u8, props: &[Property<'_>]) -> Vec<u8> {
    enc(
        v,
        Packet::Connack(Connack {
            session_present,
            reason_code: rc,
            properties: Properties::List(props),
        }),
    )
}

fn ack(v: ProtocolVersion, kind: AckKind, mid: u16, rc: u8) -> Vec<u8> {
    enc(
        v,
        Packet::Ack(Ack {
            kind,
            packet_id: mid,
            reason_code: rc,
            properties: Properties::EMPTY,
        }),
    )
}

fn publish_pkt(
    v: ProtocolVersion,
    qos: u8,
    mid: u16,
    topic: &'static [u8],
    payload: &'static [u8],
    props: &'static [Property<'static>],
) -> Vec<u8> {
    enc(
        v,
        Packet::Publish(Publish {
            dup: false,
            qos,
            retain: false,
            topic,
            packet_id: mid,
            properties: Properties::List(props),
            payload,
        }),
    )
}

/// Connects at time 0 with a CONNACK carrying `props`; returns what the
/// CONNACK caused to be sent.
fn connected(s: &mut Session, props: &[Property<'_>]) -> Vec<u8> {
    let v = s.config().version;
    let mut out = Vec::new();
    s.start_connect(0, &mut out).unwrap();
    out.clear();
    let f = connack(v, false, 0, props);
    let h = s.handle_packet(&f, 0, &mut out);
    assert_eq!(h.close, None);
    assert!(matches!(h.event, Some(Event::Connected { rc: 0, .. })));
    out
}

fn pub1(s: &mut Session, qos: u8, out: &mut Vec<u8>) -> u16 {
    s.publish(b"a/b", b"hi", qos, false, &[], 0, out).unwrap()
}

#[test]
fn connect_bytes_for_each_version() {
    let mut s = session(V311);
    let mut out = Vec::new();
    s.start_connect(0, &mut out).unwrap();
    assert_eq!(
        out,
        [0x10, 13, 0, 4, b'M', b'Q', b'T', b'T', 4, 0x02, 0, 10, 0, 1, b'c']
    );
    assert_eq!(s.state(), State::Connecting);

    let mut s = session(ProtocolVersion::V31);
    out.clear();
    s.start_connect(0, &mut out).unwrap();
    assert_eq!(
        &out[..11],
        [0x10, 15, 0, 6, b'M', b'Q', b'I', b's', b'd', b'p', 3]
    );
    s.config_mut().client_id = None;
    out.clear();
    assert_eq!(s.start_connect(0, &mut out), Err(SessionError::Protocol));
    assert!(out.is_empty());

    // v5 adds Receive Maximum = 20 unless the caller gave one.
    let mut s = session(V5);
    out.clear();
    s.start_connect(0, &mut out).unwrap();
    assert_eq!(
        out,
        [0x10, 17, 0, 4, b'M', b'Q', b'T', b'T', 5, 0x02, 0, 10, 3, 0x21, 0, 20, 0, 1, b'c']
    );
    let rm = [prop(Identifier::ReceiveMaximum, Value::Int16(5))];
    s.config_mut().connect_properties = OwnedProperties::new(CMD_CONNECT, &rm).unwrap();
    out.clear();
    s.start_connect(0, &mut out).unwrap();
    assert_eq!(&out[12..16], [3, 0x21, 0, 5]);
    assert_eq!(out.len(), 19);
}

#[test]
fn connect_with_will_and_credentials() {
    let mut s = session(V311);
    let c = s.config_mut();
    c.username = Some(b"u".to_vec());
    c.password = Some(b"p".to_vec());
    c.clean_start = false;
    c.will = Some(Box::new(
        WillConfig::new(V311, b"w/t", b"bye", 1, true, &[]).unwrap(),
    ));
    let mut out = Vec::new();
    s.start_connect(0, &mut out).unwrap();
    let Ok(Packet::Connect(p)) = decode(&out, V311) else {
        panic!("not a CONNECT");
    };
    assert!(!p.clean_start);
    assert_eq!(p.username, Some(&b"u"[..]));
    assert_eq!(p.password, Some(&b"p"[..]));
    let w = p.will.unwrap();
    assert_eq!(
        (w.topic, w.payload, w.qos, w.retain),
        (&b"w/t"[..], &b"bye"[..], 1, true)
    );
    // v3 refuses a password without user name.
    s.config_mut().username = None;
    assert_eq!(s.start_connect(0, &mut out), Err(SessionError::Inval));
    assert_eq!(
        WillConfig::new(V311, b"a/+", b"", 0, false, &[]),
        Err(SessionError::Inval)
    );
}

#[test]
fn qos0_both_directions() {
    let mut s = session(V311);
    connected(&mut s, &[]);
    let mut out = Vec::new();
    assert_eq!(pub1(&mut s, 0, &mut out), 1);
    assert_eq!(out, [0x30, 7, 0, 3, b'a', b'/', b'b', b'h', b'i']);
    assert_eq!(s.outgoing_len(), 0);

    out.clear();
    let f = publish_pkt(V311, 0, 0, b"x", b"yz", &[]);
    let h = s.handle_packet(&f, 0, &mut out);
    let Some(Event::Message(m)) = h.event else {
        panic!("no message");
    };
    assert_eq!(
        (m.topic(), m.payload(), m.qos, m.mid),
        (&b"x"[..], &b"yz"[..], 0, 0)
    );
    assert!(out.is_empty());

    // v5: an empty property block is written.
    let mut s = session(V5);
    connected(&mut s, &[]);
    out.clear();
    pub1(&mut s, 0, &mut out);
    assert_eq!(out, [0x30, 8, 0, 3, b'a', b'/', b'b', 0, b'h', b'i']);
}

#[test]
fn qos1_outgoing_flow() {
    let mut s = session(V311);
    connected(&mut s, &[]);
    let mut out = Vec::new();
    let mid = pub1(&mut s, 1, &mut out);
    assert_eq!(out, [0x32, 9, 0, 3, b'a', b'/', b'b', 0, 1, b'h', b'i']);
    assert_eq!(s.outgoing_stage(mid), Some(Stage::AwaitAck));
    out.clear();
    let f = ack(V311, AckKind::Puback, mid, 0);
    let h = s.handle_packet(&f, 0, &mut out);
    assert_eq!(
        h.event,
        Some(Event::Published {
            mid,
            rc: 0,
            properties: Properties::EMPTY
        })
    );
    assert_eq!(s.outgoing_len(), 0);
    assert!(out.is_empty());
}

#[test]
fn qos2_outgoing_flow() {
    let mut s = session(V311);
    connected(&mut s, &[]);
    let mut out = Vec::new();
    let mid = pub1(&mut s, 2, &mut out);
    assert_eq!(out[0], 0x34);
    out.clear();
    let f = ack(V311, AckKind::Pubrec, mid, 0);
    let h = s.handle_packet(&f, 0, &mut out);
    assert_eq!(h, Handled::NOTHING);
    assert_eq!(out, [0x62, 2, 0, 1]);
    assert_eq!(s.outgoing_stage(mid), Some(Stage::AwaitComp));
    out.clear();
    let f = ack(V311, AckKind::Pubcomp, mid, 0);
    let h = s.handle_packet(&f, 0, &mut out);
    assert!(matches!(
        h.event,
        Some(Event::Published { mid: 1, rc: 0, .. })
    ));
    assert_eq!(s.outgoing_len(), 0);
}

#[test]
fn v5_pubrec_failure_completes() {
    let mut s = session(V5);
    connected(&mut s, &[]);
    let mut out = Vec::new();
    let mid = pub1(&mut s, 2, &mut out);
    out.clear();
    let f = ack(V5, AckKind::Pubrec, mid, 0x87);
    let h = s.handle_packet(&f, 0, &mut out);
    assert!(matches!(
        h.event,
        Some(Event::Published {
            mid: 1,
            rc: 0x87,
            ..
        })
    ));
    assert!(out.is_empty());
    assert_eq!(s.outgoing_len(), 0);
    // A reason code the original refuses in PUBACK.
    pub1(&mut s, 1, &mut out);
    let f = ack(V5, AckKind::Puback, 2, 0x92);
    let h = s.handle_packet(&f, 0, &mut out);
    assert_eq!(h.close, Some(SessionError::Protocol));
}

#[test]
fn window_limit_and_queue_release() {
    let mut s = session(V311);
    s.set_send_maximum(2);
    connected(&mut s, &[]);
    let mut out = Vec::new();
    for _ in 0..3 {
        pub1(&mut s, 1, &mut out);
    }
    let firsts: Vec<u16> = published_mids(&out);
    assert_eq!(firsts, [1, 2]);
    assert_eq!(s.outgoing_stage(3), Some(Stage::Queued));
    out.clear();
    let f = ack(V311, AckKind::Puback, 1, 0);
    let h = s.handle_packet(&f, 0, &mut out);
    assert!(matches!(h.event, Some(Event::Published { mid: 1, .. })));
    assert_eq!(published_mids(&out), [3]);
    assert_eq!(s.outgoing_inflight(), 2);
}

/// Message ids of the PUBLISH packets in `out` (QoS > 0, v3 encoding).
fn published_mids(mut out: &[u8]) -> Vec<u16> {
    let mut mids = Vec::new();
    while !out.is_empty() {
        let f = crate::protocol::packet::frame(out, 0).unwrap().unwrap();
        if let Ok(Packet::Publish(p)) = decode(&out[..f.total_len()], V311) {
            mids.push(p.packet_id);
        }
        out = &out[f.total_len()..];
    }
    mids
}

#[test]
fn receive_maximum_from_connack() {
    let mut s = session(V5);
    connected(&mut s, &[prop(Identifier::ReceiveMaximum, Value::Int16(1))]);
    let mut out = Vec::new();
    pub1(&mut s, 1, &mut out);
    let sent = out.len();
    pub1(&mut s, 2, &mut out);
    assert_eq!(out.len(), sent);
    assert_eq!(s.outgoing_stage(2), Some(Stage::Queued));
}

#[test]
fn resend_after_reconnect_with_dup_and_pubrel() {
    // Clean Session 0: with Clean Session 1 this CONNACK's Session Present
    // 1 would be a protocol error (this test used Clean Session 1 before
    // the session-present rules [MQTT-3.2.2-4/5] were followed).
    let mut s = session(V311);
    s.config_mut().clean_start = false;
    connected(&mut s, &[]);
    let mut out = Vec::new();
    let m1 = pub1(&mut s, 1, &mut out);
    let m2 = pub1(&mut s, 2, &mut out);
    s.handle_packet(&ack(V311, AckKind::Pubrec, m2, 0), 0, &mut out);
    s.connection_lost();
    out.clear();
    s.start_connect(100, &mut out).unwrap();
    assert_eq!(s.outgoing_stage(m1), Some(Stage::Resend));
    assert_eq!(s.outgoing_stage(m2), Some(Stage::Pubrel));
    out.clear();
    let f = connack(V311, true, 0, &[]);
    let h = s.handle_packet(&f, 100, &mut out);
    assert!(matches!(
        h.event,
        Some(Event::Connected {
            rc: 0,
            flags: 1,
            ..
        })
    ));
    assert_eq!(
        out,
        [0x3A, 9, 0, 3, b'a', b'/', b'b', 0, 1, b'h', b'i', 0x62, 2, 0, 2]
    );
}

#[test]
fn publish_before_connect_is_kept_and_sent_with_dup() {
    let mut s = session(V311);
    let mut out = Vec::new();
    let e = s.publish(b"a/b", b"hi", 1, false, &[], 0, &mut out);
    assert_eq!(
        e,
        Err(PublishError {
            error: SessionError::NoConn,
            mid: Some(1)
        })
    );
    let e = s.publish(b"a/b", b"hi", 0, false, &[], 0, &mut out);
    assert_eq!(e.unwrap_err().mid, Some(2));
    assert!(out.is_empty());
    assert_eq!(
        s.subscribe(&[b"a/#"], 1, 0, &[], 0, &mut out),
        Err(SessionError::NoConn)
    );
    assert_eq!(s.disconnect(0, &[], 0, &mut out), Err(SessionError::NoConn));
    let resent = connected(&mut s, &[]);
    assert_eq!(resent[0], 0x3A);
    assert_eq!(published_mids(&resent), [1]);
}

#[test]
fn keepalive_ping_and_timeout() {
    let mut s = session(V311);
    connected(&mut s, &[]);
    let mut out = Vec::new();
    assert_eq!(s.next_deadline(), Some(10_000));
    s.tick(9_999, &mut out).unwrap();
    assert!(out.is_empty());
    s.tick(10_000, &mut out).unwrap();
    assert_eq!(out, [0xC0, 0]);
    assert_eq!(s.next_deadline(), Some(20_000));
    out.clear();
    // PINGRESP at 15 s: the next ping is due at 20 s.
    let h = s.handle_packet(&[0xD0, 0], 15_000, &mut out);
    assert_eq!(h, Handled::NOTHING);
    s.tick(19_999, &mut out).unwrap();
    assert!(out.is_empty());
    s.tick(20_000, &mut out).unwrap();
    assert_eq!(out, [0xC0, 0]);
    // No PINGRESP this time: dead one interval later.
    s.tick(29_999, &mut out).unwrap();
    assert_eq!(s.tick(30_000, &mut out), Err(SessionError::Keepalive));
    assert_eq!(s.state(), State::Disconnected);
    assert_eq!(s.next_deadline(), None);

    // Sending restarts only the send clock; receiving only the other.
    let mut s = session(V311);
    connected(&mut s, &[]);
    out.clear();
    // (A QoS 0 PUBLISH counts when the runtime says it reached the socket.)
    s.publish(b"t", b"", 0, false, &[], 8_000, &mut out)
        .unwrap();
    s.note_sent(8_000);
    assert_eq!(s.next_deadline(), Some(10_000));
    s.handle_packet(&publish_pkt(V311, 0, 0, b"t", b"", &[]), 9_000, &mut out);
    assert_eq!(s.next_deadline(), Some(18_000));

    // No CONNACK within the interval.
    let mut s = session(V311);
    s.start_connect(0, &mut out).unwrap();
    assert_eq!(s.tick(10_000, &mut out), Err(SessionError::Keepalive));

    // Server Keep Alive overrides; 0 turns it off.
    let mut s = session(V5);
    connected(
        &mut s,
        &[prop(Identifier::ServerKeepAlive, Value::Int16(0))],
    );
    assert_eq!(s.next_deadline(), None);
    assert_eq!(s.keepalive_s(), 0);
}

#[test]
fn incoming_qos1_and_qos2() {
    let mut s = session(V311);
    connected(&mut s, &[]);
    let mut out = Vec::new();
    let f = publish_pkt(V311, 1, 7, b"t/1", b"one", &[]);
    let h = s.handle_packet(&f, 0, &mut out);
    assert_eq!(out, [0x40, 2, 0, 7]);
    let Some(Event::Message(m)) = h.event else {
        panic!("no message")
    };
    assert_eq!((m.mid, m.qos, m.topic()), (7, 1, &b"t/1"[..]));

    out.clear();
    let f = publish_pkt(V311, 2, 8, b"t/2", b"two", &[]);
    assert_eq!(s.handle_packet(&f, 0, &mut out), Handled::NOTHING);
    assert_eq!(out, [0x50, 2, 0, 8]);
    // Redelivery: answered again, held once.
    out.clear();
    assert_eq!(s.handle_packet(&f, 0, &mut out), Handled::NOTHING);
    assert_eq!(out, [0x50, 2, 0, 8]);
    assert_eq!(s.incoming_len(), 1);
    out.clear();
    let f = ack(V311, AckKind::Pubrel, 8, 0);
    let h = s.handle_packet(&f, 0, &mut out);
    assert_eq!(out, [0x70, 2, 0, 8]);
    let Some(Event::Message(m)) = h.event else {
        panic!("no message")
    };
    assert_eq!(
        (m.mid, m.qos, m.topic(), m.payload()),
        (8, 2, &b"t/2"[..], &b"two"[..])
    );
    // A second PUBREL is answered but delivers nothing.
    out.clear();
    let f = ack(V311, AckKind::Pubrel, 8, 0);
    let h = s.handle_packet(&f, 0, &mut out);
    assert_eq!(h, Handled::NOTHING);
    assert_eq!(out, [0x70, 2, 0, 8]);
}

#[test]
fn incoming_qos2_keeps_v5_properties() {
    static PROPS: [Property<'static>; 1] = [Property {
        id: Identifier::ContentType,
        value: Value::String(b"text"),
    }];
    let mut s = session(V5);
    connected(&mut s, &[]);
    let mut out = Vec::new();
    s.handle_packet(&publish_pkt(V5, 2, 3, b"t", b"p", &PROPS), 0, &mut out);
    let f = ack(V5, AckKind::Pubrel, 3, 0);
    let h = s.handle_packet(&f, 0, &mut out);
    let Some(Event::Message(m)) = h.event else {
        panic!("no message")
    };
    assert_eq!(m.properties(), Properties::List(&PROPS));
    assert_eq!(m.payload(), b"p");
}

#[test]
fn incoming_receive_maximum() {
    let mut s = session(V5);
    s.set_receive_maximum(1);
    connected(&mut s, &[]);
    let mut out = Vec::new();
    s.handle_packet(&publish_pkt(V5, 2, 1, b"t", b"", &[]), 0, &mut out);
    let f = publish_pkt(V5, 1, 2, b"t", b"", &[]);
    out.clear();
    let h = s.handle_packet(&f, 0, &mut out);
    assert_eq!(h.close, Some(SessionError::ReceiveMaximumExceeded));
    // The DISCONNECT with "receive maximum exceeded" is written first.
    assert_eq!(h.farewell, Some(0x93));
    assert_eq!(out, [0xe0, 1, 0x93]);
}

#[test]
fn topic_aliases() {
    static SET: [Property<'static>; 1] = [Property {
        id: Identifier::TopicAlias,
        value: Value::Int16(1),
    }];
    static USE2: [Property<'static>; 1] = [Property {
        id: Identifier::TopicAlias,
        value: Value::Int16(2),
    }];
    static BIG: [Property<'static>; 1] = [Property {
        id: Identifier::TopicAlias,
        value: Value::Int16(3),
    }];
    let mut s = session(V5);
    let tam = [prop(Identifier::TopicAliasMaximum, Value::Int16(2))];
    s.config_mut().connect_properties = OwnedProperties::new(CMD_CONNECT, &tam).unwrap();
    connected(&mut s, &[]);
    let mut out = Vec::new();
    let f = publish_pkt(V5, 0, 0, b"long/topic", b"1", &SET);
    let h = s.handle_packet(&f, 0, &mut out);
    let Some(Event::Message(m)) = h.event else {
        panic!()
    };
    assert_eq!(m.topic(), b"long/topic");
    let f = publish_pkt(V5, 0, 0, b"", b"2", &SET);
    let h = s.handle_packet(&f, 0, &mut out);
    let Some(Event::Message(m)) = h.event else {
        panic!()
    };
    assert_eq!((m.topic(), m.payload()), (&b"long/topic"[..], &b"2"[..]));
    // Unknown alias with an empty topic.
    let f = publish_pkt(V5, 0, 0, b"", b"3", &USE2);
    assert_eq!(
        s.handle_packet(&f, 0, &mut out).close,
        Some(SessionError::BrokerTopicAliasInvalid)
    );
    // Above our maximum.
    connected(&mut s, &[]);
    let f = publish_pkt(V5, 0, 0, b"x", b"", &BIG);
    assert_eq!(
        s.handle_packet(&f, 0, &mut out).close,
        Some(SessionError::BrokerTopicAliasInvalid)
    );
    // Alias 0 is refused by the property rules.
    connected(&mut s, &[]);
    let mut f = publish_pkt(V5, 0, 0, b"x", b"", &SET);
    let at = f.len() - 1; // [.., 0x23, 0x00, 0x01] with an empty payload
    f[at] = 0;
    assert_eq!(
        s.handle_packet(&f, 0, &mut out).close,
        Some(SessionError::BrokerTopicAliasInvalid)
    );
    // Aliases do not survive a reconnection.
    connected(&mut s, &[]);
    let f = publish_pkt(V5, 0, 0, b"", b"", &SET);
    assert_eq!(
        s.handle_packet(&f, 0, &mut out).close,
        Some(SessionError::BrokerTopicAliasInvalid)
    );
}

#[test]
fn broker_limits_from_connack() {
    let mut s = session(V5);
    connected(
        &mut s,
        &[
            prop(Identifier::MaximumPacketSize, Value::Int32(20)),
            prop(Identifier::MaximumQos, Value::Byte(1)),
            prop(Identifier::RetainAvailable, Value::Byte(0)),
        ],
    );
    let mut out = Vec::new();
    // 2 + 2+3 (topic) + 1 (props) + payload: 20 bytes with 12 of payload.
    assert!(s
        .publish(b"a/b", &[0; 12], 0, false, &[], 0, &mut out)
        .is_ok());
    assert_eq!(out.len(), 20);
    assert_eq!(
        s.publish(b"a/b", &[0; 13], 0, false, &[], 0, &mut out),
        Err(PublishError {
            error: SessionError::OversizePacket,
            mid: None
        })
    );
    assert_eq!(
        s.publish(b"a/b", b"", 2, false, &[], 0, &mut out)
            .unwrap_err()
            .error,
        SessionError::QosNotSupported
    );
    // Issue 11, rule 9: a retained message fails (the original cleared
    // RETAIN and sent it) [MQTT-3.2.2-14].
    out.clear();
    assert_eq!(
        s.publish(b"a/b", b"", 1, true, &[], 0, &mut out),
        Err(PublishError {
            error: SessionError::RetainNotSupported,
            mid: None
        })
    );
    assert!(out.is_empty());
}

#[test]
fn publish_argument_checks() {
    let mut s = session(V311);
    connected(&mut s, &[]);
    let mut out = Vec::new();
    let err = |r: Result<u16, PublishError>| r.unwrap_err().error;
    assert_eq!(
        err(s.publish(b"a", b"", 3, false, &[], 0, &mut out)),
        SessionError::Inval
    );
    assert_eq!(
        err(s.publish(b"a/#", b"", 0, false, &[], 0, &mut out)),
        SessionError::Inval
    );
    assert_eq!(
        err(s.publish(b"", b"", 0, false, &[], 0, &mut out)),
        SessionError::Inval
    );
    assert_eq!(
        err(s.publish(b"\xC3\x28", b"", 0, false, &[], 0, &mut out)),
        SessionError::MalformedUtf8
    );
    let alias = [prop(Identifier::TopicAlias, Value::Int16(1))];
    assert_eq!(
        err(s.publish(b"a", b"", 0, false, &alias, 0, &mut out)),
        SessionError::NotSupported
    );
    assert!(out.is_empty());
    // v5: an empty topic with a Topic Alias the broker allows and that
    // this connection mapped is allowed; bad properties not.
    let mut s = session(V5);
    connected(
        &mut s,
        &[prop(Identifier::TopicAliasMaximum, Value::Int16(1))],
    );
    assert!(s.publish(b"a", b"", 0, false, &alias, 0, &mut out).is_ok());
    assert!(s.publish(b"", b"", 0, false, &alias, 0, &mut out).is_ok());
    let twice = [alias[0], alias[0]];
    assert_eq!(
        err(s.publish(b"a", b"", 0, false, &twice, 0, &mut out)),
        SessionError::DuplicateProperty
    );
    let wrong = [prop(Identifier::ReceiveMaximum, Value::Int16(1))];
    assert_eq!(
        err(s.publish(b"a", b"", 0, false, &wrong, 0, &mut out)),
        SessionError::Protocol
    );
}

/// `publish_qos0` (the QoS 0 fast path) gives the same verdict, message
/// id and bytes as `publish` in every case, in both versions, connected
/// or not, with and without the broker's limits.
#[test]
fn qos0_fast_path_equals_the_full_path() {
    let long_topic = vec![b't'; 300];
    let topics: [&[u8]; 9] = [
        b"a",
        b"bench/t",
        b"sensors/room-12/temperature",
        &long_topic,
        b"",
        b"a/+",
        b"a/#",
        b"caf\xC3\xA9",
        b"\xC3\x28",
    ];
    let big = vec![7u8; 200];
    let payloads: [&[u8]; 3] = [b"", b"hello", &big];
    let limits = [
        prop(Identifier::MaximumPacketSize, Value::Int32(64)),
        prop(Identifier::RetainAvailable, Value::Byte(0)),
    ];
    for v in [V311, V5] {
        for (connect, limited) in [(false, false), (true, false), (true, true)] {
            let make = || {
                let mut s = session(v);
                if connect {
                    connected(&mut s, if limited && v == V5 { &limits } else { &[] });
                }
                s
            };
            let (mut full, mut fast) = (make(), make());
            for topic in topics {
                for payload in payloads {
                    for retain in [false, true] {
                        let (mut a, mut b) = (vec![9u8], vec![9u8]);
                        let ra = full.publish(topic, payload, 0, retain, &[], 0, &mut a);
                        let rb = fast.publish_qos0(topic, payload, retain, &mut b);
                        let case = format!(
                            "{v:?} connected={connect} limited={limited} {topic:?} {} {retain}",
                            payload.len()
                        );
                        assert_eq!(ra, rb, "{case}");
                        assert_eq!(a, b, "{case}");
                    }
                }
            }
        }
    }
}

#[test]
fn unexpected_and_unknown_packets() {
    let mut s = session(V311);
    connected(&mut s, &[]);
    let mut out = Vec::new();
    // Unknown PUBACK: ignored.
    assert_eq!(
        s.handle_packet(&ack(V311, AckKind::Puback, 9, 0), 0, &mut out),
        Handled::NOTHING
    );
    // Unknown PUBREC: still answered with PUBREL.
    s.handle_packet(&ack(V311, AckKind::Pubrec, 9, 0), 0, &mut out);
    assert_eq!(out, [0x62, 2, 0, 9]);
    // PUBACK for a QoS 2 message: protocol error.
    let mid = pub1(&mut s, 2, &mut out);
    let f = ack(V311, AckKind::Puback, mid, 0);
    let h = s.handle_packet(&f, 0, &mut out);
    assert_eq!(h.close, Some(SessionError::Protocol));
    assert_eq!(s.state(), State::Disconnected);
    assert_eq!(s.outgoing_len(), 1, "the message is kept");

    // A broker sending SUBSCRIBE or CONNACK twice.
    connected(&mut s, &[]);
    let sub = [crate::protocol::packet::Subscription {
        filter: b"a",
        options: 0,
    }];
    let f = enc(
        V311,
        Packet::Subscribe(Subscribe {
            packet_id: 1,
            properties: Properties::EMPTY,
            subscriptions: SubscriptionList::List(&sub),
        }),
    );
    assert_eq!(
        s.handle_packet(&f, 0, &mut out).close,
        Some(SessionError::Protocol)
    );
    // A second CONNACK is taken again, as libmosquitto does.
    connected(&mut s, &[]);
    let f = connack(V311, false, 0, &[]);
    let h = s.handle_packet(&f, 0, &mut out);
    assert_eq!(h.close, None);
    assert!(matches!(h.event, Some(Event::Connected { rc: 0, .. })));

    // PUBLISH before CONNACK, and a malformed frame.
    s.start_connect(0, &mut out).unwrap();
    let f = publish_pkt(V311, 0, 0, b"t", b"", &[]);
    assert_eq!(
        s.handle_packet(&f, 0, &mut out).close,
        Some(SessionError::Protocol)
    );
    s.start_connect(0, &mut out).unwrap();
    assert_eq!(
        s.handle_packet(&[0x20, 3, 0, 0, 0], 0, &mut out).close,
        // libmosquitto 2.0 reports a malformed packet as a protocol error
        // (BrokerMalformed's MOSQ_ERR_PROTOCOL).
        Some(SessionError::BrokerMalformed)
    );
}

#[test]
fn refused_connack() {
    let mut s = session(V311);
    let mut out = Vec::new();
    s.start_connect(0, &mut out).unwrap();
    let f = connack(V311, false, 5, &[]);
    let h = s.handle_packet(&f, 0, &mut out);
    assert!(matches!(h.event, Some(Event::Connected { rc: 5, .. })));
    assert_eq!(h.close, Some(SessionError::ConnRefused));
    assert_eq!(s.state(), State::Disconnected);

    let mut s = session(V5);
    s.start_connect(0, &mut out).unwrap();
    let f = connack(V5, false, 0x87, &[]);
    let h = s.handle_packet(&f, 0, &mut out);
    assert!(matches!(h.event, Some(Event::Connected { rc: 0x87, .. })));
    assert_eq!(h.close, Some(SessionError::Protocol));
    // A v3 broker's answer to a v5 CONNECT (2-byte form): "unsupported
    // protocol version", as libmosquitto reports it.
    s.start_connect(0, &mut out).unwrap();
    let h = s.handle_packet(&[0x20, 2, 0, 1], 0, &mut out);
    assert!(matches!(h.event, Some(Event::Connected { rc: 0x84, .. })));
    assert_eq!(h.close, Some(SessionError::Protocol));
    // Code 1 in the v5 form (with a property length) is a plain refusal.
    s.start_connect(0, &mut out).unwrap();
    let h = s.handle_packet(&[0x20, 3, 0, 1, 0], 0, &mut out);
    assert!(matches!(h.event, Some(Event::Connected { rc: 1, .. })));
    assert_eq!(h.close, Some(SessionError::ConnRefused));
}

#[test]
fn assigned_client_identifier() {
    let mut s = session(V5);
    s.config_mut().client_id = None;
    connected(
        &mut s,
        &[prop(
            Identifier::AssignedClientIdentifier,
            Value::String(b"gen"),
        )],
    );
    assert_eq!(s.assigned_client_id(), Some(&b"gen"[..]));
    // With an identifier of our own, an assigned one is a protocol error.
    let mut s = session(V5);
    let mut out = Vec::new();
    s.start_connect(0, &mut out).unwrap();
    let f = connack(
        V5,
        false,
        0,
        &[prop(
            Identifier::AssignedClientIdentifier,
            Value::String(b"gen"),
        )],
    );
    assert_eq!(
        s.handle_packet(&f, 0, &mut out).close,
        Some(SessionError::Protocol)
    );
}

#[test]
fn subscribe_and_unsubscribe() {
    let mut s = session(V311);
    connected(&mut s, &[]);
    let mut out = Vec::new();
    let mid = s
        .subscribe(&[b"a/#", b"b"], 1, 0x04, &[], 0, &mut out)
        .unwrap();
    assert_eq!(mid, 1);
    // v3 drops the v5 options.
    assert_eq!(
        out,
        [0x82, 12, 0, 1, 0, 3, b'a', b'/', b'#', 1, 0, 1, b'b', 1]
    );
    let f = enc(
        V311,
        Packet::Suback(Suback {
            packet_id: mid,
            properties: Properties::EMPTY,
            codes: &[1, 0x80],
        }),
    );
    let h = s.handle_packet(&f, 0, &mut out);
    assert_eq!(
        h.event,
        Some(Event::Subscribed {
            mid,
            codes: &[1, 0x80],
            properties: Properties::EMPTY
        })
    );
    out.clear();
    let mid = s.unsubscribe(&[b"a/#"], &[], 0, &mut out).unwrap();
    assert_eq!(out, [0xA2, 7, 0, 2, 0, 3, b'a', b'/', b'#']);
    let f = enc(
        V311,
        Packet::Unsuback(Unsuback {
            packet_id: mid,
            properties: Properties::EMPTY,
            codes: &[],
        }),
    );
    let h = s.handle_packet(&f, 0, &mut out);
    assert!(matches!(h.event, Some(Event::Unsubscribed { mid: 2, .. })));
    // Argument checks.
    assert_eq!(
        s.subscribe(&[], 0, 0, &[], 0, &mut out),
        Err(SessionError::Inval)
    );
    assert_eq!(
        s.subscribe(&[b"a"], 3, 0, &[], 0, &mut out),
        Err(SessionError::Inval)
    );
    assert_eq!(
        s.subscribe(&[b"a"], 0, 0x30, &[], 0, &mut out),
        Err(SessionError::Inval)
    );
    assert_eq!(
        s.subscribe(&[b"a#"], 0, 0, &[], 0, &mut out),
        Err(SessionError::Inval)
    );
    assert_eq!(
        s.unsubscribe(&[b"\xFF"], &[], 0, &mut out),
        Err(SessionError::MalformedUtf8)
    );
    // v5 keeps the options.
    let mut s = session(V5);
    connected(&mut s, &[]);
    out.clear();
    s.subscribe(&[b"a"], 2, 0x24, &[], 0, &mut out).unwrap();
    assert_eq!(out, [0x82, 7, 0, 1, 0, 0, 1, b'a', 0x26]);
}

#[test]
fn disconnects_both_ways() {
    let mut s = session(V5);
    connected(&mut s, &[]);
    let mut out = Vec::new();
    let f = enc(
        V5,
        Packet::Disconnect(Disconnect {
            reason_code: 0x8E,
            properties: Properties::EMPTY,
        }),
    );
    let h = s.handle_packet(&f, 0, &mut out);
    assert!(matches!(
        h.event,
        Some(Event::Disconnected { rc: 0x8E, .. })
    ));
    assert_eq!(h.close, None);
    assert_eq!(s.state(), State::Disconnected);

    connected(&mut s, &[]);
    out.clear();
    s.disconnect(0x04, &[], 0, &mut out).unwrap();
    assert_eq!(out, [0xE0, 1, 0x04]);
    assert_eq!(s.state(), State::Disconnecting);
    out.clear();
    let mut s = session(V311);
    connected(&mut s, &[]);
    s.disconnect(0, &[], 0, &mut out).unwrap();
    assert_eq!(out, [0xE0, 0]);
    // A v3 broker may not send DISCONNECT.
    connected(&mut s, &[]);
    let h = s.handle_packet(&[0xE0, 0], 0, &mut out);
    assert_eq!(h.close, Some(SessionError::Protocol));
}

#[test]
fn auth_passes_through() {
    let mut s = session(V5);
    let mut out = Vec::new();
    s.start_connect(0, &mut out).unwrap();
    let h = s.handle_packet(&[0xF0, 2, 0x18, 0], 0, &mut out);
    assert!(matches!(h.event, Some(Event::Auth { rc: 0x18, .. })));
    out.clear();
    let data = [prop(Identifier::AuthenticationMethod, Value::String(b"m"))];
    s.auth(0x18, &data, 0, &mut out).unwrap();
    assert_eq!(out, [0xF0, 6, 0x18, 4, 0x15, 0, 1, b'm']);
    let mut s = session(V311);
    assert_eq!(
        s.auth(0x18, &[], 0, &mut out),
        Err(SessionError::NotSupported)
    );
}

/// Issue 11, rule 5: an AUTH above the broker's Maximum Packet Size loses
/// its Reason String and User Properties [MQTT-3.15.2-2, -3], or is
/// refused when still too large.
#[test]
fn auth_sheds_optional_properties_to_fit() {
    let mut s = session(V5);
    connected(
        &mut s,
        &[prop(Identifier::MaximumPacketSize, Value::Int32(20))],
    );
    let method = prop(Identifier::AuthenticationMethod, Value::String(b"m"));
    let reason = prop(Identifier::ReasonString, Value::String(&[b'r'; 30]));
    let mut out = Vec::new();
    s.auth(0x18, &[method, reason], 0, &mut out).unwrap();
    // F0, length 6, reason 0x18, properties length 4: method "m".
    assert_eq!(out, [0xF0, 6, 0x18, 4, 0x15, 0, 1, b'm']);
    let data = prop(Identifier::AuthenticationData, Value::Binary(&[0; 30]));
    out.clear();
    assert_eq!(
        s.auth(0x18, &[method, data], 0, &mut out),
        Err(SessionError::OversizePacket)
    );
    assert!(out.is_empty());
}

#[test]
fn session_present_with_clean_start_closes() {
    for v in [V311, V5] {
        let mut s = session(v);
        let mut out = Vec::new();
        s.start_connect(0, &mut out).unwrap();
        let f = connack(v, true, 0, &[]);
        let h = s.handle_packet(&f, 0, &mut out);
        assert_eq!((h.event, h.close), (None, Some(SessionError::Protocol)));
        assert!(!s.transport_open());
    }
}

#[test]
fn session_not_present_discards_what_was_sent() {
    for clean in [true, false] {
        let mut s = session(V311);
        s.config_mut().clean_start = clean;
        s.set_send_maximum(2);
        connected(&mut s, &[]);
        let mut out = Vec::new();
        let m1 = pub1(&mut s, 1, &mut out);
        let m2 = pub1(&mut s, 2, &mut out);
        let m3 = pub1(&mut s, 1, &mut out);
        s.handle_packet(&ack(V311, AckKind::Pubrec, m2, 0), 0, &mut out);
        s.handle_packet(&publish_pkt(V311, 2, 9, b"t", b"x", &[]), 0, &mut out);
        assert_eq!(s.incoming_len(), 1);
        s.connection_lost();
        let resent = connected(&mut s, &[]);
        // m1 (PUBLISH sent) and m2 (PUBREL stage) are gone; m3, queued
        // behind the window, is sent fresh.
        assert_eq!(s.take_session_dropped(), [m1, m2]);
        assert_eq!(s.outgoing_len(), 1);
        assert_eq!(resent[0], 0x32);
        assert_eq!(published_mids(&resent), [m3]);
        assert_eq!(s.incoming_len(), 0);
        assert!(s.take_session_dropped().is_empty());
    }
}

#[test]
fn packet_ids_in_flight_are_not_reused() {
    let mut s = session(V5);
    connected(&mut s, &[]);
    let mut out = Vec::new();
    let held = pub1(&mut s, 1, &mut out);
    let sub = s.subscribe(&[b"a"], 0, 0, &[], 0, &mut out).unwrap();
    for _ in 0..u16::MAX - 2 {
        let mid = pub1(&mut s, 0, &mut out);
        assert!(mid != held && mid != sub);
    }
    out.clear();
    let next = pub1(&mut s, 1, &mut out);
    assert_eq!(next, sub + 1);
    s.handle_packet(&ack(V5, AckKind::Puback, held, 0), 0, &mut out);
    let suback = enc(
        V5,
        Packet::Suback(crate::protocol::packet::Suback {
            packet_id: sub,
            properties: Properties::EMPTY,
            codes: &[0],
        }),
    );
    s.handle_packet(&suback, 0, &mut out);
    for _ in 0..u16::MAX - 3 {
        pub1(&mut s, 0, &mut out);
    }
    assert_eq!(pub1(&mut s, 1, &mut out), held);
}

#[test]
fn a_publish_sent_before_connack_belongs_to_the_new_session() {
    let mut s = session(V311);
    let mut out = Vec::new();
    s.start_connect(0, &mut out).unwrap();
    out.clear();
    let m = pub1(&mut s, 1, &mut out);
    assert_eq!(published_mids(&out), [m]);
    let f = connack(V311, false, 0, &[]);
    s.handle_packet(&f, 0, &mut out);
    assert!(s.take_session_dropped().is_empty());
    assert_eq!(s.outgoing_stage(m), Some(Stage::AwaitAck));
}

mod queue_ext;
