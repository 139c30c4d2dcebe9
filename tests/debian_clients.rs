//! Debian's prebuilt `mosquitto_pub`, `mosquitto_sub` and `mosquitto_rr`
//! (unchanged binaries) running on our libmosquitto.so.1 through
//! `LD_LIBRARY_PATH`, against a real `mosquitto` broker.
//!
//! Every scenario runs first on the reference library, then on ours, with
//! the same steps: a failure tagged `[Reference]` is a harness problem, one
//! tagged `[Ours]` is a difference of our library. Where the clients'
//! output is deterministic, ours must equal the reference's byte for byte.
//! Each test has its own broker (and the two libraries use distinct topics
//! or run one after the other), and every wait has a deadline.

mod support;
use support::common;

use std::process::Output;
use std::thread;
use std::time::{Duration, Instant};

use common::{command_with, Lib};
use mosquitto::protocol::packet::{Packet, PacketType};
use mosquitto::protocol::property::{Identifier, Property, Value};
use support::broker::ipv6_available;
use support::clients::{args, mosquitto_pub, mosquitto_sub, next_message, pub_command};
use support::packets::{self, V5};
use support::run::{describe, run_timed, run_with_input, LineProcess};
use support::socks::Socks5Proxy;
use support::{Broker, BrokerOptions, Listener, PacketConn};

/// The libraries every scenario runs on: the reference first.
const LIBS: [Lib; 2] = [Lib::Reference, Lib::Ours];

/// The usual deadline for one step.
const T: Duration = Duration::from_secs(5);

/// How long a one-shot `mosquitto_sub`/`mosquitto_rr` may run.
const ONE_SHOT: Duration = Duration::from_secs(8);

/// mosquitto_sub's exit code when `-W` expires (MOSQ_ERR_TIMEOUT).
const EXIT_TIMEOUT: i32 = 27;

/// A short, topic-friendly name for `lib`.
fn tag(lib: Lib) -> &'static str {
    match lib {
        Lib::Reference => "ref",
        Lib::Ours => "ours",
    }
}

/// The arguments reaching `listener` of `broker`, then `extra`.
fn at(broker: &Broker, listener: Listener, extra: &[&str]) -> Vec<String> {
    let mut a = broker.client_args(listener);
    a.extend(args(extra.iter().copied()));
    a
}

/// Runs `mosquitto_pub` on `lib` and asserts that it succeeded.
fn publish(lib: Lib, a: &[String]) -> Output {
    let out = mosquitto_pub(lib, a);
    assert!(
        out.status.success(),
        "[{lib:?}] mosquitto_pub {a:?} failed\n{}",
        describe(&out)
    );
    out
}

/// Runs `mosquitto_pub` on `lib` with `input` on stdin and asserts that it
/// succeeded.
fn publish_input(lib: Lib, a: &[String], input: &[u8]) {
    let out = run_with_input(&mut pub_command(lib, a), input, T);
    assert!(
        out.status.success(),
        "[{lib:?}] mosquitto_pub {a:?} (stdin {input:?}) failed\n{}",
        describe(&out)
    );
}

/// Runs a program (`mosquitto_sub`, `mosquitto_rr`, ...) on `lib` to its
/// end; panics if it is still running after `timeout`.
fn run_client(lib: Lib, program: &str, a: &[String], timeout: Duration) -> Output {
    let mut cmd = command_with(lib, program);
    cmd.args(a);
    let (out, timed_out) = run_timed(&mut cmd, None, timeout);
    assert!(
        !timed_out,
        "[{lib:?}] {program} {a:?} still ran after {timeout:?}\n{}",
        describe(&out)
    );
    out
}

/// A one-shot `mosquitto_sub` on `lib` run to its end.
fn sub_once(lib: Lib, a: &[String]) -> Output {
    run_client(lib, "mosquitto_sub", a, ONE_SHOT)
}

