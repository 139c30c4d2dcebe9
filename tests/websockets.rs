//! MQTT over WebSockets (`MOSQ_OPT_TRANSPORT` = `MOSQ_T_WEBSOCKETS`, 2.1)
//! end to end: Debian's `mosquitto` broker with a WebSockets listener and
//! a WebSockets-over-TLS one (certificates made with the `openssl`
//! command), and tests/c/websockets_client.c on our library publishing and
//! receiving at QoS 0, 1 and 2 over each, with `loop_forever` and with
//! `loop_start`.
//!
//! Debian's 2.0.11 library has no client WebSockets, so there is no
//! reference run: the outcomes asserted are what the program's messages
//! must be.

mod support;
use support::common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use support::certs::openssl;

use common::Lib;
use support::run::{describe, run_with_timeout};
use support::{Broker, BrokerOptions};

/// How long one client run may take.
const RUN_TIMEOUT: Duration = Duration::from_secs(30);

/// A CA and a server certificate for 127.0.0.1 / localhost, made once.
fn pki() -> &'static PathBuf {
    static PKI: OnceLock<PathBuf> = OnceLock::new();
    PKI.get_or_init(|| {
        let dir = common::scratch("websockets").join(format!("pki-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("ext.cnf"),
            "[server]\nsubjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n",
        )
        .unwrap();
        openssl(
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
                "ca.key",
                "-out",
                "ca.crt",
                "-days",
                "30",
                "-subj",
                "/CN=WS test CA",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=keyCertSign,cRLSign",
            ],
        );
        openssl(
            &dir,
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
                "-subj",
                "/CN=server",
            ],
        );
        openssl(
            &dir,
            &[
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                "server.crt",
                "-days",
                "30",
                "-extfile",
                "ext.cnf",
                "-extensions",
                "server",
            ],
        );
        dir
    })
}

/// A broker with its plain MQTT listener, a WebSockets listener and a
/// WebSockets-over-TLS listener: (broker, ws port, wss port).
fn ws_broker() -> (Broker, u16, u16) {
    let pki = pki();
    let path = |f: &str| pki.join(f).display().to_string();
    let broker = Broker::start(
        BrokerOptions::default()
            .name("websockets")
            .config("listener {port:ws} 127.0.0.1")
            .config("protocol websockets")
            .config("allow_anonymous true")
            .config("listener {port:wss} 127.0.0.1")
            .config("protocol websockets")
            .config("allow_anonymous true")
            .config(&format!("cafile {}", path("ca.crt")))
            .config(&format!("certfile {}", path("server.crt")))
            .config(&format!("keyfile {}", path("server.key"))),
    );
    let (ws, wss) = (broker.named_port("ws"), broker.named_port("wss"));
    // The broker's start-up check knows its own listeners only.
    let deadline = Instant::now() + Duration::from_secs(5);
    for port in [ws, wss] {
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "WebSockets listener {port} not up:\n{}",
                broker.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    (broker, ws, wss)
}

/// tests/c/websockets_client.c, built once against our header and library.
fn client() -> &'static PathBuf {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| {
        let src = common::root().join("tests/c/websockets_client.c");
        let exe = common::scratch("websockets").join("websockets_client");
        common::compile_with_ours(&[&src], &exe, &["-Wall", "-Wextra", "-Werror", "-lpthread"]);
        exe
    })
}

/// Runs the client on our library.
fn run(port: u16, mode: &str, cafile: Option<&Path>) -> Output {
    let mut cmd = common::command_with(Lib::Ours, client());
    cmd.args(["127.0.0.1", &port.to_string(), mode]);
    if let Some(ca) = cafile {
        cmd.arg(ca);
    }
    run_with_timeout(&mut cmd, RUN_TIMEOUT)
}

/// Asserts a full round trip: every message back intact at its QoS.
fn assert_round_trip(output: &Output, what: &str) {
    assert!(output.status.success(), "{what}: {}", describe(output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "qos0: received 1, qos 0, intact",
            "qos1: received 1, qos 1, intact",
            "qos2: received 1, qos 2, intact",
            "big: received 1, qos 1, intact",
            "empty: received 1, qos 2, intact",
            // QoS 0 completes once written, QoS 1 and 2 once acknowledged:
            // all five; the disconnect was ours (rc 0).
            "published 5, received 5, disconnect rc 0",
        ],
        "{what}: {}",
        describe(output)
    );
}

