//! What the client sends: the server's Maximum Packet Size (rule 5),
//! outgoing Topic Aliases (rule 7), Retain Available (rule 9) and the
//! DISCONNECT we send (rule 11). Our library runs in-process against the
//! fake broker. The "original" column comes from 2.0.11's source
//! (lib/actions.c, lib/send_publish.c, lib/messages_mosq.c, lib/connect.c):
//! tests/c/packet_probe.c does not publish or disconnect, so these calls
//! cannot be replayed on it.

use std::ffi::c_int;
use std::time::Duration;

use ::mosquitto::ffi::connect::{mosquitto_disconnect_v5, mosquitto_reconnect};
use ::mosquitto::ffi::options::mosquitto_max_inflight_messages_set;
use ::mosquitto::ffi::property::mosquitto_property_add_string_pair;
use ::mosquitto::protocol::packet::{Packet, PacketType};
use ::mosquitto::protocol::property::{Identifier, Property, Value};

use super::support::inproc::*;
use super::support::packets::{self, V5};
use super::support::FakeBroker;
use super::Rule;

/// This module's rules.
pub const RULES: &[Rule] = &[
    Rule {
        number: 5,
        rule: "No packet above the server's Maximum Packet Size, DISCONNECT and AUTH \
               included (they lose their Reason String and User Properties to fit); a \
               queued message too large for a new connection's limit is dropped and \
               reported",
        spec: "MQTT-3.2.2-15, MQTT-3.14.2-3, MQTT-3.15.2-2",
        original: "Checks publish, subscribe and unsubscribe calls, counting the remaining \
                   length and its length bytes (one byte short of the packet); a message \
                   resent after reconnecting to a smaller limit is silently never sent; \
                   DISCONNECT is sent whole",
        ours: "The whole packet counts; calls fail with `MOSQ_ERR_OVERSIZE_PACKET`; \
               DISCONNECT sheds its Reason String and User Properties; a queued message \
               too large at (re)send time is dropped and reported by `on_publish` \
               (`on_publish_v5` reason code 0x95)",
        tests: &[
            "mqtt_3_2_2_15_no_packet_above_the_maximum_packet_size",
            "mqtt_3_14_2_3_disconnect_sheds_reason_string_and_user_properties_to_fit",
            "mqtt_3_2_2_15_queued_message_too_large_for_the_new_limit_is_dropped_and_reported",
        ],
    },
    Rule {
        number: 7,
        rule: "Topic Aliases we send: none when the server's Topic Alias Maximum is absent \
               or 0, never 0, never above it; mappings live for one connection",
        spec: "MQTT-3.2.2-17, MQTT-3.2.2-18, MQTT-3.3.2-8, MQTT-3.3.2-9",
        original: "Sends whatever alias the application gives (0 fails the property check \
                   with `MOSQ_ERR_PROTOCOL`), also after a reconnection",
        ours: "A forbidden alias (0, above the maximum, none allowed, or an empty topic \
               with an alias not mapped on this connection) fails with \
               `MOSQ_ERR_TOPIC_ALIAS_INVALID`; a message whose mapping the server lacks \
               when it is written (queued behind the window, or across a reconnection) \
               goes out with its full topic, without the alias when the new connection \
               does not allow it",
        tests: &[
            "mqtt_3_3_2_9_topic_alias_within_the_servers_maximum",
            "mqtt_3_2_2_17_topic_aliases_live_for_one_connection",
            "mqtt_3_3_2_3_4_unsent_mapping_goes_out_with_the_topic",
        ],
    },
    Rule {
        number: 9,
        rule: "Retain Available 0: no PUBLISH with RETAIN",
        spec: "MQTT-3.2.2-14",
        original: "Clears RETAIN and sends the message (`mosquitto_publish_v5`, \
                   `send__publish`)",
        ours: "The publish call fails with `MOSQ_ERR_RETAIN_NOT_SUPPORTED`; a retained \
               message queued for a new connection without retain is dropped and \
               reported by `on_publish` (`on_publish_v5` reason code 0x9A)",
        tests: &[
            "mqtt_3_2_2_14_no_retain_when_retain_is_unavailable",
            "mqtt_3_2_2_14_queued_retained_message_is_dropped_and_reported",
        ],
    },
    Rule {
        number: 11,
        rule: "DISCONNECT we send: only the reason codes a client may send; no non-zero \
               Session Expiry Interval when CONNECT had 0",
        spec: "MQTT-3.14.2-1, 3.14.2.2.2",
        original: "Sends any reason code from 0 to 255 and any Session Expiry Interval",
        ours: "`mosquitto_disconnect_v5` fails with `MOSQ_ERR_INVAL` and sends nothing \
               (the connection stays as it was)",
        tests: &[
            "mqtt_3_14_2_1_only_client_reason_codes_in_disconnect",
            "mqtt_3_14_2_2_2_no_session_expiry_on_disconnect_when_connect_had_none",
        ],
    },
];

