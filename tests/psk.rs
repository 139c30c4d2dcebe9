//! TLS-PSK end to end (`mosquitto_tls_psk_set`): a real `mosquitto` broker
//! with PSK listeners (`psk_hint`, `psk_file`, `use_identity_as_username`),
//! Debian's unchanged `mosquitto_pub`/`mosquitto_sub` with `--psk` and
//! `--psk-identity`, and a C client (tests/c/psk_client.c) in each way of
//! running the loop, on our library and on the reference one.
//!
//! Ours speaks TLS 1.3 with an external PSK only; Debian's mosquitto (with
//! OpenSSL 3) accepts that on the same listener that serves the
//! reference's TLS 1.2 PSK suites. Failures (wrong key, unknown identity,
//! a plain port) must end as on the reference; a server limited to TLS 1.2
//! must make ours say that PSK here needs TLS 1.3.

mod support;
use support::common;

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use common::{command_with, Lib};
use support::clients::{args, mosquitto_pub, mosquitto_sub, next_message};
use support::run::{run_with_timeout, LineProcess};
use support::{Broker, BrokerOptions};

/// The key and identity the broker knows.
const KEY: &str = "deadbeef0123456789";
const IDENTITY: &str = "device1";
/// A key the broker does not have for [`IDENTITY`].
const WRONG_KEY: &str = "deadbeef0123456780";

/// How long a message may take to arrive.
const MESSAGE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a C client run may take (it has its own alarm too).
const PROGRAM_TIMEOUT: Duration = Duration::from_secs(60);

/// The broker's PSK file, written once.
fn psk_file() -> &'static Path {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let file = common::scratch("psk").join("psk_file");
        let long = &long_identity()[..255];
        std::fs::write(&file, format!("{IDENTITY}:{KEY}\n{long}:{KEY}\n")).unwrap();
        file
    })
}

/// An identity longer than OpenSSL's 255 bytes: both libraries send its
/// first 255 (the broker's file has those).
fn long_identity() -> String {
    (0..300).map(|i| (b'a' + (i % 26) as u8) as char).collect()
}

/// The lines of one PSK listener on `{port:NAME}`.
fn psk_listener(options: BrokerOptions, name: &str, extra: &[&str]) -> BrokerOptions {
    let mut o = options
        .config(&format!("listener {{port:{name}}} 127.0.0.1"))
        .config("psk_hint mosquitto-rs-tests")
        .config(&format!("psk_file {}", psk_file().display()))
        .config("use_identity_as_username true")
        .config("allow_anonymous true");
    for line in extra {
        o = o.config(line);
    }
    o
}

/// A broker with a PSK listener ("psk") and a plain one (its anonymous
/// TCP listener).
fn psk_broker() -> Broker {
    Broker::start(psk_listener(
        BrokerOptions::default().name("psk"),
        "psk",
        &[],
    ))
}

/// `--psk KEY --psk-identity IDENTITY -h 127.0.0.1 -p PORT`.
fn psk_args(port: u16, key: &str, identity: &str) -> Vec<String> {
    args([
        "-h",
        "127.0.0.1",
        "-p",
        &port.to_string(),
        "--psk",
        key,
        "--psk-identity",
        identity,
    ])
}

/// Exit status and stderr lines of one `mosquitto_pub` run.
#[derive(Debug)]
struct Outcome {
    code: i32,
    errors: Vec<String>,
}

impl Outcome {
    fn of(out: &Output) -> Outcome {
        Outcome {
            code: out.status.code().unwrap_or(-1),
            errors: String::from_utf8_lossy(&out.stderr)
                .lines()
                .filter(|l| !l.contains("no version information") && !l.trim().is_empty())
                .map(str::to_string)
                .collect(),
        }
    }
}

/// The outcomes a failed handshake has on the reference: inside
/// `mosquitto_connect`, or in the loop (a matter of timing).
fn handshake_failure(o: &Outcome) -> bool {
    matches!(
        (o.code, o.errors.last().map(String::as_str)),
        (1, Some("Unable to connect (A TLS error occurred.)."))
            | (8, Some("Error: A TLS error occurred."))
    )
}

