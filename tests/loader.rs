//! Drop-in loading: Debian's prebuilt programs and libraries, linked against
//! Debian's libmosquitto, must load ours with every symbol bound at start
//! (`LD_BIND_NOW=1`), with no loader complaint, and really use our file.
//!
//! Covers the `mosquitto_pub`, `mosquitto_sub` and `mosquitto_rr` clients and
//! the C++ wrapper `libmosquittopp.so.1`.

mod support;
use support::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// What glibc's loader prints when a library does not satisfy a program.
const LOADER_ERRORS: &[&str] = &[
    "symbol lookup error",
    "undefined symbol",
    "no version information",
    "not found",
    "error while loading shared libraries",
    "cannot open shared object",
];

/// The lines of `text` that carry a loader warning or error.
fn loader_complaints(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|line| LOADER_ERRORS.iter().any(|marker| line.contains(marker)))
        .collect()
}

/// The ways the loader may spell our library's path.
fn our_lib_paths() -> Vec<String> {
    let lib = common::our_lib();
    let mut paths = vec![lib.display().to_string()];
    if let Ok(real) = lib.canonicalize() {
        paths.push(real.display().to_string());
    }
    paths
}

/// Debian's folder of shared libraries (where the reference lives).
fn system_lib_dir() -> PathBuf {
    common::reference_lib().parent().unwrap().to_path_buf()
}

/// What a run with the loader's debug trace showed.
struct TracedRun {
    output: Output,
    /// The `LD_DEBUG=libs` trace of the process.
    trace: String,
}

/// Runs `cmd` with every symbol bound at start and the loader's library
/// trace written to files in `scratch` (not to stderr, which is checked).
fn run_traced(mut cmd: Command, scratch: &Path) -> TracedRun {
    for entry in std::fs::read_dir(scratch).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("ld-debug")
        {
            std::fs::remove_file(path).unwrap();
        }
    }
    let output = cmd
        .env("LD_BIND_NOW", "1")
        .env("LD_DEBUG", "libs")
        .env("LD_DEBUG_OUTPUT", scratch.join("ld-debug"))
        .output()
        .expect("start the program");
    let mut trace = String::new();
    for entry in std::fs::read_dir(scratch).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("ld-debug")
        {
            trace.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
    assert!(!trace.is_empty(), "the loader wrote no LD_DEBUG trace");
    TracedRun { output, trace }
}

/// Asserts the trace shows our library initialised and no other
/// libmosquitto.so.1.
fn assert_loaded_ours(trace: &str, what: &str) {
    let inits: Vec<&str> = trace
        .lines()
        .filter_map(|l| l.split_once("calling init: ").map(|(_, path)| path.trim()))
        .filter(|path| path.ends_with("/libmosquitto.so.1"))
        .collect();
    let ours = our_lib_paths();
    assert!(
        !inits.is_empty() && inits.iter().all(|p| ours.iter().any(|o| o == p)),
        "{what}: expected only our {} to be loaded, the loader initialised {inits:?}\n{trace}",
        ours[0]
    );
}

/// Asserts a run started, had no loader complaint, and was not killed.
fn assert_clean_start(run: &TracedRun, what: &str) {
    let stderr = String::from_utf8_lossy(&run.output.stderr);
    let complaints = loader_complaints(&stderr);
    assert!(
        complaints.is_empty(),
        "{what}: loader complaints on stderr:\n{}",
        complaints.join("\n")
    );
    assert!(
        run.output.status.code().is_some(),
        "{what}: killed by a signal ({})\nstderr:\n{stderr}",
        run.output.status
    );
}

/// `ldd -r FILE` with our library first in the search path: the resolved
/// libmosquitto must be ours and no symbol or version may be missing.
fn assert_ldd_clean(file: &Path) {
    let output = Command::new("ldd")
        .arg("-r")
        .arg(file)
        .env("LD_LIBRARY_PATH", common::lib_dir())
        .output()
        .expect("run ldd");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let complaints = loader_complaints(&text);
    assert!(
        complaints.is_empty(),
        "ldd -r {}: {} problems:\n{}",
        file.display(),
        complaints.len(),
        complaints.join("\n")
    );
    let resolved: Vec<&str> = text
        .lines()
        .filter(|l| l.trim_start().starts_with("libmosquitto.so.1 =>"))
        .collect();
    let ours = our_lib_paths();
    assert!(
        resolved.len() == 1
            && ours
                .iter()
                .any(|o| resolved[0].contains(&format!("=> {o} "))),
        "ldd -r {}: libmosquitto.so.1 should resolve to {}, got {resolved:?}\n{text}",
        file.display(),
        ours[0]
    );
    assert!(
        output.status.success(),
        "ldd -r {} failed:\n{text}",
        file.display()
    );
}

