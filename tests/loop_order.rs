//! What reaches the broker around callbacks and the loop thread, on
//! Debian's libmosquitto (the reference) and on ours: tests/c/callback_order.c
//! against a fake broker.
//!
//! - A DISCONNECT that `on_publish` asks for is on the wire before the
//!   `mosquitto_loop` (or `mosquitto_publish`) that ran the callback
//!   returns: programs stop looping and destroy the client right after.
//! - An incoming QoS 1 PUBLISH is acknowledged before `on_message` runs,
//!   and a QoS 2 one's PUBREL is answered with PUBCOMP before it: programs
//!   that exit in the callback rely on it.
//! - `mosquitto_loop_start` followed by `mosquitto_connect_async`, or
//!   `mosquitto_reconnect_async` while the loop thread runs, opens exactly
//!   one connection each time; `mosquitto_loop_forever` goes on with a
//!   connection that `on_disconnect` made (where the original drops it for
//!   one more).

mod support;
use support::common;

use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;
use std::time::Duration;

use common::{command_with, Lib};
use mosquitto::protocol::packet::PacketType;
use support::fake::RecvError;
use support::packets::{self, hex, V311};
use support::run::LineProcess;
use support::{FakeBroker, PacketConn};

/// How long a program may take to end once the broker has played its part.
const EXIT_LIMIT: Duration = Duration::from_secs(10);

/// Both libraries, the judge first.
const LIBS: [Lib; 2] = [Lib::Reference, Lib::Ours];

/// tests/c/callback_order.c, compiled once.
fn program() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| {
        let src = common::root().join("tests/c/callback_order.c");
        let exe = common::scratch("loop_order").join("callback_order");
        let args = [
            "-O1",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-I/usr/include",
            "-lmosquitto",
            "-lpthread",
        ];
        common::compile(&[&src], &exe, &args, false);
        exe
    })
}

/// Starts the program on `lib` against `port` in `mode`.
fn start(lib: Lib, port: u16, mode: &str, count: Option<usize>) -> LineProcess {
    let mut cmd = command_with(lib, program());
    cmd.arg(port.to_string()).arg(mode);
    if let Some(n) = count {
        cmd.arg(n.to_string());
    }
    LineProcess::spawn(&mut cmd)
}

/// Waits for the program to exit with success.
fn expect_success(p: &mut LineProcess, lib: Lib) {
    let status = p.wait_timeout(EXIT_LIMIT);
    assert!(
        status.is_some_and(|s| s.success()),
        "{lib:?}: {status:?}\n{}",
        p.describe()
    );
}

/// Accepts the program's connection and answers its CONNECT.
fn connack(fake: &mut FakeBroker) {
    fake.accept();
    fake.expect_type(PacketType::Connect);
    fake.send(&packets::connack_ok(V311));
}

/// The next packet's bytes, or what was left when the connection closed.
fn next_bytes(fake: &mut FakeBroker) -> String {
    match fake.recv_timeout(EXIT_LIMIT) {
        Ok(p) => hex(&p.bytes),
        Err(RecvError::Closed(rest)) => format!("closed after [{}]", hex(&rest)),
        Err(e) => format!("{e:?}"),
    }
}

/// `on_publish` disconnects: PUBLISH, then DISCONNECT, then the close.
fn disconnect_on_publish(mode: &str) {
    let publish = packets::publish(V311, "t/0", b"m", 0, false, 0);
    for lib in LIBS {
        let mut fake = FakeBroker::new();
        let mut p = start(lib, fake.port(), mode, None);
        connack(&mut fake);
        assert_eq!(next_bytes(&mut fake), hex(&publish), "{lib:?}: the PUBLISH");
        assert_eq!(
            next_bytes(&mut fake),
            hex(&packets::disconnect(V311, 0)),
            "{lib:?}: the DISCONNECT asked for in on_publish"
        );
        expect_success(&mut p, lib);
    }
}

#[test]
fn disconnect_in_on_publish_is_written_before_mosquitto_loop_returns() {
    disconnect_on_publish("disconnect-on-publish");
}

#[test]
fn disconnect_in_on_publish_is_written_before_mosquitto_publish_returns() {
    disconnect_on_publish("disconnect-on-publish-direct");
}

/// The broker sends a QoS `qos` PUBLISH (id 123); the program exits in
/// on_message. The acknowledgements must have reached the broker.
fn acked_before_on_message(mode: &str, qos: u8) {
    for lib in LIBS {
        let mut fake = FakeBroker::new();
        let mut p = start(lib, fake.port(), mode, None);
        connack(&mut fake);
        fake.send(&packets::publish(V311, "t/in", b"hello", qos, false, 123));
        if qos == 1 {
            assert_eq!(
                next_bytes(&mut fake),
                hex(&packets::puback(V311, 123)),
                "{lib:?}: PUBACK before on_message"
            );
        } else {
            assert_eq!(next_bytes(&mut fake), hex(&packets::pubrec(V311, 123)));
            fake.send(&packets::pubrel(V311, 123));
            assert_eq!(
                next_bytes(&mut fake),
                hex(&packets::pubcomp(V311, 123)),
                "{lib:?}: PUBCOMP before on_message"
            );
        }
        let line = p.expect_line(EXIT_LIMIT);
        assert_eq!(line, format!("message t/in qos={qos} hello"), "{lib:?}");
        expect_success(&mut p, lib);
    }
}

#[test]
fn puback_is_written_before_on_message() {
    acked_before_on_message("exit-on-message", 1);
}

#[test]
fn puback_is_written_before_on_message_in_loop_forever() {
    acked_before_on_message("exit-on-message-forever", 1);
}

