//! The PyPI ctypes bindings `pymosquitto` and `ctypes-mosquitto`, unchanged,
//! on our libmosquitto.so.1 and, for comparison, on Debian's: the pytest
//! suites in `tests/python/` must pass on both. Also runs the README's raw
//! ctypes example, `c-examples/python_ctypes_example.py`, on both.
//!
//! The bindings load the library by soname (`find_library("mosquitto")`,
//! then `CDLL("libmosquitto.so.1")`), so `LD_LIBRARY_PATH` decides which
//! file they get; every Python test process checks `/proc/self/maps` for the
//! file it was told to expect (`MOSQ_EXPECT_LIB`).
//!
//! The packages are installed with pip into a virtualenv under
//! `target/test-scratch/pyvenv`, kept between runs while it holds the pinned
//! versions. Nothing is skipped: if the virtualenv or pip fails, the tests
//! fail and say why.

mod support;
use support::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::{command_with, our_lib, reference_lib, root, Lib};
use support::clients::{args, mosquitto_sub, next_message};
use support::run::{describe, run_timed};
use support::{Broker, BrokerOptions};

/// What the virtualenv must hold (pinned).
const REQUIREMENTS: [&str; 3] = [
    "pytest==9.2.0",
    "pymosquitto==0.4.1",
    "ctypes-mosquitto==0.2.0",
];

/// The broker's password-listener user.
const USER: (&str, &str) = ("pyuser", "py-secret");

/// How long creating the virtualenv and installing the packages may take.
const INSTALL_TIMEOUT: Duration = Duration::from_secs(600);

/// How long one pytest run may take (it normally takes a few seconds).
const PYTEST_TIMEOUT: Duration = Duration::from_secs(180);

/// How long the example may take.
const EXAMPLE_TIMEOUT: Duration = Duration::from_secs(20);

