//! Differential test of the option and setter functions: one C program
//! (tests/c/options_probe.c), compiled once against the system header,
//! prints the return code of every option call over edge-case inputs on
//! unconnected clients. Both libraries must print the same lines; the calls
//! where ours differs on purpose (OpenSSL-only TLS options, and the 2.1
//! options, WebSockets included, that 2.0.11 lacks) are checked against
//! expected values on ours only.

mod support;
use support::common;
use support::consts::*;

use common::Lib;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The compiled probe, built once per test binary.
fn program() -> &'static Path {
    static PROGRAM: OnceLock<PathBuf> = OnceLock::new();
    PROGRAM.get_or_init(|| {
        let src = common::root().join("tests/c/options_probe.c");
        let exe = common::scratch("options").join("options_probe");
        // Linked against the reference; LD_LIBRARY_PATH picks the library
        // at run time (the symbol versions are the same).
        common::compile(
            &[&src],
            &exe,
            &["-O1", "-Wall", "-Wextra", "-I/usr/include", "-lmosquitto"],
            false,
        );
        exe
    })
}

/// Runs the probe on `lib` with `args` and returns its stdout, checking it
/// ran to the end.
fn run(lib: Lib, args: &[&str]) -> String {
    let output = common::command_with(lib, program())
        .args(args)
        .output()
        .expect("run options_probe");
    common::assert_output_ok(&output, &format!("options_probe on {lib:?}"));
    let stdout = String::from_utf8(output.stdout).expect("output is ASCII");
    assert!(stdout.ends_with("done\n"), "{lib:?} run did not finish");
    stdout
}

/// Panics listing the first lines where `ours` differs from `expected`.
fn assert_same_lines(ours: &str, expected: &str) {
    let diffs: Vec<String> = ours
        .lines()
        .zip(expected.lines())
        .filter(|(o, e)| o != e)
        .take(25)
        .map(|(o, e)| format!("ours:     {o}\nexpected: {e}"))
        .collect();
    assert!(diffs.is_empty(), "differences:\n{}", diffs.join("\n"));
    assert_eq!(
        ours.lines().count(),
        expected.lines().count(),
        "line counts"
    );
}

/// The line the probe prints for one call.
fn line(call: &str, code: i32) -> String {
    format!("{call} = {code}\n")
}

