//! The C examples in c-examples/: `make install` into a scratch prefix,
//! build every example against that installation twice - with CMake's
//! `find_package(mosquitto)` (c-examples/CMakeLists.txt) and with
//! pkg-config (c-examples/Makefile) - then run each program of both builds
//! against a local broker and check what it did.
//!
//! The programs load the installed library through their run path (no
//! `LD_LIBRARY_PATH`), which the build tests check.
//!
//! TLS and WebSockets: a tiny program first asserts that the installed
//! library supports them (`mosquitto_tls_set` and `MOSQ_OPT_TRANSPORT`
//! answer success), then their examples run a round trip through a broker.
//! The TLS example's certificates and broker setup are proven by running it
//! on Debian's libmosquitto too.

mod support;
use support::common;

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::Duration;

use support::run::{describe, run_with_timeout, LineProcess};
use support::{Broker, BrokerOptions};

/// Every program the two builds produce.
const PROGRAMS: [&str; 10] = [
    "publish",
    "subscribe",
    "request_response",
    "threaded_publish",
    "epoll_clients",
    "will",
    "persistent_session",
    "tls_client_cert",
    "websockets",
    "utility_demo",
];

/// Longer than the examples' own 10 s alarm, so a hang shows as their
/// "timed out" message rather than as our kill.
const RUN_TIMEOUT: Duration = Duration::from_secs(15);

/// How long a subscriber example has to print its SUBACK line.
const SUBACK_TIMEOUT: Duration = Duration::from_secs(5);

/// Commands run from inside `make test` must not inherit its jobserver,
/// nor a library path that would override the programs' run path.
fn clean_env(cmd: &mut Command) -> &mut Command {
    for var in [
        "MAKEFLAGS",
        "MFLAGS",
        "MAKELEVEL",
        "MAKEOVERRIDES",
        "CARGO_MAKEFLAGS",
        "LD_LIBRARY_PATH",
        "LD_PRELOAD",
        "PKG_CONFIG_PATH",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// Runs `cmd` to completion and panics with its output unless it succeeds.
fn run_build_step(cmd: &mut Command, what: &str) -> Output {
    let output = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    common::assert_output_ok(&output, what);
    output
}

/// Empties (or creates) `dir`.
fn fresh_dir(dir: &Path) {
    if dir.exists() {
        std::fs::remove_dir_all(dir).unwrap();
    }
    std::fs::create_dir_all(dir).unwrap();
}

/// `make install PREFIX=<scratch>`, once for all tests here.
fn prefix() -> &'static Path {
    static PREFIX: OnceLock<PathBuf> = OnceLock::new();
    PREFIX.get_or_init(|| {
        common::lib_dir();
        let prefix = common::scratch("examples").join("prefix");
        fresh_dir(&prefix);
        run_build_step(
            clean_env(&mut Command::new("make"))
                .arg("-C")
                .arg(common::root())
                .arg("install")
                .arg(format!("PREFIX={}", prefix.display())),
            "make install",
        );
        prefix
    })
}

/// The installed library file.
fn installed_lib() -> PathBuf {
    prefix().join("lib/libmosquitto.so.1")
}

/// The examples built by CMake through the installed package: configure
/// with `CMAKE_PREFIX_PATH=<prefix>` and build. Returns the build folder.
fn cmake_build() -> &'static Path {
    static BUILD: OnceLock<PathBuf> = OnceLock::new();
    BUILD.get_or_init(|| {
        let prefix = prefix();
        let build = common::scratch("examples").join("cmake-build");
        fresh_dir(&build);
        run_build_step(
            clean_env(&mut Command::new("cmake"))
                .arg("-S")
                .arg(common::root().join("c-examples"))
                .arg("-B")
                .arg(&build)
                .arg(format!("-DCMAKE_PREFIX_PATH={}", prefix.display())),
            "cmake configure of c-examples",
        );
        run_build_step(
            clean_env(&mut Command::new("cmake"))
                .arg("--build")
                .arg(&build)
                .args(["--parallel", "2"]),
            "cmake --build of c-examples",
        );
        build
    })
}

