//! Our libmosquitto.so.1 under valgrind's memcheck: the C client programs
//! of tests/c/ (client_trace, external_loop, threaded_publish, with reduced
//! message counts) and Debian's mosquitto_pub/mosquitto_sub (a short
//! session at each QoS), each against a real broker.
//!
//! Every run must end with no memcheck error and no definite leak
//! (`--errors-for-leak-kinds=definite --error-exitcode=99`). Leaks that are
//! provably outside our library may be suppressed in tests/valgrind.supp,
//! one commented entry each. A canary test checks that these options do
//! catch a definite leak and an invalid read.

mod support;
use support::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::Lib;
use support::run::{describe, run_timed};
use support::{Broker, BrokerOptions};

/// How long one program may run under valgrind.
const LIMIT: Duration = Duration::from_secs(60);

/// What memcheck's exit code is when it found an error or a definite leak.
const VALGRIND_ERROR: i32 = 99;

/// `valgrind` with our options, running `program` on our library.
fn memcheck(program: impl AsRef<std::ffi::OsStr>) -> Command {
    assert!(
        Command::new("valgrind").arg("--version").output().is_ok(),
        "valgrind is not installed (apt-get install valgrind)"
    );
    let supp = common::root().join("tests/valgrind.supp");
    let mut cmd = common::command_with(Lib::Ours, "valgrind");
    cmd.args([
        "--tool=memcheck",
        "--leak-check=full",
        "--errors-for-leak-kinds=definite",
        "--show-leak-kinds=definite",
        "--num-callers=40",
    ])
    .arg(format!("--error-exitcode={VALGRIND_ERROR}"))
    .arg(format!("--suppressions={}", supp.display()))
    .arg(program);
    cmd
}

/// Runs `cmd` (a [`memcheck`] command) with `input`; asserts a clean
/// memcheck report and a successful exit. Returns the output.
fn run_clean(what: &str, cmd: &mut Command, input: Option<&[u8]>) -> Output {
    let started = Instant::now();
    let (out, killed) = run_timed(cmd, input, LIMIT);
    assert!(
        !killed,
        "{what} timed out under valgrind:\n{}",
        describe(&out)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(
        out.status.code(),
        Some(VALGRIND_ERROR),
        "{what}: memcheck found errors or definite leaks:\n{stderr}"
    );
    assert!(out.status.success(), "{what} failed:\n{}", describe(&out));
    let summary = stderr
        .lines()
        .find(|l| l.contains("ERROR SUMMARY"))
        .unwrap_or_else(|| panic!("{what}: no memcheck summary:\n{stderr}"));
    assert!(
        summary.contains("ERROR SUMMARY: 0 errors"),
        "{what}: {summary}\n{stderr}"
    );
    assert!(
        !stderr.contains("definitely lost in"),
        "{what}: definite leak:\n{stderr}"
    );
    eprintln!("{what}: {:.1?} under valgrind", started.elapsed());
    out
}

/// Asserts that a C test program loaded our library (they print
/// `LOADED <path>` on stderr).
fn assert_loaded_ours(what: &str, out: &Output) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let ours = common::our_lib().canonicalize().unwrap();
    let loaded = stderr
        .lines()
        .find_map(|l| l.strip_prefix("LOADED "))
        .unwrap_or_else(|| panic!("{what}: no LOADED line:\n{stderr}"));
    assert_eq!(Path::new(loaded), ours, "{what} loaded another library");
}

/// Builds tests/c/`name`.c once (with debug information, for readable
/// valgrind reports).
fn program(name: &str) -> PathBuf {
    let src = common::root().join("tests/c").join(format!("{name}.c"));
    let exe = common::scratch("valgrind").join(name);
    common::compile(
        &[&src],
        &exe,
        &[
            "-O1",
            "-g",
            "-I/usr/include",
            "-lmosquitto",
            "-lpthread",
            "-ldl",
        ],
        false,
    );
    exe
}

fn client_trace() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| program("client_trace"))
}

fn external_loop() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| program("external_loop"))
}

