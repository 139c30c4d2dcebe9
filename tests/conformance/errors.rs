//! What ours answers when the broker breaks the protocol: on MQTT 5 a
//! DISCONNECT with the reason code the specification names, then the close
//! [MQTT-4.13.1-1]; `on_disconnect` reports that reason code and the loop
//! call returns the error (`MOSQ_ERR_PROTOCOL`, as the original). MQTT 3.1.1
//! has no such DISCONNECT: just the close.

use std::ffi::c_int;
use std::time::Instant;

use ::mosquitto::ffi::pubsub::mosquitto_subscribe;
use ::mosquitto::protocol::packet::PacketType;
use ::mosquitto::protocol::property::{Identifier, Property, Value};

use super::Rule;
use crate::support::inproc::*;
use crate::support::packets::{self, hex, V311, V5};
use crate::support::FakeBroker;

/// This module's rules.
pub const RULES: &[Rule] = &[
    Rule {
        number: 3,
        rule: "More unacknowledged QoS 1/2 PUBLISHes than the Receive Maximum we announced: \
               DISCONNECT 0x93",
        spec: "3.3.4 (MQTT-3.3.4-9)",
        original: "closes with `MOSQ_ERR_PROTOCOL`, no DISCONNECT",
        ours: "DISCONNECT 0x93, then the close; QoS 1 is acknowledged before `on_message`, \
               so only QoS 2 awaiting PUBREL counts",
        tests: &["mqtt_3_3_4_9_more_than_our_receive_maximum_is_disconnect_0x93"],
    },
    Rule {
        number: 6,
        rule: "A packet above the Maximum Packet Size we announced: DISCONNECT 0x95, not delivered",
        spec: "MQTT-3.1.2-24",
        original: "not checked: the packet is read and delivered",
        ours: "DISCONNECT 0x95 as soon as the fixed header shows the size; nothing delivered",
        tests: &["mqtt_3_1_2_24_a_packet_above_our_maximum_is_disconnect_0x95"],
    },
    Rule {
        number: 8,
        rule: "Topic alias 0, above the maximum we announced, any alias when we announced none, \
               an empty topic with an alias never set: DISCONNECT 0x94",
        spec: "MQTT-3.3.2-7, MQTT-3.3.2-8, MQTT-3.3.2-10",
        original: "alias 0 and every empty topic: closes with `MOSQ_ERR_PROTOCOL`, no \
                   DISCONNECT; above the maximum or none announced: accepted",
        ours: "DISCONNECT 0x94 in each case; a known alias with an empty topic is delivered",
        tests: &["mqtt_3_3_2_7_and_10_an_invalid_topic_alias_is_disconnect_0x94"],
    },
    Rule {
        number: 10,
        rule: "Request Problem Information 0 in our CONNECT: a Reason String or User Property \
               on a packet other than PUBLISH, CONNACK or DISCONNECT is a DISCONNECT 0x82",
        spec: "MQTT-3.1.2-29",
        original: "not checked",
        ours: "DISCONNECT 0x82; with the default (1) the same packet is accepted",
        tests: &["mqtt_3_1_2_29_problem_information_we_refused_is_disconnect_0x82"],
    },
    Rule {
        number: 12,
        rule: "Malformed packets (reserved flags, wrong lengths, a property not valid for the \
               packet type) end with DISCONNECT 0x81; a single-use property twice is a Protocol \
               Error (0x82); what the text allows stays accepted",
        spec: "2.1.3, 2.2.2.2, 4.13 (MQTT-4.13.1-1)",
        original: "closes with `MOSQ_ERR_PROTOCOL` (or `MALFORMED_UTF8`, \
                   `DUPLICATE_PROPERTY`), no DISCONNECT",
        ours: "DISCONNECT 0x81 (0x82 for a repeated property), then the close, with the \
               original's return codes; PUBACK without reason code or without property length \
               accepted",
        tests: &["mqtt_4_13_1_1_malformed_packets_are_disconnect_0x81"],
    },
    Rule {
        number: 13,
        rule: "MQTT 3.1.1 and 3.1 keep their own rules: a violation just closes the connection",
        spec: "3.1.1: 4.8",
        original: "closes",
        ours: "closes, no DISCONNECT; `on_disconnect` gets the error code",
        tests: &["mqtt_311_violations_close_without_disconnect"],
    },
];

/// A v5 client connected to a new fake broker with `props` in its CONNECT.
fn v5_client(props: PropList) -> (FakeBroker, Mosq) {
    let mut fake = FakeBroker::new();
    let mut c = Mosq::new(Some("conformance"), true, MQTT_PROTOCOL_V5);
    assert_eq!(c.connect_v5(&fake, 60, &props), 0);
    fake.accept();
    fake.expect_type(PacketType::Connect);
    fake.send(&packets::connack_ok(V5));
    c.wait_line("connect rc=0 flags=0");
    c.take();
    (fake, c)
}