/// A one-shot `mosquitto_sub` that must succeed; returns its stdout.
fn sub_once_ok(lib: Lib, a: &[String]) -> String {
    let out = sub_once(lib, a);
    assert!(
        out.status.success(),
        "[{lib:?}] mosquitto_sub {a:?} failed\n{}",
        describe(&out)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A running `mosquitto_sub -d` on `lib` that has its SUBACK.
fn live_sub(lib: Lib, a: &[String]) -> LineProcess {
    mosquitto_sub(lib, a)
}

/// The next `n` message lines of a live subscriber.
fn messages(sub: &mut LineProcess, n: usize) -> Vec<String> {
    (0..n).map(|_| next_message(sub, T)).collect()
}

/// Reads a live subscriber's stdout to its end (it must exit within
/// `T`) and returns every line it printed.
fn finish(sub: &mut LineProcess) -> Vec<String> {
    let deadline = Instant::now() + T;
    while sub
        .next_line(deadline.saturating_duration_since(Instant::now()))
        .is_some()
    {}
    assert!(
        sub.wait_timeout(T).is_some(),
        "the subscriber did not exit\n{}",
        sub.describe()
    );
    sub.seen().to_vec()
}

/// Exit code, stdout and stderr of a run, to compare two runs.
fn outcome(out: &Output) -> (Option<i32>, String, String) {
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Lowercase hex without separators, as mosquitto_sub's `%x` prints it.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A payload with a NUL, control bytes and invalid UTF-8 (but no newline).
const BINARY: &[u8] = &[0x00, 0x01, b'b', 0x7f, 0x80, 0xfe, 0xff, b'z'];

/// Writes [`BINARY`] to a file for `-f` and returns its path.
fn binary_file(name: &str) -> String {
    let path = common::scratch("debian_clients").join(format!("{name}-{}", std::process::id()));
    std::fs::write(&path, BINARY).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn pub_sub_every_qos_combination() {
    let broker = Broker::start(BrokerOptions::default().name("deb-qos"));
    let bin = binary_file("qos.bin");
    let text = "hello world";
    for lib in LIBS {
        let filter = format!("{}/qos/#", tag(lib));
        let fmt = "%t %q %r %l %x";
        let mut subs: Vec<(u8, LineProcess)> = (0..=2u8)
            .map(|sq| {
                let q = sq.to_string();
                let a = at(
                    &broker,
                    Listener::Tcp,
                    &["-q", &q, "-t", &filter, "-F", fmt],
                );
                (sq, live_sub(lib, &a))
            })
            .collect();
        let mut verbose = live_sub(
            lib,
            &at(&broker, Listener::Tcp, &["-q", "2", "-v", "-t", &filter]),
        );
        let mut want_verbose = Vec::new();
        for pq in 0..=2u8 {
            let topic = format!("{}/qos/{pq}", tag(lib));
            let q = pq.to_string();
            let base = ["-q", q.as_str(), "-t", topic.as_str()];
            for payload in [&["-m", text][..], &["-n"], &["-f", bin.as_str()]] {
                let mut extra = base.to_vec();
                extra.extend_from_slice(payload);
                publish(lib, &at(&broker, Listener::Tcp, &extra));
            }
            want_verbose.push(format!("{topic} {text}"));
            want_verbose.push(format!("{topic} (null)"));
            want_verbose.push(format!("{topic} {}", String::from_utf8_lossy(BINARY)));
        }
        for (sq, sub) in &mut subs {
            // Order across publisher connections is not the point here.
            let mut got = messages(sub, 9);
            got.sort();
            let mut want = Vec::new();
            for pq in 0..=2u8 {
                let topic = format!("{}/qos/{pq}", tag(lib));
                let q = pq.min(*sq);
                want.push(format!(
                    "{topic} {q} 0 {} {}",
                    text.len(),
                    hex(text.as_bytes())
                ));
                want.push(format!("{topic} {q} 0 0 "));
                want.push(format!("{topic} {q} 0 {} {}", BINARY.len(), hex(BINARY)));
            }
            want.sort();
            assert_eq!(got, want, "[{lib:?}] subscriber at QoS {sq}");
            sub.expect_no_line(Duration::from_millis(100));
        }
        let mut got = messages(&mut verbose, 9);
        got.sort();
        want_verbose.sort();
        assert_eq!(got, want_verbose, "[{lib:?}] -v subscriber");
    }
}

#[test]
fn payload_formats_n_and_f() {
    let broker = Broker::start(BrokerOptions::default().name("deb-formats"));
    let bin = binary_file("formats.bin");
    let mut results = Vec::new();
    for lib in LIBS {
        let topic = format!("{}/fmt/bin", tag(lib));
        let retained = ["-r", "-q", "1", "-t", &topic, "-f", &bin];
        publish(lib, &at(&broker, Listener::Tcp, &retained));

        // -N: the payload exactly, with no newline added.
        let raw = ["-C", "1", "-W", "5", "-N", "-t", &topic];
        let out = sub_once(lib, &at(&broker, Listener::Tcp, &raw));
        assert!(out.status.success(), "[{lib:?}] {}", describe(&out));
        assert_eq!(out.stdout, BINARY, "[{lib:?}] -N output");

        // -F with most of the simple fields.
        let fmt = "%t|%r|%q|%l|%x|%X|%m|@@|\\t";
        let formatted = ["-C", "1", "-W", "5", "-q", "1", "-F", fmt, "-t", &topic];
        let out = sub_once_ok(lib, &at(&broker, Listener::Tcp, &formatted));
        let want = format!(
            "{topic}|1|1|{}|{}|{}|1|@|\t\n",
            BINARY.len(),
            hex(BINARY),
            hex(BINARY).to_uppercase()
        );
        assert_eq!(out, want, "[{lib:?}] -F output");
        results.push(out.replace(tag(lib), "LIB"));
    }
    assert_eq!(results[1], results[0], "ours differs from the reference");
}

#[test]
fn retained_messages_and_retained_only() {
    let broker = Broker::start(BrokerOptions::default().name("deb-retained"));
    let mut codes = Vec::new();
    for lib in LIBS {
        let filter = format!("{}/ret/#", tag(lib));
        let (ta, tb) = (format!("{}/ret/a", tag(lib)), format!("{}/ret/b", tag(lib)));
        publish(
            lib,
            &at(
                &broker,
                Listener::Tcp,
                &["-r", "-q", "1", "-t", &ta, "-m", "kept-a"],
            ),
        );
        publish(
            lib,
            &at(&broker, Listener::Tcp, &["-r", "-t", &tb, "-m", "kept-b"]),
        );

        // A new subscriber gets both, flagged retained.
        let fmt = ["-C", "2", "-W", "5", "-F", "%t %p %r", "-t", &filter];
        let out = sub_once_ok(lib, &at(&broker, Listener::Tcp, &fmt));
        let mut got: Vec<&str> = out.lines().collect();
        got.sort();
        assert_eq!(
            got,
            [format!("{ta} kept-a 1"), format!("{tb} kept-b 1")],
            "[{lib:?}] retained delivery"
        );

        // -R skips the retained ones and prints the fresh one.
        let mut fresh_only = live_sub(
            lib,
            &at(&broker, Listener::Tcp, &["-R", "-v", "-t", &filter]),
        );
        publish(
            lib,
            &at(&broker, Listener::Tcp, &["-t", &ta, "-m", "fresh"]),
        );
        assert_eq!(
            next_message(&mut fresh_only, T),
            format!("{ta} fresh"),
            "[{lib:?}] -R"
        );

        // --retained-only prints the retained ones, then exits at the first
        // non-retained message without printing it.
        let mut only = live_sub(
            lib,
            &at(
                &broker,
                Listener::Tcp,
                &["--retained-only", "-v", "-t", &filter],
            ),
        );
        let mut got = messages(&mut only, 2);
        got.sort();
        assert_eq!(
            got,
            [format!("{ta} kept-a"), format!("{tb} kept-b")],
            "[{lib:?}] --retained-only"
        );
        publish(
            lib,
            &at(&broker, Listener::Tcp, &["-t", &tb, "-m", "not-retained"]),
        );
        let status = only.wait_timeout(T);
        assert!(
            status.is_some(),
            "[{lib:?}] --retained-only did not exit\n{}",
            only.describe()
        );
        let rest = finish(&mut only);
        assert!(
            !rest
                .iter()
                .any(|l| l.contains("not-retained") && !l.starts_with("Client ")),
            "[{lib:?}] --retained-only printed the live message: {rest:?}"
        );
        codes.push(("retained-only", status.unwrap().code()));

        // An empty retained message clears one; --remove-retained the rest.
        publish(lib, &at(&broker, Listener::Tcp, &["-r", "-n", "-t", &ta]));
        let one = ["-C", "1", "-W", "5", "-v", "-t", &filter];
        assert_eq!(
            sub_once_ok(lib, &at(&broker, Listener::Tcp, &one)),
            format!("{tb} kept-b\n"),
            "[{lib:?}] after clearing {ta}"
        );
        let remove = ["--remove-retained", "-W", "1", "-t", &filter];
        let out = sub_once(lib, &at(&broker, Listener::Tcp, &remove));
        codes.push(("remove-retained", out.status.code()));
        let none = ["-W", "1", "-v", "-t", &filter];
        let out = sub_once(lib, &at(&broker, Listener::Tcp, &none));
        assert_eq!(out.stdout, b"", "[{lib:?}] retained messages left");
        assert_eq!(
            out.status.code(),
            Some(EXIT_TIMEOUT),
            "[{lib:?}] {}",
            describe(&out)
        );
        codes.push(("none left", out.status.code()));
    }
    let (reference, ours) = codes.split_at(codes.len() / 2);
    assert_eq!(ours, reference, "exit codes differ");
}

#[test]
fn will_is_delivered_after_sigkill() {
    let broker = Broker::start(BrokerOptions::default().name("deb-will"));
    let mut lines = Vec::new();
    for lib in LIBS {
        let t = tag(lib);
        let filter = format!("{t}/will/#");
        let will_topic = format!("{t}/will/x");
        let mut watcher = live_sub(
            lib,
            &at(
                &broker,
                Listener::Tcp,
                &["-q", "2", "-F", "%t %p %q", "-t", &filter],
            ),
        );

        // A clean exit (-E) sends DISCONNECT: no will.
        let quiet_topic = format!("{t}/will/quiet");
        let clean = [
            "-E",
            "-t",
            "dummy",
            "--will-topic",
            &quiet_topic,
            "--will-payload",
            "nope",
        ];
        sub_once_ok(lib, &at(&broker, Listener::Tcp, &clean));

        let id = format!("victim-{t}");
        let will = [
            "-i",
            &id,
            "-t",
            "dummy",
            "--will-topic",
            &will_topic,
            "--will-payload",
            "gone",
            "--will-qos",
            "1",
            "--will-retain",
        ];
        let mut victim = live_sub(lib, &at(&broker, Listener::Tcp, &will));
        let status = victim.kill();
        assert!(!status.success(), "[{lib:?}] victim was not killed");
        let line = next_message(&mut watcher, T);
        assert_eq!(line, format!("{will_topic} gone 1"), "[{lib:?}] will");
        watcher.expect_no_line(Duration::from_millis(200));

        // It was retained.
        let get = ["-C", "1", "-W", "5", "-F", "%t %p %r", "-t", &will_topic];
        let out = sub_once_ok(lib, &at(&broker, Listener::Tcp, &get));
        assert_eq!(
            out,
            format!("{will_topic} gone 1\n"),
            "[{lib:?}] retained will"
        );
        lines.push(line.replace(t, "LIB"));
    }
    assert_eq!(lines[1], lines[0]);
}

#[test]
fn password_listener() {
    let broker = Broker::start(
        BrokerOptions::default()
            .name("deb-auth")
            .user("alice", "s3cret"),
    );
    let mut refusals = Vec::new();
    for lib in LIBS {
        let topic = format!("{}/auth", tag(lib));
        let good = ["-u", "alice", "-P", "s3cret"];
        let mut sub_args = good.to_vec();
        sub_args.extend(["-v", "-t", &topic]);
        let mut sub = live_sub(lib, &at(&broker, Listener::Auth, &sub_args));
        let mut pub_args = good.to_vec();
        pub_args.extend(["-q", "1", "-t", &topic, "-m", "let in"]);
        publish(lib, &at(&broker, Listener::Auth, &pub_args));
        assert_eq!(
            next_message(&mut sub, T),
            format!("{topic} let in"),
            "[{lib:?}]"
        );

        let mut these = Vec::new();
        for version in ["mqttv311", "mqttv5", "mqttv31"] {
            for creds in [&["-u", "alice", "-P", "wrong"][..], &["-u", "nobody"], &[]] {
                let mut a = creds.to_vec();
                // With an id: see `mqttv31_without_client_id` for none.
                a.extend(["-V", version, "-i", "refused-id", "-t", &topic]);
                let mut p = a.clone();
                p.extend(["-m", "refused"]);
                let out = mosquitto_pub(lib, &at(&broker, Listener::Auth, &p));
                these.push((version, creds.len(), "pub", outcome(&out)));
                a.extend(["-W", "3"]);
                let out = sub_once(lib, &at(&broker, Listener::Auth, &a));
                these.push((version, creds.len(), "sub", outcome(&out)));
            }
        }
        for (version, _, program, (code, stdout, stderr)) in &these {
            assert!(
                *code != Some(0) && *code != Some(EXIT_TIMEOUT),
                "[{lib:?}] {program} -V {version} was not refused: {code:?} {stdout} {stderr}"
            );
            if *version != "mqttv5" {
                assert_eq!(*code, Some(5), "[{lib:?}] {program}: {stderr}");
                assert!(stderr.contains("not authorised"), "[{lib:?}] {stderr}");
            }
        }
        sub.expect_no_line(Duration::from_millis(100));
        refusals.push(these);
    }
    assert_eq!(
        refusals[1], refusals[0],
        "refusals differ from the reference"
    );
}

#[test]
fn protocol_versions() {
    let broker = Broker::start(BrokerOptions::default().name("deb-versions"));
    for lib in LIBS {
        for (version, p) in [("mqttv31", 1), ("mqttv311", 2), ("mqttv5", 5)] {
            let t = tag(lib);
            let topic = format!("{t}/ver/{version}");
            let (sid, pid) = (format!("s-{t}-{version}"), format!("p-{t}-{version}"));
            let mut sub = live_sub(
                lib,
                &at(
                    &broker,
                    Listener::Tcp,
                    &["-V", version, "-i", &sid, "-q", "2", "-v", "-t", &topic],
                ),
            );
            for q in ["0", "1", "2"] {
                let m = format!("via {version} q{q}");
                let a = ["-V", version, "-i", &pid, "-q", q, "-t", &topic, "-m", &m];
                publish(lib, &at(&broker, Listener::Tcp, &a));
                assert_eq!(
                    next_message(&mut sub, T),
                    format!("{topic} {m}"),
                    "[{lib:?}]"
                );
            }
            broker.wait_for_log(&format!("as {sid} (p{p},"), T);
            broker.wait_for_log(&format!("as {pid} (p{p},"), T);
        }
    }
}

#[test]
fn v5_properties() {
    let broker = Broker::start(BrokerOptions::default().name("deb-v5props"));
    let mut lines = Vec::new();
    for lib in LIBS {
        let t = tag(lib);
        let topic = format!("{t}/props");
        let mut sub = live_sub(
            lib,
            &at(
                &broker,
                Listener::Tcp,
                &[
                    "-V",
                    "5",
                    "-q",
                    "1",
                    "-t",
                    &topic,
                    "-D",
                    "subscribe",
                    "subscription-identifier",
                    "7",
                    "-F",
                    "%t|%C|%D|%F|%P|%R|%S|%q|%E",
                ],
            ),
        );
        let props = [
            "-V",
            "5",
            "-q",
            "1",
            "-t",
            &topic,
            "-m",
            "props",
            "-D",
            "publish",
            "user-property",
            "a",
            "b",
            "-D",
            "publish",
            "user-property",
            "c",
            "d",
            "-D",
            "publish",
            "content-type",
            "x",
            "-D",
            "publish",
            "response-topic",
            "rt",
            "-D",
            "publish",
            "correlation-data",
            "cd",
            "-D",
            "publish",
            "payload-format-indicator",
            "1",
            "-D",
            "publish",
            "message-expiry-interval",
            "60",
            "-D",
            "connect",
            "session-expiry-interval",
            "60",
        ];
        publish(lib, &at(&broker, Listener::Tcp, &props));
        let line = next_message(&mut sub, T);
        let (head, expiry) = line.rsplit_once('|').unwrap();
        assert_eq!(
            head,
            format!("{topic}|x|cd|1|a:b c:d|rt|7|1"),
            "[{lib:?}] properties"
        );
        let expiry: u32 = expiry
            .parse()
            .unwrap_or_else(|_| panic!("[{lib:?}] {line}"));
        assert!(
            (58..=60).contains(&expiry),
            "[{lib:?}] message expiry {expiry}"
        );
        lines.push(head.replace(t, "LIB"));

        // -D connect session-expiry-interval keeps the session after a
        // clean exit, so a QoS 1 message published meanwhile is queued.
        let queued = format!("{t}/props/queued");
        let id = format!("sx-{t}");
        let first = [
            "-V",
            "5",
            "-i",
            &id,
            "-q",
            "1",
            "-t",
            &queued,
            "-E",
            "-D",
            "connect",
            "session-expiry-interval",
            "60",
        ];
        sub_once_ok(lib, &at(&broker, Listener::Tcp, &first));
        let m = ["-V", "5", "-q", "1", "-t", &queued, "-m", "waited"];
        publish(lib, &at(&broker, Listener::Tcp, &m));
        let again = [
            "-V", "5", "-c", "-i", &id, "-q", "1", "-t", &queued, "-C", "1", "-W", "5", "-v",
        ];
        assert_eq!(
            sub_once_ok(lib, &at(&broker, Listener::Tcp, &again)),
            format!("{queued} waited\n"),
            "[{lib:?}] session expiry"
        );
    }
    assert_eq!(lines[1], lines[0]);
}

#[test]
fn persistent_sessions_queue_while_offline() {
    let broker = Broker::start(BrokerOptions::default().name("deb-session"));
    for lib in LIBS {
        let t = tag(lib);
        // QoS 1, v3.1.1: the first subscriber is killed.
        let topic = format!("{t}/session/q1");
        let id = format!("ps1-{t}");
        let mut sub = live_sub(
            lib,
            &at(
                &broker,
                Listener::Tcp,
                &["-c", "-i", &id, "-q", "1", "-t", &topic],
            ),
        );
        sub.kill();
        broker.wait_for_log(&format!("Client {id} closed its connection"), T);
        for m in ["m1", "m2", "m3"] {
            publish(
                lib,
                &at(&broker, Listener::Tcp, &["-q", "1", "-t", &topic, "-m", m]),
            );
        }
        let again = [
            "-c", "-i", &id, "-q", "1", "-t", &topic, "-C", "3", "-W", "5", "-v",
        ];
        assert_eq!(
            sub_once_ok(lib, &at(&broker, Listener::Tcp, &again)),
            format!("{topic} m1\n{topic} m2\n{topic} m3\n"),
            "[{lib:?}] QoS 1 session"
        );

        // QoS 2, v5: the first subscriber leaves cleanly (-E).
        let topic = format!("{t}/session/q2");
        let id = format!("ps2-{t}");
        let first = ["-V", "5", "-c", "-i", &id, "-q", "2", "-t", &topic, "-E"];
        sub_once_ok(lib, &at(&broker, Listener::Tcp, &first));
        for m in ["n1", "n2"] {
            publish(
                lib,
                &at(
                    &broker,
                    Listener::Tcp,
                    &["-V", "5", "-q", "2", "-t", &topic, "-m", m],
                ),
            );
        }
        let again = [
            "-V", "5", "-c", "-i", &id, "-q", "2", "-t", &topic, "-C", "2", "-W", "5", "-F",
            "%t %p %q",
        ];
        assert_eq!(
            sub_once_ok(lib, &at(&broker, Listener::Tcp, &again)),
            format!("{topic} n1 2\n{topic} n2 2\n"),
            "[{lib:?}] QoS 2 session"
        );
    }
}

#[test]
fn stdin_file_and_repeat_modes() {
    let broker = Broker::start(BrokerOptions::default().name("deb-stdin"));
    let bin = binary_file("stdin.bin");
    let mut all = Vec::new();
    for lib in LIBS {
        let t = tag(lib);
        let mut sub = live_sub(
            lib,
            &at(
                &broker,
                Listener::Tcp,
                &["-q", "1", "-t", &format!("{t}/in/#"), "-F", "%t %x"],
            ),
        );
        let (tl, ts, tr, tf) = (
            format!("{t}/in/l"),
            format!("{t}/in/s"),
            format!("{t}/in/r"),
            format!("{t}/in/f"),
        );
        publish_input(
            lib,
            &at(&broker, Listener::Tcp, &["-q", "1", "-l", "-t", &tl]),
            b"one\ntwo\n\nthree",
        );
        publish_input(
            lib,
            &at(&broker, Listener::Tcp, &["-s", "-t", &ts]),
            b"a\nb\x00c\n",
        );
        let repeat = [
            "-q",
            "1",
            "-t",
            &tr,
            "-m",
            "again",
            "--repeat",
            "3",
            "--repeat-delay",
            "0.05",
        ];
        publish(lib, &at(&broker, Listener::Tcp, &repeat));
        publish(lib, &at(&broker, Listener::Tcp, &["-t", &tf, "-f", &bin]));
        let got = messages(&mut sub, 9);
        let want = [
            format!("{tl} {}", hex(b"one")),
            format!("{tl} {}", hex(b"two")),
            format!("{tl} "),
            format!("{tl} {}", hex(b"three")),
            format!("{ts} {}", hex(b"a\nb\x00c\n")),
            format!("{tr} {}", hex(b"again")),
            format!("{tr} {}", hex(b"again")),
            format!("{tr} {}", hex(b"again")),
            format!("{tf} {}", hex(BINARY)),
        ];
        assert_eq!(got, want, "[{lib:?}]");
        sub.expect_no_line(Duration::from_millis(100));
        all.push(got.join("\n").replace(t, "LIB"));
    }
    assert_eq!(all[1], all[0]);
}

#[test]
fn timeouts_counts_and_exit_after_suback() {
    let broker = Broker::start(BrokerOptions::default().name("deb-timeouts"));
    let mut codes = Vec::new();
    for lib in LIBS {
        let t = tag(lib);
        let topic = format!("{t}/w");
        // -W 1 with nothing to receive.
        let started = Instant::now();
        let out = sub_once(lib, &at(&broker, Listener::Tcp, &["-W", "1", "-t", &topic]));
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(900) && took < Duration::from_secs(3),
            "[{lib:?}] -W 1 took {took:?}"
        );
        assert_eq!(
            out.status.code(),
            Some(EXIT_TIMEOUT),
            "[{lib:?}] {}",
            describe(&out)
        );
        codes.push(outcome(&out));

        // -E exits as soon as the SUBACK is in.
        let started = Instant::now();
        let out = sub_once(
            lib,
            &at(
                &broker,
                Listener::Tcp,
                &["-E", "-t", &topic, "-t", "other/#"],
            ),
        );
        assert!(out.status.success(), "[{lib:?}] {}", describe(&out));
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "[{lib:?}] -E was slow"
        );
        codes.push(outcome(&out));

        // -C 2 exits after two messages, printing no third.
        let mut sub = live_sub(
            lib,
            &at(
                &broker,
                Listener::Tcp,
                &["-C", "2", "-v", "-q", "1", "-t", &topic],
            ),
        );
        for m in ["first", "second"] {
            publish(
                lib,
                &at(&broker, Listener::Tcp, &["-q", "1", "-t", &topic, "-m", m]),
            );
        }
        let lines = finish(&mut sub);
        let printed: Vec<&String> = lines
            .iter()
            .filter(|l| !l.starts_with("Client ") && !l.starts_with("Subscribed"))
            .collect();
        assert_eq!(
            printed,
            [&format!("{topic} first"), &format!("{topic} second")],
            "[{lib:?}]"
        );
        let status = sub.wait_timeout(T).unwrap();
        assert!(status.success(), "[{lib:?}] -C 2 exit {status}");

        // -W with -C: the count is reached before the timeout.
        publish(
            lib,
            &at(&broker, Listener::Tcp, &["-r", "-t", &topic, "-m", "kept"]),
        );
        let out = sub_once(
            lib,
            &at(
                &broker,
                Listener::Tcp,
                &["-W", "3", "-C", "1", "-t", &topic],
            ),
        );
        assert!(out.status.success(), "[{lib:?}] {}", describe(&out));
        assert_eq!(out.stdout, b"kept\n");
        codes.push(outcome(&out));
    }
    let (reference, ours) = codes.split_at(codes.len() / 2);
    assert_eq!(ours, reference);
}

#[test]
fn unix_socket_listener() {
    let broker = Broker::start(
        BrokerOptions::default()
            .name("deb-unix")
            .no_tcp()
            .unix_socket(),
    );
    for lib in LIBS {
        let topic = format!("{}/unix", tag(lib));
        let mut sub = live_sub(
            lib,
            &at(&broker, Listener::Unix, &["-q", "1", "-v", "-t", &topic]),
        );
        for q in ["0", "1", "2"] {
            publish(
                lib,
                &at(&broker, Listener::Unix, &["-q", q, "-t", &topic, "-m", q]),
            );
            assert_eq!(
                next_message(&mut sub, T),
                format!("{topic} {q}"),
                "[{lib:?}]"
            );
        }
    }
}

#[test]
fn hosts_localhost() {
    let broker = Broker::start(BrokerOptions::default().name("deb-hosts"));
    for lib in LIBS {
        let topic = format!("{}/hosts", tag(lib));
        let port = broker.port().to_string();
        let localhost = ["-h", "localhost", "-p", port.as_str()];
        let mut a = localhost.to_vec();
        a.extend(["-v", "-t", &topic]);
        let mut sub = live_sub(lib, &args(a));
        let mut p = localhost.to_vec();
        p.extend(["-q", "1", "-t", &topic, "-m", "via localhost"]);
        publish(lib, &args(p));
        assert_eq!(
            next_message(&mut sub, T),
            format!("{topic} via localhost"),
            "[{lib:?}]"
        );
    }
}

/// `-h ::1`: both libraries publish and subscribe over IPv6, and the
/// message reaches a subscriber on IPv4 too.
#[test]
#[cfg_attr(no_ipv6, ignore = "this machine has no IPv6 loopback (::1)")]
fn hosts_ipv6() {
    assert!(
        ipv6_available(),
        "::1 cannot be bound (rebuild to re-probe)"
    );
    let broker = Broker::start(BrokerOptions::default().name("deb-hosts6").tcp6());
    for lib in LIBS {
        let topic = format!("{}/hosts6", tag(lib));
        let mut sub = live_sub(lib, &at(&broker, Listener::Tcp, &["-v", "-t", &topic]));
        let mut sub6 = live_sub(lib, &at(&broker, Listener::Tcp6, &["-v", "-t", &topic]));
        publish(
            lib,
            &at(
                &broker,
                Listener::Tcp6,
                &["-q", "1", "-t", &topic, "-m", "via ::1"],
            ),
        );
        assert_eq!(
            next_message(&mut sub6, T),
            format!("{topic} via ::1"),
            "[{lib:?}]"
        );
        assert_eq!(
            next_message(&mut sub, T),
            format!("{topic} via ::1"),
            "[{lib:?}]"
        );
        broker.wait_for_log("New connection from ::1", T);
    }
}

#[test]
fn socks5_proxy() {
    let broker = Broker::start(BrokerOptions::default().name("deb-proxy"));
    let open = Socks5Proxy::no_auth();
    let locked = Socks5Proxy::with_password("puser", "ppass");
    let target = format!("127.0.0.1:{}", broker.port());
    let mut records = Vec::new();
    let mut refusals = Vec::new();
    for lib in LIBS {
        let topic = format!("{}/proxy", tag(lib));
        let url = format!("socks5h://127.0.0.1:{}", open.port());
        let before = open.handshakes().len();
        let mut sub = live_sub(
            lib,
            &at(
                &broker,
                Listener::Tcp,
                &["--proxy", &url, "-v", "-t", &topic],
            ),
        );
        publish(
            lib,
            &at(
                &broker,
                Listener::Tcp,
                &["--proxy", &url, "-q", "1", "-t", &topic, "-m", "proxied"],
            ),
        );
        assert_eq!(
            next_message(&mut sub, T),
            format!("{topic} proxied"),
            "[{lib:?}]"
        );
        let seen = open.handshakes()[before..].to_vec();
        assert_eq!(seen.len(), 2, "[{lib:?}] {seen:?}");
        for h in &seen {
            assert_eq!(h.method, 0, "[{lib:?}] {h:?}");
            assert_eq!(
                h.target.as_deref(),
                Some(target.as_str()),
                "[{lib:?}] {h:?}"
            );
            assert!(h.relayed, "[{lib:?}] {h:?}");
        }
        records.push(seen);

        // Username and password, right then wrong.
        let url = format!("socks5h://puser:ppass@127.0.0.1:{}", locked.port());
        let before = locked.handshakes().len();
        publish(
            lib,
            &at(
                &broker,
                Listener::Tcp,
                &["--proxy", &url, "-q", "1", "-t", &topic, "-m", "with creds"],
            ),
        );
        assert_eq!(
            next_message(&mut sub, T),
            format!("{topic} with creds"),
            "[{lib:?}]"
        );
        let url = format!("socks5h://puser:nope@127.0.0.1:{}", locked.port());
        let out = mosquitto_pub(
            lib,
            &at(
                &broker,
                Listener::Tcp,
                &["--proxy", &url, "-t", &topic, "-m", "x"],
            ),
        );
        assert!(
            !out.status.success(),
            "[{lib:?}] bad proxy password accepted\n{}",
            describe(&out)
        );
        refusals.push(outcome(&out));
        let seen = locked.handshakes()[before..].to_vec();
        assert_eq!(seen.len(), 2, "[{lib:?}] {seen:?}");
        assert_eq!(seen[0].method, 2, "[{lib:?}] {seen:?}");
        assert_eq!(
            seen[0].credentials,
            Some(("puser".into(), "ppass".into())),
            "[{lib:?}]"
        );
        assert!(seen[0].relayed, "[{lib:?}] {seen:?}");
        assert_eq!(
            seen[1].credentials,
            Some(("puser".into(), "nope".into())),
            "[{lib:?}]"
        );
        assert!(!seen[1].relayed, "[{lib:?}] {seen:?}");
        records.push(seen);
        sub.expect_no_line(Duration::from_millis(100));
    }
    assert_eq!(records[2], records[0], "no-auth handshakes differ");
    assert_eq!(records[3], records[1], "password handshakes differ");
    assert_eq!(refusals[1], refusals[0], "refusal differs");
}

/// Answers one request on `filter` (v5): publishes "re:" + the request's
/// payload to its response topic (or `fallback` when it has none), with
/// the same correlation data. Returns the request's response topic.
fn respond_once(mut conn: PacketConn, fallback: String) -> thread::JoinHandle<Option<String>> {
    thread::spawn(move || {
        let (response_topic, correlation, payload) = conn.expect(|p| match p {
            Packet::Publish(p) => {
                let text = |v: Option<Value<'_>>| match v {
                    Some(Value::String(s) | Value::Binary(s)) => Some(s.to_vec()),
                    _ => None,
                };
                (
                    text(p.properties.find(Identifier::ResponseTopic)),
                    text(p.properties.find(Identifier::CorrelationData)),
                    p.payload.to_vec(),
                )
            }
            p => panic!("responder expected PUBLISH, got {p:?}"),
        });
        let topic = response_topic
            .as_ref()
            .map(|t| String::from_utf8_lossy(t).into_owned());
        let mut answer = b"re:".to_vec();
        answer.extend_from_slice(&payload);
        let props: Vec<Property<'_>> = correlation
            .iter()
            .map(|c| Property {
                id: Identifier::CorrelationData,
                value: Value::Binary(c),
            })
            .collect();
        let to = topic.clone().unwrap_or(fallback);
        conn.send(&packets::publish_props(
            V5, &to, &answer, 0, false, 0, &props,
        ));
        conn.send(&packets::disconnect(V5, 0));
        topic
    })
}

#[test]
fn mosquitto_rr_request_response() {
    let broker = Broker::start(BrokerOptions::default().name("deb-rr"));
    let mut outputs = Vec::new();
    for lib in LIBS {
        for version in ["mqttv5", "mqttv311"] {
            let t = tag(lib);
            let (req, resp) = (format!("{t}/{version}/req"), format!("{t}/{version}/resp"));
            let mut conn = PacketConn::connect(broker.addr(), V5);
            conn.send(&packets::connect(V5, &format!("responder-{t}"), 60, true));
            conn.expect_type(PacketType::Connack);
            conn.send(&packets::subscribe(V5, 1, &req, 0));
            conn.expect_type(PacketType::Suback);
            let responder = respond_once(conn, resp.clone());
            let a = [
                "-V", version, "-t", &req, "-e", &resp, "-m", "question", "-W", "5",
            ];
            let out = run_client(
                lib,
                "mosquitto_rr",
                &at(&broker, Listener::Tcp, &a),
                ONE_SHOT,
            );
            assert!(
                out.status.success(),
                "[{lib:?}] mosquitto_rr -V {version}\n{}",
                describe(&out)
            );
            assert_eq!(
                String::from_utf8_lossy(&out.stdout),
                "re:question\n",
                "[{lib:?}] {version}"
            );
            let asked = responder.join().expect("the responder failed");
            if version == "mqttv5" {
                assert_eq!(
                    asked,
                    Some(resp.clone()),
                    "[{lib:?}] response topic property"
                );
            } else {
                assert_eq!(asked, None, "[{lib:?}] v3.1.1 has no properties");
            }
            outputs.push(outcome(&out));
        }
    }
    let (reference, ours) = outputs.split_at(2);
    assert_eq!(ours, reference);
}

/// The `-d` lines of a pub/sub session on `lib`: the subscriber's full
/// stdout and each publisher's.
fn debug_session(broker: &Broker, lib: Lib, version: &str) -> Vec<String> {
    let sub_id = format!("dbg-sub-{version}");
    let pub_id = format!("dbg-pub-{version}");
    let topic = format!("dbg/{version}");
    let mut sub = live_sub(
        lib,
        &at(
            broker,
            Listener::Tcp,
            &[
                "-V", version, "-i", &sub_id, "-q", "2", "-C", "3", "-v", "-t", &topic,
            ],
        ),
    );
    let mut lines = Vec::new();
    for q in ["0", "1", "2"] {
        let m = format!("msg{q}");
        let a = [
            "-d", "-V", version, "-i", &pub_id, "-q", q, "-t", &topic, "-m", &m,
        ];
        let out = publish(lib, &at(broker, Listener::Tcp, &a));
        lines.extend(
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(String::from),
        );
    }
    lines.extend(finish(&mut sub));
    lines
}

#[test]
fn debug_output_matches_reference() {
    let broker = Broker::start(BrokerOptions::default().name("deb-debug"));
    for version in ["mqttv311", "mqttv5"] {
        // Same ids and topics: the libraries run one after the other.
        let reference = debug_session(&broker, Lib::Reference, version);
        for needle in [
            "sending CONNECT",
            "received PUBREC",
            "sending PUBREL",
            "received SUBACK",
            "sending PUBCOMP",
        ] {
            assert!(
                reference.iter().any(|l| l.contains(needle)),
                "[Reference] no {needle:?} in {reference:#?}"
            );
        }
        let ours = debug_session(&broker, Lib::Ours, version);
        assert_eq!(ours, reference, "-d output differs ({version})");
    }
}

/// With `-V mqttv31` and no `-i`, the reference library makes up a
/// client id ("mosq-" and 18 random letters or digits, within 3.1's 23
/// byte limit) and connects; MQTT 3.1.1 and 5 send an empty id instead.
#[test]
fn mqttv31_without_client_id() {
    let broker = Broker::start(BrokerOptions::default().name("deb-v31-noid"));
    for lib in LIBS {
        let topic = format!("{}/v31/noid", tag(lib));
        let mut sub = live_sub(
            lib,
            &at(
                &broker,
                Listener::Tcp,
                &["-V", "mqttv31", "-v", "-t", &topic],
            ),
        );
        let first = sub.seen()[0].clone();
        let id = first
            .strip_prefix("Client ")
            .and_then(|l| l.strip_suffix(" sending CONNECT"))
            .unwrap_or_else(|| panic!("[{lib:?}] first line {first:?}"));
        assert!(
            id.len() == 23
                && id.starts_with("mosq-")
                && id[5..].bytes().all(|b| b.is_ascii_alphanumeric()),
            "[{lib:?}] generated id {id:?}"
        );
        broker.wait_for_log(&format!("as {id} (p1,"), T);
        let a = [
            "-d", "-V", "mqttv31", "-q", "1", "-t", &topic, "-m", "no id",
        ];
        let out = publish(lib, &at(&broker, Listener::Tcp, &a));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.starts_with("Client mosq-"), "[{lib:?}] {stdout}");
        assert_eq!(
            next_message(&mut sub, T),
            format!("{topic} no id"),
            "[{lib:?}]"
        );
    }
}

