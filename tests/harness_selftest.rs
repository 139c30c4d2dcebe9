//! Proves the test infrastructure in tests/support works: Debian's own
//! clients on the reference library against the real broker harness, a
//! scripted fake broker against `mosquitto_pub`, and raw packet
//! connections against both.

mod support;
use support::common;

use std::io::{ErrorKind, Read};
use std::net::TcpStream;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use common::Lib;
use mosquitto::protocol::packet::{Packet, PacketType, ProtocolVersion};
use support::broker::ipv6_available;
use support::clients::{args, mosquitto_pub, mosquitto_sub, next_message};
use support::fake::RecvError;
use support::packets::{self, V311, V5};
use support::run::{describe, run_ok, run_timed, run_with_input, run_with_timeout, LineProcess};
use support::{Broker, BrokerOptions, FakeBroker, Listener, PacketConn};

const T: Duration = Duration::from_secs(5);

/// `mosquitto_pub` arguments reaching `listener`, then `extra`.
fn pub_args(broker: &Broker, listener: Listener, extra: &[&str]) -> Vec<String> {
    let mut a = broker.client_args(listener);
    a.extend(args(extra.iter().copied()));
    a
}

/// Publishes with the reference `mosquitto_pub` and asserts it succeeded.
fn publish_ok(broker: &Broker, listener: Listener, extra: &[&str]) {
    let out = mosquitto_pub(Lib::Reference, &pub_args(broker, listener, extra));
    assert!(
        out.status.success(),
        "mosquitto_pub via {listener:?}: {}",
        describe(&out)
    );
}

#[test]
fn broker_serves_every_listener_kind() {
    let options = BrokerOptions::default()
        .name("all-listeners")
        .user("alice", "s3cret")
        .unix_socket();
    let broker = Broker::start(options);
    let mut sub = mosquitto_sub(
        Lib::Reference,
        &pub_args(&broker, Listener::Tcp, &["-v", "-t", "harness/#"]),
    );

    publish_ok(&broker, Listener::Tcp, &["-t", "harness/tcp", "-m", "one"]);
    assert_eq!(next_message(&mut sub, T), "harness/tcp one");

    let auth = [
        "-u",
        "alice",
        "-P",
        "s3cret",
        "-t",
        "harness/auth",
        "-m",
        "two",
    ];
    publish_ok(&broker, Listener::Auth, &auth);
    assert_eq!(next_message(&mut sub, T), "harness/auth two");

    // A wrong password and no credentials at all are both refused.
    for creds in [&["-u", "alice", "-P", "wrong"][..], &[][..]] {
        let mut a = creds.to_vec();
        a.extend(["-t", "harness/auth", "-m", "refused"]);
        let out = mosquitto_pub(Lib::Reference, &pub_args(&broker, Listener::Auth, &a));
        assert!(
            !out.status.success(),
            "{creds:?} accepted: {}",
            describe(&out)
        );
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("not authorised"),
            "{}",
            describe(&out)
        );
    }

    publish_ok(
        &broker,
        Listener::Unix,
        &["-t", "harness/unix", "-m", "three"],
    );
    assert_eq!(next_message(&mut sub, T), "harness/unix three");

    // The refused attempts delivered nothing.
    sub.expect_no_line(Duration::from_millis(200));
    broker.wait_for_log("not authorised", T);
}

/// The broker's IPv6 listener (`::1`) carries a message from a client on
/// it to a subscriber on IPv4.
#[test]
#[cfg_attr(no_ipv6, ignore = "this machine has no IPv6 loopback (::1)")]
fn broker_serves_the_ipv6_listener() {
    assert!(
        ipv6_available(),
        "::1 cannot be bound (rebuild to re-probe)"
    );
    let broker = Broker::start(BrokerOptions::default().name("ipv6-listener").tcp6());
    let mut sub = mosquitto_sub(
        Lib::Reference,
        &pub_args(&broker, Listener::Tcp, &["-v", "-t", "harness/#"]),
    );
    publish_ok(&broker, Listener::Tcp6, &["-t", "harness/v6", "-m", "four"]);
    assert_eq!(next_message(&mut sub, T), "harness/v6 four");
}