/// Loops until `on_disconnect` has run; the lines seen.
fn until_disconnect(c: &mut Mosq) -> Vec<String> {
    let deadline = Instant::now() + WAIT;
    while !c.lines().iter().any(|l| l.starts_with("disconnect")) {
        assert!(Instant::now() < deadline, "no disconnect: {:?}", c.lines());
        c.step(10);
    }
    c.step(10);
    c.lines()
}

/// Sends `bytes` and checks the end: a DISCONNECT with `reason` on the
/// wire, then the close; `on_disconnect` with `reason` and the loop with
/// `error`. Returns the lines.
fn expect_violation(
    fake: &mut FakeBroker,
    c: &mut Mosq,
    bytes: &[u8],
    reason: u8,
    error: c_int,
) -> Vec<String> {
    fake.send(bytes);
    let lines = until_disconnect(c);
    assert_eq!(
        fake.expect_disconnect_reason(),
        reason,
        "[{}]: {lines:?}",
        hex(bytes)
    );
    fake.expect_closed();
    assert!(
        lines.contains(&format!("disconnect rc={reason}")),
        "[{}]: {lines:?}",
        hex(bytes)
    );
    assert!(
        lines.contains(&format!("loop rc={error}")),
        "[{}]: {lines:?}",
        hex(bytes)
    );
    lines
}

/// A one-property list.
fn one(id: Identifier, value: Value<'static>) -> [Property<'static>; 1] {
    [Property { id, value }]
}

#[test]
fn mqtt_3_3_4_9_more_than_our_receive_maximum_is_disconnect_0x93() {
    // MQTT_PROP_RECEIVE_MAXIMUM = 33.
    let (mut fake, mut c) = v5_client(PropList::default().int16(33, 1));
    // QoS 1 is acknowledged at once: three in a row stay within 1.
    for id in 1..=3 {
        fake.send(&packets::publish(V5, "q1", b"x", 1, false, id));
        c.expect(&mut fake, &packets::puback(V5, id));
    }
    // One QoS 2 message waiting for its PUBREL fills the window...
    fake.send(&packets::publish(V5, "q2", b"a", 2, false, 10));
    c.expect(&mut fake, &packets::pubrec(V5, 10));
    // ...a second one exceeds it.
    let second = packets::publish(V5, "q2", b"b", 2, false, 11);
    let lines = expect_violation(&mut fake, &mut c, &second, 0x93, MOSQ_ERR_PROTOCOL);
    assert!(
        !lines.iter().any(|l| l.contains("payload=b")),
        "the excess message was delivered: {lines:?}"
    );
}

#[test]
fn mqtt_3_1_2_24_a_packet_above_our_maximum_is_disconnect_0x95() {
    // MQTT_PROP_MAXIMUM_PACKET_SIZE = 39: at most 64 bytes.
    let (mut fake, mut c) = v5_client(PropList::default().int32(39, 64));
    // 64 bytes in all is fine.
    let fits = packets::publish(V5, "t", &[b'a'; 58], 0, false, 0);
    assert_eq!(fits.len(), 64);
    fake.send(&fits);
    c.wait_line(&format!(
        "message mid=0 topic=t len=58 qos=0 retain=0 payload={}",
        "a".repeat(58)
    ));
    // 65 bytes: refused whole, never delivered.
    let above = packets::publish(V5, "t", &[b'b'; 59], 0, false, 0);
    assert_eq!(above.len(), 65);
    let lines = expect_violation(&mut fake, &mut c, &above, 0x95, MOSQ_ERR_OVERSIZE_PACKET);
    assert!(
        !lines.iter().any(|l| l.contains("len=59")),
        "delivered: {lines:?}"
    );
}

#[test]
fn mqtt_3_3_2_7_and_10_an_invalid_topic_alias_is_disconnect_0x94() {
    let alias = |n: u16| one(Identifier::TopicAlias, Value::Int16(n));
    // (announced Topic Alias Maximum, topic, alias)
    let cases: [(&str, u16, &str, u16); 4] = [
        ("alias 0", 3, "t", 0),
        ("above the maximum", 3, "t", 4),
        ("none announced", 0, "t", 1),
        ("empty topic, alias never set", 3, "", 2),
    ];
    for (what, max, topic, n) in cases {
        let props = match max {
            0 => PropList::default(),
            m => PropList::default().int16(MQTT_PROP_TOPIC_ALIAS_MAXIMUM, m),
        };
        let (mut fake, mut c) = v5_client(props);
        let bytes = packets::publish_props(V5, topic, b"x", 0, false, 0, &alias(n));
        let lines = expect_violation(&mut fake, &mut c, &bytes, 0x94, MOSQ_ERR_PROTOCOL);
        assert!(
            !lines.iter().any(|l| l.starts_with("message")),
            "{what}: {lines:?}"
        );
    }
    // A known alias with an empty topic is the topic it was set to.
    let (mut fake, mut c) = v5_client(PropList::default().int16(MQTT_PROP_TOPIC_ALIAS_MAXIMUM, 3));
    fake.send(&packets::publish_props(
        V5,
        "a/b",
        b"1",
        0,
        false,
        0,
        &alias(2),
    ));
    fake.send(&packets::publish_props(
        V5,
        "",
        b"2",
        0,
        false,
        0,
        &alias(2),
    ));
    c.wait_line("message mid=0 topic=a/b len=1 qos=0 retain=0 payload=2");
}