#[test]
fn keepalive_pings_match_reference() {
    let broker = Broker::start(BrokerOptions::default().name("deb-keepalive"));
    // -k 5 is the clients' minimum: both libraries run at once to share
    // the wait.
    let runs: Vec<_> = LIBS
        .iter()
        .map(|&lib| {
            let a = at(
                &broker,
                Listener::Tcp,
                &[
                    "-d",
                    "-k",
                    "5",
                    "-W",
                    "7",
                    "-i",
                    &format!("ka-{}", tag(lib)),
                    "-t",
                    tag(lib),
                ],
            );
            thread::spawn(move || (lib, sub_once(lib, &a)))
        })
        .collect();
    let mut lines = Vec::new();
    for run in runs {
        let (lib, out) = run.join().unwrap();
        assert_eq!(
            out.status.code(),
            Some(EXIT_TIMEOUT),
            "[{lib:?}] {}",
            describe(&out)
        );
        let text = String::from_utf8_lossy(&out.stdout).replace(tag(lib), "LIB");
        for needle in ["sending PINGREQ", "received PINGRESP"] {
            assert!(text.contains(needle), "[{lib:?}] no {needle:?} in\n{text}");
        }
        lines.push(text);
    }
    assert_eq!(lines[1], lines[0]);
}

#[test]
fn large_payload_and_many_lines_with_small_inflight_window() {
    let broker = Broker::start(BrokerOptions::default().name("deb-bulk"));
    let big: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
    let big_file = common::scratch("debian_clients").join(format!("big-{}", std::process::id()));
    std::fs::write(&big_file, &big).unwrap();
    let big_file = big_file.to_string_lossy().into_owned();
    let count = 300;
    let input: String = (0..count).map(|i| format!("line {i}\n")).collect();
    for lib in LIBS {
        let t = tag(lib);
        let (tb, tl) = (format!("{t}/bulk/big"), format!("{t}/bulk/lines"));

        // 1 MB through one PUBLISH each way, received intact.
        publish(
            lib,
            &at(
                &broker,
                Listener::Tcp,
                &["-r", "-q", "1", "-t", &tb, "-f", &big_file],
            ),
        );
        let out = sub_once(
            lib,
            &at(
                &broker,
                Listener::Tcp,
                &["-C", "1", "-W", "5", "-N", "-q", "1", "-t", &tb],
            ),
        );
        assert!(out.status.success(), "[{lib:?}] {}", describe(&out).len());
        assert!(
            out.stdout == big,
            "[{lib:?}] got {} bytes, not the 1 MB sent",
            out.stdout.len()
        );

        // 300 QoS 2 lines through a window of 3 messages in flight, in order.
        let mut sub = live_sub(lib, &at(&broker, Listener::Tcp, &["-q", "2", "-t", &tl]));
        let a = at(
            &broker,
            Listener::Tcp,
            &["-l", "-q", "2", "-M", "3", "-t", &tl],
        );
        publish_input(lib, &a, input.as_bytes());
        let got = messages(&mut sub, count);
        let want: Vec<String> = (0..count).map(|i| format!("line {i}")).collect();
        assert_eq!(got, want, "[{lib:?}]");
    }
}

