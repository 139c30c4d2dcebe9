//! TLS end to end: certificates made with the `openssl` command, a real
//! `mosquitto` broker with TLS listeners, and Debian's `mosquitto_pub` /
//! `mosquitto_sub` run on our library and on the reference one.
//!
//! Successful set-ups must work on both; failures (unknown CA, name
//! mismatch, expired certificate, missing client certificate, wrong key
//! password, unusable legacy key cipher) must end ours with one of the
//! outcomes (exit status and error line) the reference shows. Where the reference itself varies (whether
//! the handshake fails inside `mosquitto_connect` or in the loop depends on
//! timing) every outcome it can give is accepted.

mod support;
use support::common;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Output, Stdio};
use std::sync::OnceLock;
use std::time::Duration;
use support::certs::openssl;

use common::{command_with, Lib};
use support::clients::{args, mosquitto_sub, next_message};
use support::{Broker, BrokerOptions};

/// The certificates, made once per test run.
struct Pki {
    dir: PathBuf,
}

impl Pki {
    fn path(&self, name: &str) -> String {
        self.dir.join(name).to_str().unwrap().to_string()
    }
}

const EXTENSIONS: &str = "\
[server]
subjectAltName=IP:127.0.0.1,DNS:localhost
basicConstraints=CA:FALSE
[wrong]
subjectAltName=DNS:wrong.example
basicConstraints=CA:FALSE
[client]
basicConstraints=CA:FALSE
";

/// Makes a CA (and an unrelated one), server certificates (good, wrong
/// name, expired), a client certificate with a plain key, the same key
/// encrypted as PKCS#8 and in OpenSSL's legacy PEM format (AES-256-CBC,
/// DES-EDE3-CBC, and DES-CBC, which OpenSSL 3 cannot read), and a hashed CA
/// folder.
fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let dir = common::scratch("tls").join(format!("pki-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("capath")).unwrap();
        std::fs::write(dir.join("ext.cnf"), EXTENSIONS).unwrap();
        for ca in ["ca", "other-ca"] {
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
                    &format!("{ca}.key"),
                    "-out",
                    &format!("{ca}.crt"),
                    "-days",
                    "30",
                    "-subj",
                    &format!("/CN=Test {ca}"),
                    "-addext",
                    "basicConstraints=critical,CA:TRUE",
                    "-addext",
                    "keyUsage=keyCertSign,cRLSign",
                ],
            );
        }
        // (file name, key type, extension section, validity days)
        let certs = [
            ("server", "rsa:2048", "server", "30"),
            ("wrong", "ec", "wrong", "30"),
            ("client", "rsa:2048", "client", "30"),
            // Valid from now until yesterday: expired for every checker.
            ("expired", "rsa:2048", "server", "-1"),
        ];
        for (name, key, ext, days) in certs {
            let mut req = vec!["req", "-newkey", key, "-nodes", "-keyout"];
            let keyfile = format!("{name}.key");
            let csr = format!("{name}.csr");
            req.extend([keyfile.as_str(), "-out", csr.as_str(), "-subj"]);
            let subj = format!("/CN={name}");
            req.push(&subj);
            if key == "ec" {
                req.extend(["-pkeyopt", "ec_paramgen_curve:P-256"]);
            }
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
                    &format!("{name}.crt"),
                    "-days",
                    days,
                    "-extfile",
                    "ext.cnf",
                    "-extensions",
                    ext,
                ],
            );
        }
        openssl(
            &dir,
            &[
                "pkcs8",
                "-topk8",
                "-in",
                "client.key",
                "-out",
                "client-enc.key",
                "-passout",
                "pass:secret",
                "-v2",
                "aes-256-cbc",
            ],
        );
        // The same key in OpenSSL's legacy encrypted PEM format
        // (Proc-Type/DEK-Info), with AES-256-CBC and DES-EDE3-CBC...
        for (cipher, file) in [
            ("-aes256", "client-legacy-aes.key"),
            ("-des3", "client-legacy-des3.key"),
        ] {
            openssl(
                &dir,
                &[
                    "rsa",
                    "-in",
                    "client.key",
                    "-traditional",
                    cipher,
                    "-out",
                    file,
                    "-passout",
                    "pass:secret",
                ],
            );
        }
        // ...and with single DES, which OpenSSL 3 writes only with its
        // legacy provider (and the original cannot read).
        let des = std::fs::read_to_string(dir.join("client-legacy-aes.key"))
            .unwrap()
            .lines()
            .map(|l| {
                if l.starts_with("DEK-Info:") {
                    "DEK-Info: DES-CBC,0011223344556677"
                } else {
                    l
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        std::fs::write(dir.join("client-legacy-des.key"), des + "\n").unwrap();
        std::fs::copy(dir.join("ca.crt"), dir.join("capath/ca.crt")).unwrap();
        openssl(&dir, &["rehash", "capath"]);
        Pki { dir }
    })
}