/// Runs `mosquitto_pub -d` with `extra` on `lib`: the outcome, and the
/// `OpenSSL Error` lines it printed (its log, with `-d`).
fn publish_debug(lib: Lib, extra: &[String]) -> (Outcome, Vec<String>) {
    let mut a = extra.to_vec();
    a.extend(args(["-d", "-t", "psk/fail", "-m", "x"]));
    let out = mosquitto_pub(lib, &a);
    let log = String::from_utf8_lossy(&out.stdout)
        .lines()
        .chain(String::from_utf8_lossy(&out.stderr).lines())
        .filter(|l| l.starts_with("OpenSSL Error") || l.starts_with("Error: TLS-PSK"))
        .map(str::to_string)
        .collect();
    (Outcome::of(&out), log)
}

#[test]
#[cfg_attr(not(feature = "tls"), ignore = "needs the tls feature")]
fn debian_clients_exchange_messages_at_every_qos() {
    let broker = psk_broker();
    let port = broker.named_port("psk");
    for lib in [Lib::Reference, Lib::Ours] {
        for version in [None, Some("tlsv1.3")] {
            for qos in ["0", "1", "2"] {
                let mut common_args = psk_args(port, KEY, IDENTITY);
                if let Some(v) = version {
                    common_args.extend(args(["--tls-version", v]));
                }
                let topic = format!("psk/{lib:?}/{qos}");
                let mut sub_args = common_args.clone();
                sub_args.extend(args(["-t", &topic, "-q", qos, "-C", "1"]));
                let mut sub = mosquitto_sub(lib, &sub_args);
                let payload = format!("hello {lib:?} {version:?} q{qos}");
                let mut pub_args = common_args.clone();
                pub_args.extend(args(["-t", &topic, "-q", qos, "-m", &payload]));
                let out = mosquitto_pub(lib, &pub_args);
                assert!(
                    out.status.success(),
                    "mosquitto_pub on {lib:?}, {version:?}, QoS {qos}: {out:?}"
                );
                assert_eq!(next_message(&mut sub, MESSAGE_TIMEOUT), payload);
                assert!(sub
                    .wait_timeout(MESSAGE_TIMEOUT)
                    .is_some_and(|s| s.success()));
            }
        }
    }
    // An identity past OpenSSL's limit is cut to it, on both.
    for lib in [Lib::Reference, Lib::Ours] {
        let mut a = psk_args(port, KEY, &long_identity());
        a.extend(args(["-t", "psk/long", "-m", "x"]));
        let out = mosquitto_pub(lib, &a);
        assert!(out.status.success(), "long identity on {lib:?}: {out:?}");
    }
    // The broker saw the identity as the user name.
    assert!(broker.log().contains("u'device1'"), "{}", broker.log());
}

#[test]
#[cfg_attr(not(feature = "tls"), ignore = "needs the tls feature")]
fn failures_end_as_on_the_reference() {
    let broker = psk_broker();
    let port = broker.named_port("psk");
    let cases = [
        (
            "wrong key",
            psk_args(port, WRONG_KEY, IDENTITY),
            "OpenSSL Error[0]: error:0A000417:SSL routines::sslv3 alert illegal parameter",
        ),
        (
            "unknown identity",
            psk_args(port, KEY, "nobody"),
            "OpenSSL Error[0]: error:0A000410:SSL routines::sslv3 alert handshake failure",
        ),
        (
            "plain port",
            psk_args(broker.port(), KEY, IDENTITY),
            "OpenSSL Error[0]: error:0A000126:SSL routines::unexpected eof while reading",
        ),
    ];
    for (what, extra, line) in &cases {
        for lib in [Lib::Reference, Lib::Ours] {
            let (out, log) = publish_debug(lib, extra);
            assert!(handshake_failure(&out), "{what} on {lib:?}: {out:?}");
            assert_eq!(log, [line.to_string()], "{what} on {lib:?}");
        }
    }
}

