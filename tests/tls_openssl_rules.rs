//! The broker certificates the original (OpenSSL and its own host name
//! check) accepts or refuses, made with the `openssl` one-liners that MQTT
//! tutorials use, against a real `mosquitto` broker; and a TLS handshake
//! that fails (a plain MQTT port, a peer that hangs up, one that answers
//! something else than TLS) through Debian's clients and each loop mode.
//! Every scenario runs on the reference library and on ours, which must
//! agree.

mod support;
use support::common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::OnceLock;
use std::time::Duration;
use support::certs::openssl;

use common::{command_with, Lib};
use support::{Broker, BrokerOptions};

/// Extension sections for the CA-signed certificates.
const EXTENSIONS: &str = "\
[ipcn]
basicConstraints=CA:FALSE
[sanother]
subjectAltName=DNS:other.example
[sanip]
subjectAltName=IP:10.9.8.7
[caleaf]
basicConstraints=critical,CA:TRUE
";

/// The certificates, made once per test run, in one folder.
fn pki() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = common::scratch("tls-openssl-rules").join(std::process::id().to_string());
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("ext.cnf"), EXTENSIONS).unwrap();
        let self_signed = |name: &str, cn: &str, extra: &[&str]| {
            let (key, crt) = (format!("{name}.key"), format!("{name}.crt"));
            let subj = format!("/CN={cn}");
            let mut args = vec!["req", "-x509", "-newkey", "rsa:2048", "-nodes"];
            args.extend(["-keyout", &key, "-out", &crt, "-days", "30", "-subj", &subj]);
            args.extend(extra);
            openssl(&dir, &args);
        };
        // Debian's `openssl req -x509` marks these CA:TRUE.
        self_signed("selfsigned", "localhost", &[]);
        self_signed("selfsigned2", "localhost", &[]);
        self_signed(
            "selfsigned-signonly",
            "localhost",
            &["-addext", "keyUsage=keyCertSign"],
        );
        // The mosquitto-tls(7) recipe: a CA, then a server certificate
        // signed by `openssl x509 -req` without extensions (X.509 v1).
        openssl(
            &dir,
            &[
                "req",
                "-new",
                "-x509",
                "-days",
                "30",
                "-extensions",
                "v3_ca",
                "-nodes",
                "-keyout",
                "ca.key",
                "-out",
                "ca.crt",
                "-subj",
                "/CN=Tutorial CA",
            ],
        );
        let signed = |name: &str, cn: &str, ext: Option<&str>| {
            let (key, csr, crt) = (
                format!("{name}.key"),
                format!("{name}.csr"),
                format!("{name}.crt"),
            );
            let subj = format!("/CN={cn}");
            openssl(
                &dir,
                &[
                    "req", "-newkey", "rsa:2048", "-nodes", "-keyout", &key, "-out", &csr, "-subj",
                    &subj,
                ],
            );
            let mut args = vec!["x509", "-req", "-in", &csr, "-CA", "ca.crt", "-CAkey"];
            args.extend(["ca.key", "-CAcreateserial", "-out", &crt, "-days", "30"]);
            if let Some(ext) = ext {
                args.extend(["-extfile", "ext.cnf", "-extensions", ext]);
            }
            openssl(&dir, &args);
        };
        signed("v1", "localhost", None);
        signed("ipcn", "127.0.0.1", Some("ipcn"));
        signed("wildcn", "*.localhost", Some("ipcn"));
        signed("sanother", "localhost", Some("sanother"));
        signed("sanip", "localhost", Some("sanip"));
        signed("caleaf", "localhost", Some("caleaf"));
        dir
    })
}

/// The path of `name` in the certificate folder.
fn file(name: &str) -> String {
    pki().join(name).to_str().unwrap().to_string()
}

/// The server certificates the test broker presents, one listener each.
const SERVERS: [&str; 9] = [
    "selfsigned",
    "selfsigned2",
    "selfsigned-signonly",
    "v1",
    "ipcn",
    "wildcn",
    "sanother",
    "sanip",
    "caleaf",
];