/// The examples built by c-examples/Makefile through pkg-config
/// (`PKG_CONFIG_PATH=<prefix>/lib/pkgconfig`). Returns the output folder
/// and the build log.
fn pkg_config_build() -> &'static (PathBuf, String) {
    static BUILD: OnceLock<(PathBuf, String)> = OnceLock::new();
    BUILD.get_or_init(|| {
        let prefix = prefix();
        let build = common::scratch("examples").join("pkg-config-build");
        fresh_dir(&build);
        let output = run_build_step(
            clean_env(&mut Command::new("make"))
                .arg("-C")
                .arg(common::root().join("c-examples"))
                .arg("-j2")
                .arg(format!("BUILD={}", build.display()))
                .env("PKG_CONFIG_PATH", prefix.join("lib/pkgconfig")),
            "make -C c-examples (pkg-config)",
        );
        (build, String::from_utf8_lossy(&output.stdout).into_owned())
    })
}

/// Both builds' output folders, with a name for failure messages.
fn builds() -> [(&'static str, &'static Path); 2] {
    [
        ("cmake", cmake_build()),
        ("pkg-config", pkg_config_build().0.as_path()),
    ]
}

/// A command running example `name` of the build in `dir`, with a clean
/// environment (the program's run path finds the installed library).
fn example(dir: &Path, name: &str) -> Command {
    let mut cmd = Command::new(dir.join(name));
    clean_env(&mut cmd);
    cmd
}

