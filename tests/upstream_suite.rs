//! The original's own client-library test suite, run on Debian's library
//! and on ours.
//!
//! Upstream mosquitto tests its client library with `test/lib`: a Python
//! fake broker per test (it checks every byte the client sends and answers
//! from a script) and a small C or C++ client program per test. Debian's
//! source package of the installed reference (2.0.11) carries them.
//! `tests/upstream/fetch.sh` fetches that package at test time into
//! `target/upstream-suite/` (nothing of it is committed here), applies
//! Debian's patches and makes fresh test certificates with upstream's
//! `gen.sh`.
//!
//! The pairs are the ones upstream runs: those of `test/lib/test.py` and of
//! the `c` target of `test/lib/Makefile` (71: 48 C, 23 C++). The C clients
//! are compiled against our `include/` and linked to our library; the C++
//! clients against Debian's `mosquittopp.h` and `libmosquittopp.so.1`. Each
//! fake broker sets `LD_LIBRARY_PATH=../../lib:../../lib/cpp` relative to its
//! folder; the harness runs each library's pass in its own copy of the
//! tree whose `lib/libmosquitto.so.1` is a link to that library, and checks
//! which file each client really loaded twice: `ldd` before the run, and the
//! client's own `/proc/self/maps` (tests/upstream/loaded_library.c, linked
//! into every client) during it.
//!
//! Every pair must pass on the reference: that proves the harness. On ours
//! every pair must pass too, except the few listed in [`SPEC_EXCEPTIONS`]:
//! tests that check a behaviour of the original that breaks the MQTT
//! specification, which we follow. Each of those must fail, and fail in the
//! way its entry says, so the entry itself fails the day the test passes.
//!
//! Run alone with `make && cargo test --test upstream_suite`.

mod support;
use support::common;

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::io::Read;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use common::{our_lib, reference_lib, root, Lib};

/// How many pairs upstream runs (`test.py` and the Makefile together).
const UPSTREAM_PAIRS: usize = 71;

/// How long one pair may take (the slowest, the keepalive tests, take a
/// few seconds; the fake brokers give up after 10 s of silence).
const PAIR_LIMIT: Duration = Duration::from_secs(90);

/// How many pairs run at once for each library.
const WORKERS: usize = 6;

/// How long fetching and unpacking the source package may take.
const FETCH_LIMIT: Duration = Duration::from_secs(600);

/// A test of the original's suite that fails on our library because the
/// original breaks the MQTT specification there and we follow it.
struct SpecException {
    /// The client, as `test.py` names it (`c/NAME`, without `.test`).
    client: &'static str,
    /// Text that the failing run prints: the failure must be this one.
    signature: &'static str,
    /// Why: the rule, and what each library does.
    reason: &'static str,
}

/// The pairs that must fail on ours, each for its stated reason.
const SPEC_EXCEPTIONS: &[SpecException] = &[
    SpecException {
        client: "c/11-prop-oversize-packet",
        signature: "Fail on publish 2",
        reason: "the broker's Maximum Packet Size is 30 and the second PUBLISH is 31 bytes \
             (type byte, length byte, 29). MQTT 5 [MQTT-3.2.2-15] counts the whole packet; \
             the original leaves the type byte out and sends it, ours refuses it with \
             MOSQ_ERR_OVERSIZE_PACKET",
    },
    SpecException {
        client: "c/03-publish-c2b-qos1-disconnect",
        signature: SESSION_DISCARDED_SIGNATURE,
        reason: SESSION_DISCARDED,
    },
    SpecException {
        client: "cpp/03-publish-c2b-qos1-disconnect",
        signature: SESSION_DISCARDED_SIGNATURE,
        reason: SESSION_DISCARDED,
    },
    SpecException {
        client: "c/03-publish-c2b-qos2-disconnect",
        signature: SESSION_DISCARDED_SIGNATURE,
        reason: SESSION_DISCARDED,
    },
    SpecException {
        client: "cpp/03-publish-c2b-qos2-disconnect",
        signature: SESSION_DISCARDED_SIGNATURE,
        reason: SESSION_DISCARDED,
    },
];

