//! Which properties the `_v5` calls send for a list the library made
//! (tests/c/property_relay.c), on Debian's libmosquitto 2.0.11 and on ours:
//! a node taken from a received message's list stands for itself, a list
//! the program built is sent whole. A fake broker records every packet the
//! program sends; both libraries must send the same bytes.

mod support;
use support::common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use common::{command_with, Lib};
use mosquitto::protocol::packet::{Packet, PacketType, Properties};
use mosquitto::protocol::property::{Identifier, Property, Value};
use support::fake::RecvError;
use support::packets::{self, hex, V5};
use support::run::LineProcess;
use support::{FakeBroker, RawPacket};

/// The program, compiled once.
fn relay() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| {
        let src = common::root().join("tests/c/property_relay.c");
        let exe = common::scratch("property_lists").join("property_relay");
        let args = ["-O1", "-Wall", "-Wextra", "-Werror", "-lmosquitto"];
        common::compile(&[&src], &exe, &args, false);
        exe
    })
}

/// What one run sent: the packets after CONNECT, and the program's lines.
struct Relay {
    packets: Vec<RawPacket>,
    lines: Vec<String>,
}

/// Runs the program on `lib`: the broker sends one message whose
/// properties are correlation data, two user properties and a content
/// type, then records what comes back until the program disconnects.
fn run(lib: Lib) -> Relay {
    let mut fake = FakeBroker::new();
    let mut cmd = command_with(lib, relay());
    cmd.arg(fake.port().to_string());
    let mut program = LineProcess::spawn(&mut cmd);
    fake.accept_connect();
    let props = [
        Property {
            id: Identifier::CorrelationData,
            value: Value::Binary(b"corridor"),
        },
        Property {
            id: Identifier::UserProperty,
            value: Value::StringPair(b"a", b"b"),
        },
        Property {
            id: Identifier::UserProperty,
            value: Value::StringPair(b"c", b"d"),
        },
        Property {
            id: Identifier::ContentType,
            value: Value::String(b"text/x"),
        },
    ];
    fake.send(&packets::publish_props(
        V5, "q", b"request", 0, false, 0, &props,
    ));
    let mut sent = Vec::new();
    loop {
        match fake.recv_timeout(Duration::from_secs(5)) {
            Ok(p) => sent.push(p),
            Err(RecvError::Closed(rest)) if rest.is_empty() => break,
            Err(e) => panic!("{lib:?}: {e:?} after {sent:?}\n{}", program.describe()),
        }
    }
    let mut lines = Vec::new();
    while let Some(line) = program.next_line(Duration::from_secs(5)) {
        let end = line == "end";
        lines.push(line);
        if end {
            break;
        }
    }
    let status = program.wait_timeout(Duration::from_secs(5));
    assert!(
        status.is_some_and(|s| s.success()),
        "{lib:?}: the program failed: {}",
        program.describe()
    );
    Relay {
        packets: sent,
        lines,
    }
}

/// The user/correlation properties of a packet the program sent.
fn properties_of(p: &RawPacket) -> Vec<String> {
    match p.decode() {
        Packet::Publish(x) => props_text(&x.properties),
        Packet::Subscribe(x) => props_text(&x.properties),
        Packet::Unsubscribe(x) => props_text(&x.properties),
        Packet::Disconnect(x) => props_text(&x.properties),
        other => panic!("unexpected {other:?}"),
    }
}

/// Each property as `name=value`.
fn props_text(props: &Properties<'_>) -> Vec<String> {
    props
        .iter()
        .map(|p| format!("{}={:?}", p.id.name(), p.value))
        .collect()
}

#[test]
fn received_node_stands_for_itself_as_on_reference() {
    let reference = run(Lib::Reference);
    let ours = run(Lib::Ours);
    assert_eq!(ours.lines, reference.lines, "the programs' lines differ");
    let show = |r: &Relay| r.packets.iter().map(|p| hex(&p.bytes)).collect::<Vec<_>>();
    assert_eq!(show(&ours), show(&reference), "the packets sent differ");

    // What the reference sends, spelled out: each call sent the one node it
    // was given, except the list the program built.
    let kinds: Vec<_> = reference
        .packets
        .iter()
        .map(|p| p.packet_type().unwrap())
        .collect();
    use PacketType::*;
    assert_eq!(
        kinds,
        [
            Publish,
            Subscribe,
            Unsubscribe,
            Publish,
            Publish,
            Disconnect
        ]
    );
    let props: Vec<_> = reference.packets.iter().map(properties_of).collect();
    let user_ab = vec!["user-property=StringPair([97], [98])".to_string()];
    assert_eq!(props[0].len(), 1, "{props:?}");
    assert!(props[0][0].starts_with("correlation-data"), "{props:?}");
    assert_eq!(props[1], user_ab);
    assert_eq!(props[2], user_ab);
    assert_eq!(props[3], user_ab, "a copy's head is the library's too");
    assert_eq!(props[4].len(), 2, "a built list goes whole: {props:?}");
    assert_eq!(props[5], user_ab);
}