#[test]
fn mqtt_3_1_2_29_problem_information_we_refused_is_disconnect_0x82() {
    let reason = one(Identifier::ReasonString, Value::String(b"why"));
    let suback = packets::suback_props(V5, 1, &[0], &reason);
    let subscribe = |c: &mut Mosq| {
        let topic = cstr("a");
        // SAFETY: live handle, NUL-terminated topic.
        let rc = unsafe { mosquitto_subscribe(c.m, std::ptr::null_mut(), topic.as_ptr(), 0) };
        assert_eq!(rc, 0);
    };

    // Default (1): a SUBACK with a Reason String is fine.
    let (mut fake, mut c) = v5_client(PropList::default());
    subscribe(&mut c);
    c.recv(&mut fake);
    fake.send(&suback);
    c.wait_line("subscribe mid=1 granted=0");

    // 0 (MQTT_PROP_REQUEST_PROBLEM_INFORMATION = 23): PUBLISH may still
    // carry a User Property...
    let (mut fake, mut c) = v5_client(PropList::default().byte(23, 0));
    let user = one(Identifier::UserProperty, Value::StringPair(b"k", b"v"));
    fake.send(&packets::publish_props(V5, "t", b"p", 0, false, 0, &user));
    c.wait_line("message mid=0 topic=t len=1 qos=0 retain=0 payload=p");
    // ...but the SUBACK may not carry a Reason String.
    subscribe(&mut c);
    c.recv(&mut fake);
    let lines = expect_violation(&mut fake, &mut c, &suback, 0x82, MOSQ_ERR_PROTOCOL);
    assert!(
        !lines.iter().any(|l| l.starts_with("subscribe")),
        "{lines:?}"
    );
}

#[test]
fn mqtt_4_13_1_1_malformed_packets_are_disconnect_0x81() {
    // (what, bytes, DISCONNECT reason, loop error)
    let reason_twice = [0x40, 12, 0, 1, 0x10, 8, 0x1F, 0, 1, b'a', 0x1F, 0, 1, b'b'];
    let cases: [(&str, Vec<u8>, u8, c_int); 5] = [
        ("PUBACK with reserved flags", vec![0x41, 2, 0, 1], 0x81, 2),
        ("PUBACK too short", vec![0x40, 1, 0], 0x81, 2),
        (
            "PUBACK whose properties run past its end",
            vec![0x40, 4, 0, 1, 0x10, 5],
            0x81,
            2,
        ),
        (
            "Topic Alias in a PUBACK",
            vec![0x40, 7, 0, 1, 0x10, 3, 0x23, 0, 1],
            0x81,
            2,
        ),
        // "It is a Protocol Error to include the Reason String more than
        // once": the original's DUPLICATE_PROPERTY.
        ("Reason String twice", reason_twice.to_vec(), 0x82, 22),
    ];
    for (what, bytes, reason, error) in cases {
        let (mut fake, mut c) = v5_client(PropList::default());
        // Something in flight for the acknowledgements to match.
        let mid = c.publish_ok("t", b"x", 1, false);
        assert_eq!(mid, 1, "{what}");
        c.recv(&mut fake);
        let lines = expect_violation(&mut fake, &mut c, &bytes, reason, error);
        assert!(
            !lines.iter().any(|l| l.starts_with("publish")),
            "{what}: {lines:?}"
        );
    }

    // What the text allows is accepted: a PUBACK without reason code, and
    // one with a reason code but no property length.
    for bytes in [vec![0x40, 2, 0, 1], vec![0x40, 3, 0, 1, 0x10]] {
        let (mut fake, mut c) = v5_client(PropList::default());
        c.publish_ok("t", b"x", 1, false);
        c.recv(&mut fake);
        fake.send(&bytes);
        c.wait_line("publish mid=1");
    }
}

#[test]
fn mqtt_311_violations_close_without_disconnect() {
    for bytes in [vec![0x41, 2, 0, 1], vec![0x40, 1, 0]] {
        let (mut fake, mut c) = connected(MQTT_PROTOCOL_V311);
        c.publish_ok("t", b"x", 1, false);
        c.recv(&mut fake);
        fake.send(&bytes);
        let lines = until_disconnect(&mut c);
        // No DISCONNECT in MQTT 3.1.1: the next thing is the close.
        fake.expect_closed();
        assert!(
            lines.contains(&format!("disconnect rc={MOSQ_ERR_PROTOCOL}")),
            "[{}]: {lines:?}",
            hex(&bytes)
        );
        let _ = V311;
    }
}