#[test]
#[cfg_attr(not(feature = "tls"), ignore = "needs the tls feature")]
fn a_server_limited_to_tls12_names_the_tls13_condition() {
    // OpenSSL's own PSK server, TLS 1.2 only (mosquitto's `tls_version` is
    // a minimum, so it cannot be limited to TLS 1.2). With `-rev` it does
    // not read its (empty) standard input, which would end the connection
    // before the handshake.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = LineProcess::spawn(
        std::process::Command::new("openssl")
            .args([
                "s_server",
                "-accept",
                &port.to_string(),
                "-tls1_2",
                "-nocert",
                "-rev",
            ])
            .args(["-psk", KEY, "-psk_identity", IDENTITY, "-naccept", "1"]),
    );
    server.wait_for_line(Duration::from_secs(10), |l| l.contains("ACCEPT"));
    let (out, log) = publish_debug(Lib::Ours, &psk_args(port, KEY, IDENTITY));
    assert!(handshake_failure(&out), "{out:?}");
    assert_eq!(
        log,
        [
            "OpenSSL Error[0]: error:0A00042E:SSL routines::tlsv1 alert protocol version",
            "Error: TLS-PSK here needs TLS 1.3 (TLS_AES_128_GCM_SHA256); the broker refused TLS 1.3 (is its listener limited to TLS 1.2?)."
        ]
    );
    server.kill();
}

/// tests/c/psk_client.c, compiled once.
fn program() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| {
        let out = common::scratch("psk").join("psk_client");
        let src = common::root().join("tests/c/psk_client.c");
        common::compile(&[&src], &out, &["-lmosquitto", "-lpthread"], false);
        out
    })
}