#[test]
fn restart_with_persistence_keeps_retained_message() {
    let mut broker = Broker::start(BrokerOptions::default().name("persist").persistence());
    let port = broker.port();
    let retained = ["-t", "keep/me", "-m", "still here", "-r", "-q", "1"];
    publish_ok(&broker, Listener::Tcp, &retained);

    broker.restart();
    assert_eq!(broker.port(), port);
    let db = broker.persistence_dir().unwrap().join("mosquitto.db");
    assert!(db.exists(), "no database saved:\n{}", broker.log());

    let mut cmd = common::command_with(Lib::Reference, "mosquitto_sub");
    cmd.args(pub_args(
        &broker,
        Listener::Tcp,
        &["-t", "keep/me", "-C", "1", "-W", "5"],
    ));
    let out = run_ok(&mut cmd, T);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "still here\n");

    // After a crash (SIGKILL) the saved database still has it.
    broker.kill();
    assert!(!broker.is_running());
    broker.start_again();
    let out = run_ok(&mut cmd, T);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "still here\n");
}

#[test]
fn restart_without_persistence_forgets_retained_message() {
    let mut broker = Broker::start(BrokerOptions::default().name("no-persist"));
    publish_ok(
        &broker,
        Listener::Tcp,
        &["-t", "keep/me", "-m", "gone", "-r"],
    );
    broker.restart();
    let mut sub = PacketConn::connect(broker.addr(), V311);
    sub.send(&packets::connect(V311, "", 60, true));
    sub.expect_type(PacketType::Connack);
    sub.send(&packets::subscribe(V311, 1, "keep/me", 0));
    sub.expect_type(PacketType::Suback);
    sub.expect_silence(Duration::from_millis(200));
}

#[test]
fn broker_queue_and_inflight_limits_apply() {
    let broker = Broker::start(
        BrokerOptions::default()
            .name("limits")
            .max_queued(2)
            .max_inflight(1),
    );
    let mut publisher = PacketConn::connect(broker.addr(), V311);
    publisher.send(&packets::connect(V311, "pub", 60, true));
    publisher.expect(|p| assert!(matches!(p, Packet::Connack(c) if c.reason_code == 0)));
    let publish_qos1 = |publisher: &mut PacketConn, id: u16| {
        publisher.send(&packets::publish(V311, "lim/t", &[id as u8], 1, false, id));
        publisher.expect_type(PacketType::Puback);
    };

    // A persistent session subscribes, then goes offline.
    let mut sub = PacketConn::connect(broker.addr(), V311);
    sub.send(&packets::connect(V311, "sub", 60, false));
    sub.expect_type(PacketType::Connack);
    sub.send(&packets::subscribe(V311, 1, "lim/#", 1));
    sub.expect(|p| assert!(matches!(p, Packet::Suback(s) if s.codes == [1])));
    sub.send(&packets::disconnect(V311, 0));
    sub.expect_closed();

    // max_queued 2: only two of five messages wait for it.
    for id in 1..=5 {
        publish_qos1(&mut publisher, id);
    }
    let mut sub = PacketConn::connect(broker.addr(), V311);
    sub.send(&packets::connect(V311, "sub", 60, false));
    sub.expect(|p| assert!(matches!(p, Packet::Connack(c) if c.session_present)));
    // max_inflight 1: the second waits for the first's PUBACK.
    let first = sub.expect(|p| match p {
        Packet::Publish(p) => (p.packet_id, p.payload.to_vec()),
        p => panic!("expected PUBLISH, got {p:?}"),
    });
    assert_eq!(first.1, [1]);
    sub.expect_silence(Duration::from_millis(300));
    sub.send(&packets::puback(V311, first.0));
    let second = sub.expect(|p| match p {
        Packet::Publish(p) => (p.packet_id, p.payload.to_vec()),
        p => panic!("expected PUBLISH, got {p:?}"),
    });
    assert_eq!(second.1, [2]);
    sub.send(&packets::puback(V311, second.0));
    sub.expect_silence(Duration::from_millis(300));
}