/// The Python used to create the virtualenv (`MOSQ_PYTHON`, else `python3`).
fn base_python() -> String {
    std::env::var("MOSQ_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Runs `cmd` with a deadline, panicking with `what` and its output if it
/// fails or times out.
fn run_checked(cmd: &mut Command, timeout: Duration, what: &str) -> Output {
    let (out, timed_out) = run_timed(cmd, None, timeout);
    assert!(
        !timed_out && out.status.success(),
        "{what} {}:\n{cmd:?}\n{}",
        if timed_out { "timed out" } else { "failed" },
        describe(&out)
    );
    out
}

/// The virtualenv's interpreter, creating the virtualenv and installing the
/// pinned packages first unless an earlier run already did.
fn venv_python() -> &'static Path {
    static VENV: OnceLock<PathBuf> = OnceLock::new();
    VENV.get_or_init(|| {
        let dir = root().join("target/test-scratch/pyvenv");
        let python = dir.join("bin/python");
        let marker = dir.join("mosquitto-test-requirements.txt");
        let wanted = REQUIREMENTS.join("\n") + "\n";
        let ready = std::fs::read_to_string(&marker).is_ok_and(|m| m == wanted)
            && Command::new(&python)
                .args(["-c", "import pytest, pymosquitto, ctypes_mosquitto"])
                .env_remove("LD_LIBRARY_PATH")
                .output()
                .is_ok_and(|o| o.status.success());
        if ready {
            return python;
        }
        let started = Instant::now();
        std::fs::create_dir_all(dir.parent().unwrap()).unwrap();
        let mut venv = Command::new(base_python());
        venv.args(["-m", "venv", "--clear"]).arg(&dir);
        run_checked(
            &mut venv,
            INSTALL_TIMEOUT,
            "creating the virtualenv (on Debian: apt-get install python3-venv, \
             or run tools/setup-debian.sh)",
        );
        let mut pip = Command::new(&python);
        pip.args(["-m", "pip", "install", "--disable-pip-version-check", "-q"])
            .args(REQUIREMENTS)
            .env_remove("LD_LIBRARY_PATH");
        run_checked(
            &mut pip,
            INSTALL_TIMEOUT,
            &format!(
                "pip install {} (is PyPI reachable?)",
                REQUIREMENTS.join(" ")
            ),
        );
        std::fs::write(&marker, wanted).unwrap();
        eprintln!("created {} in {:.1?}", dir.display(), started.elapsed());
        python
    })
}

/// The library file a process on `lib` must load.
fn expected_lib(lib: Lib) -> PathBuf {
    let path = match lib {
        Lib::Ours => our_lib(),
        Lib::Reference => reference_lib(),
    };
    path.canonicalize().unwrap()
}

/// Runs the pytest suite in tests/python on `lib` against a fresh broker.
/// Returns the ids of the tests that passed, or why the run failed.
fn run_pytest(lib: Lib) -> Result<Vec<String>, String> {
    let python = venv_python();
    let broker = Broker::start(
        BrokerOptions::default()
            .name(&format!("python-{lib:?}"))
            .user(USER.0, USER.1),
    );
    let started = Instant::now();
    let mut cmd = command_with(lib, python);
    cmd.current_dir(root().join("tests/python"))
        // --tb=native: pytest's own tracebacks re-parse the source with
        // `ast`, which on CPython 3.11.7 can fail after ctypes callbacks
        // ("AST constructor recursion depth mismatch") and end the whole
        // run at the first failure.
        .args([
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-v",
            "-rfEs",
            "--tb=native",
            ".",
        ])
        .env("MQTT_HOST", "127.0.0.1")
        .env("MQTT_PORT", broker.port().to_string())
        .env("MQTT_AUTH_PORT", broker.auth_port().to_string())
        .env("MQTT_USER", USER.0)
        .env("MQTT_PASSWORD", USER.1)
        .env("MOSQ_EXPECT_LIB", expected_lib(lib))
        // glibc's heap-corruption reports go to the tty otherwise.
        .env("LIBC_FATAL_STDERR_", "1")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONFAULTHANDLER", "1");
    let (out, timed_out) = run_timed(&mut cmd, None, PYTEST_TIMEOUT);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    eprintln!("pytest on {lib:?} took {:.1?}", started.elapsed());
    if timed_out || !out.status.success() {
        return Err(format!(
            "pytest on {lib:?} {}:\n{}",
            if timed_out { "timed out" } else { "failed" },
            describe(&out)
        ));
    }
    let summary = stdout.lines().last().unwrap_or_default();
    // Nothing may be skipped or expected to fail.
    if ["skipped", "xfail", "xpass"]
        .iter()
        .any(|w| summary.contains(w))
    {
        return Err(format!("pytest on {lib:?}: {summary}\n{stdout}"));
    }
    eprintln!("{lib:?}: {summary}");
    Ok(stdout
        .lines()
        .filter_map(|l| l.split_once(" PASSED"))
        .map(|(id, _)| id.to_string())
        .collect())
}

/// The pytest suites on Debian's library (a failure there is a harness
/// problem) and on ours: both must pass, with the same tests.
#[test]
fn python_bindings_on_both_libraries() {
    let reference = run_pytest(Lib::Reference);
    let ours = run_pytest(Lib::Ours);
    let reference = reference.unwrap_or_else(|e| panic!("[Reference] {e}"));
    let ours = ours.unwrap_or_else(|e| panic!("[Ours] {e}"));
    assert_eq!(ours, reference, "different tests passed");
    for file in ["test_pymosquitto.py", "test_ctypes_mosquitto.py"] {
        let id = format!("{file}::test_loads_the_expected_library");
        assert!(ours.contains(&id), "{file} did not run: {ours:?}");
    }
    assert!(ours.len() >= 31, "only {} Python tests ran", ours.len());
}

/// Runs the README's ctypes example on `lib`: it must print the library's
/// version and its message must reach a subscriber.
fn run_example(lib: Lib) {
    let broker = Broker::start(BrokerOptions::default().name("python-example"));
    let topic = format!("example/{lib:?}");
    let mut sub = mosquitto_sub(
        Lib::Reference,
        &args([
            "-h".to_string(),
            "127.0.0.1".into(),
            "-p".into(),
            broker.port().to_string(),
            "-t".into(),
            topic.clone(),
            "-v".into(),
        ]),
    );
    let example = root().join("c-examples/python_ctypes_example.py");
    // Runs the example, then lists the libmosquitto files it had mapped.
    let wrapper = "import runpy, sys, os\n\
        sys.argv = sys.argv[1:]\n\
        runpy.run_path(sys.argv[0], run_name='__main__')\n\
        for line in open('/proc/self/maps'):\n\
        \x20   if 'libmosquitto' in line:\n\
        \x20       print('MAPPED', os.path.realpath(line.split()[-1]))\n";
    let mut cmd = command_with(lib, venv_python());
    cmd.args(["-c", wrapper])
        .arg(&example)
        .args(["127.0.0.1", &broker.port().to_string(), &topic]);
    let out = run_checked(
        &mut cmd,
        EXAMPLE_TIMEOUT,
        &format!("the example on {lib:?}"),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut lines = stdout.lines();
    let version = lines.next().unwrap_or_default();
    assert!(version.starts_with("libmosquitto 2."), "{lib:?}: {stdout}");
    let mapped: Vec<&str> = lines.filter_map(|l| l.strip_prefix("MAPPED ")).collect();
    let expected = expected_lib(lib);
    assert!(
        !mapped.is_empty() && mapped.iter().all(|m| Path::new(m) == expected),
        "{lib:?}: mapped {mapped:?}, expected {}",
        expected.display()
    );
    assert_eq!(
        next_message(&mut sub, Duration::from_secs(5)),
        format!("{topic} hello from ctypes")
    );
}

#[test]
fn ctypes_example_on_both_libraries() {
    run_example(Lib::Reference);
    run_example(Lib::Ours);
}
