//! Every line the log callback receives, word for word and with its level,
//! ours against Debian's libmosquitto 2.0.11: people grep these lines and
//! scripts parse `mosquitto_sub -d`.
//!
//! One C program (tests/c/log_trace.c) prints each log line in the common
//! flows of MQTT 3.1, 3.1.1 and 5: against a real broker (connect, CONNACK,
//! SUBSCRIBE/SUBACK, PUBLISH out and in at QoS 0-2 with PUBACK, PUBREC,
//! PUBREL and PUBCOMP, UNSUBSCRIBE, PINGREQ/PINGRESP, DISCONNECT, a refusal,
//! no client id), and against the fake broker, which sends what a real one
//! rarely does: an assigned client id, a PUBREC and a PUBACK for unknown
//! packet ids, and (MQTT 5) DISCONNECT with reason 158. Each run gets its
//! own broker; the outputs must agree line for line.

mod support;
use support::common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::thread;

use ::mosquitto::protocol::packet::{AckKind, PacketType, ProtocolVersion};
use ::mosquitto::protocol::property::{Identifier, Property, Value};
use common::Lib;
use support::diff::{assert_same_lines, compile_trace, trace_on};
use support::packets::{self, V31, V311, V5};
use support::{Broker, BrokerOptions, FakeBroker};

/// The scratch folder of this test.
const SCRATCH: &str = "log_diff";

/// The compiled program, built once.
fn program() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| compile_trace("log_trace", SCRATCH))
}

/// The number log_trace takes for `v`.
fn number(v: ProtocolVersion) -> u8 {
    match v {
        V31 => 3,
        V311 => 4,
        _ => 5,
    }
}

/// The broker flows on `lib` for `v`, against a broker of its own.
fn broker_run(lib: Lib, v: ProtocolVersion) -> String {
    let broker = Broker::start(
        BrokerOptions::default()
            .name(&format!("log-{lib:?}-{}", number(v)))
            .user("user", "secret"),
    );
    let args = [
        "broker".to_string(),
        number(v).to_string(),
        "127.0.0.1".into(),
        broker.port().to_string(),
        broker.auth_port().to_string(),
    ];
    normalise(&trace_on(lib, program(), &args))
}

/// The fake broker's script (the client publishes one QoS 1 message after
/// its CONNACK, then only answers).
fn fake_script(fake: &mut FakeBroker) {
    fake.accept();
    fake.expect_type(PacketType::Connect);
    let v = fake.version();
    let assigned = [Property {
        id: Identifier::AssignedClientIdentifier,
        value: Value::String(b"fake-assigned"),
    }];
    let props: &[Property] = if v == V5 { &assigned } else { &[] };
    fake.send(&packets::connack(v, 0, false, props));
    fake.expect_type(PacketType::Publish);
    // An unknown packet id: the original warns, and still releases it.
    fake.send(&packets::pubrec(v, 77));
    fake.expect_type(PacketType::Pubrel);
    fake.send(&packets::puback(v, 1));
    fake.send(&packets::ack(v, AckKind::Puback, 55, 0));
    fake.send(&packets::publish(v, "fake/in", b"in", 2, false, 9));
    fake.expect_type(PacketType::Pubrec);
    fake.send(&packets::pubrel(v, 9));
    fake.expect_type(PacketType::Pubcomp);
    // The original answers a broker's PINGREQ.
    fake.send(&packets::pingreq());
    fake.expect_type(PacketType::Pingresp);
    if v == V5 {
        fake.send(&packets::disconnect(v, 158));
    } else {
        // A packet only clients send: the original logs an error and
        // drops the connection.
        fake.send(&packets::subscribe(v, 3, "nope", 0));
    }
    fake.expect_closed();
}

/// The fake broker flow on `lib` for `v`.
fn fake_run(lib: Lib, v: ProtocolVersion) -> String {
    let mut fake = FakeBroker::new();
    let args = [
        "fake".to_string(),
        number(v).to_string(),
        "127.0.0.1".into(),
        fake.port().to_string(),
    ];
    thread::scope(|s| {
        let script = s.spawn(|| fake_script(&mut fake));
        let out = trace_on(lib, program(), &args);
        script.join().expect("the fake broker's script");
        normalise(&out)
    })
}

/// Replaces the client ids a library or the broker generates at random:
/// `mosq-` and 18 letters or digits (the original's own for MQTT 3.1) and
/// the broker's `auto-` and a UUID in upper case.
fn normalise(out: &str) -> String {
    let mut text = out.to_string();
    for (prefix, len, allowed) in [("Client mosq-", 18, "alnum"), ("Client auto-", 36, "uuid")] {
        let mut result = String::new();
        let mut rest = text.as_str();
        while let Some(at) = rest.find(prefix) {
            let (head, tail) = rest.split_at(at + prefix.len());
            result.push_str(head);
            let id: String = tail.chars().take(len).collect();
            let fits = id.len() == len
                && id.chars().all(|c| match allowed {
                    "alnum" => c.is_ascii_alphanumeric(),
                    _ => c.is_ascii_digit() || ('A'..='F').contains(&c) || c == '-',
                });
            if fits {
                result.push_str("<random>");
                rest = &tail[len..];
            } else {
                rest = tail;
            }
        }
        result.push_str(rest);
        text = result;
    }
    text
}

/// Runs `flow` on both libraries at once and compares.
fn compare(what: &str, flow: fn(Lib, ProtocolVersion) -> String, v: ProtocolVersion) {
    program();
    let (reference, ours) = thread::scope(|s| {
        let reference = s.spawn(move || flow(Lib::Reference, v));
        let ours = s.spawn(move || flow(Lib::Ours, v));
        (reference.join().unwrap(), ours.join().unwrap())
    });
    assert!(
        reference.contains("LOG DEBUG "),
        "the reference logged nothing:\n{reference}"
    );
    assert_same_lines(SCRATCH, what, &reference, &ours);
}

#[test]
fn broker_flows_log_like_reference_mqtt31() {
    compare("broker-v3", broker_run, V31);
}

#[test]
fn broker_flows_log_like_reference_mqtt311() {
    compare("broker-v4", broker_run, V311);
}

#[test]
fn broker_flows_log_like_reference_mqtt5() {
    compare("broker-v5", broker_run, V5);
}

#[test]
fn fake_broker_flows_log_like_reference_mqtt31() {
    compare("fake-v3", fake_run, V31);
}

#[test]
fn fake_broker_flows_log_like_reference_mqtt311() {
    compare("fake-v4", fake_run, V311);
}

#[test]
fn fake_broker_flows_log_like_reference_mqtt5() {
    compare("fake-v5", fake_run, V5);
}

#[test]
fn normalise_replaces_only_generated_ids() {
    assert_eq!(
        normalise(
            "LOG DEBUG Client mosq-3ZfaFc3TxxanHxmcYD sending CONNECT\n\
             LOG DEBUG Client auto-A8BC656A-A03B-FE5C-BECB-41C5FA94BFAA received CONNACK (0)\n\
             LOG DEBUG Client mosq-short sending CONNECT\n"
        ),
        "LOG DEBUG Client mosq-<random> sending CONNECT\n\
         LOG DEBUG Client auto-<random> received CONNACK (0)\n\
         LOG DEBUG Client mosq-short sending CONNECT\n"
    );
}