const QUIET: Duration = Duration::from_millis(100);

fn prop(id: Identifier, value: Value<'static>) -> Property<'static> {
    Property { id, value }
}

/// A v5 client (v5 callbacks too) with a persistent session (Clean Start
/// 0, so that what is in flight survives a reconnection: rule 2) connected
/// with a CONNACK carrying `props`.
fn v5_session(props: &[Property<'_>]) -> (FakeBroker, Mosq) {
    let (fake, mut c, _) = session(
        MQTT_PROTOCOL_V5,
        Some("out"),
        false,
        &packets::connack(V5, 0, false, props),
    );
    c.v5_callbacks();
    (fake, c)
}

/// The broker drops the connection; the client reconnects and gets a
/// CONNACK with Session Present 1 and `props`.
fn reconnect(fake: &mut FakeBroker, c: &mut Mosq, props: &[Property<'_>]) {
    fake.close();
    c.wait_line(&format!("disconnect rc={MOSQ_ERR_CONN_LOST}"));
    c.take();
    // SAFETY: live handle.
    assert_eq!(unsafe { mosquitto_reconnect(c.m) }, 0);
    fake.accept();
    fake.expect_type(PacketType::Connect);
    fake.send(&packets::connack(V5, 0, true, props));
    c.wait_line("connect rc=0 flags=1");
}

fn alias(n: u16) -> PropList {
    PropList::default().int16(MQTT_PROP_TOPIC_ALIAS, n)
}

/// The v5 property bytes of Topic Alias `n`, with their length.
fn alias_block(n: u16) -> [u8; 4] {
    let [hi, lo] = n.to_be_bytes();
    [3, 0x23, hi, lo]
}

fn disconnect_v5(c: &Mosq, rc: c_int, props: &PropList) -> c_int {
    // SAFETY: live handle; NULL or a valid list.
    unsafe { mosquitto_disconnect_v5(c.m, rc, props.0) }
}

// ---- rule 5: Maximum Packet Size ----------------------------------------------

#[test]
fn mqtt_3_2_2_15_no_packet_above_the_maximum_packet_size() {
    let (mut fake, mut c) = v5_session(&[prop(Identifier::MaximumPacketSize, Value::Int32(30))]);
    // PUBLISH QoS 1: 2 (fixed header) + 3 (topic) + 2 (id) + 1 (props) +
    // payload; 30 bytes with 22 of payload.
    let mid = c.publish_ok("t", &[b'f'; 22], 1, false);
    c.expect(
        &mut fake,
        &pkt(0x32, &[&s("t"), &be16(mid), &[0], &[b'f'; 22]]),
    );
    assert_eq!(
        c.publish("t", &[b'x'; 23], 1, false).0,
        MOSQ_ERR_OVERSIZE_PACKET
    );
    // QoS 0: 2 + 3 + 1 + payload.
    c.publish_ok("t", &[b'z'; 24], 0, false);
    assert_eq!(c.recv(&mut fake).bytes.len(), 30);
    assert_eq!(
        c.publish("t", &[b'x'; 25], 0, false).0,
        MOSQ_ERR_OVERSIZE_PACKET
    );
    // SUBSCRIBE: 2 + 2 (id) + 1 (props) + 2 + filter + 1 (options).
    assert_eq!(c.subscribe(&"s".repeat(22), 0).0, 0);
    assert_eq!(c.recv(&mut fake).bytes.len(), 30);
    assert_eq!(c.subscribe(&"s".repeat(23), 0).0, MOSQ_ERR_OVERSIZE_PACKET);
    // UNSUBSCRIBE: 2 + 2 (id) + 1 (props) + 2 + filter.
    assert_eq!(c.unsubscribe(&"u".repeat(23)).0, 0);
    assert_eq!(c.recv(&mut fake).bytes.len(), 30);
    assert_eq!(c.unsubscribe(&"u".repeat(24)).0, MOSQ_ERR_OVERSIZE_PACKET);
    c.expect_quiet(&mut fake, QUIET);
}

#[test]
fn mqtt_3_14_2_3_disconnect_sheds_reason_string_and_user_properties_to_fit() {
    let with_extras = || {
        let mut props = PropList::default()
            .int32(MQTT_PROP_SESSION_EXPIRY_INTERVAL, 0)
            .string(
                MQTT_PROP_REASON_STRING,
                "a reason string longer than the limit",
            );
        let (k, v) = (cstr("key"), cstr("value"));
        // SAFETY: valid list pointer; NUL-terminated strings.
        let rc = unsafe {
            mosquitto_property_add_string_pair(
                &mut props.0,
                MQTT_PROP_USER_PROPERTY,
                k.as_ptr(),
                v.as_ptr(),
            )
        };
        assert_eq!(rc, 0);
        props
    };
    // Too large for 20 bytes: only the Session Expiry Interval stays.
    let (mut fake, mut c) = v5_session(&[prop(Identifier::MaximumPacketSize, Value::Int32(20))]);
    assert_eq!(disconnect_v5(&c, 0x80, &with_extras()), 0);
    c.expect(&mut fake, &[0xE0, 7, 0x80, 5, 0x11, 0, 0, 0, 0]);
    c.wait_line("disconnect rc=0");
    // Without a limit the DISCONNECT goes out whole.
    let (mut fake, mut c) = v5_session(&[]);
    assert_eq!(disconnect_v5(&c, 0x80, &with_extras()), 0);
    let whole = c.recv(&mut fake);
    let Packet::Disconnect(d) = whole.decode() else {
        panic!("not a DISCONNECT: {whole:?}");
    };
    let ids: Vec<Identifier> = d.properties.iter().map(|p| p.id).collect();
    assert_eq!(
        ids,
        [
            Identifier::SessionExpiryInterval,
            Identifier::ReasonString,
            Identifier::UserProperty
        ]
    );
}

#[test]
fn mqtt_3_2_2_15_queued_message_too_large_for_the_new_limit_is_dropped_and_reported() {
    let (mut fake, mut c) = v5_session(&[]);
    let big = c.publish_ok("t", &[b'b'; 100], 1, false);
    c.recv(&mut fake);
    let small = c.publish_ok("t", b"s", 1, false);
    c.recv(&mut fake);
    reconnect(
        &mut fake,
        &mut c,
        &[prop(Identifier::MaximumPacketSize, Value::Int32(50))],
    );
    // Only the message that fits is resent; the other is reported.
    c.expect(&mut fake, &pkt(0x3A, &[&s("t"), &be16(small), &[0], b"s"]));
    c.wait_line(&format!("publish_v5 mid={big} rc={}", 0x95));
    assert!(c.lines().contains(&format!("publish mid={big}")));
    c.expect_quiet(&mut fake, QUIET);
}

// ---- rule 7: Topic Aliases we send --------------------------------------------

#[test]
fn mqtt_3_3_2_9_topic_alias_within_the_servers_maximum() {
    // No Topic Alias Maximum in CONNACK: no alias at all.
    let (mut fake, mut c) = v5_session(&[]);
    let rc = c.publish_v5("a", b"x", 0, false, &alias(1)).0;
    assert_eq!(rc, MOSQ_ERR_TOPIC_ALIAS_INVALID);
    c.expect_quiet(&mut fake, QUIET);

    let (mut fake, mut c) = v5_session(&[prop(Identifier::TopicAliasMaximum, Value::Int16(2))]);
    for (topic, n) in [("a", 0), ("a", 3), ("", 2)] {
        let rc = c.publish_v5(topic, b"x", 0, false, &alias(n)).0;
        assert_eq!(
            rc, MOSQ_ERR_TOPIC_ALIAS_INVALID,
            "topic {topic:?} alias {n}"
        );
    }
    c.expect_quiet(&mut fake, QUIET);
    assert_eq!(c.publish_v5("a/b", b"1", 0, false, &alias(2)).0, 0);
    c.expect(&mut fake, &pkt(0x30, &[&s("a/b"), &alias_block(2), b"1"]));
    assert_eq!(c.publish_v5("", b"2", 0, false, &alias(2)).0, 0);
    c.expect(&mut fake, &pkt(0x30, &[&s(""), &alias_block(2), b"2"]));
}

#[test]
fn mqtt_3_2_2_17_topic_aliases_live_for_one_connection() {
    let (mut fake, mut c) = v5_session(&[prop(Identifier::TopicAliasMaximum, Value::Int16(2))]);
    let (rc, first) = c.publish_v5("a/b", b"1", 1, false, &alias(1));
    assert_eq!(rc, 0);
    c.expect(
        &mut fake,
        &pkt(
            0x32,
            &[&s("a/b"), &be16(first as u16), &alias_block(1), b"1"],
        ),
    );
    let (rc, second) = c.publish_v5("", b"2", 1, false, &alias(1));
    assert_eq!(rc, 0);
    c.expect(
        &mut fake,
        &pkt(0x32, &[&s(""), &be16(second as u16), &alias_block(1), b"2"]),
    );
    // The new connection allows no alias: both go out with the full topic.
    reconnect(&mut fake, &mut c, &[]);
    for (mid, payload) in [(first, b"1"), (second, b"2")] {
        let id = be16(mid as u16);
        c.expect(&mut fake, &pkt(0x3A, &[&s("a/b"), &id, &[0], payload]));
    }
    // The old mapping is gone.
    let rc = c.publish_v5("", b"3", 0, false, &alias(1)).0;
    assert_eq!(rc, MOSQ_ERR_TOPIC_ALIAS_INVALID);
    c.expect_quiet(&mut fake, QUIET);
}

#[test]
fn mqtt_3_3_2_3_4_unsent_mapping_goes_out_with_the_topic() {
    let (mut fake, mut c) = v5_session(&[prop(Identifier::TopicAliasMaximum, Value::Int16(2))]);
    // SAFETY: live handle.
    assert_eq!(unsafe { mosquitto_max_inflight_messages_set(c.m, 1) }, 0);
    let head = c.publish_ok("t", b"h", 1, false);
    c.recv(&mut fake);
    // Queued behind the full window: its mapping is not on the wire yet.
    let (rc, queued) = c.publish_v5("x/y", b"q", 1, false, &alias(2));
    assert_eq!(rc, 0);
    // The broker lacks alias 2: the topic goes with it.
    assert_eq!(c.publish_v5("", b"0", 0, false, &alias(2)).0, 0);
    c.expect(&mut fake, &pkt(0x30, &[&s("x/y"), &alias_block(2), b"0"]));
    fake.send(&packets::puback(V5, head));
    c.expect(
        &mut fake,
        &pkt(
            0x32,
            &[&s("x/y"), &be16(queued as u16), &alias_block(2), b"q"],
        ),
    );
    // Now mapped on the wire: the alias alone.
    assert_eq!(c.publish_v5("", b"1", 0, false, &alias(2)).0, 0);
    c.expect(&mut fake, &pkt(0x30, &[&s(""), &alias_block(2), b"1"]));
}

// ---- rule 9: Retain Available -------------------------------------------------

#[test]
fn mqtt_3_2_2_14_no_retain_when_retain_is_unavailable() {
    let (mut fake, mut c) = v5_session(&[prop(Identifier::RetainAvailable, Value::Byte(0))]);
    for qos in 0..=2 {
        let rc = c.publish("r", b"x", qos, true).0;
        assert_eq!(rc, MOSQ_ERR_RETAIN_NOT_SUPPORTED, "qos {qos}");
    }
    c.expect_quiet(&mut fake, QUIET);
    let mid = c.publish_ok("r", b"1", 1, false);
    c.expect(&mut fake, &pkt(0x32, &[&s("r"), &be16(mid), &[0], b"1"]));
}

#[test]
fn mqtt_3_2_2_14_queued_retained_message_is_dropped_and_reported() {
    let (mut fake, mut c) = v5_session(&[]);
    let retained = c.publish_ok("r", b"1", 1, true);
    c.expect(
        &mut fake,
        &pkt(0x33, &[&s("r"), &be16(retained), &[0], b"1"]),
    );
    let plain = c.publish_ok("r", b"2", 1, false);
    c.recv(&mut fake);
    reconnect(
        &mut fake,
        &mut c,
        &[prop(Identifier::RetainAvailable, Value::Byte(0))],
    );
    c.expect(&mut fake, &pkt(0x3A, &[&s("r"), &be16(plain), &[0], b"2"]));
    c.wait_line(&format!("publish_v5 mid={retained} rc={}", 0x9A));
    c.expect_quiet(&mut fake, QUIET);
}

// ---- rule 11: the DISCONNECT we send ------------------------------------------

/// The specification's table (3.14.2.1): codes marked "Client" or
/// "Client or Server".
const CLIENT_CODES: [u8; 14] = [
    0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99,
];

#[test]
fn mqtt_3_14_2_1_only_client_reason_codes_in_disconnect() {
    let (mut fake, mut c) = v5_session(&[]);
    for code in (0..=255u8).filter(|c| !CLIENT_CODES.contains(c)) {
        let rc = disconnect_v5(&c, c_int::from(code), &PropList::default());
        assert_eq!(rc, MOSQ_ERR_INVAL, "reason code {code:#04x}");
    }
    c.expect_quiet(&mut fake, QUIET);
    // Still connected, and not on its way out.
    let mid = c.publish_ok("t", b"1", 1, false);
    c.expect(&mut fake, &pkt(0x32, &[&s("t"), &be16(mid), &[0], b"1"]));
    for code in CLIENT_CODES {
        let (mut fake, mut c) = v5_session(&[]);
        assert_eq!(
            disconnect_v5(&c, c_int::from(code), &PropList::default()),
            0
        );
        let expected: &[u8] = if code == 0 {
            &[0xE0, 0]
        } else {
            &[0xE0, 1, code]
        };
        c.expect(&mut fake, expected);
    }
}

#[test]
fn mqtt_3_14_2_2_2_no_session_expiry_on_disconnect_when_connect_had_none() {
    let expiry = |n| PropList::default().int32(MQTT_PROP_SESSION_EXPIRY_INTERVAL, n);
    let (mut fake, mut c) = v5_session(&[]);
    assert_eq!(disconnect_v5(&c, 0, &expiry(60)), MOSQ_ERR_INVAL);
    c.expect_quiet(&mut fake, QUIET);
    assert_eq!(disconnect_v5(&c, 0, &expiry(0)), 0);
    c.expect(&mut fake, &[0xE0, 7, 0, 5, 0x11, 0, 0, 0, 0]);

    // CONNECT with an interval: DISCONNECT may change it.
    let mut fake = FakeBroker::new();
    let mut c = Mosq::new(Some("se"), true, MQTT_PROTOCOL_V5);
    assert_eq!(c.connect_v5(&fake, 60, &expiry(30)), 0);
    fake.accept();
    fake.expect_type(PacketType::Connect);
    fake.send(&packets::connack_ok(V5));
    c.wait_line("connect rc=0 flags=0");
    assert_eq!(disconnect_v5(&c, 0, &expiry(60)), 0);
    c.expect(&mut fake, &[0xE0, 7, 0, 5, 0x11, 0, 0, 0, 60]);
}
