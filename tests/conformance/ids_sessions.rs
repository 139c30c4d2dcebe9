//! Packet identifiers, Session Present and the broker's Receive Maximum:
//! what the client allocates and keeps between connections.

use std::time::Duration;

use ::mosquitto::ffi::connect::mosquitto_reconnect;
use ::mosquitto::ffi::options::{mosquitto_int_option, mosquitto_max_inflight_messages_set};
use ::mosquitto::protocol::packet::{Packet, PacketType};
use ::mosquitto::protocol::property::{Identifier, Property, Value};

use super::Rule;
use crate::support::fake::RecvError;
use crate::support::inproc::*;
use crate::support::packets;
use crate::support::{probe, FakeBroker, RawPacket};

/// This module's rules.
pub const RULES: &[Rule] = &[
    Rule {
        number: 1,
        rule: "A packet identifier still in flight is never reused; after 65535 the \
               allocator skips ids in use",
        spec: "MQTT-2.2.1-3",
        original: "Counts 1..65535 and wraps without looking: a PUBLISH, SUBSCRIBE or \
                   UNSUBSCRIBE can reuse the id of one still awaiting its acknowledgement",
        ours: "Skips ids of QoS 1/2 messages not yet completed and of SUBSCRIBE/UNSUBSCRIBE \
               awaiting SUBACK/UNSUBACK (QoS 0 mids skip them too); with all 65535 in use \
               the call fails with `MOSQ_ERR_NOMEM`",
        tests: &["mqtt_2_2_1_3_packet_ids_skip_those_in_flight"],
    },
    Rule {
        number: 2,
        rule: "Session Present 1 after Clean Start 1 closes the connection; Session Present \
               0 while the client holds session state discards it: no old PUBLISH or \
               PUBREL re-sent, the application told which messages were dropped",
        spec: "MQTT-3.2.2-4, MQTT-3.2.2-5 (3.1.1: MQTT-3.2.2-1, MQTT-3.1.2-6)",
        original: "Ignores Session Present: accepts 1 after Clean Start 1, and after 0 \
                   re-sends every unacknowledged PUBLISH and PUBREL into the new session; \
                   keeps incoming QoS 2 messages awaiting PUBREL",
        ours: "Closes with `MOSQ_ERR_PROTOCOL` (v5 and 3.1.1); after Session Present 0 drops \
               the messages that went out, reporting each as `on_publish(mid)` / \
               `on_publish_v5(mid, 0x80)` before `on_connect`, sends those never sent, \
               and forgets incoming QoS 2 messages awaiting PUBREL",
        tests: &[
            "mqtt_3_2_2_4_session_present_after_clean_start_closes",
            "mqtt_3_2_2_5_session_absent_discards_state_and_reports_drops",
        ],
    },
    Rule {
        number: 4,
        rule: "No more QoS 1/2 PUBLISH in flight than the broker's Receive Maximum, through \
               reconnects with a changed value or without the property (65535)",
        spec: "MQTT-3.3.4-7, MQTT-3.3.4-8",
        original: "Follows it (the property replaces the send maximum; absent, the previous \
                   value stays, which is within 65535)",
        ours: "The same",
        tests: &[
            "mqtt_3_3_4_7_receive_maximum_changed_on_reconnect",
            "mqtt_3_3_4_7_receive_maximum_absent_is_65535",
        ],
    },
];

const RC_DROPPED: u8 = 0x80;

/// The type and packet identifier of a packet that has one.
fn wire_id(p: &RawPacket) -> (PacketType, u16) {
    let id = match p.decode() {
        Packet::Publish(x) => x.packet_id,
        Packet::Subscribe(x) => x.packet_id,
        Packet::Unsubscribe(x) => x.packet_id,
        Packet::Ack(x) => x.packet_id,
        other => panic!("no packet id in {other:?}"),
    };
    (p.packet_type().unwrap(), id)
}