/// Runs one of Debian's clients with `--help` on our library and on the
/// reference, and compares what a user would see.
fn check_client(name: &str) {
    let program = Path::new("/usr/bin").join(name);
    assert!(
        program.exists(),
        "{} is missing (apt-get install mosquitto-clients)",
        program.display()
    );
    let scratch = common::scratch(&format!("loader-{name}"));

    let ours = run_traced(
        {
            let mut cmd = common::command_with(common::Lib::Ours, &program);
            cmd.arg("--help");
            cmd
        },
        &scratch,
    );
    assert_clean_start(&ours, name);
    assert_loaded_ours(&ours.trace, name);

    // The reference prints its usage and exits with 1 for --help: ours
    // must get just as far (the usage text comes after the library loaded).
    let reference = common::command_with(common::Lib::Reference, &program)
        .arg("--help")
        .env("LD_BIND_NOW", "1")
        .output()
        .expect("run the client on the reference library");
    assert_eq!(
        ours.output.status.code(),
        reference.status.code(),
        "{name} --help exit code"
    );
    let first_line = |o: &Output| {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .next()
            .map(str::to_string)
    };
    assert!(
        first_line(&reference).is_some(),
        "{name} --help printed no usage on the reference"
    );
    assert_eq!(
        first_line(&ours.output),
        first_line(&reference),
        "{name} --help usage text"
    );

    assert_ldd_clean(&program);
}

#[test]
fn mosquitto_pub_loads_our_library() {
    check_client("mosquitto_pub");
}

#[test]
fn mosquitto_sub_loads_our_library() {
    check_client("mosquitto_sub");
}

#[test]
fn mosquitto_rr_loads_our_library() {
    check_client("mosquitto_rr");
}

/// Debian's libmosquittopp.so.1 binds all its libmosquitto imports to ours.
#[test]
fn libmosquittopp_links_against_our_library() {
    let pp = system_lib_dir().join("libmosquittopp.so.1");
    assert!(
        pp.exists(),
        "{} is missing (apt-get install libmosquittopp-dev)",
        pp.display()
    );
    assert_ldd_clean(&pp);
}

/// A C++ program using Debian's mosquittopp wrapper runs on our library and
/// gets the same answers as on the reference.
#[test]
fn cpp_wrapper_program_runs_on_our_library() {
    let scratch = common::scratch("loader-mosquittopp");
    let source = scratch.join("pp_demo.cpp");
    std::fs::write(
        &source,
        r##"#include <cstdio>
#include <mosquittopp.h>

int main()
{
	int major = -1, minor = -1, revision = -1;
	int packed = mosqpp::lib_version(&major, &minor, &revision);
	std::printf("version %d %d.%d.%d\n", packed, major, minor, revision);

	const char *cases[][2] = {{"a/+/c", "a/b/c"}, {"a/#", "b/c"}, {"#", "$SYS/x"}, {"a/+", "a/b/c"}};
	for (auto &c : cases) {
		bool result = false;
		int rc = mosqpp::topic_matches_sub(c[0], c[1], &result);
		std::printf("%s %s rc=%d match=%d\n", c[0], c[1], rc, result ? 1 : 0);
	}
	return 0;
}
"##,
    )
    .unwrap();
    let binary = scratch.join("pp_demo");
    common::compile(
        &[&source],
        &binary,
        &["-Wno-deprecated-declarations", "-lmosquittopp"],
        true,
    );

    let ours = run_traced(common::command_with(common::Lib::Ours, &binary), &scratch);
    assert_clean_start(&ours, "pp_demo");
    assert_loaded_ours(&ours.trace, "pp_demo");
    common::assert_output_ok(&ours.output, "pp_demo on our library");

    let reference = common::command_with(common::Lib::Reference, &binary)
        .output()
        .expect("run pp_demo on the reference");
    common::assert_output_ok(&reference, "pp_demo on the reference");

    let ours_text = String::from_utf8_lossy(&ours.output.stdout).into_owned();
    let reference_text = String::from_utf8_lossy(&reference.stdout).into_owned();
    let (ours_version, ours_rest) = ours_text.split_once('\n').expect("a version line");
    let (_, reference_rest) = reference_text.split_once('\n').expect("a version line");
    assert_eq!(ours_rest, reference_rest, "topic matching through mosqpp");

    // The version line is ours, so compare its shape, not its numbers.
    let numbers: Vec<i64> = ours_version
        .trim_start_matches("version ")
        .split([' ', '.'])
        .map(|n| n.parse().expect("a number"))
        .collect();
    assert_eq!(numbers.len(), 4, "{ours_version}");
    assert_eq!(numbers[1], 2, "major version: {ours_version}");
    assert_eq!(
        numbers[0],
        numbers[1] * 1_000_000 + numbers[2] * 1_000 + numbers[3],
        "{ours_version}"
    );
}

#[test]
fn complaint_filter_sees_loader_errors() {
    let text = "usage...\n\
        ./prog: symbol lookup error: ./prog: undefined symbol: mosquitto_x, version MOSQ_1.0\n\
        ./prog: /x/libmosquitto.so.1: version `MOSQ_2.1' not found (required by ./prog)\n\
        ./prog: /x/libmosquitto.so.1: no version information available (required by ./prog)\n";
    assert_eq!(loader_complaints(text).len(), 3);
    assert!(loader_complaints("mosquitto_pub is a simple mqtt client\n").is_empty());
}