/// A broker with one TLS listener per server certificate.
fn tls_broker() -> Broker {
    let mut opts = BrokerOptions::default().name("tls-rules");
    for name in SERVERS {
        opts = opts
            .config(&format!("listener {{port:{name}}} 127.0.0.1"))
            .config("allow_anonymous true")
            .config(&format!("certfile {}", file(&format!("{name}.crt"))))
            .config(&format!("keyfile {}", file(&format!("{name}.key"))));
    }
    Broker::start(opts)
}

/// One `mosquitto_pub -d` run: exit status, stderr lines (without the
/// loader's version warnings) and the "OpenSSL Error" and "Error:" lines
/// of its log.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    code: i32,
    errors: Vec<String>,
    log: Vec<String>,
}

impl Outcome {
    /// Whether it published.
    fn ok(&self) -> bool {
        self.code == 0 && self.errors.is_empty()
    }

    /// Whether it ended with a TLS error, inside `mosquitto_connect` or in
    /// the loop (the reference does either, depending on timing).
    fn tls_failure(&self) -> bool {
        matches!(
            (self.code, self.errors.first().map(String::as_str)),
            (1, Some("Unable to connect (A TLS error occurred.)."))
                | (8, Some("Error: A TLS error occurred."))
        )
    }
}

/// Runs Debian's `program` (`mosquitto_pub` or `mosquitto_sub`) on `lib`.
fn run(lib: Lib, program: &str, host: &str, port: u16, cafile: &str, extra: &[&str]) -> Outcome {
    let mut cmd = command_with(lib, "timeout");
    cmd.args(["10", program, "-d", "-h", host, "-p", &port.to_string()])
        .args(["--cafile", cafile, "-t", "tls/rules"])
        .args(extra)
        .stdin(Stdio::null());
    if program == "mosquitto_pub" {
        cmd.args(["-m", "hello"]);
    }
    let out = cmd.output().expect("run a Debian client");
    let lines = |bytes: &[u8]| -> Vec<String> {
        String::from_utf8_lossy(bytes)
            .lines()
            .filter(|l| !l.contains("no version information") && !l.trim().is_empty())
            .map(str::to_string)
            .collect()
    };
    let all = [lines(&out.stdout), lines(&out.stderr)].concat();
    Outcome {
        code: out.status.code().unwrap_or(-1),
        errors: lines(&out.stderr)
            .into_iter()
            .filter(|l| !l.starts_with("OpenSSL Error") && !l.starts_with("Error: host name"))
            .collect(),
        log: all
            .into_iter()
            .filter(|l| l.starts_with("OpenSSL Error") || l.starts_with("Error: host name"))
            .collect(),
    }
}

/// One certificate case: what, listener, host, cafile, whether accepted,
/// and the log lines when refused.
type Case<'a> = (&'a str, &'a str, &'a str, &'a str, bool, Vec<String>);

/// The one certificate verification failure line of OpenSSL.
const VERIFY_FAILED: &str =
    "OpenSSL Error[0]: error:0A000086:SSL routines::certificate verify failed";

