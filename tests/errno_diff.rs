//! What each call leaves in `errno`, ours against Debian's libmosquitto
//! 2.0.11. Bindings such as ctypes-mosquitto read `errno` after every call
//! and raise `OSError` when it is set, so a value left behind by one call
//! (an `ENOTCONN` from closing a reset connection, say) breaks the next.
//!
//! One C program (tests/c/errno_trace.c) presets `errno` to a sentinel
//! before every call and prints what is there after it, through the common
//! flows: calls without a connection, connect to a dead port, whole sessions
//! driven by `mosquitto_loop` and by `loop_read`/`loop_write` (MQTT 3.1,
//! 3.1.1, 5), a refusal for bad credentials (also with the connection reset
//! by the broker), a connection closed by the broker, `loop_start` and
//! `loop_forever`, and destroy followed by a new client. It runs on both
//! libraries, each against a broker of its own, and the outputs must agree.

mod support;
use support::common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::thread;

use common::Lib;
use support::diff::{assert_same_lines, compile_trace, trace_on};
use support::{Broker, BrokerOptions};

/// The scratch folder of this test.
const SCRATCH: &str = "errno_diff";

/// The compiled program, built once.
fn program() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| compile_trace("errno_trace", SCRATCH))
}

/// A local port nothing listens on (found free, then released).
fn dead_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("find a free port")
        .port()
}

/// One run on `lib`, against a broker of its own (the flows reuse client
/// ids, so the two runs must not share one).
fn run(lib: Lib) -> String {
    let broker = Broker::start(
        BrokerOptions::default()
            .name(&format!("errno-{lib:?}"))
            .user("user", "secret"),
    );
    let args = [
        "127.0.0.1".to_string(),
        broker.port().to_string(),
        broker.auth_port().to_string(),
        dead_port().to_string(),
    ];
    normalise(&trace_on(lib, program(), &args))
}

/// Folds what legitimately varies. Only the lines of a wait (indented, one
/// per distinct result of the repeated loop calls) are touched: after a
/// successful read the original leaves 0 or `EAGAIN` depending on whether
/// its last read found the socket empty, which depends on how the broker's
/// packets happened to arrive. Both count as "0"; repeats are then folded.
fn normalise(out: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    for line in out.lines() {
        let line = if line.starts_with("  ") && line.ends_with(" rc=0 errno=EAGAIN") {
            line.replace(" rc=0 errno=EAGAIN", " rc=0 errno=0")
        } else {
            line.to_string()
        };
        if !(line.starts_with("  ") && lines.last() == Some(&line)) {
            lines.push(line);
        }
    }
    lines.join("\n") + "\n"
}

#[test]
fn errno_after_each_call_matches_reference() {
    program();
    let (reference, ours) = thread::scope(|s| {
        let reference = s.spawn(|| run(Lib::Reference));
        let ours = s.spawn(|| run(Lib::Ours));
        (reference.join().unwrap(), ours.join().unwrap())
    });
    // The flows really ran: a refusal, a reset and a dead port were seen.
    for needle in ["rc=5", "errno=ECONNREFUSED", "== refused, then reset"] {
        assert!(
            reference.contains(needle),
            "reference output lacks {needle:?}:\n{reference}"
        );
    }
    assert_same_lines(SCRATCH, "errno", &reference, &ours);
}

#[test]
fn normalise_folds_only_wait_lines() {
    let raw = "connect  rc=0 errno=EAGAIN\n  loop (x) rc=0 errno=0\n  loop (x) rc=0 errno=EAGAIN\n  loop (x) rc=7 errno=EAGAIN\nEND\n";
    assert_eq!(
        normalise(raw),
        "connect  rc=0 errno=EAGAIN\n  loop (x) rc=0 errno=0\n  loop (x) rc=7 errno=EAGAIN\nEND\n"
    );
}
