//! `mosquitto_reconnect_delay_set`'s delays as `loop_forever` applies them
//! (tests/c/reconnect_delay.c), on Debian's libmosquitto 2.0.11 and on
//! ours. A maximum of 0 means reconnecting at once: against a listener that
//! closes every connection, the program reconnects many more times within
//! its run than a 1 s floor would allow.

mod support;
use support::common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::{command_with, Lib};
use support::run::LineProcess;
use support::FakeBroker;

/// How long the program runs its loop.
const RUN_MS: u64 = 3000;

/// More connections than a 1 s delay allows in [`RUN_MS`] (the first one,
/// then at most one a second).
const BEYOND_ONE_SECOND: usize = 8;

/// The program, compiled once.
fn program() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| {
        let src = common::root().join("tests/c/reconnect_delay.c");
        let exe = common::scratch("reconnect_delay").join("reconnect_delay");
        let args = ["-O1", "-Wall", "-Wextra", "-Werror", "-lmosquitto"];
        common::compile(&[&src], &exe, &args, false);
        exe
    })
}

/// Starts the program on `lib` against `port` with the delay settings.
fn start(lib: Lib, port: u16, delays: (u32, u32, bool)) -> LineProcess {
    let mut cmd = command_with(lib, program());
    cmd.arg(port.to_string())
        .arg(delays.0.to_string())
        .arg(delays.1.to_string())
        .arg(u8::from(delays.2).to_string())
        .arg(RUN_MS.to_string());
    LineProcess::spawn(&mut cmd)
}

/// Reads the program's lines to "end" and returns the CPU time it reported.
fn finish(lib: Lib, program: &mut LineProcess) -> u64 {
    let mut cpu = None;
    loop {
        let line = program.expect_line(Duration::from_secs(10));
        if let Some(ms) = line.strip_prefix("cpu_ms=") {
            cpu = ms.parse().ok();
        }
        if line == "end" {
            break;
        }
    }
    let status = program.wait_timeout(Duration::from_secs(10));
    assert!(
        status.is_some_and(|s| s.success()),
        "{lib:?}: {}",
        program.describe()
    );
    cpu.unwrap_or_else(|| panic!("{lib:?}: no cpu_ms line\n{}", program.describe()))
}

/// How many connections a listener that closes each one at once accepts
/// while the program runs with `delays` on `lib`.
fn connections(lib: Lib, delays: (u32, u32, bool)) -> usize {
    let mut fake = FakeBroker::new();
    let mut program = start(lib, fake.port(), delays);
    let deadline = Instant::now() + Duration::from_millis(RUN_MS);
    while Instant::now() < deadline {
        // Accepting drops (closes) the previous connection.
        fake.try_accept(deadline.saturating_duration_since(Instant::now()));
    }
    fake.close();
    finish(lib, &mut program);
    fake.connections()
}

#[test]
fn a_maximum_of_zero_reconnects_at_once() {
    // The first delay 0 counts as 1 s in the original, the maximum 0 caps
    // it to 0; a first delay of 5 s with a maximum of 0 is 0 as well.
    for delays in [(0, 0, false), (5, 0, true)] {
        for lib in [Lib::Reference, Lib::Ours] {
            let n = connections(lib, delays);
            assert!(
                n >= BEYOND_ONE_SECOND,
                "{lib:?} {delays:?}: only {n} connections in {RUN_MS} ms"
            );
        }
    }
}

#[test]
fn a_first_delay_of_zero_counts_as_one_second() {
    // (0, 10, linear): waits 1 s, then 2 s: 3 connections in the run at most.
    for lib in [Lib::Reference, Lib::Ours] {
        let n = connections(lib, (0, 10, false));
        assert!(
            (1..BEYOND_ONE_SECOND).contains(&n),
            "{lib:?}: {n} connections in {RUN_MS} ms"
        );
    }
}

#[test]
fn reconnecting_at_once_to_a_refused_port_does_not_spin() {
    // A port nobody listens on: every reconnect is refused at once.
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut program = start(Lib::Ours, port, (0, 0, false));
    let cpu = finish(Lib::Ours, &mut program);
    // The original spins at most of a core here; ours pauses briefly after
    // each refusal (docs/differences.md).
    assert!(
        cpu < RUN_MS / 4,
        "{cpu} ms of CPU in a {RUN_MS} ms run: {}",
        program.describe()
    );
}

/// `mosquitto_disconnect` from `on_pre_connect` while `loop_forever`
/// reconnects ends the loop there: no new connection, `loop_forever`
/// returns. (2.1 API: ours only, Debian's 2.0.11 has no `on_pre_connect`.
/// The same rule covers a disconnect from another thread while the socket
/// opens; see docs/differences.md.)
#[test]
fn a_disconnect_while_reconnecting_ends_the_loop() {
    let src = common::root().join("tests/c/disconnect_in_pre_connect.c");
    let exe = common::scratch("reconnect_delay").join("disconnect_in_pre_connect");
    // On our header and library: on_pre_connect is 2.1 API.
    common::compile_with_ours(&[&src], &exe, &["-O1", "-Wall", "-Wextra", "-Werror"]);
    let mut fake = FakeBroker::new();
    let mut cmd = command_with(Lib::Ours, &exe);
    cmd.arg(fake.port().to_string());
    let mut program = LineProcess::spawn(&mut cmd);
    // Close every connection until the program has left its loop.
    let deadline = Instant::now() + Duration::from_secs(8);
    let mut lines = Vec::new();
    while Instant::now() < deadline && lines.last().map(String::as_str) != Some("end") {
        fake.try_accept(Duration::from_millis(20));
        if let Some(line) = program.next_line(Duration::from_millis(1)) {
            lines.push(line);
        }
    }
    fake.close();
    let status = program.wait_timeout(Duration::from_secs(5));
    assert_eq!(
        lines,
        [
            "delay_set rc=0",
            "connect rc=0",
            "disconnect rc=4",
            "loop_forever rc=0 pre_connects=2",
            "end"
        ],
        "{}",
        program.describe()
    );
    assert!(
        status.is_some_and(|s| s.success()),
        "{}",
        program.describe()
    );
    assert_eq!(fake.connections(), 1, "a connection after the disconnect");
}