#[test]
#[cfg_attr(not(feature = "websockets"), ignore = "needs the websockets feature")]
fn qos_0_1_2_round_trips_over_websockets() {
    let (broker, ws, _) = ws_broker();
    for mode in ["forever", "thread"] {
        assert_round_trip(&run(ws, mode, None), &format!("ws, {mode}"));
    }
    // The broker saw WebSocket clients, not raw MQTT ones.
    assert!(
        broker.log().contains("New client connected from"),
        "{}",
        broker.log()
    );
}

#[test]
#[cfg_attr(
    not(all(feature = "tls", feature = "websockets")),
    ignore = "needs the tls and websockets features"
)]
fn qos_0_1_2_round_trips_over_websockets_in_tls() {
    let (_broker, _, wss) = ws_broker();
    let ca = pki().join("ca.crt");
    for mode in ["forever", "thread"] {
        assert_round_trip(&run(wss, mode, Some(&ca)), &format!("wss, {mode}"));
    }
}

/// The lines of a "fail" run.
fn fail_lines(output: &Output) -> Vec<String> {
    assert!(output.status.success(), "{}", describe(output));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
#[cfg_attr(
    not(all(feature = "tls", feature = "websockets")),
    ignore = "needs the tls and websockets features"
)]
fn a_broker_without_websockets_fails_the_upgrade() {
    let (broker, ws, wss) = ws_broker();
    // An MQTT listener takes "GET /mqtt ..." for a broken packet and drops
    // the connection: the connection is lost before any CONNACK.
    let lines = fail_lines(&run(broker.port(), "fail", None));
    assert_eq!(
        lines,
        ["connect: 0", "loop: 7", "connected: 0"],
        "{}",
        broker.log()
    );
    // Plain WebSockets to the TLS listener: no 101 answer either.
    let lines = fail_lines(&run(wss, "fail", None));
    assert_eq!(lines, ["connect: 0", "loop: 7", "connected: 0"]);
    // WebSockets in TLS to the plain listener: the TLS handshake fails
    // (MOSQ_ERR_TLS).
    let ca = pki().join("ca.crt");
    let lines = fail_lines(&run(ws, "fail", Some(&ca)));
    assert_eq!(lines, ["connect: 0", "loop: 8", "connected: 0"]);
}

/// A one-shot HTTP server on a free port that reads one request and
/// answers `answer`; joining it gives the request.
fn fake_http(answer: Vec<u8>) -> (u16, std::thread::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut request = Vec::new();
        let mut byte = [0u8];
        while !request.ends_with(b"\r\n\r\n") {
            if conn.read(&mut byte).unwrap_or(0) == 0 {
                break;
            }
            request.push(byte[0]);
        }
        conn.write_all(&answer).unwrap();
        // Let the client see the answer before the connection ends.
        std::thread::sleep(Duration::from_millis(200));
        String::from_utf8_lossy(&request).into_owned()
    });
    (port, server)
}

#[test]
#[cfg_attr(not(feature = "websockets"), ignore = "needs the websockets feature")]
fn the_upgrade_request_and_refusals() {
    // A server that is not a WebSocket one: MOSQ_ERR_UNKNOWN, as 2.1.
    let (port, server) = fake_http(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_vec());
    let lines = fail_lines(&run(port, "fail", None));
    assert_eq!(lines, ["connect: 0", "loop: 13", "connected: 0"]);
    let request = server.join().unwrap();
    let mut lines: Vec<&str> = request.lines().collect();
    assert_eq!(lines.remove(0), "GET /mqtt HTTP/1.1");
    let key = lines
        .iter()
        .position(|l| l.starts_with("Sec-WebSocket-Key: "))
        .map(|i| lines.remove(i))
        .expect("a key");
    assert_eq!(key.len(), "Sec-WebSocket-Key: ".len() + 24, "{key}");
    lines.sort_unstable();
    let host = format!("Host: 127.0.0.1:{port}");
    assert_eq!(
        lines,
        [
            "",
            "Connection: Upgrade",
            &host,
            "Sec-WebSocket-Protocol: mqtt",
            "Sec-WebSocket-Version: 13",
            "Upgrade: websocket",
        ]
    );
    // An answer header over MOSQ_OPT_HTTP_HEADER_SIZE (8192 in the
    // program): the connection is given up (MOSQ_ERR_CONN_LOST).
    let mut big = b"HTTP/1.1 101 Switching Protocols\r\n".to_vec();
    big.extend(format!("X-Padding: {}\r\n\r\n", "x".repeat(9000)).into_bytes());
    let (port, server) = fake_http(big);
    let lines = fail_lines(&run(port, "fail", None));
    assert_eq!(lines, ["connect: 0", "loop: 7", "connected: 0"]);
    server.join().unwrap();
}