#[test]
fn v5_will_properties() {
    let broker = Broker::start(BrokerOptions::default().name("deb-will5"));
    let mut lines = Vec::new();
    for lib in LIBS {
        let t = tag(lib);
        let will_topic = format!("{t}/will5");
        let fmt = "%t %p %q %C %P";
        let mut watcher = live_sub(
            lib,
            &at(
                &broker,
                Listener::Tcp,
                &["-V", "5", "-q", "1", "-F", fmt, "-t", &will_topic],
            ),
        );
        let will = [
            "-V",
            "5",
            "-t",
            "dummy",
            "--will-topic",
            &will_topic,
            "--will-payload",
            "bye",
            "--will-qos",
            "1",
            "-D",
            "will",
            "content-type",
            "text/x",
            "-D",
            "will",
            "user-property",
            "k",
            "v",
        ];
        let mut victim = live_sub(lib, &at(&broker, Listener::Tcp, &will));
        victim.kill();
        let line = next_message(&mut watcher, T);
        assert_eq!(line, format!("{will_topic} bye 1 text/x k:v"), "[{lib:?}]");
        lines.push(line.replace(t, "LIB"));
    }
    assert_eq!(lines[1], lines[0]);
}

#[test]
fn socks5_proxy_with_host_name() {
    let broker = Broker::start(BrokerOptions::default().name("deb-proxy-name"));
    let proxy = Socks5Proxy::no_auth();
    let url = format!("socks5h://localhost:{}", proxy.port());
    let port = broker.port().to_string();
    let mut seen = Vec::new();
    for lib in LIBS {
        let topic = format!("{}/proxy/name", tag(lib));
        let before = proxy.handshakes().len();
        let a = [
            "--proxy",
            &url,
            "-h",
            "localhost",
            "-p",
            &port,
            "-q",
            "1",
            "-t",
            &topic,
            "-m",
            "by name",
        ];
        let retained = [&["-r"][..], &a].concat();
        publish(lib, &args(retained));
        let get = ["-C", "1", "-W", "5", "-v", "-t", &topic];
        assert_eq!(
            sub_once_ok(lib, &at(&broker, Listener::Tcp, &get)),
            format!("{topic} by name\n"),
            "[{lib:?}]"
        );
        let h = proxy.handshakes()[before..].to_vec();
        assert_eq!(h.len(), 1, "[{lib:?}] {h:?}");
        assert!(h[0].relayed, "[{lib:?}] {h:?}");
        seen.push(h);
    }
    assert_eq!(seen[1], seen[0], "the proxy saw different requests");
}