/// The `03-publish-c2b-qos*-disconnect` pairs: the client reconnects with
/// Clean Session 1, the broker answers Session Present 0, then expects the
/// unacknowledged PUBLISH again (DUP).
const SESSION_DISCARDED: &str = "the client reconnects with Clean Session 1 and the broker \
    answers Session Present 0: MQTT 3.1.1 [MQTT-3.1.2-6] and 5 [MQTT-3.2.2-5] make the client \
    discard its session state, so the unacknowledged PUBLISH is not re-sent; the original \
    re-sends it, ours reports it dropped (on_publish_v5 reason 0x80) and sends the \
    DISCONNECT the client program asks for next";

/// How those pairs fail on ours.
const SESSION_DISCARDED_SIGNATURE: &str = "Received incorrect retried publish.";

/// A pair that is racy on the reference itself: upstream's Makefile leaves
/// it out for that reason (its `test.py` keeps it).
struct ReferenceRace {
    /// The client, as `test.py` names it.
    client: &'static str,
    /// What the racy failure prints; any other failure is a failure.
    signature: &'static str,
    /// The race.
    reason: &'static str,
}

/// On the reference only, a pair listed here that fails with its
/// signature is run again (up to [`RACE_ATTEMPTS`] times in all), and the
/// report says how many runs it took. On ours it runs once, like the rest.
const REFERENCE_RACES: &[ReferenceRace] = &[ReferenceRace {
    client: "c/03-publish-c2b-qos2-maximum-qos-1",
    signature: "ConnectionResetError",
    reason: "the client disconnects from on_publish of its QoS 0 message and closes the \
             socket with the broker's PUBACK of its QoS 1 message still unread, so the \
             kernel answers with a reset, which may reach the fake broker before it has \
             read the DISCONNECT; upstream's Makefile has this pair commented out",
}];

/// How many runs a listed reference race gets.
const RACE_ATTEMPTS: u32 = 8;

/// One pair: a fake-broker script and the client it drives.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Pair {
    /// The script, e.g. `01-con-discon-success.py`.
    script: String,
    /// The client, e.g. `c/01-con-discon-success` (no `.test`).
    client: String,
}

/// The fetched suite, its pairs and the compiled clients.
struct Suite {
    /// The unpacked source's `test` folder.
    test_dir: PathBuf,
    /// Every pair upstream runs.
    pairs: Vec<Pair>,
    /// Every client program (`c/NAME`, `cpp/NAME`).
    clients: Vec<String>,
    /// Where the compiled clients are (`c/NAME.test`, `cpp/NAME.test`).
    bin: PathBuf,
}

/// Where everything of this harness lives.
fn work_dir() -> PathBuf {
    root().join("target/upstream-suite")
}

/// Fetches, parses and compiles once per test binary.
fn suite() -> &'static Suite {
    static SUITE: OnceLock<Suite> = OnceLock::new();
    SUITE.get_or_init(|| {
        let work = work_dir();
        fetch(&work);
        let test_dir = work.join("src/test");
        let pairs = upstream_pairs(&test_dir.join("lib"));
        let bin = work.join("bin");
        let clients = client_sources(&test_dir.join("lib"));
        compile_clients(&test_dir.join("lib"), &clients, &bin);
        Suite {
            test_dir,
            pairs,
            clients,
            bin,
        }
    })
}

/// Runs tests/upstream/fetch.sh into `work`.
fn fetch(work: &Path) {
    let mut cmd = Command::new("bash");
    cmd.arg(root().join("tests/upstream/fetch.sh")).arg(work);
    let (ok, out) = run_group(&mut cmd, FETCH_LIMIT);
    assert!(
        ok,
        "fetching Debian's mosquitto source package failed:\n{out}"
    );
}

/// The pairs of `test.py` (`(1, ['./X.py', 'c/Y.test'])`) and of the
/// Makefile's `c` target (`./X.py $@/Y.test`, commented lines left out).
fn upstream_pairs(lib_tests: &Path) -> Vec<Pair> {
    let mut pairs = BTreeSet::new();
    let test_py = fs::read_to_string(lib_tests.join("test.py")).expect("read test.py");
    for line in test_py.lines().map(str::trim) {
        let Some(rest) = line.strip_prefix("(1, ['./") else {
            continue;
        };
        let mut parts = rest.split('\'');
        let (Some(script), Some(_), Some(client)) = (parts.next(), parts.next(), parts.next())
        else {
            panic!("test.py: cannot read {line:?}");
        };
        pairs.insert(pair(script, client));
    }
    let makefile = fs::read_to_string(lib_tests.join("Makefile")).expect("read the Makefile");
    for line in makefile.lines().map(str::trim) {
        let Some(rest) = line.strip_prefix("./").filter(|r| r.contains(" $@/")) else {
            continue;
        };
        let mut words = rest.split_whitespace();
        let (Some(script), Some(client)) = (words.next(), words.next()) else {
            panic!("Makefile: cannot read {line:?}");
        };
        pairs.insert(pair(script, &client.replace("$@", "c")));
    }
    pairs.into_iter().collect()
}

