//! Client C/C++ programs (tests/c/client_trace.c, external_loop.c,
//! threaded_publish.c, cpp_wrapper.cpp), each compiled once against the
//! system headers and run against a live `mosquitto` broker, on Debian's
//! libmosquitto 2.0.11 (the reference) and on ours.
//!
//! client_trace and cpp_wrapper must print exactly the same lines on both
//! libraries; external_loop and threaded_publish must succeed on both with
//! the expected totals. Every run gets its own broker on free loopback
//! ports, so the tests can run in parallel.

mod support;
use support::common;

use common::Lib;
use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// How long any one program may run before the test kills it (each program
/// also has its own, shorter, internal alarm).
const RUN_TIMEOUT: Duration = Duration::from_secs(120);

/// How many differing lines to show on failure.
const SHOW_DIFFS: usize = 25;

// ---- broker ---------------------------------------------------------------

/// A `mosquitto` broker started for one run, killed on drop. It listens on
/// an anonymous TCP port, on a TCP port that refuses anonymous clients, and
/// on a unix socket.
struct Broker {
    child: Child,
    port: u16,
    refuse_port: u16,
    socket: PathBuf,
}

/// A loopback port that was free a moment ago.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    listener.local_addr().unwrap().port()
}

impl Broker {
    /// Starts a broker (retrying on a port race) and waits until it accepts
    /// connections.
    fn start() -> Broker {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let mut last_log = String::new();
        for _ in 0..3 {
            let n = COUNT.fetch_add(1, Ordering::SeqCst);
            let dir = common::scratch("client_programs");
            let conf = dir.join(format!("broker-{n}.conf"));
            let log = dir.join(format!("broker-{n}.log"));
            let socket = std::env::temp_dir().join(format!(
                "mosq-client-programs-{}-{n}.sock",
                std::process::id()
            ));
            let _ = std::fs::remove_file(&socket);
            let (port, refuse_port) = (free_port(), free_port());
            // `user root` only matters when run as root: it keeps the broker
            // from switching to a user that may not exist or may not write
            // the socket folder.
            let text = format!(
                "user root\nper_listener_settings true\n\
                 listener {port} 127.0.0.1\nallow_anonymous true\n\
                 listener {refuse_port} 127.0.0.1\nallow_anonymous false\n\
                 listener 0 {}\nallow_anonymous true\n",
                socket.display()
            );
            std::fs::write(&conf, text).unwrap();
            let child = Command::new("mosquitto")
                .arg("-c")
                .arg(&conf)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(&log).unwrap())
                .spawn()
                .expect("start mosquitto (apt-get install mosquitto)");
            let mut broker = Broker {
                child,
                port,
                refuse_port,
                socket,
            };
            if broker.wait_ready() {
                return broker;
            }
            last_log = std::fs::read_to_string(&log).unwrap_or_default();
        }
        panic!("mosquitto did not start; last log:\n{last_log}");
    }

    /// Waits until every listener is up; false if the broker exited.
    fn wait_ready(&mut self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return false;
            }
            let tcp = [self.port, self.refuse_port]
                .iter()
                .all(|p| TcpStream::connect(("127.0.0.1", *p)).is_ok());
            if tcp && self.socket.exists() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.socket);
    }
}

// ---- programs -------------------------------------------------------------

/// Compiles `tests/c/<source>` once per test binary; C++ when the name ends
/// in `.cpp`.
fn build(source: &str) -> PathBuf {
    let cxx = source.ends_with(".cpp");
    let src = common::root().join("tests/c").join(source);
    let stem = Path::new(source).file_stem().unwrap().to_str().unwrap();
    let exe = common::scratch("client_programs").join(stem);
    let mut args = vec!["-O1", "-Wall", "-Wextra", "-Werror", "-I/usr/include"];
    if cxx {
        args.push("-lmosquittopp");
    }
    args.extend(["-lmosquitto", "-lpthread", "-ldl"]);
    common::compile(&[&src], &exe, &args, cxx);
    exe
}

fn client_trace() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| build("client_trace.c"))
}

fn external_loop() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| build("external_loop.c"))
}

fn threaded_publish() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| build("threaded_publish.c"))
}

fn cpp_wrapper() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| build("cpp_wrapper.cpp"))
}

/// What one program run printed.
struct Run {
    stdout: String,
    stderr: String,
}

/// Runs `exe args` on `lib` with a timeout; panics unless it exits 0 after
/// loading the intended libmosquitto file.
fn run_program(lib: Lib, exe: &Path, args: &[String]) -> Run {
    let (run, failure) = run_program_lenient(lib, exe, args);
    if let Some(failure) = failure {
        panic!("{failure}");
    }
    run
}