/// Runs example `name` with `args`; panics unless it exits 0 in time.
/// Returns its stdout lines.
fn run_example(dir: &Path, name: &str, args: &[&str]) -> Vec<String> {
    let output = run_with_timeout(example(dir, name).args(args), RUN_TIMEOUT);
    assert!(
        output.status.success(),
        "{} {args:?} failed\n{}",
        dir.join(name).display(),
        describe(&output)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The broker's host and port as arguments.
fn host_port(broker: &Broker) -> [String; 2] {
    ["127.0.0.1".to_owned(), broker.port().to_string()]
}

/// Checks that `program` resolves libmosquitto.so.1 to the installed file
/// with no `LD_LIBRARY_PATH` (what `ldd` shows, without running it).
fn assert_loads_installed_lib(program: &Path) {
    let mut cmd = Command::new(program);
    clean_env(&mut cmd).env("LD_TRACE_LOADED_OBJECTS", "1");
    let output = run_with_timeout(&mut cmd, RUN_TIMEOUT);
    let text = String::from_utf8_lossy(&output.stdout);
    let want = format!("libmosquitto.so.1 => {} (", installed_lib().display());
    assert!(
        text.lines().any(|l| l.trim_start().starts_with(&want)),
        "{} does not load the installed library by itself:\n{text}",
        program.display()
    );
}

#[test]
fn cmake_builds_every_example_through_the_installed_package() {
    let build = cmake_build();
    let cache = std::fs::read_to_string(build.join("CMakeCache.txt")).unwrap();
    let want = format!(
        "mosquitto_DIR:PATH={}/lib/cmake/mosquitto",
        prefix().display()
    );
    assert!(
        cache.lines().any(|l| l == want),
        "CMake did not use the installed package ({want})"
    );
    // The installed headers, not the repository's or the system's.
    let flags = std::fs::read_to_string(build.join("CMakeFiles/publish.dir/flags.make")).unwrap();
    assert!(
        flags.contains(&format!("{}/include", prefix().display())),
        "publish is not compiled against the installed headers:\n{flags}"
    );
    for program in PROGRAMS {
        assert_loads_installed_lib(&build.join(program));
    }
}

#[test]
fn pkg_config_builds_every_example_against_the_installation() {
    let (build, log) = pkg_config_build();
    let include = format!("-I{}/include", prefix().display());
    let libdir = format!("-L{}/lib", prefix().display());
    for program in PROGRAMS {
        let line = log
            .lines()
            .find(|l| l.contains(&format!("-o {} ", build.join(program).display())))
            .unwrap_or_else(|| panic!("no compile line for {program}:\n{log}"));
        assert!(
            line.contains(&include) && line.contains(&libdir) && line.contains("-lmosquitto"),
            "{program} was not built with pkg-config's flags: {line}"
        );
        assert_loads_installed_lib(&build.join(program));
    }
}

#[test]
fn utility_demo_runs_on_the_installed_library() {
    for (what, dir) in builds() {
        let lines = run_example(dir, "utility_demo", &[]);
        assert_eq!(
            lines.first().map(String::as_str),
            Some(format!("loaded library: {}", installed_lib().display()).as_str()),
            "{what} build: {lines:#?}"
        );
    }
}

/// Starts the subscribe example and waits for its SUBACK line.
fn start_subscriber(dir: &Path, broker: &Broker, args: &[&str]) -> LineProcess {
    let [host, port] = host_port(broker);
    let mut cmd = example(dir, "subscribe");
    cmd.args([host.as_str(), port.as_str()]).args(args);
    let mut sub = LineProcess::spawn(&mut cmd);
    let qos = args.get(2).copied().unwrap_or("0");
    let line = sub.wait_for_line(SUBACK_TIMEOUT, |l| l.starts_with("subscribed"));
    assert_eq!(line, format!("subscribed (granted QoS {qos})"));
    sub
}

/// Waits for the subscriber to exit successfully and returns every line it
/// printed, the SUBACK line included.
fn finish_subscriber(mut sub: LineProcess) -> Vec<String> {
    let status = sub.wait_timeout(RUN_TIMEOUT);
    while sub.next_line(Duration::from_millis(200)).is_some() {}
    assert!(
        status.is_some_and(|s| s.success()),
        "subscribe did not exit 0 ({status:?})\n{}",
        sub.describe()
    );
    sub.seen().to_vec()
}

#[test]
fn publish_and_subscribe_at_every_qos() {
    let broker = Broker::start(BrokerOptions::default().name("examples-pubsub"));
    let [host, port] = host_port(&broker);
    for (what, dir) in builds() {
        let sub = start_subscriber(dir, &broker, &["examples/pubsub/#", "3", "2"]);
        for qos in 0..3 {
            let topic = format!("examples/pubsub/q{qos}");
            let payload = format!("hello at QoS {qos}");
            let lines = run_example(
                dir,
                "publish",
                &[&host, &port, &topic, &payload, &qos.to_string()],
            );
            assert_eq!(
                lines,
                [
                    "connected".to_owned(),
                    format!("published mid 1 to {topic} at QoS {qos}"),
                    "disconnected".to_owned(),
                ],
                "{what} build"
            );
        }
        let lines = finish_subscriber(sub);
        let want: Vec<String> = [
            "connected",
            "subscribed (granted QoS 2)",
            "message examples/pubsub/q0 qos=0 retain=0 hello at QoS 0",
            "message examples/pubsub/q1 qos=1 retain=0 hello at QoS 1",
            "message examples/pubsub/q2 qos=2 retain=0 hello at QoS 2",
            "received 3 messages, disconnected",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(lines, want, "{what} build");
    }
}

#[test]
fn publish_reports_a_refused_connection() {
    // A port nobody listens on (bound, then released).
    let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string();
    for (what, dir) in builds() {
        let output = run_with_timeout(
            example(dir, "publish").args(["127.0.0.1", &port, "t", "m"]),
            RUN_TIMEOUT,
        );
        assert_eq!(
            output.status.code(),
            Some(1),
            "{what}: {}",
            describe(&output)
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            stderr,
            format!("error: connect to 127.0.0.1:{port}: Connection refused\n"),
            "{what} build"
        );
    }
}

#[test]
fn request_response_round_trip_with_v5_properties() {
    let broker = Broker::start(BrokerOptions::default().name("examples-rr"));
    let [host, port] = host_port(&broker);
    for (what, dir) in builds() {
        let lines = run_example(dir, "request_response", &[&host, &port, "ping?"]);
        let want: Vec<String> = [
            "responder: subscribed to examples/rr/request",
            "requester: subscribed to examples/rr/response/requester-1",
            "requester: sent \"ping?\" to examples/rr/request",
            "responder: request \"ping?\" on examples/rr/request, answer to examples/rr/response/requester-1",
            "requester: answer \"answer to \"ping?\"\" (correlation data \"request-42\")",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(lines, want, "{what} build");
    }
    // Both clients really spoke MQTT v5 (protocol level 5 in CONNECT).
    let log = broker.log();
    for id in ["responder", "requester"] {
        assert!(
            log.contains(&format!("as {id} (p5,")),
            "{id} did not connect with MQTT v5:\n{log}"
        );
    }
}

#[test]
fn threaded_publish_delivers_every_message_once() {
    const THREADS: usize = 4;
    const PER_THREAD: usize = 25;
    let broker = Broker::start(BrokerOptions::default().name("examples-threads"));
    let [host, port] = host_port(&broker);
    for (what, dir) in builds() {
        let total = (THREADS * PER_THREAD).to_string();
        let sub = start_subscriber(dir, &broker, &["examples/threaded/#", &total, "1"]);
        let lines = run_example(
            dir,
            "threaded_publish",
            &[&host, &port, &THREADS.to_string(), &PER_THREAD.to_string()],
        );
        assert_eq!(
            lines,
            [
                format!("connected, starting {THREADS} threads"),
                format!("{THREADS} threads published {total} messages, {total} acknowledged"),
                "disconnected".to_owned(),
            ],
            "{what} build"
        );
        let received = finish_subscriber(sub);
        let mut seen = BTreeSet::new();
        let mut next = [0usize; THREADS];
        for line in received.iter().filter(|l| l.starts_with("message ")) {
            // message examples/threaded/T qos=1 retain=0 thread T message I
            let words: Vec<&str> = line.split(' ').collect();
            assert_eq!(words.len(), 8, "{what}: {line}");
            let thread: usize = words[5].parse().unwrap();
            let index: usize = words[7].parse().unwrap();
            assert_eq!(words[1], format!("examples/threaded/{thread}"), "{line}");
            assert_eq!(words[2], "qos=1", "{line}");
            // One connection: each thread's messages keep their order.
            assert_eq!(index, next[thread], "{what}: out of order: {line}");
            next[thread] += 1;
            assert!(seen.insert((thread, index)), "{what}: duplicate {line}");
        }
        assert_eq!(seen.len(), THREADS * PER_THREAD, "{what}: {received:#?}");
    }
}

#[test]
fn epoll_loop_drives_many_clients() {
    const CLIENTS: usize = 20;
    let broker = Broker::start(BrokerOptions::default().name("examples-epoll"));
    let [host, port] = host_port(&broker);
    for (what, dir) in builds() {
        let lines = run_example(dir, "epoll_clients", &[&host, &port, &CLIENTS.to_string()]);
        assert_eq!(lines.len(), CLIENTS + 3, "{what}: {lines:#?}");
        assert_eq!(lines[0], format!("{CLIENTS} clients connecting"));
        assert_eq!(
            lines[1],
            format!("all {CLIENTS} clients subscribed, publishing")
        );
        assert_eq!(lines[CLIENTS + 2], "every client received its message");
        let got: BTreeSet<&str> = lines[2..CLIENTS + 2].iter().map(String::as_str).collect();
        let want: Vec<String> = (0..CLIENTS)
            .map(|i| {
                let to = (i + 1) % CLIENTS;
                format!("client {to} received \"hello from {i}\" on examples/epoll/{to}")
            })
            .collect();
        let want: BTreeSet<&str> = want.iter().map(String::as_str).collect();
        assert_eq!(got, want, "{what} build");
    }
}

#[test]
fn will_is_delivered_when_the_device_dies() {
    let broker = Broker::start(BrokerOptions::default().name("examples-will"));
    let [host, port] = host_port(&broker);
    for (what, dir) in builds() {
        let lines = run_example(dir, "will", &[&host, &port]);
        let want: Vec<String> = [
            "watcher: subscribed to examples/will/status, device may start",
            "device: connected with a will on examples/will/status, now dying without DISCONNECT",
            "watcher: got will \"device offline\" on examples/will/status (qos 1)",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(lines, want, "{what} build");
    }
    // The broker saw both devices vanish without DISCONNECT (the watchers
    // disconnected properly).
    let log = broker.log();
    let lost = log
        .lines()
        // (The harness's readiness probe shows as "Client <unknown>".)
        .filter(|l| l.contains("closed its connection") && !l.contains("<unknown>"))
        .count();
    assert_eq!(lost, 2, "the broker log:\n{log}");
}

#[test]
fn persistent_session_receives_what_was_queued_offline() {
    let broker = Broker::start(BrokerOptions::default().name("examples-persist"));
    let [host, port] = host_port(&broker);
    for (what, dir) in builds() {
        let lines = run_example(dir, "persistent_session", &[&host, &port, "5"]);
        assert_eq!(lines.len(), 14, "{what}: {lines:#?}");
        assert!(
            lines[0].starts_with("collector: connecting as examples-persistent-"),
            "{what}: {}",
            lines[0]
        );
        let mut want: Vec<String> = [
            "collector: connected (session present: 0)",
            "collector: subscribed to examples/persistent/#, going offline",
            "sender: connected (session present: 0)",
            "sender: 5 QoS 1 messages acknowledged by the broker",
            "collector: connected (session present: 1)",
        ]
        .map(String::from)
        .to_vec();
        want.extend((0..5).map(|i| {
            format!("collector: received \"queued message {i}\" on examples/persistent/{i} (qos 1)")
        }));
        want.push("collector: all 5 queued messages arrived".into());
        want.push("cleanup: connected (session present: 0)".into());
        want.push("cleanup: session removed".into());
        assert_eq!(lines[1..], want[..], "{what} build");
    }
}

/// A CA, a server certificate for 127.0.0.1/localhost and a client
/// certificate, made with the openssl command once for all tests.
struct Certs {
    dir: PathBuf,
}

impl Certs {
    fn path(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }
}

/// Runs openssl with `args` in `dir`.
fn openssl(dir: &Path, args: &[&str]) {
    run_build_step(
        Command::new("openssl").current_dir(dir).args(args),
        &format!("openssl {args:?}"),
    );
}

fn certs() -> &'static Certs {
    static CERTS: OnceLock<Certs> = OnceLock::new();
    CERTS.get_or_init(|| {
        let dir = common::scratch("examples").join("certs");
        fresh_dir(&dir);
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
        ];
        let mut ca = vec!["req", "-x509"];
        ca.extend(ec);
        ca.extend([
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            "-days",
            "2",
            "-subj",
            "/CN=examples-ca",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ]);
        openssl(&dir, &ca);
        std::fs::write(
            dir.join("server.ext"),
            "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        std::fs::write(dir.join("client.ext"), "extendedKeyUsage=clientAuth\n").unwrap();
        for who in ["server", "client"] {
            let (key, csr, crt, ext, subj) = (
                format!("{who}.key"),
                format!("{who}.csr"),
                format!("{who}.crt"),
                format!("{who}.ext"),
                format!("/CN=examples-{who}"),
            );
            let mut req = vec!["req"];
            req.extend(ec);
            req.extend(["-keyout", &key, "-out", &csr, "-subj", &subj]);
            openssl(&dir, &req);
            openssl(
                &dir,
                &[
                    "x509",
                    "-req",
                    "-in",
                    &csr,
                    "-CA",
                    "ca.crt",
                    "-CAkey",
                    "ca.key",
                    "-CAcreateserial",
                    "-out",
                    &crt,
                    "-days",
                    "2",
                    "-extfile",
                    &ext,
                ],
            );
        }
        Certs { dir }
    })
}

/// A broker with an extra TLS listener that requires client certificates.
/// Returns it with the TLS port.
fn tls_broker(certs: &Certs) -> (Broker, u16) {
    let listener = format!(
        "listener {{port:tls}} 127.0.0.1\ncafile {}\ncertfile {}\nkeyfile {}\n\
         require_certificate true\nallow_anonymous true",
        certs.path("ca.crt"),
        certs.path("server.crt"),
        certs.path("server.key"),
    );
    let broker = Broker::start(
        BrokerOptions::default()
            .name("examples-tls")
            .config(&listener),
    );
    let port = broker.named_port("tls");
    (broker, port)
}

/// What a feature probe reports: the return codes of
/// `mosquitto_tls_set(mosq, <CA file>, NULL, NULL, NULL, NULL)` and of
/// `mosquitto_int_option(mosq, MOSQ_OPT_TRANSPORT, MOSQ_T_WEBSOCKETS)` on
/// the installed library.
fn probe() -> &'static (i32, i32) {
    const PROBE_C: &str = r#"#include <stdio.h>
#include <mosquitto.h>

int main(int argc, char *argv[])
{
	struct mosquitto *mosq;

	if (argc != 2) {
		return 2;
	}
	mosquitto_lib_init();
	mosq = mosquitto_new(NULL, true, NULL);
	if (mosq == NULL) {
		return 2;
	}
	printf("%d\n", mosquitto_tls_set(mosq, argv[1], NULL, NULL, NULL, NULL));
	printf("%d\n", mosquitto_int_option(mosq, MOSQ_OPT_TRANSPORT, MOSQ_T_WEBSOCKETS));
	mosquitto_destroy(mosq);
	mosquitto_lib_cleanup();
	return 0;
}
"#;
    static PROBE: OnceLock<(i32, i32)> = OnceLock::new();
    PROBE.get_or_init(|| {
        let prefix = prefix();
        let dir = common::scratch("examples").join("probe");
        std::fs::create_dir_all(&dir).unwrap();
        let source = dir.join("probe.c");
        std::fs::write(&source, PROBE_C).unwrap();
        let binary = dir.join("probe");
        let include = format!("-I{}/include", prefix.display());
        let lib = format!("-L{}/lib", prefix.display());
        let rpath = format!("-Wl,-rpath,{}/lib", prefix.display());
        common::compile(
            &[&source],
            &binary,
            &[&include, &lib, &rpath, "-lmosquitto"],
            false,
        );
        let mut cmd = Command::new(&binary);
        clean_env(&mut cmd).arg(certs().path("ca.crt"));
        let output = run_with_timeout(&mut cmd, RUN_TIMEOUT);
        assert!(output.status.success(), "probe: {}", describe(&output));
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        let codes: Vec<i32> = text.lines().map(|l| l.parse().unwrap()).collect();
        assert_eq!(codes.len(), 2, "probe output: {text}");
        (codes[0], codes[1])
    })
}

#[test]
fn tls_client_cert_example() {
    let certs = certs();
    let tls_args = |port: u16| {
        vec![
            "127.0.0.1".to_owned(),
            port.to_string(),
            certs.path("ca.crt"),
            certs.path("client.crt"),
            certs.path("client.key"),
        ]
    };
    let (tls_rc, _) = *probe();
    assert_eq!(
        tls_rc, 0,
        "mosquitto_tls_set with a valid CA file: TLS must be supported"
    );
    let (_broker, port) = tls_broker(certs);
    for (what, dir) in builds() {
        let args = tls_args(port);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let lines = run_example(dir, "tls_client_cert", &args);
        check_tls_output(&lines, what);
    }
}

/// What a successful tls_client_cert run prints.
fn check_tls_output(lines: &[String], what: &str) {
    let certs = certs();
    assert_eq!(lines.len(), 4, "{what}: {lines:#?}");
    assert_eq!(
        lines[0],
        format!(
            "TLS configured (CA {}, certificate {})",
            certs.path("ca.crt"),
            certs.path("client.crt")
        )
    );
    assert_eq!(lines[1], "connected over TLS with a client certificate");
    assert!(
        lines[2].starts_with("received \"hello over TLS\" on examples/tls/"),
        "{what}: {}",
        lines[2]
    );
    assert_eq!(lines[3], "round trip over TLS complete, disconnected");
}

/// The TLS example and its certificate setup are right: on Debian's
/// libmosquitto (which has TLS) it completes its round trip, and without a
/// CA the broker trusts it fails.
#[test]
fn tls_client_cert_example_works_on_the_reference_library() {
    let certs = certs();
    let (_broker, port) = tls_broker(certs);
    let reference_dir = common::reference_lib().parent().unwrap().to_path_buf();
    let dir = cmake_build();
    let port = port.to_string();
    let run = |ca: &str| {
        let mut cmd = example(dir, "tls_client_cert");
        // LD_LIBRARY_PATH wins over the program's run path.
        cmd.env("LD_LIBRARY_PATH", &reference_dir).args([
            "127.0.0.1",
            &port,
            &certs.path(ca),
            &certs.path("client.crt"),
            &certs.path("client.key"),
        ]);
        run_with_timeout(&mut cmd, RUN_TIMEOUT)
    };
    let output = run("ca.crt");
    assert!(output.status.success(), "{}", describe(&output));
    let lines: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    check_tls_output(&lines, "reference");
    // The server certificate is no CA: verification must fail.
    let output = run("server.crt");
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
}

#[test]
fn websockets_example() {
    let (_, ws_rc) = *probe();
    assert_eq!(
        ws_rc, 0,
        "MOSQ_OPT_TRANSPORT = MOSQ_T_WEBSOCKETS: WebSockets must be supported"
    );
    let broker = Broker::start(
        BrokerOptions::default()
            .name("examples-ws")
            .config("listener {port:ws} 127.0.0.1\nprotocol websockets\nallow_anonymous true"),
    );
    let port = broker.named_port("ws");
    for (what, dir) in builds() {
        let lines = run_example(dir, "websockets", &["127.0.0.1", &port.to_string()]);
        assert_eq!(lines.len(), 4, "{what}: {lines:#?}");
        assert_eq!(lines[0], "transport: WebSockets");
        assert_eq!(lines[1], "connected over WebSockets");
        assert!(
            lines[2].starts_with("received \"hello over WebSockets\" on examples/websockets/"),
            "{what}: {}",
            lines[2]
        );
        assert_eq!(
            lines[3],
            "round trip over WebSockets complete, disconnected"
        );
    }
    drop(broker);
}

/// The examples print the same on Debian's libmosquitto: what they check
/// is the original's behaviour, not an artefact of ours.
#[test]
fn examples_print_the_same_on_the_reference_library() {
    let broker = Broker::start(BrokerOptions::default().name("examples-reference"));
    let [host, port] = host_port(&broker);
    let reference_dir = common::reference_lib().parent().unwrap().to_path_buf();
    let dir = cmake_build();
    let cases: [(&str, Vec<&str>); 4] = [
        ("publish", vec![&host, &port, "examples/ref", "m", "2"]),
        ("request_response", vec![&host, &port]),
        ("threaded_publish", vec![&host, &port, "3", "5"]),
        ("will", vec![&host, &port]),
    ];
    for (name, args) in cases {
        let ours = run_example(dir, name, &args);
        let mut cmd = example(dir, name);
        cmd.env("LD_LIBRARY_PATH", &reference_dir).args(&args);
        let output = run_with_timeout(&mut cmd, RUN_TIMEOUT);
        assert!(
            output.status.success(),
            "{name} on the reference: {}",
            describe(&output)
        );
        let theirs: Vec<String> = String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(str::to_owned)
            .collect();
        assert_eq!(ours, theirs, "{name}: ours (left) vs the reference (right)");
    }
}
