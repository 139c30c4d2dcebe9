//! Differential test of the libmosquitto 2.0 utility API: one C program
//! (tests/c/utility_diff.c), compiled once against the system header, runs
//! on Debian's libmosquitto 2.0.11 and on ours, and both runs must print
//! exactly the same lines.

mod support;
use support::common;

use common::Lib;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

/// How many differing lines to show on failure.
const SHOW_DIFFS: usize = 25;

/// The compiled program, built once per test binary.
fn program() -> &'static Path {
    static PROGRAM: OnceLock<PathBuf> = OnceLock::new();
    PROGRAM.get_or_init(|| {
        let src = common::root().join("tests/c/utility_diff.c");
        let exe = common::scratch("differential").join("utility_diff");
        // Linking against the reference at link time is fine: the symbol
        // versions are the same, and LD_LIBRARY_PATH picks the library at
        // run time.
        common::compile(
            &[&src],
            &exe,
            &[
                "-O1",
                "-Wall",
                "-Wextra",
                "-I/usr/include",
                "-lmosquitto",
                "-ldl",
            ],
            false,
        );
        exe
    })
}

/// The library file the program reported loading on stderr.
fn loaded_library(output: &Output) -> PathBuf {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = stderr
        .lines()
        .find_map(|l| l.strip_prefix("LOADED "))
        .unwrap_or_else(|| panic!("no LOADED line on stderr:\n{stderr}"));
    PathBuf::from(line)
}