#[test]
#[cfg_attr(not(feature = "tls"), ignore = "needs the tls feature")]
fn set_time_checks_match_the_reference() {
    let run = |lib| {
        let out = run_with_timeout(command_with(lib, program()).arg("args"), PROGRAM_TIMEOUT);
        common::assert_output_ok(&out, &format!("psk_client args on {lib:?}"));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let ours = run(Lib::Ours);
    assert_eq!(ours, run(Lib::Reference));
    // Not vacuous: the NULL and non-hex cases are refused.
    assert!(
        ours.contains("not-hex 3\n") && ours.contains("tls12-ciphers 0\n"),
        "{ours}"
    );
}

#[test]
#[cfg_attr(not(feature = "tls"), ignore = "needs the tls feature")]
fn a_c_client_works_in_every_loop_mode() {
    let broker = psk_broker();
    let port = broker.named_port("psk").to_string();
    for mode in ["forever", "start", "async", "loop", "external"] {
        let run = |lib| {
            let out = run_with_timeout(
                command_with(lib, program())
                    .args(["127.0.0.1", &port, KEY, IDENTITY, mode, "1"])
                    .stdin(Stdio::null()),
                PROGRAM_TIMEOUT,
            );
            common::assert_output_ok(&out, &format!("psk_client {mode} on {lib:?}"));
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        let ours = run(Lib::Ours);
        assert!(ours.contains("round 1 done\n"), "{mode}: {ours}");
        assert_eq!(ours, run(Lib::Reference), "{mode}");
    }
}

#[test]
#[cfg_attr(not(feature = "tls"), ignore = "needs the tls feature")]
fn reconnects_redo_the_handshake_after_a_broker_restart() {
    let mut broker = psk_broker();
    let port = broker.named_port("psk").to_string();
    for (lib, mode) in [Lib::Reference, Lib::Ours]
        .into_iter()
        .flat_map(|lib| ["forever", "start", "async", "loop", "external"].map(|m| (lib, m)))
    {
        let mut client = LineProcess::spawn(command_with(lib, program()).args([
            "127.0.0.1",
            &port,
            KEY,
            IDENTITY,
            mode,
            "2",
        ]));
        client.wait_for_line(PROGRAM_TIMEOUT, |l| l == "round 1 done");
        broker.restart();
        client.wait_for_line(PROGRAM_TIMEOUT, |l| l == "round 2 done");
        client.wait_for_line(PROGRAM_TIMEOUT, |l| l == "END");
        assert!(
            client
                .wait_timeout(PROGRAM_TIMEOUT)
                .is_some_and(|s| s.success()),
            "{mode} on {lib:?}: {}",
            client.describe()
        );
        let connected = client.seen().iter().filter(|l| *l == "connected 0").count();
        assert_eq!(connected, 2, "{mode} on {lib:?}: {}", client.describe());
    }
}

#[test]
#[cfg_attr(not(feature = "tls"), ignore = "needs the tls feature")]
fn certificate_tls_wins_when_both_are_set() {
    // A CA the PSK listener's (absent) certificate cannot match: the
    // certificate handshake is what fails, on both libraries.
    let dir = common::scratch("psk");
    support::certs::openssl(
        &dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "both-ca.key",
            "-out",
            "both-ca.crt",
            "-subj",
            "/CN=psk-test",
            "-days",
            "2",
        ],
    );
    let ca = dir.join("both-ca.crt");
    let broker = psk_broker();
    let port = broker.named_port("psk").to_string();
    let failure =
        "log: OpenSSL Error[0]: error:0A000410:SSL routines::sslv3 alert handshake failure";
    let in_loop = format!("psk_set 0\ntls_set 0\nconnect 0\n{failure}\nloop_forever 8\nEND\n");
    let in_connect = format!("psk_set 0\ntls_set 0\n{failure}\nconnect 8\nEND\n");
    for lib in [Lib::Reference, Lib::Ours] {
        let out = run_with_timeout(
            command_with(lib, program())
                .args(["127.0.0.1", &port, KEY, IDENTITY, "forever", "1"])
                .arg(&ca),
            PROGRAM_TIMEOUT,
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text == in_loop || text == in_connect, "{lib:?}: {text}");
    }
}

#[test]
#[cfg_attr(not(feature = "tls"), ignore = "needs the tls feature")]
fn a_large_message_crosses_in_many_records() {
    let broker = psk_broker();
    let port = broker.named_port("psk");
    // 300 KiB: about 19 TLS records, more than the socket takes at once.
    let payload: String = (0..300 * 1024)
        .map(|i| (b'a' + (i % 26) as u8) as char)
        .collect();
    let file = common::scratch("psk").join("large-payload");
    std::fs::write(&file, &payload).unwrap();
    let mut sub_args = psk_args(port, KEY, IDENTITY);
    sub_args.extend(args(["-t", "psk/large", "-q", "1", "-C", "1"]));
    let mut sub = mosquitto_sub(Lib::Ours, &sub_args);
    let mut pub_args = psk_args(port, KEY, IDENTITY);
    pub_args.extend(args(["-t", "psk/large", "-q", "1", "-f"]));
    pub_args.push(file.display().to_string());
    let out = mosquitto_pub(Lib::Ours, &pub_args);
    assert!(out.status.success(), "{out:?}");
    let got = next_message(&mut sub, MESSAGE_TIMEOUT);
    assert_eq!(got.len(), payload.len());
    assert!(got == payload, "the payload came back changed");
}

/// A TCP relay on 127.0.0.1 to `upstream` that hands the broker's bytes to
/// the client one at a time (each in its own segment, 1 ms apart), so
/// every TLS record header arrives in pieces. One connection.
fn dribbling_relay(upstream: u16) -> u16 {
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let Ok((client, _)) = listener.accept() else {
            return;
        };
        let broker = TcpStream::connect(("127.0.0.1", upstream)).unwrap();
        client.set_nodelay(true).unwrap();
        let (mut c_in, mut b_out) = (client.try_clone().unwrap(), broker.try_clone().unwrap());
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut c_in, &mut b_out);
            let _ = b_out.shutdown(std::net::Shutdown::Write);
        });
        let (mut b_in, mut c_out) = (broker, client);
        let mut byte = [0u8; 1];
        while let Ok(1) = b_in.read(&mut byte) {
            if c_out.write_all(&byte).is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        let _ = c_out.shutdown(std::net::Shutdown::Write);
    });
    port
}

#[test]
#[cfg_attr(not(feature = "tls"), ignore = "needs the tls feature")]
fn records_arriving_byte_by_byte_are_not_lost() {
    let broker = psk_broker();
    let relay = dribbling_relay(broker.named_port("psk"));
    let mut sub_args = psk_args(broker.named_port("psk"), KEY, IDENTITY);
    sub_args.extend(args(["-t", "psk/dribble", "-q", "2", "-C", "1"]));
    let mut sub = mosquitto_sub(Lib::Ours, &sub_args);
    let mut pub_args = psk_args(relay, KEY, IDENTITY);
    pub_args.extend(args(["-t", "psk/dribble", "-q", "2", "-m", "slowly"]));
    let out = mosquitto_pub(Lib::Ours, &pub_args);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(next_message(&mut sub, MESSAGE_TIMEOUT), "slowly");
}