#[test]
fn connection_errors_match_reference() {
    // A port with nothing listening: bind one, note it, let it go.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string();
    let cases: Vec<(&str, Vec<String>)> = vec![
        (
            "mosquitto_pub",
            args(["-h", "127.0.0.1", "-p", &closed, "-t", "x", "-m", "y"]),
        ),
        (
            "mosquitto_sub",
            args(["-h", "127.0.0.1", "-p", &closed, "-t", "x", "-W", "3"]),
        ),
        (
            "mosquitto_rr",
            args([
                "-h",
                "127.0.0.1",
                "-p",
                &closed,
                "-t",
                "x",
                "-e",
                "y",
                "-m",
                "z",
            ]),
        ),
        (
            "mosquitto_pub",
            args(["-h", "no.such.host.invalid", "-t", "x", "-m", "y"]),
        ),
        (
            "mosquitto_pub",
            args(["--unix", "/nonexistent/mqtt.sock", "-t", "x", "-m", "y"]),
        ),
        (
            "mosquitto_pub",
            args([
                "--proxy",
                &format!("socks5h://127.0.0.1:{closed}"),
                "-t",
                "x",
                "-m",
                "y",
            ]),
        ),
    ];
    for (program, a) in cases {
        let [reference, ours] = LIBS.map(|lib| outcome(&run_client(lib, program, &a, ONE_SHOT)));
        assert_ne!(
            reference.0,
            Some(0),
            "[Reference] {program} {a:?} succeeded"
        );
        assert_eq!(ours, reference, "{program} {a:?}");
    }
}