/// Runs the program on `lib`, checks it ran to the end on the intended
/// library file, and returns its stdout.
fn run(lib: Lib) -> String {
    let output = common::command_with(lib, program())
        .output()
        .expect("run utility_diff");
    let stdout = String::from_utf8(output.stdout.clone()).expect("output is ASCII");
    let expected = match lib {
        Lib::Ours => common::our_lib(),
        Lib::Reference => common::reference_lib(),
    };
    let expected = expected.canonicalize().expect("canonical library path");
    let loaded = loaded_library(&output);
    assert_eq!(
        loaded,
        expected,
        "{lib:?} run loaded {} instead of {}",
        loaded.display(),
        expected.display()
    );
    if !output.status.success() || !stdout.ends_with("END\n") {
        let tail: Vec<&str> = stdout.lines().rev().take(5).collect();
        panic!(
            "{lib:?} run did not finish ({}); last lines:\n{}\n--- stderr\n{}",
            output.status,
            tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    stdout
}

/// The one intentional difference from 2.0.11: `mosquitto_strerror` describes
/// every code of 2.0 and 2.1, where 2.0.11 answers "Unknown error." for the
/// codes it left undescribed and for those 2.1 added. For each such code the
/// reference must say "Unknown error." and ours exactly this text (2.1's).
const STRERROR_DESCRIBED: &[(i32, &str)] = &[
    (-6, "Quota exceeded"),
    (-5, "Authentication delayed"),
    (17, "Plugin deferring result"),
    (19, "Keepalive exceeded"),
    (20, "DNS Lookup failed"),
    (21, "Malformed packet"),
    (27, "Timeout"),
    (28, "Retain not supported"),
    (29, "Topic alias invalid"),
    (30, "Administrative action"),
    (31, "Entry already exists"),
    (32, "Ignore plugin"),
    (33, "Bad http origin"),
    (34, "Authentication denied"),
    (128, "Unspecified error"),
    (131, "Implementaion specific error"),
    (132, "Unsupported Protocol Version"),
    (133, "Client identifier not valid"),
    (134, "Bad username or password"),
    (136, "Server unavailable"),
    (137, "Server busy"),
    (138, "Banned"),
    (139, "Server shutting down"),
    (140, "Bad authentication method"),
    (142, "Session taken over"),
    (143, "Topic Filter invalid"),
    (144, "Topic Name invalid"),
    (145, "Packet Identifier in use"),
    (146, "Packet Identifier not found"),
    (147, "Receive maximum exceeded"),
    (148, "Topic alias invalid"),
    (150, "Message rate too high"),
    (152, "Administrative action"),
    (153, "Payload format invalid"),
    (154, "Retain not supported"),
    (156, "Use another server"),
    (157, "Server moved"),
    (158, "Shared Subscriptions not supported"),
    (159, "Connection rate exceeded"),
    (160, "Maximum connect time"),
    (161, "Subscription identifiers not supported"),
    (162, "Wildcard Subscriptions not supported"),
];

/// Whether a differing pair of lines is the documented strerror difference.
fn is_intentional(reference: &str, ours: &str) -> bool {
    STRERROR_DESCRIBED.iter().any(|(code, text)| {
        let prefix = format!("strerror({code}) = ");
        reference == format!("{prefix}\"Unknown error.\"") && ours == format!("{prefix}\"{text}\"")
    })
}

/// Line numbers (1-based) where `a` and `b` differ, with both lines.
fn differing_lines<'a>(a: &'a str, b: &'a str) -> Vec<(usize, &'a str, &'a str)> {
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    (0..la.len().max(lb.len()))
        .filter_map(|i| {
            let x = la.get(i).copied().unwrap_or("<missing>");
            let y = lb.get(i).copied().unwrap_or("<missing>");
            (x != y).then_some((i + 1, x, y))
        })
        .collect()
}

/// Saves an output next to the program, for inspection after a failure.
fn save(name: &str, text: &str) -> PathBuf {
    let path = common::scratch("differential").join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn reference_run_is_large_and_deterministic() {
    let first = run(Lib::Reference);
    let second = run(Lib::Reference);
    let lines = first.lines().count();
    assert!(lines > 30_000, "only {lines} lines of output");
    let diffs = differing_lines(&first, &second);
    assert!(
        diffs.is_empty(),
        "two reference runs differ in {} lines, first: {:?}",
        diffs.len(),
        diffs.first()
    );
    println!("reference: {lines} lines, deterministic");
}

#[test]
fn utility_api_matches_reference() {
    let reference = run(Lib::Reference);
    let ours = run(Lib::Ours);
    let all = differing_lines(&reference, &ours);
    let intentional = all.iter().filter(|(_, r, o)| is_intentional(r, o)).count();
    assert_eq!(
        intentional,
        STRERROR_DESCRIBED.len(),
        "every documented strerror difference shows up exactly once"
    );
    let diffs: Vec<_> = all
        .into_iter()
        .filter(|(_, r, o)| !is_intentional(r, o))
        .collect();
    let lines = reference.lines().count();
    if !diffs.is_empty() {
        let ref_path = save("reference.txt", &reference);
        let our_path = save("ours.txt", &ours);
        let mut report = format!(
            "{} of {lines} lines differ (reference: {}, ours: {}); first {}:\n",
            diffs.len(),
            ref_path.display(),
            our_path.display(),
            SHOW_DIFFS.min(diffs.len())
        );
        for (n, r, o) in diffs.iter().take(SHOW_DIFFS) {
            report.push_str(&format!("line {n}:\n  reference: {r}\n  ours:      {o}\n"));
        }
        panic!("{report}");
    }
    println!(
        "{lines} lines compared, 0 differing lines \
         ({intentional} documented strerror descriptions of codes 2.0.11 calls unknown)"
    );
}

/// The same program on our library under valgrind: no invalid accesses,
/// no uninitialised reads, no leaks (about 5 s).
#[test]
fn ours_is_clean_under_valgrind() {
    if std::process::Command::new("valgrind")
        .arg("--version")
        .output()
        .is_err()
    {
        panic!("valgrind is not installed (apt-get install valgrind)");
    }
    let mut cmd = common::command_with(Lib::Ours, "valgrind");
    cmd.args([
        "-q",
        "--error-exitcode=99",
        "--leak-check=full",
        "--errors-for-leak-kinds=definite,indirect",
    ])
    .arg(program());
    let output = cmd.output().expect("run valgrind");
    assert!(
        output.status.success(),
        "valgrind reported errors ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let loaded = loaded_library(&output);
    let expected = common::our_lib().canonicalize().unwrap();
    assert_eq!(loaded, expected, "valgrind run loaded the wrong library");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.ends_with("END\n"),
        "the program did not finish under valgrind"
    );
}