#[test]
fn broker_start_failure_reports_the_log() {
    let started = Instant::now();
    let err = std::panic::catch_unwind(|| {
        Broker::start(
            BrokerOptions::default()
                .name("bad")
                .config("no_such_option 1"),
        )
    })
    .err()
    .expect("a broker with a bad configuration started");
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.contains("mosquitto did not start"), "{msg}");
    assert!(msg.contains("no_such_option"), "{msg}");
    assert!(started.elapsed() < Duration::from_secs(4));
}

/// Scripts the fake broker through one reference `mosquitto_pub` run.
fn fake_broker_serves_mosquitto_pub(version: &str, qos: u8) {
    let mut fake = FakeBroker::new();
    let mut a = fake.client_args();
    let q = qos.to_string();
    a.extend(args(["-V", version, "-q", &q, "-i", "fake-test"]));
    a.extend(args(["-t", "fake/topic", "-m", "hello fake"]));
    let client = thread::spawn(move || mosquitto_pub(Lib::Reference, &a));

    let connect = fake.accept_connect();
    let v = fake.version();
    match connect.decode() {
        Packet::Connect(c) => {
            assert_eq!(c.client_id, b"fake-test");
            assert_eq!(c.version, v);
        }
        p => panic!("expected CONNECT, got {p:?}"),
    }
    let publish = fake.expect_type(PacketType::Publish);
    let id = match publish.decode() {
        Packet::Publish(p) => {
            assert_eq!(p.topic, b"fake/topic");
            assert_eq!(p.payload, b"hello fake");
            assert_eq!(p.qos, qos);
            p.packet_id
        }
        p => panic!("expected PUBLISH, got {p:?}"),
    };
    if qos == 1 {
        fake.send(&packets::puback(v, id));
    }
    fake.expect(|p| assert!(matches!(p, Packet::Disconnect(_)), "{p:?}"));
    fake.expect_closed();

    // The record holds exactly the packets received, in order.
    let mut expected = connect.bytes.clone();
    expected.extend_from_slice(&publish.bytes);
    assert!(fake.all_received().starts_with(&expected));

    let out = client.join().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
}

#[test]
fn fake_broker_serves_mosquitto_pub_v311_qos0() {
    fake_broker_serves_mosquitto_pub("mqttv311", 0);
}

#[test]
fn fake_broker_serves_mosquitto_pub_v5_qos1() {
    fake_broker_serves_mosquitto_pub("mqttv5", 1);
}

#[test]
fn fake_broker_scripts_raw_client() {
    let mut fake = FakeBroker::new();
    let mut client = PacketConn::connect(fake.addr(), V5);
    let connect = packets::connect(V5, "raw", 30, true);
    // The client's CONNECT arrives a byte at a time; the fake reassembles it.
    client.send_split(&connect, &[1], Duration::from_millis(1));
    fake.accept();
    fake.expect(|p| match p {
        Packet::Connect(c) => {
            assert_eq!(c.client_id, b"raw");
            assert_eq!(c.keep_alive, 30);
        }
        p => panic!("expected CONNECT, got {p:?}"),
    });
    assert_eq!(fake.version(), ProtocolVersion::V5);
    fake.send_split(&packets::connack(V5, 0, true, &[]), &[2, 1], Duration::ZERO);
    client.expect(|p| assert!(matches!(p, Packet::Connack(c) if c.session_present)));

    let publish = packets::publish(V5, "a/b", b"xyz", 1, false, 7);
    client.send_split(&publish, &[3, 2], Duration::from_millis(1));
    fake.expect_bytes(&publish);
    fake.expect_silence(Duration::from_millis(50));

    // Half a packet, then a graceful close: the client sees both.
    fake.send(&publish[..4]);
    fake.close();
    match client.recv_timeout(T) {
        Err(RecvError::Closed(partial)) => assert_eq!(partial, publish[..4]),
        other => panic!("expected a close mid-packet, got {other:?}"),
    }

    // A reconnect, then an abortive close: the peer reads a reset.
    let mut raw = TcpStream::connect(fake.addr()).unwrap();
    fake.accept_again();
    assert_eq!(fake.connections(), 2);
    raw.set_read_timeout(Some(T)).unwrap();
    std::io::Write::write_all(&mut raw, &packets::pingreq()).unwrap();
    fake.expect(|p| assert_eq!(p, Packet::Pingreq));
    fake.reset();
    let mut buf = [0u8; 8];
    let err = raw.read(&mut buf).expect_err("no reset");
    assert_eq!(err.kind(), ErrorKind::ConnectionReset);

    let mut all = connect.clone();
    all.extend_from_slice(&publish);
    all.extend_from_slice(&packets::pingreq());
    assert_eq!(fake.all_received(), all);
    assert!(!fake.try_accept(Duration::from_millis(20)));
}