/// What ours prints after the shared part with `ours-only`, for the
/// Cargo features this test was built with (`make TLS=no WEBSOCKETS=no`
/// builds the library without them; the test then runs on that library).
fn expected_ours_only() -> String {
    let tls = cfg!(feature = "tls");
    let websockets = cfg!(feature = "websockets");
    // Without TLS every TLS option and function is MOSQ_ERR_NOT_SUPPORTED,
    // as in the original built without TLS.
    let tls_or = |code: i32| if tls { code } else { MOSQ_ERR_NOT_SUPPORTED };
    let vals = [-1, 0, 1, 2, 3];
    let mut out = String::new();
    // TLS integer options: SSL_CTX_WITH_DEFAULTS, TLS_OCSP_REQUIRED,
    // TLS_USE_OS_CERTS are stored as by the original, except that OCSP
    // checking cannot be turned on.
    for opt in [
        MOSQ_OPT_SSL_CTX_WITH_DEFAULTS,
        MOSQ_OPT_TLS_OCSP_REQUIRED,
        MOSQ_OPT_TLS_USE_OS_CERTS,
    ] {
        for v in vals {
            let code = if opt == MOSQ_OPT_TLS_OCSP_REQUIRED && v != 0 {
                MOSQ_ERR_NOT_SUPPORTED
            } else {
                0
            };
            out += &line(&format!("int_option({opt}, {v})"), tls_or(code));
        }
    }
    // TLS string options: KEYFORM and ALPN are stored; ENGINE and
    // ENGINE_KPASS_SHA1 need OpenSSL.
    for opt in [
        MOSQ_OPT_TLS_KEYFORM,
        MOSQ_OPT_TLS_ENGINE,
        MOSQ_OPT_TLS_ENGINE_KPASS_SHA1,
        MOSQ_OPT_TLS_ALPN,
    ] {
        let code = if opt == MOSQ_OPT_TLS_ENGINE || opt == MOSQ_OPT_TLS_ENGINE_KPASS_SHA1 {
            MOSQ_ERR_NOT_SUPPORTED
        } else {
            0
        };
        out += &line(&format!("string_option({opt}, \"pem\")"), tls_or(code));
    }
    // A NULL SSL_CTX (the library's own TLS set-up) is accepted.
    out += &line("void_option(2, NULL)", tls_or(0));
    out += &line("opts_set(2, NULL)", tls_or(0));
    // 2.1 options: DISABLE_SOCKETPAIR, TRANSPORT (TCP or WebSockets;
    // WebSockets is MOSQ_ERR_NOT_SUPPORTED in a build without them),
    // HTTP_PATH (a string), HTTP_HEADER_SIZE (100 or more).
    for opt in [
        MOSQ_OPT_DISABLE_SOCKETPAIR,
        MOSQ_OPT_TRANSPORT,
        MOSQ_OPT_HTTP_PATH,
        MOSQ_OPT_HTTP_HEADER_SIZE,
    ] {
        for v in vals {
            let code = match (opt, v) {
                (MOSQ_OPT_TRANSPORT, MOSQ_T_WEBSOCKETS) if !websockets => MOSQ_ERR_NOT_SUPPORTED,
                (MOSQ_OPT_DISABLE_SOCKETPAIR, _)
                | (MOSQ_OPT_TRANSPORT, MOSQ_T_TCP | MOSQ_T_WEBSOCKETS) => 0,
                _ => MOSQ_ERR_INVAL,
            };
            out += &line(&format!("int_option({opt}, {v})"), code);
        }
        let string_code = if opt == MOSQ_OPT_HTTP_PATH {
            0
        } else {
            MOSQ_ERR_INVAL
        };
        out += &line(&format!("string_option({opt}, \"/mqtt\")"), string_code);
        out += &line(&format!("void_option({opt}, NULL)"), MOSQ_ERR_INVAL);
    }
    out += &line(&format!("int_option({MOSQ_OPT_DISABLE_SOCKETPAIR}, 0)"), 0);
    // The TLS functions: /dev/null passes tls_set's "can be opened" check.
    out += &line("tls_set(\"/dev/null\")", tls_or(0));
    out += &line("tls_insecure_set(true)", tls_or(0));
    out += &line("tls_opts_set(1, \"tlsv1.2\", NULL)", tls_or(0));
    out += &line("tls_psk_set(\"abcd\", \"id\", NULL)", tls_or(0));
    // No OpenSSL object in either build.
    out += &line("ssl_get(m) == NULL", 1);
    out += "done\n";
    out
}

#[test]
fn probe_runs_on_the_reference() {
    let out = run(Lib::Reference, &[]);
    // A few behaviours of 2.0.11 the probe must keep exercising.
    for expected in [
        "int_option(1, 5) = 0",
        "int_option(4, 65536) = 3",
        "mosquitto_will_set(m, \"t\", 1, \"p\", 3, false)                           = 0",
        "mosquitto_will_set_v5(m, \"t\", 1, \"p\", 0, false, props)                 = 10",
        "mosquitto_username_pw_set(m, NULL, \"p\")                                = 3",
        "mosquitto_userdata(m) == (void *)m                                     = 1",
    ] {
        assert!(out.contains(expected), "missing line: {expected}");
    }
    assert!(out.lines().count() > 300, "the probe printed too little");
}

#[test]
fn options_match_the_reference() {
    let reference = run(Lib::Reference, &[]);
    let ours = run(Lib::Ours, &[]);
    assert_same_lines(&ours, &reference);
}

#[test]
fn ours_handles_tls_and_2_1_options() {
    let reference = run(Lib::Reference, &[]);
    let shared = reference.strip_suffix("done\n").unwrap();
    let ours = run(Lib::Ours, &["ours-only"]);
    let tail = ours
        .strip_prefix(shared)
        .expect("the shared part equals the reference's");
    assert_same_lines(tail, &expected_ours_only());
}