/// Like [`run_program`], but hands back the output of a run that failed or
/// timed out together with a description of the failure, so a caller can
/// first show how the output diverged from the reference. A wrong library
/// still panics at once.
fn run_program_lenient(lib: Lib, exe: &Path, args: &[String]) -> (Run, Option<String>) {
    let started = Instant::now();
    let mut child = common::command_with(lib, exe)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("run {}: {e}", exe.display()));
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        out.read_to_string(&mut s).map(|_| s)
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        err.read_to_string(&mut s).map(|_| s)
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the program") {
            break Some(status);
        }
        if started.elapsed() > RUN_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = out_reader.join().unwrap().expect("stdout is UTF-8");
    let stderr = err_reader.join().unwrap().unwrap_or_default();
    let name = exe.file_name().unwrap().to_string_lossy();
    let tail: Vec<&str> = stdout.lines().rev().take(15).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    let failure = match status {
        None => Some(format!(
            "{name} on {lib:?} timed out after {RUN_TIMEOUT:?}; last lines:\n{}\n--- stderr\n{stderr}",
            tail.join("\n")
        )),
        Some(s) if !s.success() => Some(format!(
            "{name} on {lib:?} failed ({s}); last lines:\n{}\n--- stderr\n{stderr}",
            tail.join("\n")
        )),
        Some(_) => None,
    };
    let expected = match lib {
        Lib::Ours => common::our_lib(),
        Lib::Reference => common::reference_lib(),
    }
    .canonicalize()
    .expect("canonical library path");
    let loaded = stderr
        .lines()
        .find_map(|l| l.strip_prefix("LOADED "))
        .unwrap_or_else(|| panic!("{name}: no LOADED line on stderr:\n{stderr}"));
    assert_eq!(
        Path::new(loaded),
        expected,
        "{name} on {lib:?} loaded {loaded} instead of {}",
        expected.display()
    );
    println!("{name} on {lib:?}: {:.2?}", started.elapsed());
    (Run { stdout, stderr }, failure)
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

/// Panics, showing the first differing lines, unless the outputs are equal.
/// Both outputs are saved in the scratch folder for inspection.
fn assert_same_output(what: &str, left_name: &str, left: &str, right_name: &str, right: &str) {
    let diffs = differing_lines(left, right);
    if diffs.is_empty() {
        return;
    }
    let dir = common::scratch("client_programs");
    let lpath = dir.join(format!("{what}.{left_name}.txt"));
    let rpath = dir.join(format!("{what}.{right_name}.txt"));
    std::fs::write(&lpath, left).unwrap();
    std::fs::write(&rpath, right).unwrap();
    let mut report = format!(
        "{what}: {} of {} lines differ ({left_name}: {}, {right_name}: {}); first {}:\n",
        diffs.len(),
        left.lines().count(),
        lpath.display(),
        rpath.display(),
        SHOW_DIFFS.min(diffs.len())
    );
    for (line, l, r) in diffs.iter().take(SHOW_DIFFS) {
        report.push_str(&format!(
            "line {line}:\n  {left_name}: {l}\n  {right_name}: {r}\n"
        ));
    }
    panic!("{report}");
}

// ---- client_trace ----------------------------------------------------------

/// One client_trace run on `lib`, with a broker of its own: its output and,
/// if it failed, why.
fn trace_on_lenient(lib: Lib) -> (String, Option<String>) {
    let broker = Broker::start();
    let args = trace_args(&broker);
    let (run, failure) = run_program_lenient(lib, client_trace(), &args);
    (run.stdout, failure)
}

/// The command line of client_trace for `broker`.
fn trace_args(broker: &Broker) -> Vec<String> {
    vec![
        "127.0.0.1".to_string(),
        broker.port.to_string(),
        "--refuse-port".to_string(),
        broker.refuse_port.to_string(),
        "--unix".to_string(),
        broker.socket.display().to_string(),
    ]
}

/// One client_trace run on `lib`, with a broker of its own; it must finish.
fn trace_on(lib: Lib) -> String {
    let broker = Broker::start();
    let run = run_program(lib, client_trace(), &trace_args(&broker));
    assert!(
        run.stdout.ends_with("END\n"),
        "client_trace on {lib:?} did not finish:\n{}",
        run.stdout
    );
    run.stdout
}

#[test]
fn client_trace_reference_is_deterministic() {
    let first = trace_on(Lib::Reference);
    let second = trace_on(Lib::Reference);
    assert_same_output("client_trace", "first", &first, "second", &second);
    let lines = first.lines().count();
    assert!(lines > 700, "only {lines} lines of trace");
    // A few landmarks of the reference behaviour, so an accidental change
    // of the scenario is noticed.
    for landmark in [
        "new new(NULL, clean=false) NULL errno=EINVAL",
        "v311 connect (nothing listening) rc=14 errno=ECONNREFUSED",
        "v311 on_connect rc=5 obj=refused",
        "v5 on_connect rc=135 obj=refused",
        "v311 publish(qos 0, unconnected) rc=4 mid=3",
        "v5   publish prop correlation-data=[3]\\x01\\x02\\x03",
        "v5   publish prop subscription-identifier=7",
        "v5 messages after no-local+rap: 1",
        "v31 loop_forever rc=0",
        "v5 threaded: loop_stop rc=0 loop_stop again rc=3",
    ] {
        assert!(
            first.lines().any(|l| l == landmark),
            "the reference trace lacks {landmark:?}"
        );
    }
}