/// The TLS listeners of the test broker.
struct Ports {
    /// Server certificate for 127.0.0.1 / localhost.
    good: u16,
    /// The same, requiring a client certificate.
    mutual: u16,
    /// A certificate for another name.
    wrong: u16,
    /// An expired certificate.
    expired: u16,
}

/// Starts a broker with the four TLS listeners (ports picked by the
/// harness at each start attempt).
fn tls_broker(pki: &Pki) -> (Broker, Ports) {
    let mut opts = BrokerOptions::default().name("tls");
    let listeners = [
        ("good", "server.crt", "server.key", false),
        ("mutual", "server.crt", "server.key", true),
        ("wrong", "wrong.crt", "wrong.key", false),
        ("expired", "expired.crt", "expired.key", false),
    ];
    for (name, cert, key, require) in listeners {
        opts = opts
            .config(&format!("listener {{port:{name}}} 127.0.0.1"))
            .config("allow_anonymous true")
            .config(&format!("cafile {}", pki.path("ca.crt")))
            .config(&format!("certfile {}", pki.path(cert)))
            .config(&format!("keyfile {}", pki.path(key)));
        if require {
            opts = opts.config("require_certificate true");
        }
    }
    let broker = Broker::start(opts);
    let ports = Ports {
        good: broker.named_port("good"),
        mutual: broker.named_port("mutual"),
        wrong: broker.named_port("wrong"),
        expired: broker.named_port("expired"),
    };
    (broker, ports)
}

/// The outcome of one `mosquitto_pub` run: exit status and stderr lines
/// (without the loader's version warnings).
#[derive(Debug)]
struct Outcome {
    code: i32,
    errors: Vec<String>,
}

/// Runs `mosquitto_pub` on `lib` with `extra` arguments, feeding `stdin`.
fn publish(lib: Lib, port: u16, extra: &[&str], stdin: &str) -> Outcome {
    let mut cmd = command_with(lib, "timeout");
    cmd.args(["10", "mosquitto_pub", "-p", &port.to_string()])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if !extra.contains(&"-h") && !extra.contains(&"-L") {
        cmd.args(["-h", "127.0.0.1"]);
    }
    if extra.contains(&"-L") {
        cmd.args(["-m", "hello"]);
    } else if !extra.contains(&"-m") {
        cmd.args(["-t", "tls/test", "-m", "hello"]);
    }
    let mut child = cmd.spawn().expect("run mosquitto_pub");
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    let out: Output = child.wait_with_output().unwrap();
    let errors = String::from_utf8_lossy(&out.stderr)
        .replace("Enter PEM pass phrase:", "")
        .lines()
        .filter(|l| !l.contains("no version information") && !l.trim().is_empty())
        .map(str::to_string)
        .collect();
    Outcome {
        code: out.status.code().unwrap_or(-1),
        errors,
    }
}