/// Publishes `n` QoS 0 messages (asserting none gets a mid in `held`)
/// while the broker reads them; returns the last mid.
fn qos0_burst(c: &mut Mosq, fake: &mut FakeBroker, n: usize, held: &[u16]) -> u16 {
    let (mut sent, mut seen, mut last) = (0, 0, 0);
    while seen < n {
        if sent < n && sent - seen < 512 {
            last = c.publish_ok("q", b"", 0, false);
            assert!(!held.contains(&last), "QoS 0 mid {last} is in use");
            sent += 1;
            continue;
        }
        match fake.recv_timeout(Duration::from_millis(1)) {
            Ok(p) => {
                assert_eq!(p.bytes[0], 0x30, "{p:?}");
                seen += 1;
            }
            Err(RecvError::Timeout(_)) => {
                c.step(0);
            }
            Err(e) => panic!("{e:?}"),
        }
    }
    last
}

/// The client's reconnect after the broker closed: its CONNECT.
fn reconnect(c: &mut Mosq, fake: &mut FakeBroker) {
    fake.close();
    c.wait_line(&format!("disconnect rc={MOSQ_ERR_CONN_LOST}"));
    // SAFETY: live handle.
    assert_eq!(unsafe { mosquitto_reconnect(c.m) }, 0);
    fake.accept();
    fake.expect_type(PacketType::Connect);
}

#[test]
fn mqtt_2_2_1_3_packet_ids_skip_those_in_flight() {
    for opt in [MQTT_PROTOCOL_V311, MQTT_PROTOCOL_V5] {
        let v = version_of(opt);
        let (mut fake, mut c) = connected(opt);
        // Held: a QoS 1 message never acknowledged, a QoS 2 one stopped at
        // PUBREL, a SUBSCRIBE and an UNSUBSCRIBE never acknowledged.
        let q1 = c.publish_ok("t", b"1", 1, false);
        assert_eq!(wire_id(&c.recv(&mut fake)), (PacketType::Publish, q1));
        let q2 = c.publish_ok("t", b"2", 2, false);
        assert_eq!(wire_id(&c.recv(&mut fake)), (PacketType::Publish, q2));
        fake.send(&packets::pubrec(v, q2));
        assert_eq!(wire_id(&c.recv(&mut fake)), (PacketType::Pubrel, q2));
        let sub = c.subscribe_ok("s", 1);
        assert_eq!(wire_id(&c.recv(&mut fake)), (PacketType::Subscribe, sub));
        let unsub = c.unsubscribe_ok("u");
        assert_eq!(
            wire_id(&c.recv(&mut fake)),
            (PacketType::Unsubscribe, unsub)
        );
        // Completed: its id is free again.
        let done = c.publish_ok("t", b"3", 1, false);
        assert_eq!(wire_id(&c.recv(&mut fake)), (PacketType::Publish, done));
        fake.send(&packets::puback(v, done));
        c.wait_line(&format!("publish mid={done}"));
        assert_eq!([q1, q2, sub, unsub, done], [1, 2, 3, 4, 5], "v{opt}");

        // Up to 65535, then past it.
        let held = [q1, q2, sub, unsub];
        let last = qos0_burst(&mut c, &mut fake, 65535 - 5, &held);
        assert_eq!(last, 65535);
        let a = c.publish_ok("t", b"a", 1, false);
        let s2 = c.subscribe_ok("s2", 1);
        let b = c.publish_ok("t", b"b", 2, false);
        let u2 = c.unsubscribe_ok("u2");
        let wire: Vec<(PacketType, u16)> = (0..4).map(|_| wire_id(&c.recv(&mut fake))).collect();
        assert_eq!(
            wire,
            [
                (PacketType::Publish, 5),
                (PacketType::Subscribe, 6),
                (PacketType::Publish, 7),
                (PacketType::Unsubscribe, 8),
            ],
            "v{opt}: ids 1-4 are in flight"
        );
        assert_eq!([a, s2, b, u2], [5, 6, 7, 8]);
        c.expect_quiet(&mut fake, Duration::from_millis(50));
    }
}