/// A pair from a script name and a client path ending in `.test`.
fn pair(script: &str, client: &str) -> Pair {
    let client = client
        .strip_suffix(".test")
        .unwrap_or_else(|| panic!("unexpected client name {client:?}"));
    assert!(
        client.starts_with("c/") || client.starts_with("cpp/"),
        "unexpected client {client:?}"
    );
    Pair {
        script: script.to_owned(),
        client: client.to_owned(),
    }
}

/// Every client program of the suite (`c/NAME`, `cpp/NAME`): the sources in
/// `c/` and `cpp/`. Most pairs name theirs; a few scripts start their own
/// (`03-request-response.py` starts `c/03-request-response-1.test` and
/// `-2.test`).
fn client_sources(lib_tests: &Path) -> Vec<String> {
    let mut clients = Vec::new();
    for (folder, ext) in [("c", "c"), ("cpp", "cpp")] {
        for entry in fs::read_dir(lib_tests.join(folder)).expect("list the clients") {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if let Some(stem) = name.strip_suffix(&format!(".{ext}")) {
                clients.push(format!("{folder}/{stem}"));
            }
        }
    }
    clients.sort();
    clients
}

/// Compiles every client into `bin`: C against our header and library, C++
/// against Debian's C++ wrapper (which loads whichever libmosquitto.so.1 the
/// loader finds).
fn compile_clients(lib_tests: &Path, clients: &[String], bin: &Path) {
    fs::create_dir_all(bin.join("c")).unwrap();
    fs::create_dir_all(bin.join("cpp")).unwrap();
    let include = root().join("include");
    let our_dir = our_lib().parent().unwrap().to_path_buf();
    let report = root().join("tests/upstream/loaded_library.c");
    let report_obj = bin.join("loaded_library.o");
    common::compile(
        &[&report],
        &report_obj,
        &["-c", "-O1", "-Wall", "-Werror"],
        false,
    );
    // Two compilers at a time: the machine may have only two cores.
    let queue = Mutex::new(clients.iter().collect::<Vec<_>>());
    thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let Some(client) = queue.lock().unwrap().pop() else {
                    break;
                };
                let cxx = client.starts_with("cpp/");
                let src = lib_tests.join(format!("{client}.{}", if cxx { "cpp" } else { "c" }));
                let out = bin.join(format!("{client}.test"));
                let mut args: Vec<String> = vec![
                    format!("-I{}", include.display()),
                    report_obj.display().to_string(),
                    format!("-L{}", our_dir.display()),
                ];
                if cxx {
                    args.extend(["-DDEBUG".into(), "-lmosquittopp".into()]);
                } else {
                    args.push("-Werror".into());
                }
                args.push("-lmosquitto".into());
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                common::compile(&[&src], &out, &args, cxx);
            });
        }
    });
}

/// Runs `cmd` in its own process group (so that a fake broker and the
/// client it started go together), killing the group after `limit`.
/// Returns whether it exited with 0, and its output (stdout and stderr).
fn run_group(cmd: &mut Command, limit: Duration) -> (bool, String) {
    let mut child = cmd
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let pipes = [
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    ];
    let readers: Vec<_> = pipes
        .into_iter()
        .flatten()
        .map(|mut pipe| {
            thread::spawn(move || {
                let mut text = String::new();
                let mut bytes = Vec::new();
                let _ = pipe.read_to_end(&mut bytes);
                text.push_str(&String::from_utf8_lossy(&bytes));
                text
            })
        })
        .collect();
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for a child") {
            break Some(status);
        }
        if Instant::now() >= deadline {
            break None;
        }
        thread::sleep(Duration::from_millis(20));
    };
    let timed_out = status.is_none();
    // The group: whatever the script started and left behind goes too.
    let pgid = child.id() as libc::pid_t;
    // SAFETY: kill(2) with a negative pid signals that process group, which
    // process_group(0) made for this child alone; no memory is involved.
    unsafe { libc::kill(-pgid, libc::SIGKILL) };
    let status = match status {
        Some(status) => status,
        None => child.wait().expect("wait for a killed child"),
    };
    let mut out: String = readers.into_iter().filter_map(|r| r.join().ok()).collect();
    if timed_out {
        out.push_str(&format!("\n[harness: killed after {limit:?}]"));
    }
    let ok = status.success() && !timed_out;
    (ok, out)
}