#[test]
#[cfg_attr(not(feature = "tls"), ignore = "needs the tls feature")]
fn certificates_are_accepted_and_refused_as_the_original_does() {
    let broker = tls_broker();
    let port = |name: &str| broker.named_port(name);
    let ca = file("ca.crt");
    let selfsigned = file("selfsigned.crt");
    let signonly = file("selfsigned-signonly.crt");
    // (what, listener, host, cafile, accepted, log lines when refused)
    let name_failed = vec![
        "Error: host name verification failed.".to_string(),
        VERIFY_FAILED.to_string(),
    ];
    let verify_failed = vec![VERIFY_FAILED.to_string()];
    let cases: Vec<Case> = vec![
        (
            "self-signed CA:TRUE as cafile",
            "selfsigned",
            "localhost",
            &selfsigned,
            true,
            vec![],
        ),
        (
            "self-signed, CN is not the host",
            "selfsigned",
            "127.0.0.1",
            &selfsigned,
            false,
            name_failed.clone(),
        ),
        (
            "another self-signed certificate",
            "selfsigned2",
            "localhost",
            &selfsigned,
            false,
            verify_failed.clone(),
        ),
        (
            "self-signed, keyCertSign only",
            "selfsigned-signonly",
            "localhost",
            &signonly,
            false,
            verify_failed.clone(),
        ),
        (
            "X.509 v1 from openssl x509 -req",
            "v1",
            "localhost",
            &ca,
            true,
            vec![],
        ),
        (
            "X.509 v1, CN is not the host",
            "v1",
            "127.0.0.1",
            &ca,
            false,
            name_failed.clone(),
        ),
        (
            "CN is the IP address",
            "ipcn",
            "127.0.0.1",
            &ca,
            true,
            vec![],
        ),
        (
            "CN *.localhost for localhost",
            "wildcn",
            "localhost",
            &ca,
            true,
            vec![],
        ),
        (
            "DNS SAN hides the CN",
            "sanother",
            "localhost",
            &ca,
            false,
            name_failed.clone(),
        ),
        (
            "IP-only SAN, CN matches",
            "sanip",
            "localhost",
            &ca,
            true,
            vec![],
        ),
        (
            "CA:TRUE server certificate",
            "caleaf",
            "localhost",
            &ca,
            true,
            vec![],
        ),
        (
            "CA:TRUE server certificate, unknown CA",
            "caleaf",
            "localhost",
            &selfsigned,
            false,
            verify_failed.clone(),
        ),
    ];
    for (what, listener, host, cafile, accepted, log) in &cases {
        for lib in [Lib::Reference, Lib::Ours] {
            let out = run(lib, "mosquitto_pub", host, port(listener), cafile, &[]);
            if *accepted {
                assert!(out.ok(), "{what} on {lib:?}: {out:?}");
            } else {
                assert!(out.tls_failure(), "{what} on {lib:?}: {out:?}");
                assert_eq!(&out.log, log, "{what} on {lib:?}");
            }
        }
    }
    // --insecure skips the name check only.
    for lib in [Lib::Reference, Lib::Ours] {
        let out = run(
            lib,
            "mosquitto_pub",
            "127.0.0.1",
            port("selfsigned"),
            &selfsigned,
            &["--insecure"],
        );
        assert!(out.ok(), "insecure on {lib:?}: {out:?}");
        let out = run(
            lib,
            "mosquitto_pub",
            "localhost",
            port("selfsigned2"),
            &selfsigned,
            &["--insecure"],
        );
        assert!(
            out.tls_failure(),
            "insecure, unknown CA on {lib:?}: {out:?}"
        );
    }
}

#[test]
#[cfg_attr(not(feature = "tls"), ignore = "needs the tls feature")]
fn a_plain_port_ends_the_clients_with_a_tls_error() {
    let broker = Broker::plain();
    let ca = file("ca.crt");
    for program in ["mosquitto_pub", "mosquitto_sub"] {
        for lib in [Lib::Reference, Lib::Ours] {
            let out = run(lib, program, "127.0.0.1", broker.port(), &ca, &[]);
            assert!(out.tls_failure(), "{program} on {lib:?}: {out:?}");
            if out.code == 8 {
                assert_eq!(
                    out.log,
                    ["OpenSSL Error[0]: error:0A000126:SSL routines::unexpected eof while reading"],
                    "{program} on {lib:?}"
                );
            }
        }
    }
}

/// How a fake TLS server ends each connection, after reading the
/// ClientHello and waiting a little (so that the handshake fails in the
/// loop, not inside `mosquitto_connect`, on both libraries).
#[derive(Clone, Copy, Debug)]
enum Ending {
    /// Closes the connection, as a plain MQTT broker does.
    Close,
    /// Resets it.
    Reset,
    /// Answers in plain text.
    Http,
}