fn threaded_publish() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| program("threaded_publish"))
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn canary_memcheck_catches_a_leak_and_an_invalid_read() {
    let dir = common::scratch("valgrind");
    let src = dir.join("canary.c");
    std::fs::write(
        &src,
        "#include <stdlib.h>\n#include <stdio.h>\n\
         int main(int argc, char **argv) {\n\
           (void)argv;\n\
           char *p = malloc(16);\n\
           if (argc > 1) { printf(\"%d\\n\", p[16]); free(p); } else { p[0] = 1; p = NULL; }\n\
           return 0;\n\
         }\n",
    )
    .unwrap();
    let exe = dir.join("canary");
    common::compile(&[&src], &exe, &["-O0", "-g"], false);
    for arg in [None, Some("invalid-read")] {
        let mut cmd = memcheck(&exe);
        cmd.args(arg);
        let (out, killed) = run_timed(&mut cmd, None, LIMIT);
        assert!(!killed);
        assert_eq!(
            out.status.code(),
            Some(VALGRIND_ERROR),
            "memcheck missed the {arg:?} case:\n{}",
            describe(&out)
        );
    }
}

#[test]
fn client_trace_is_clean() {
    let broker = Broker::start(
        BrokerOptions::default()
            .name("valgrind-trace")
            .user("vg", "vg-password")
            .unix_socket(),
    );
    let mut cmd = memcheck(client_trace());
    cmd.arg("127.0.0.1")
        .arg(broker.port().to_string())
        .arg("--refuse-port")
        .arg(broker.auth_port().to_string())
        .arg("--unix")
        .arg(broker.socket_path());
    let out = run_clean("client_trace", &mut cmd, None);
    assert_loaded_ours("client_trace", &out);
    let text = stdout(&out);
    assert!(
        text.ends_with("END\n"),
        "client_trace did not finish:\n{text}"
    );
    assert!(text.lines().count() > 700, "a short trace:\n{text}");
}

#[test]
fn external_loop_is_clean() {
    let broker = Broker::plain();
    let mut cmd = memcheck(external_loop());
    cmd.args(["127.0.0.1", &broker.port().to_string(), "10", "12"]);
    let out = run_clean("external_loop", &mut cmd, None);
    assert_loaded_ours("external_loop", &out);
    let text = stdout(&out);
    for line in ["received: 120", "acknowledged: 120", "unexpected: 0", "OK"] {
        assert!(text.lines().any(|l| l == line), "no {line:?} in:\n{text}");
    }
}

#[test]
fn threaded_publish_is_clean() {
    let broker = Broker::plain();
    let mut cmd = memcheck(threaded_publish());
    cmd.args(["127.0.0.1", &broker.port().to_string(), "8", "20"]);
    let out = run_clean("threaded_publish", &mut cmd, None);
    assert_loaded_ours("threaded_publish", &out);
    let text = stdout(&out);
    for line in ["received: 160", "acknowledged: 160", "unexpected: 0", "OK"] {
        assert!(text.lines().any(|l| l == line), "no {line:?} in:\n{text}");
    }
}

/// Debian's mosquitto_pub sends three lines (`-l`) as retained messages at
/// each QoS; mosquitto_sub then receives the retained one. Both run on our
/// library under valgrind.
#[test]
fn debian_pub_and_sub_are_clean_at_each_qos() {
    let broker = Broker::plain();
    let port = broker.port().to_string();
    for qos in ["0", "1", "2"] {
        let topic = format!("vg/q{qos}");
        let mut publisher = memcheck("mosquitto_pub");
        publisher.args([
            "-h",
            "127.0.0.1",
            "-p",
            &port,
            "-q",
            qos,
            "-r",
            "-l",
            "-t",
            &topic,
        ]);
        run_clean(
            &format!("mosquitto_pub -q {qos}"),
            &mut publisher,
            Some(b"first\nsecond\nthird\n"),
        );
        let mut subscriber = memcheck("mosquitto_sub");
        subscriber.args([
            "-h",
            "127.0.0.1",
            "-p",
            &port,
            "-q",
            qos,
            "-C",
            "1",
            "-W",
            "20",
            "-v",
            "-t",
            &topic,
        ]);
        let out = run_clean(&format!("mosquitto_sub -q {qos}"), &mut subscriber, None);
        assert_eq!(stdout(&out), format!("{topic} third\n"), "QoS {qos}");
    }
}