#[test]
#[cfg_attr(not(feature = "tls"), ignore = "needs the tls feature")]
fn working_setups_publish_on_both_libraries() {
    let pki = pki();
    let (_broker, ports) = tls_broker(pki);
    let ca = pki.path("ca.crt");
    let capath = pki.path("capath");
    let (cert, key, enc) = (
        pki.path("client.crt"),
        pki.path("client.key"),
        pki.path("client-enc.key"),
    );
    let (legacy_aes, legacy_des3) = (
        pki.path("client-legacy-aes.key"),
        pki.path("client-legacy-des3.key"),
    );
    let url = format!("mqtts://127.0.0.1:{}/tls/url", ports.good);
    let cases: Vec<(&str, u16, Vec<&str>, &str)> = vec![
        ("cafile", ports.good, vec!["--cafile", &ca], ""),
        ("capath", ports.good, vec!["--capath", &capath], ""),
        (
            "localhost by name",
            ports.good,
            vec!["-h", "localhost", "--cafile", &ca],
            "",
        ),
        (
            "tlsv1.2",
            ports.good,
            vec!["--cafile", &ca, "--tls-version", "tlsv1.2"],
            "",
        ),
        (
            "tlsv1.3",
            ports.good,
            vec!["--cafile", &ca, "--tls-version", "tlsv1.3"],
            "",
        ),
        (
            "tlsv1.2 cipher",
            ports.good,
            vec![
                "--cafile",
                &ca,
                "--tls-version",
                "tlsv1.2",
                "--ciphers",
                "ECDHE-RSA-AES256-GCM-SHA384",
            ],
            "",
        ),
        (
            "mqtts url",
            ports.good,
            vec!["-L", &url, "--cafile", &ca],
            "",
        ),
        (
            "mutual",
            ports.mutual,
            vec!["--cafile", &ca, "--cert", &cert, "--key", &key],
            "",
        ),
        (
            "encrypted key",
            ports.mutual,
            vec!["--cafile", &ca, "--cert", &cert, "--key", &enc],
            "secret\n",
        ),
        (
            "legacy AES-256-CBC encrypted key",
            ports.mutual,
            vec!["--cafile", &ca, "--cert", &cert, "--key", &legacy_aes],
            "secret\n",
        ),
        (
            "legacy DES-EDE3-CBC encrypted key",
            ports.mutual,
            vec!["--cafile", &ca, "--cert", &cert, "--key", &legacy_des3],
            "secret\n",
        ),
        (
            "insecure",
            ports.wrong,
            vec!["--cafile", &ca, "--insecure"],
            "",
        ),
    ];
    for lib in [Lib::Reference, Lib::Ours] {
        for (what, port, extra, stdin) in &cases {
            let out = publish(lib, *port, extra, stdin);
            assert!(
                out.code == 0 && out.errors.is_empty(),
                "{what} on {lib:?}: {out:?}"
            );
        }
    }
}

#[test]
#[cfg_attr(not(feature = "tls"), ignore = "needs the tls feature")]
fn messages_flow_both_ways_over_tls() {
    let pki = pki();
    let (_broker, ports) = tls_broker(pki);
    let ca = pki.path("ca.crt");
    let port = ports.good.to_string();
    let base = [
        "-h",
        "127.0.0.1",
        "-p",
        &port,
        "--cafile",
        &ca,
        "-t",
        "tls/flow",
        "-q",
        "1",
    ];
    let mut sub = mosquitto_sub(Lib::Ours, &args(base.iter().copied()));
    let payload = "x".repeat(100_000);
    let out = publish(
        Lib::Ours,
        ports.good,
        &["--cafile", &ca, "-t", "tls/flow", "-q", "1", "-m", &payload],
        "",
    );
    assert_eq!(out.code, 0, "{out:?}");
    let got = next_message(&mut sub, Duration::from_secs(10));
    assert_eq!(got.len(), payload.len());
}