#[test]
fn client_trace_ours_matches_reference() {
    let reference = trace_on(Lib::Reference);
    // Compare first: where the outputs part says more than a failure
    // message alone.
    let (ours, failure) = trace_on_lenient(Lib::Ours);
    assert_same_output("client_trace", "reference", &reference, "ours", &ours);
    assert!(failure.is_none(), "{}", failure.unwrap_or_default());
}

// ---- external_loop ---------------------------------------------------------

/// Clients and messages per client for external_loop.
const EXT_CLIENTS: usize = 50;
const EXT_MESSAGES: usize = 30;

fn external_loop_on(lib: Lib) {
    let broker = Broker::start();
    let args = [
        "127.0.0.1".to_string(),
        broker.port.to_string(),
        EXT_CLIENTS.to_string(),
        EXT_MESSAGES.to_string(),
    ];
    let run = run_program(lib, external_loop(), &args);
    let total = EXT_CLIENTS * EXT_MESSAGES;
    let expected = format!(
        "clients created: {EXT_CLIENTS}\n\
         phase done: all connected\n\
         phase done: all subscribed\n\
         published: {total}\n\
         phase done: all delivered and acknowledged\n\
         phase done: all disconnected\n\
         received: {total}\n\
         acknowledged: {total}\n\
         duplicates at qos 0/2: 0\n\
         unexpected: 0\n\
         OK\n"
    );
    assert_same_output(
        "external_loop",
        "expected",
        &expected,
        "actual",
        &run.stdout,
    );
    print!("{}", run.stderr);
}

#[test]
fn external_loop_reference() {
    external_loop_on(Lib::Reference);
}

#[test]
fn external_loop_ours() {
    external_loop_on(Lib::Ours);
}

// ---- threaded_publish -------------------------------------------------------

/// Publishing threads and messages per thread for threaded_publish (their
/// product stays below the broker's default max_queued_messages, 1000).
const TP_THREADS: usize = 8;
const TP_MESSAGES: usize = 100;

fn threaded_publish_on(lib: Lib) {
    let broker = Broker::start();
    let args = [
        "127.0.0.1".to_string(),
        broker.port.to_string(),
        TP_THREADS.to_string(),
        TP_MESSAGES.to_string(),
    ];
    let run = run_program(lib, threaded_publish(), &args);
    let total = TP_THREADS * TP_MESSAGES;
    let replies = TP_THREADS * TP_MESSAGES.div_ceil(10);
    let expected = format!(
        "phase done: both connected and subscribed\n\
         published: {total} by {TP_THREADS} threads\n\
         duplicate mids: 0\n\
         mid range: 2..{}\n\
         phase done: all delivered, acknowledged and answered\n\
         phase done: both disconnected\n\
         received: {total}\n\
         acknowledged: {total}\n\
         replies: sent={replies} acknowledged={replies} received={replies} send errors=0\n\
         unexpected: 0\n\
         OK\n",
        total + 1
    );
    assert_same_output(
        "threaded_publish",
        "expected",
        &expected,
        "actual",
        &run.stdout,
    );
    print!("{}", run.stderr);
}

#[test]
fn threaded_publish_reference() {
    threaded_publish_on(Lib::Reference);
}

#[test]
fn threaded_publish_ours() {
    threaded_publish_on(Lib::Ours);
}

// ---- cpp_wrapper -------------------------------------------------------------

fn cpp_wrapper_on(lib: Lib) -> String {
    let broker = Broker::start();
    let args = ["127.0.0.1".to_string(), broker.port.to_string()];
    let run = run_program(lib, cpp_wrapper(), &args);
    assert!(
        run.stdout.ends_with("OK\n"),
        "cpp_wrapper on {lib:?} did not finish:\n{}",
        run.stdout
    );
    run.stdout
}

#[test]
fn cpp_wrapper_reference() {
    let out = cpp_wrapper_on(Lib::Reference);
    for landmark in [
        "publish unconnected rc=4",
        "on_message topic=cpp/wrapper/t payload=cpp-qos2 qos=2 retain=0",
        "on_message topic=cpp/wrapper/t payload=threaded qos=1 retain=0",
        "threaded publish mid=8 rc=0",
    ] {
        assert!(
            out.lines().any(|l| l == landmark),
            "cpp_wrapper output lacks {landmark:?}:\n{out}"
        );
    }
    let again = cpp_wrapper_on(Lib::Reference);
    assert_same_output("cpp_wrapper", "first", &out, "second", &again);
}

#[test]
fn cpp_wrapper_ours_matches_reference() {
    let reference = cpp_wrapper_on(Lib::Reference);
    let broker = Broker::start();
    let args = ["127.0.0.1".to_string(), broker.port.to_string()];
    let (ours, failure) = run_program_lenient(Lib::Ours, cpp_wrapper(), &args);
    assert_same_output("cpp_wrapper", "reference", &reference, "ours", &ours.stdout);
    assert!(failure.is_none(), "{}", failure.unwrap_or_default());
}