#[test]
fn subscriber_reconnects_after_broker_restart() {
    let mut broker = Broker::start(BrokerOptions::default().name("deb-reconnect"));
    let mut subs: Vec<(Lib, LineProcess)> = LIBS
        .iter()
        .map(|&lib| {
            let topic = format!("{}/again", tag(lib));
            (
                lib,
                live_sub(lib, &at(&broker, Listener::Tcp, &["-v", "-t", &topic])),
            )
        })
        .collect();
    broker.restart();
    for (lib, sub) in &mut subs {
        // mosquitto_sub subscribes again in its connect callback.
        sub.wait_for_line(T, |l| l.contains("received SUBACK"));
        let topic = format!("{}/again", tag(*lib));
        publish(
            *lib,
            &at(&broker, Listener::Tcp, &["-t", &topic, "-m", "back"]),
        );
        assert_eq!(next_message(sub, T), format!("{topic} back"), "[{lib:?}]");
    }
}

#[test]
fn unsubscribe_at_connect_with_debug_output() {
    let broker = Broker::start(BrokerOptions::default().name("deb-unsub"));
    let mut transcripts = Vec::new();
    for lib in LIBS {
        let t = tag(lib);
        let (id, gone, other) = (
            format!("u-{t}"),
            format!("{t}/u/gone"),
            format!("{t}/u/other"),
        );
        let mut transcript = Vec::new();
        let steps: [&[&str]; 2] = [
            &["-d", "-c", "-i", &id, "-q", "1", "-t", &gone, "-E"],
            &["-d", "-c", "-i", &id, "-U", &gone, "-t", &other, "-E"],
        ];
        for step in steps {
            transcript.push(sub_once_ok(lib, &at(&broker, Listener::Tcp, step)));
        }
        assert!(
            transcript[1].contains(&format!("sending UNSUBSCRIBE (Mid: 2, Topic: {gone})")),
            "[{lib:?}] {}",
            transcript[1]
        );
        publish(
            lib,
            &at(
                &broker,
                Listener::Tcp,
                &["-q", "1", "-t", &gone, "-m", "unwanted"],
            ),
        );
        let last = ["-d", "-c", "-i", &id, "-t", &other, "-W", "1"];
        let out = sub_once(lib, &at(&broker, Listener::Tcp, &last));
        assert_eq!(
            out.status.code(),
            Some(EXIT_TIMEOUT),
            "[{lib:?}] {}",
            describe(&out)
        );
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            !stdout.contains("unwanted"),
            "[{lib:?}] still subscribed:\n{stdout}"
        );
        transcript.push(stdout);
        // -E exits at the SUBACK: whether the UNSUBACK is read first is a
        // race.
        let text = transcript.join("").replace(t, "LIB");
        let lines: Vec<&str> = text.lines().filter(|l| !l.contains("UNSUBACK")).collect();
        transcripts.push(lines.join("\n"));
    }
    assert_eq!(transcripts[1], transcripts[0]);
}