/// The outcomes a failing handshake can have on the reference: inside
/// `mosquitto_connect` or in the loop.
fn handshake_failure(o: &Outcome) -> bool {
    matches!(
        (o.code, o.errors.last().map(String::as_str)),
        (1, Some("Unable to connect (A TLS error occurred.)."))
            | (8, Some("Error: A TLS error occurred."))
    )
}

#[test]
#[cfg_attr(not(feature = "tls"), ignore = "needs the tls feature")]
fn failures_end_as_on_the_reference() {
    let pki = pki();
    let (_broker, ports) = tls_broker(pki);
    let ca = pki.path("ca.crt");
    let other = pki.path("other-ca.crt");
    let (cert, enc) = (pki.path("client.crt"), pki.path("client-enc.key"));
    let (legacy_aes, legacy_des) = (
        pki.path("client-legacy-aes.key"),
        pki.path("client-legacy-des.key"),
    );
    type Check = fn(&Outcome) -> bool;
    let key_load_failure: Check = |o| {
        o.code == 1
            && o.errors.last().map(String::as_str)
                == Some("Unable to connect (A TLS error occurred.).")
    };
    let cases: Vec<(&str, u16, Vec<&str>, &str, Check)> = vec![
        (
            "unknown CA",
            ports.good,
            vec!["--cafile", &other],
            "",
            handshake_failure,
        ),
        (
            "name mismatch",
            ports.wrong,
            vec!["--cafile", &ca],
            "",
            handshake_failure,
        ),
        (
            "expired",
            ports.expired,
            vec!["--cafile", &ca],
            "",
            handshake_failure,
        ),
        (
            "wrong key password",
            ports.mutual,
            vec!["--cafile", &ca, "--cert", &cert, "--key", &enc],
            "wrong\n",
            key_load_failure,
        ),
        (
            "wrong legacy key password",
            ports.mutual,
            vec!["--cafile", &ca, "--cert", &cert, "--key", &legacy_aes],
            "wrong\n",
            key_load_failure,
        ),
        (
            "legacy DES-CBC key",
            ports.mutual,
            vec!["--cafile", &ca, "--cert", &cert, "--key", &legacy_des],
            "secret\n",
            key_load_failure,
        ),
        (
            "missing client certificate",
            ports.mutual,
            vec!["--cafile", &ca],
            "",
            |o| {
                // TLS 1.3: the broker refuses after the client's handshake is
                // done, so the failure shows on the next read (EPROTO), or
                // as a lost connection.
                matches!(
                    o.errors.last().map(String::as_str),
                    Some("Error: Protocol error") | Some("Error: The connection was lost.")
                ) && o.code != 0
            },
        ),
    ];
    for lib in [Lib::Reference, Lib::Ours] {
        for (what, port, extra, stdin, check) in &cases {
            let out = publish(lib, *port, extra, stdin);
            assert!(check(&out), "{what} on {lib:?}: {out:?}");
        }
    }
}

#[test]
#[cfg_attr(not(feature = "tls"), ignore = "needs the tls feature")]
fn set_time_errors_match_the_reference() {
    let pki = pki();
    let (_broker, ports) = tls_broker(pki);
    let missing = pki.path("missing.crt");
    let ca = pki.path("ca.crt");
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("missing CA file", vec!["--cafile", &missing]),
        (
            "bad TLS version",
            vec!["--cafile", &ca, "--tls-version", "tlsv1.0"],
        ),
        (
            "missing key file",
            vec!["--cafile", &ca, "--cert", &ca, "--key", &missing],
        ),
    ];
    for (what, extra) in &cases {
        let reference = publish(Lib::Reference, ports.good, extra, "");
        let ours = publish(Lib::Ours, ports.good, extra, "");
        assert_ne!(reference.code, 0, "{what}: {reference:?}");
        assert_eq!(
            ours.code, reference.code,
            "{what}: ours {ours:?}, reference {reference:?}"
        );
        assert_eq!(ours.errors, reference.errors, "{what}");
    }
}