#[test]
fn run_helpers_enforce_deadlines() {
    let started = Instant::now();
    let (out, timed_out) = run_timed(
        Command::new("sh").args(["-c", "echo partial; exec sleep 10"]),
        None,
        Duration::from_millis(300),
    );
    assert!(timed_out);
    assert!(!out.status.success());
    assert_eq!(out.stdout, b"partial\n");
    assert!(started.elapsed() < Duration::from_secs(3));

    let out = run_with_timeout(Command::new("sh").args(["-c", "exit 3"]), T);
    assert_eq!(out.status.code(), Some(3));
    let out = run_with_input(&mut Command::new("cat"), b"piped", T);
    assert_eq!(out.stdout, b"piped");

    let mut lines = LineProcess::spawn(Command::new("sh").args([
        "-c",
        "echo first; echo second >&2; echo third; exec sleep 10",
    ]));
    assert_eq!(lines.expect_line(T), "first");
    assert_eq!(lines.wait_for_line(T, |l| l.starts_with('t')), "third");
    lines.expect_no_line(Duration::from_millis(100));
    assert!(lines.stderr().contains("second"));
    assert!(lines.wait_timeout(Duration::from_millis(10)).is_none());
    assert!(!lines.kill().success());
}

/// Every constant of tests/support/consts.rs has its name and value in
/// Debian's `mosquitto.h` or `mqtt_protocol.h` (the 2.1 additions at its end:
/// in our include/mosquitto.h), so a test that names `MOSQ_ERR_PROTOCOL`
/// means what a C program means by it.
#[test]
fn consts_match_the_reference_headers() {
    let read = |h: &std::path::Path| {
        std::fs::read_to_string(h).unwrap_or_else(|e| panic!("{}: {e}", h.display()))
    };
    let reference = ["/usr/include/mosquitto.h", "/usr/include/mqtt_protocol.h"]
        .map(|h| read(std::path::Path::new(h)))
        .concat();
    let ours_2_1 = read(&common::root().join("include/mosquitto.h"));
    // `NAME = VALUE` in an enum or `#define NAME VALUE`.
    let defined = |headers: &str, name: &str| -> Option<i64> {
        headers.lines().find_map(|line| {
            let line = line.trim().trim_start_matches("#define").trim();
            let rest = line.strip_prefix(name)?;
            let value = rest.trim_start().trim_start_matches('=').trim_start();
            let value: String = value
                .chars()
                .take_while(|c| *c == '-' || c.is_ascii_digit())
                .collect();
            (rest.starts_with([' ', '\t', '='])).then(|| value.parse().ok())?
        })
    };
    let source = read(&common::root().join("tests/support/consts.rs"));
    let (for_2_0, for_2_1) = source
        .split_once("// ---- 2.1 additions")
        .expect("consts.rs has its 2.1 section");
    let mut checked = 0;
    for (part, headers) in [(for_2_0, &reference), (for_2_1, &ours_2_1)] {
        for line in part.lines() {
            let Some(decl) = line.strip_prefix("pub const ") else {
                continue;
            };
            let (name, value) = decl
                .split_once(": c_int = ")
                .expect("pub const NAME: c_int = N;");
            let value: i64 = value.trim_end_matches(';').parse().unwrap();
            assert_eq!(
                defined(headers, name),
                Some(value),
                "{name} in tests/support/consts.rs"
            );
            checked += 1;
        }
    }
    assert!(checked > 60, "only {checked} constants found");
}