#[test]
fn many_topics_and_connect_properties_debug_output() {
    let broker = Broker::start(BrokerOptions::default().name("deb-many"));
    let topics: Vec<String> = (0..60).map(|i| format!("many/{i}/+")).collect();
    let mut runs = Vec::new();
    for lib in LIBS {
        // One SUBSCRIBE with 60 filters and a user property.
        let mut a = args(["-d", "-E", "-V", "5", "-q", "2", "-i", "many-sub"]);
        a.extend(["-D", "subscribe", "user-property", "a", "b"].map(String::from));
        for t in &topics {
            a.extend(["-t".to_string(), t.clone()]);
        }
        let sub = sub_once_ok(
            lib,
            &at(
                &broker,
                Listener::Tcp,
                &a.iter().map(String::as_str).collect::<Vec<_>>(),
            ),
        );
        let want = format!("Subscribed (mid: 1): {}\n", vec!["2"; 60].join(", "));
        assert!(sub.contains(&want), "[{lib:?}] {sub}");

        // Every CONNECT property the clients accept.
        let p = [
            "-d",
            "-V",
            "5",
            "-i",
            "many-pub",
            "-q",
            "1",
            "-t",
            "many/1/x",
            "-m",
            "m",
            "-D",
            "connect",
            "user-property",
            "u",
            "v",
            "-D",
            "connect",
            "receive-maximum",
            "2",
            "-D",
            "connect",
            "maximum-packet-size",
            "1000",
            "-D",
            "connect",
            "topic-alias-maximum",
            "3",
            "-D",
            "connect",
            "request-response-information",
            "1",
            "-D",
            "connect",
            "request-problem-information",
            "1",
            "-D",
            "connect",
            "session-expiry-interval",
            "0",
        ];
        let out = publish(lib, &at(&broker, Listener::Tcp, &p));
        runs.push((sub, String::from_utf8_lossy(&out.stdout).into_owned()));
    }
    assert_eq!(runs[1], runs[0]);
}