#[test]
fn mqtt_3_2_2_4_session_present_after_clean_start_closes() {
    for opt in [MQTT_PROTOCOL_V311, MQTT_PROTOCOL_V5] {
        let v = version_of(opt);
        let mut fake = FakeBroker::new();
        let mut c = Mosq::new(Some("sp"), true, opt);
        assert_eq!(c.connect(&fake, 60), 0);
        fake.accept();
        fake.expect_type(PacketType::Connect);
        fake.send(&packets::connack(v, 0, true, &[]));
        // MQTT 5 says why first: DISCONNECT 0x82 (protocol error), the
        // code on_disconnect reports; 3.1.1 just closes.
        let reported = if opt == MQTT_PROTOCOL_V5 {
            0x82
        } else {
            MOSQ_ERR_PROTOCOL
        };
        c.wait_line(&format!("disconnect rc={reported}"));
        assert_eq!(c.last_rc, MOSQ_ERR_PROTOCOL);
        let lines = c.lines();
        assert!(
            !lines.iter().any(|l| l.starts_with("connect")),
            "v{opt}: {lines:?}"
        );
        if opt == MQTT_PROTOCOL_V5 {
            assert_eq!(fake.expect_disconnect_reason(), 0x82);
        }
        fake.expect_closed();

        // The original accepts it.
        let out = probe::run_on_reference(&[opt.to_string(), "0".into()], &[], |fake| {
            fake.send(&packets::connack(v, 0, true, &[]));
            std::thread::sleep(Duration::from_millis(200));
            fake.close();
        });
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("connect rc=0 flags=1"),
            "reference: {stdout}"
        );

        // With Clean Start 0 the client asked to resume its session, even
        // an empty one: Session Present 1 is accepted.
        let connack = packets::connack(v, 0, true, &[]);
        let (mut fake, mut c, _) = session(opt, Some("sp"), false, &connack);
        c.publish_ok("t", b"x", 0, false);
        c.expect(&mut fake, &pkt(0x30, &[&s("t"), no_props(opt), b"x"]));
    }
}

#[test]
fn mqtt_3_2_2_5_session_absent_discards_state_and_reports_drops() {
    for (opt, clean) in [
        (MQTT_PROTOCOL_V311, false),
        (MQTT_PROTOCOL_V311, true),
        (MQTT_PROTOCOL_V5, false),
        (MQTT_PROTOCOL_V5, true),
    ] {
        let v = version_of(opt);
        let np = no_props(opt);
        let (mut fake, mut c, _) = session(opt, Some("sp"), clean, &packets::connack_ok(v));
        c.v5_callbacks();
        // SAFETY: live handle.
        assert_eq!(unsafe { mosquitto_max_inflight_messages_set(c.m, 2) }, 0);
        let a = c.publish_ok("a", b"A", 1, false);
        c.expect(&mut fake, &pkt(0x32, &[&s("a"), &be16(a), np, b"A"]));
        let b = c.publish_ok("b", b"B", 2, false);
        c.expect(&mut fake, &pkt(0x34, &[&s("b"), &be16(b), np, b"B"]));
        fake.send(&packets::pubrec(v, b));
        c.expect(&mut fake, &pkt(0x62, &[&be16(b)]));
        // Past the window: never sent, so not session state.
        let q = c.publish_ok("q", b"Q", 1, false);
        c.expect_quiet(&mut fake, Duration::from_millis(30));
        // An incoming QoS 2 message awaiting PUBREL.
        fake.send(&packets::publish(v, "in", b"old", 2, false, 7));
        c.expect(&mut fake, &pkt(0x50, &[&be16(7)]));
        c.take();

        reconnect(&mut c, &mut fake);
        fake.send(&packets::connack(v, 0, false, &[]));
        // Neither PUBLISH a nor PUBREL b: q goes out as a first attempt.
        c.expect(&mut fake, &pkt(0x32, &[&s("q"), &be16(q), np, b"Q"]));
        c.expect_quiet(&mut fake, Duration::from_millis(50));
        let lines: Vec<String> = c
            .take()
            .into_iter()
            .filter(|l| !l.starts_with("loop"))
            .collect();
        let rc = RC_DROPPED;
        assert_eq!(
            lines,
            [
                format!("disconnect rc={MOSQ_ERR_CONN_LOST}"),
                format!("disconnect_v5 rc={MOSQ_ERR_CONN_LOST}"),
                format!("publish mid={a}"),
                format!("publish_v5 mid={a} rc={rc}"),
                format!("publish mid={b}"),
                format!("publish_v5 mid={b} rc={rc}"),
                "connect rc=0 flags=0".to_string(),
            ],
            "v{opt} clean {clean}"
        );
        // The broker's new message 7 is a new message, delivered.
        fake.send(&packets::publish(v, "in", b"new", 2, false, 7));
        c.expect(&mut fake, &pkt(0x50, &[&be16(7)]));
        fake.send(&packets::pubrel(v, 7));
        c.expect(&mut fake, &pkt(0x70, &[&be16(7)]));
        c.wait_line("message mid=7 topic=in len=3 qos=2 retain=0 payload=new");
    }
}