#[test]
fn pubrec_and_pubcomp_are_written_before_on_message() {
    acked_before_on_message("exit-on-message", 2);
    acked_before_on_message("exit-on-message-forever", 2);
}

/// What a [`CountingBroker`] saw.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Counts {
    /// TCP connections accepted.
    accepted: usize,
    /// CONNECTs received (each answered with a successful CONNACK).
    connects: usize,
}

/// A broker that accepts every connection, answers every CONNECT and
/// counts both.
struct CountingBroker {
    port: u16,
    counts: Arc<Mutex<Counts>>,
    stop: Arc<AtomicBool>,
    acceptor: Option<thread::JoinHandle<()>>,
}

impl CountingBroker {
    /// Keeps every connection open until the client closes it.
    fn new() -> CountingBroker {
        CountingBroker::start(false)
    }

    /// With `close_first`, closes the first connection right after its
    /// CONNACK.
    fn start(close_first: bool) -> CountingBroker {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
        listener.set_nonblocking(true).expect("non-blocking");
        let port = listener.local_addr().unwrap().port();
        let counts = Arc::new(Mutex::new(Counts::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (c, s) = (Arc::clone(&counts), Arc::clone(&stop));
        let acceptor = thread::spawn(move || loop {
            match listener.accept() {
                Ok((stream, _)) => {
                    stream.set_nonblocking(false).expect("blocking stream");
                    let first = {
                        let mut counts = c.lock().unwrap();
                        counts.accepted += 1;
                        counts.accepted == 1
                    };
                    let close = close_first && first;
                    let c = Arc::clone(&c);
                    thread::spawn(move || serve(PacketConn::new(stream, V311), &c, close));
                }
                // Once asked to stop, what is left in the backlog still counts.
                Err(_) if s.load(Ordering::Acquire) => return,
                Err(_) => thread::sleep(Duration::from_millis(2)),
            }
        });
        CountingBroker {
            port,
            counts,
            stop,
            acceptor: Some(acceptor),
        }
    }

    /// Every connection made so far is counted (the client has ended).
    fn counts(mut self) -> Counts {
        self.stop.store(true, Ordering::Release);
        if let Some(a) = self.acceptor.take() {
            a.join().expect("the acceptor");
        }
        *self.counts.lock().unwrap()
    }
}

/// Answers CONNECTs on one connection until it closes (with `close`,
/// closes it after the first CONNACK).
fn serve(mut conn: PacketConn, counts: &Mutex<Counts>, close: bool) {
    loop {
        match conn.recv_timeout(Duration::from_secs(30)) {
            Ok(p) if p.packet_type() == Some(PacketType::Connect) => {
                counts.lock().unwrap().connects += 1;
                if conn.try_send(&packets::connack_ok(V311)).is_err() || close {
                    return;
                }
            }
            Ok(_) => {}
            Err(_) => return,
        }
    }
}

/// Runs `mode` with `count` and returns what the broker counted.
fn count_connections(lib: Lib, mode: &str, count: usize) -> Counts {
    count_on(CountingBroker::new(), lib, mode, Some(count))
}

/// Runs `mode` against `broker` and returns what it counted.
fn count_on(broker: CountingBroker, lib: Lib, mode: &str, count: Option<usize>) -> Counts {
    let mut p = start(lib, broker.port, mode, count);
    expect_success(&mut p, lib);
    assert_eq!(p.expect_line(EXIT_LIMIT), "done");
    broker.counts()
}

#[test]
fn loop_start_then_connect_async_opens_one_connection() {
    const RUNS: usize = 50;
    for lib in LIBS {
        let counts = count_connections(lib, "loop-start-connect-async", RUNS);
        let want = Counts {
            accepted: RUNS,
            connects: RUNS,
        };
        assert_eq!(counts, want, "{lib:?}: connections for {RUNS} clients");
    }
}

/// Ours opens exactly one connection per `reconnect_async`. The original
/// mostly does too, but races with its own loop thread: now and then (seen
/// as one extra connection in fifty, in a few runs out of many) the loop
/// thread sees
/// the socket `reconnect_async` closed under it as a lost connection and
/// reconnects as well. The reference is held to "one each, give or take
/// that race" so that the test still shows what it does.
#[test]
fn reconnect_async_beside_the_loop_thread_opens_one_connection() {
    const RUNS: usize = 50;
    let ours = count_connections(Lib::Ours, "loop-start-reconnect-async", RUNS);
    let want = Counts {
        accepted: RUNS + 1,
        connects: RUNS + 1,
    };
    assert_eq!(ours, want, "ours: connections for {RUNS} reconnects");
    let reference = count_connections(Lib::Reference, "loop-start-reconnect-async", RUNS);
    let one_each_or_the_race = RUNS + 1..=RUNS + 1 + RUNS / 10;
    assert!(
        one_each_or_the_race.contains(&reference.accepted)
            && one_each_or_the_race.contains(&reference.connects),
        "the reference: {reference:?} for {RUNS} reconnects"
    );
}

/// `mosquitto_reconnect` from `on_disconnect` inside `mosquitto_loop_forever`:
/// the loop goes on with that connection. The original reconnects once
/// more after its reconnect delay, dropping the callback's connection
/// unused (a difference listed in docs/differences.md).
#[test]
fn loop_forever_keeps_a_connection_made_in_on_disconnect() {
    let mode = "reconnect-on-disconnect";
    let reference = count_on(CountingBroker::start(true), Lib::Reference, mode, None);
    assert_eq!(reference.accepted, 3, "the reference: {reference:?}");
    let ours = count_on(CountingBroker::start(true), Lib::Ours, mode, None);
    let want = Counts {
        accepted: 2,
        connects: 2,
    };
    assert_eq!(ours, want, "ours");
}