/// A free TCP port on 127.0.0.1, never handed out twice by this process.
fn free_port() -> u16 {
    static GIVEN: OnceLock<Mutex<HashSet<u16>>> = OnceLock::new();
    let given = GIVEN.get_or_init(Default::default);
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("bind a free port")
            .port();
        if given.lock().unwrap().insert(port) {
            return port;
        }
    }
}

/// The library file a pass runs on, as the loader reports it.
fn library_file(lib: Lib) -> PathBuf {
    let file = match lib {
        Lib::Ours => our_lib(),
        Lib::Reference => reference_lib(),
    };
    fs::canonicalize(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// Debian's C++ wrapper.
fn cpp_wrapper() -> PathBuf {
    let dir = reference_lib().parent().unwrap().to_path_buf();
    fs::canonicalize(dir.join("libmosquittopp.so.1")).expect("Debian's libmosquittopp.so.1")
}

/// A copy of the suite's `test` folder for one library's pass, whose
/// `../../lib` (as the fake brokers see it) holds links to that library and
/// to Debian's C++ wrapper, and whose scripts listen on 127.0.0.1 only.
fn run_tree(suite: &Suite, lib: Lib) -> PathBuf {
    let tree = work_dir().join(match lib {
        Lib::Ours => "run-ours",
        Lib::Reference => "run-reference",
    });
    let _ = fs::remove_dir_all(&tree);
    fs::create_dir_all(tree.join("lib/cpp")).unwrap();
    let status = Command::new("cp")
        .arg("-a")
        .arg(&suite.test_dir)
        .arg(tree.join("test"))
        .status()
        .expect("run cp");
    assert!(status.success(), "copying the test folder failed");
    std::os::unix::fs::symlink(library_file(lib), tree.join("lib/libmosquitto.so.1")).unwrap();
    std::os::unix::fs::symlink(cpp_wrapper(), tree.join("lib/cpp/libmosquittopp.so.1")).unwrap();
    fs::create_dir_all(tree.join("maps")).unwrap();
    // The scripts start their clients as `c/NAME.test` from `test/lib`.
    for client in &suite.clients {
        std::os::unix::fs::symlink(
            suite.bin.join(format!("{client}.test")),
            tree.join("test/lib").join(format!("{client}.test")),
        )
        .unwrap();
    }

    // The fake brokers bind every interface (`bind(('', port))`): keep them
    // on the loopback interface. (08-ssl-bad-cacert.py listens nowhere.)
    let scripts: BTreeSet<&str> = suite.pairs.iter().map(|p| p.script.as_str()).collect();
    for script in scripts {
        let path = tree.join("test/lib").join(script);
        let text = fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains(".bind(") || text.contains(".bind(('', port))"),
            "{script}: the listening call is not where the harness expects it"
        );
        fs::write(
            &path,
            text.replace(".bind(('', port))", ".bind(('127.0.0.1', port))"),
        )
        .unwrap();
    }
    tree
}

/// Checks with `ldd` that each client, run from `tree`, resolves
/// libmosquitto.so.1 to `expected` (and the C++ wrapper to Debian's).
fn check_ldd(suite: &Suite, tree: &Path, expected: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let path = format!(
        "{}:{}",
        tree.join("lib").display(),
        tree.join("lib/cpp").display()
    );
    for client in &suite.clients {
        let exe = suite.bin.join(format!("{client}.test"));
        let out = Command::new("ldd")
            .arg(&exe)
            .env("LD_LIBRARY_PATH", &path)
            .output()
            .expect("run ldd");
        let text = String::from_utf8_lossy(&out.stdout);
        let resolved = |soname: &str| -> Option<PathBuf> {
            text.lines()
                .find(|l| l.trim_start().starts_with(soname))
                .and_then(|l| l.split("=>").nth(1))
                .and_then(|r| r.split_whitespace().next())
                .and_then(|p| fs::canonicalize(p).ok())
        };
        if resolved("libmosquitto.so.1").as_deref() != Some(expected) {
            problems.push(format!(
                "{client}: ldd resolves libmosquitto.so.1 elsewhere:\n{text}"
            ));
        }
        if client.starts_with("cpp/") && resolved("libmosquittopp.so.1") != Some(cpp_wrapper()) {
            problems.push(format!(
                "{client}: ldd does not find Debian's C++ wrapper:\n{text}"
            ));
        }
    }
    problems
}

/// What one pair did.
struct Outcome {
    pair: Pair,
    passed: bool,
    output: String,
    /// The libmosquitto files each client of the pair had mapped, from the
    /// clients' own reports.
    loaded: Vec<(String, BTreeSet<PathBuf>)>,
    seconds: f64,
    /// How many runs it took (more than one only for a reference race).
    runs: u32,
}

/// Runs one pair from `tree` on a fresh port. A fake broker that could not
/// listen (its port taken meanwhile) is started again on another port.
fn run_pair(tree: &Path, pair: &Pair, lib: Lib) -> Outcome {
    let race = REFERENCE_RACES
        .iter()
        .find(|r| lib == Lib::Reference && r.client == pair.client);
    let mut runs = 0;
    loop {
        runs += 1;
        let outcome = run_pair_once(tree, pair);
        match race {
            Some(r)
                if !outcome.passed
                    && outcome.output.contains(r.signature)
                    && runs < RACE_ATTEMPTS =>
            {
                continue
            }
            _ => return Outcome { runs, ..outcome },
        }
    }
}

/// Runs one pair once (or again on another port if its port was taken).
fn run_pair_once(tree: &Path, pair: &Pair) -> Outcome {
    let maps = tree.join("maps").join(pair.client.replace('/', "-"));
    let started = Instant::now();
    let mut attempt = 0;
    loop {
        attempt += 1;
        let _ = fs::remove_dir_all(&maps);
        fs::create_dir_all(&maps).unwrap();
        let port = free_port().to_string();
        let mut cmd = Command::new("python3");
        cmd.current_dir(tree.join("test/lib"))
            .arg(format!("./{}", pair.script))
            .arg(format!("{}.test", pair.client))
            .arg(&port)
            .env("MOSQ_SUITE_MAPS", &maps)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env_remove("LD_PRELOAD")
            .env_remove("MOSQ_USE_VALGRIND");
        let (passed, output) = run_group(&mut cmd, PAIR_LIMIT);
        if !passed && output.contains("Address already in use") && attempt < 3 {
            continue;
        }
        let mut loaded = Vec::new();
        for entry in fs::read_dir(&maps).unwrap() {
            let entry = entry.unwrap();
            let files = fs::read_to_string(entry.path())
                .unwrap_or_default()
                .lines()
                .filter_map(|l| l.split_whitespace().nth(5))
                .map(PathBuf::from)
                .collect();
            loaded.push((entry.file_name().to_string_lossy().into_owned(), files));
        }
        loaded.sort();
        return Outcome {
            pair: pair.clone(),
            passed,
            output,
            loaded,
            seconds: started.elapsed().as_secs_f64(),
            runs: 1,
        };
    }
}

/// Runs every pair on `lib`, a few at a time.
fn run_suite(lib: Lib) -> (Vec<Outcome>, Vec<String>) {
    let suite = suite();
    let tree = run_tree(suite, lib);
    let expected = library_file(lib);
    let mut problems = check_ldd(suite, &tree, &expected);
    let queue = Mutex::new(suite.pairs.iter().rev().collect::<Vec<_>>());
    let outcomes = Mutex::new(Vec::new());
    thread::scope(|s| {
        for _ in 0..WORKERS {
            s.spawn(|| loop {
                let Some(pair) = queue.lock().unwrap().pop() else {
                    break;
                };
                let outcome = run_pair(&tree, pair, lib);
                outcomes.lock().unwrap().push(outcome);
            });
        }
    });
    let mut outcomes = outcomes.into_inner().unwrap();
    outcomes.sort_by(|a, b| a.pair.cmp(&b.pair));
    for o in &outcomes {
        if o.passed && o.loaded.is_empty() {
            problems.push(format!(
                "{}: no client reported its libraries",
                o.pair.client
            ));
        }
        for (client, files) in &o.loaded {
            // A C++ client maps Debian's wrapper beside the library.
            let mut wanted: BTreeSet<PathBuf> = [expected.clone()].into();
            if client.starts_with("cpp-") {
                wanted.insert(cpp_wrapper());
            }
            if *files != wanted {
                problems.push(format!(
                    "{} ({client}): the client's /proc/self/maps named {files:?}, not {wanted:?}",
                    o.pair.client
                ));
            }
        }
    }
    (outcomes, problems)
}

/// One line per pair, for the test's output.
fn report(lib: Lib, outcomes: &[Outcome]) {
    let passed = outcomes.iter().filter(|o| o.passed).count();
    println!(
        "upstream test/lib on {lib:?}: {passed} of {} pairs passed",
        outcomes.len()
    );
    for o in outcomes {
        let runs = match REFERENCE_RACES.iter().find(|r| r.client == o.pair.client) {
            Some(race) if o.runs > 1 => {
                format!(
                    " ({} runs: a known race of the reference: {})",
                    o.runs, race.reason
                )
            }
            _ => String::new(),
        };
        println!(
            "  {:4} {:6.2}s {} {}{runs}",
            if o.passed { "ok" } else { "FAIL" },
            o.seconds,
            o.pair.script,
            o.pair.client
        );
    }
}

/// The output of the failed pairs, for a failure message.
fn failures(outcomes: &[Outcome], skip: &[&str]) -> String {
    outcomes
        .iter()
        .filter(|o| !o.passed && !skip.contains(&o.pair.client.as_str()))
        .map(|o| {
            format!(
                "--- {} {}\n{}\n",
                o.pair.script,
                o.pair.client,
                o.output.trim()
            )
        })
        .collect()
}

#[test]
fn the_suite_is_upstreams_71_pairs() {
    let suite = suite();
    assert_eq!(
        suite.pairs.len(),
        UPSTREAM_PAIRS,
        "pairs found: {:#?}",
        suite.pairs
    );
    let c = suite
        .pairs
        .iter()
        .filter(|p| p.client.starts_with("c/"))
        .count();
    assert_eq!((c, suite.pairs.len() - c), (48, 23));
    let listed = SPEC_EXCEPTIONS
        .iter()
        .map(|e| e.client)
        .chain(REFERENCE_RACES.iter().map(|r| r.client));
    for client in listed {
        assert!(
            suite.pairs.iter().any(|p| p.client == client),
            "{client} is listed here but upstream does not run it"
        );
    }
}

#[test]
fn every_pair_passes_on_the_reference() {
    let (outcomes, problems) = run_suite(Lib::Reference);
    report(Lib::Reference, &outcomes);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(outcomes.len(), UPSTREAM_PAIRS);
    let failed = failures(&outcomes, &[]);
    assert!(
        failed.is_empty(),
        "upstream's suite fails on Debian's own library: the harness is wrong\n{failed}"
    );
}

#[test]
fn every_pair_passes_on_ours_but_the_specification_exceptions() {
    let (outcomes, problems) = run_suite(Lib::Ours);
    report(Lib::Ours, &outcomes);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(outcomes.len(), UPSTREAM_PAIRS);

    let mut excepted: Vec<&str> = SPEC_EXCEPTIONS.iter().map(|e| e.client).collect();
    // A library built without the tls feature cannot run upstream's TLS
    // pairs (08-ssl-*): not counted, but they must fail, not pass.
    let needs_tls: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.pair.script.starts_with("08-ssl-"))
        .collect();
    if !cfg!(feature = "tls") {
        println!(
            "{} TLS pairs not counted: they need the tls feature",
            needs_tls.len()
        );
        for o in &needs_tls {
            assert!(!o.passed, "{} passes without TLS", o.pair.client);
            excepted.push(&o.pair.client);
        }
    }
    let failed = failures(&outcomes, &excepted);
    assert!(
        failed.is_empty(),
        "upstream's suite fails on ours:\n{failed}"
    );

    for exception in SPEC_EXCEPTIONS {
        let outcome = outcomes
            .iter()
            .find(|o| o.pair.client == exception.client)
            .expect("every exception is one of the pairs");
        assert!(
            !outcome.passed,
            "{} now passes on ours: it was expected to fail because {}; remove it from \
             SPEC_EXCEPTIONS and from docs/differences.md",
            exception.client, exception.reason
        );
        assert!(
            outcome.output.contains(exception.signature),
            "{} fails, but not as expected ({:?}, because {}):\n{}",
            exception.client,
            exception.signature,
            exception.reason,
            outcome.output
        );
    }
}