/// Serves `ending` to every connection on a new port, on a thread that
/// lives as long as the test process.
fn fake_tls_server(ending: Ending) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let _ = conn.set_read_timeout(Some(Duration::from_secs(2)));
            let mut hello = [0u8; 4096];
            let _ = conn.read(&mut hello);
            std::thread::sleep(Duration::from_millis(300));
            match ending {
                Ending::Close => {}
                Ending::Reset => {
                    let _ = socket2::SockRef::from(&conn).set_linger(Some(Duration::ZERO));
                }
                Ending::Http => {
                    let _ = conn.write_all(b"HTTP/1.0 400 Bad Request\r\n\r\n");
                    std::thread::sleep(Duration::from_millis(500));
                }
            }
        }
    });
    port
}

/// tests/c/tls_handshake_modes.c, compiled once.
fn modes_program() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| {
        let out = common::scratch("tls-openssl-rules").join("tls_handshake_modes");
        let src = common::root().join("tests/c/tls_handshake_modes.c");
        common::compile(&[&src], &out, &["-lmosquitto", "-lpthread"], false);
        out
    })
}

#[test]
#[cfg_attr(not(feature = "tls"), ignore = "needs the tls feature")]
fn a_failed_handshake_is_final_in_every_loop_mode() {
    let ca = file("ca.crt");
    let broker = tls_broker();
    let verify_port = broker.named_port("selfsigned2");
    let selfsigned = file("selfsigned.crt");
    let eof = "OpenSSL Error[0]: error:0A000126:SSL routines::unexpected eof while reading";
    let scenarios = [
        ("closed", fake_tls_server(Ending::Close), &ca, eof),
        ("reset", fake_tls_server(Ending::Reset), &ca, eof),
        (
            "plain text",
            fake_tls_server(Ending::Http),
            &ca,
            "OpenSSL Error[0]: error:0A00010B:SSL routines::wrong version number",
        ),
        ("unknown CA", verify_port, &selfsigned, VERIFY_FAILED),
    ];
    for (what, port, cafile, line) in scenarios {
        for mode in ["forever", "start", "loop"] {
            // The original's lines when the handshake fails in the loop: no
            // on_disconnect, the loop returns MOSQ_ERR_TLS and does not
            // reconnect.
            let in_loop = match mode {
                "forever" => format!("tls_set 0\nconnect 0\nlog: {line}\nloop_forever 8\nsocket -1\nEND\n"),
                "start" => format!("tls_set 0\nconnect 0\nloop_start 0\nlog: {line}\nloop_stop 0\nsocket -1\nEND\n"),
                _ => format!("tls_set 0\nconnect 0\nlog: {line}\nloop 8\nloop again 4\nsocket -1\nEND\n"),
            };
            // A broker that answers at once can make it fail inside
            // mosquitto_connect on the reference.
            let in_connect = format!("tls_set 0\nlog: {line}\nconnect 8\nEND\n");
            for lib in [Lib::Reference, Lib::Ours] {
                let out = command_with(lib, modes_program())
                    .args(["127.0.0.1", &port.to_string(), cafile, mode])
                    .output()
                    .unwrap();
                let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
                assert!(out.status.success(), "{what} {mode} on {lib:?}: {stdout}");
                let reference_in_connect = lib == Lib::Reference && stdout == in_connect;
                // With loop_start the loop thread may fail and log before
                // the main thread prints loop_start's result.
                let thread_first = mode == "start"
                    && stdout
                        == format!("tls_set 0\nconnect 0\nlog: {line}\nloop_start 0\nloop_stop 0\nsocket -1\nEND\n");
                if !reference_in_connect && !thread_first {
                    assert_eq!(stdout, in_loop, "{what} {mode} on {lib:?}");
                }
            }
        }
    }
}