/// A v5 client with Clean Start 0 connected with `props` in CONNACK.
fn v5_session(props: &[Property]) -> (FakeBroker, Mosq) {
    let connack = packets::connack(packets::V5, 0, false, props);
    let (fake, c, _) = session(MQTT_PROTOCOL_V5, Some("rm"), false, &connack);
    (fake, c)
}

fn receive_maximum(n: u16) -> Property<'static> {
    Property {
        id: Identifier::ReceiveMaximum,
        value: Value::Int16(n),
    }
}

/// Receives QoS 1 PUBLISHes until the client goes quiet: their ids.
fn publishes_until_quiet(c: &mut Mosq, fake: &mut FakeBroker) -> Vec<u16> {
    let mut ids = Vec::new();
    loop {
        c.step(5);
        match fake.recv_timeout(Duration::from_millis(60)) {
            Ok(p) => ids.push(wire_id(&p).1),
            Err(RecvError::Timeout(b)) if b.is_empty() => return ids,
            Err(e) => panic!("{e:?}"),
        }
    }
}

#[test]
fn mqtt_3_3_4_7_receive_maximum_changed_on_reconnect() {
    let v = packets::V5;
    let (mut fake, mut c) = v5_session(&[receive_maximum(3)]);
    let mids: Vec<u16> = (0..6).map(|_| c.publish_ok("t", b"x", 1, false)).collect();
    assert_eq!(publishes_until_quiet(&mut c, &mut fake), mids[..3]);

    // Fewer on the next connection: only one of the three is resent.
    reconnect(&mut c, &mut fake);
    fake.send(&packets::connack(v, 0, true, &[receive_maximum(1)]));
    assert_eq!(publishes_until_quiet(&mut c, &mut fake), [mids[0]]);
    // [MQTT-3.3.4-8]: other packets are not held back by a full window.
    let sub = c.subscribe_ok("s", 1);
    assert_eq!(wire_id(&c.recv(&mut fake)), (PacketType::Subscribe, sub));
    fake.send(&packets::publish(v, "in", b"m", 1, false, 9));
    assert_eq!(wire_id(&c.recv(&mut fake)), (PacketType::Puback, 9));
    fake.send(&packets::puback(v, mids[0]));
    assert_eq!(publishes_until_quiet(&mut c, &mut fake), [mids[1]]);

    // More on the next: the window grows to 4.
    reconnect(&mut c, &mut fake);
    fake.send(&packets::connack(v, 0, true, &[receive_maximum(4)]));
    assert_eq!(publishes_until_quiet(&mut c, &mut fake), mids[1..5]);
}

#[test]
fn mqtt_3_3_4_7_receive_maximum_absent_is_65535() {
    // No property and no send maximum of the client's own: 65535, so 30
    // messages all go out at once.
    let mut fake = FakeBroker::new();
    let mut c = Mosq::new(Some("rm"), true, MQTT_PROTOCOL_V5);
    // SAFETY: live handle; 0 means 65535.
    assert_eq!(
        unsafe { mosquitto_int_option(c.m, MOSQ_OPT_SEND_MAXIMUM, 0) },
        0
    );
    assert_eq!(c.connect(&fake, 60), 0);
    fake.accept();
    fake.expect_type(PacketType::Connect);
    fake.send(&packets::connack_ok(packets::V5));
    c.wait_line("connect rc=0 flags=0");
    let mids: Vec<u16> = (0..30).map(|_| c.publish_ok("t", b"x", 1, false)).collect();
    assert_eq!(publishes_until_quiet(&mut c, &mut fake), mids);

    // The client's own send maximum (20 by default) still applies: the
    // broker's absent limit is 65535, not "as many as the client likes".
    let (mut fake, mut c) = v5_session(&[]);
    let mids: Vec<u16> = (0..30).map(|_| c.publish_ok("t", b"x", 1, false)).collect();
    assert_eq!(publishes_until_quiet(&mut c, &mut fake), mids[..20]);
}
