//! Third-party MQTT brokers from the package registries, for the broker
//! interop matrix (`tests/broker_matrix.rs`): aedes (npm) and amqtt (PyPI).
//!
//! Each is installed once, at the versions pinned in this folder, by
//! `install.sh` into `target/test-scratch/broker-cache` (reused by later
//! runs), then every [`ExtBroker`] runs its own broker process on a free
//! loopback port, anonymous and in memory. Install failures (registry
//! unreachable, tool missing) panic with the reason: these tests never skip.
#![allow(dead_code)]

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

use crate::support::common::root;

/// How long a starting broker has to accept connections (the Python one
/// needs about a second on a busy machine).
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// How many times a broker is started on a new port when it exits early
/// (a port found free may be taken before the broker binds it).
const START_ATTEMPTS: usize = 3;

/// Distinguishes the brokers of one test process.
static NEXT_ID: AtomicUsize = AtomicUsize::new(0);

/// A third-party broker implementation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// aedes (Node.js), from the npm registry.
    Aedes,
    /// amqtt (Python asyncio), from PyPI.
    Amqtt,
}

impl Kind {
    /// The package name.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Aedes => "aedes",
            Kind::Amqtt => "amqtt",
        }
    }

    /// The pinned package version (see `aedes/package.json` and
    /// `amqtt/requirements.txt`).
    pub fn version(self) -> &'static str {
        match self {
            Kind::Aedes => "1.2.0",
            Kind::Amqtt => "0.12.1",
        }
    }

    /// The `mosquitto_pub -V` protocol versions the broker accepts.
    pub fn protocols(self) -> &'static [&'static str] {
        match self {
            Kind::Aedes => &["mqttv31", "mqttv311"],
            Kind::Amqtt => &["mqttv311"],
        }
    }

    /// The `mosquitto_pub -V` protocol versions the broker refuses.
    pub fn refused_protocols(self) -> Vec<&'static str> {
        ["mqttv31", "mqttv311", "mqttv5"]
            .into_iter()
            .filter(|v| !self.protocols().contains(v))
            .collect()
    }

    /// The installed folder, installing on first use (once per process;
    /// `install.sh` itself serialises concurrent processes).
    fn installed(self) -> PathBuf {
        static AEDES: OnceLock<Result<PathBuf, String>> = OnceLock::new();
        static AMQTT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
        let cell = match self {
            Kind::Aedes => &AEDES,
            Kind::Amqtt => &AMQTT,
        };
        match cell.get_or_init(|| install(self)) {
            Ok(dir) => dir.clone(),
            Err(why) => panic!("cannot install {} {}: {why}", self.name(), self.version()),
        }
    }

    /// The command running the broker installed in `dir` on `port`.
    fn command(self, dir: &Path, port: u16) -> Command {
        let here = scripts();
        match self {
            Kind::Aedes => {
                let mut cmd = Command::new("node");
                cmd.arg(here.join("aedes/broker.mjs"))
                    .arg(port.to_string())
                    .arg(dir);
                cmd
            }
            Kind::Amqtt => {
                let mut cmd = Command::new(dir.join("venv/bin/python"));
                cmd.arg(here.join("amqtt/broker.py")).arg(port.to_string());
                cmd
            }
        }
    }
}

/// This folder: the install script and the broker launchers.
fn scripts() -> PathBuf {
    root().join("tests/brokers")
}

/// Where installed brokers are kept between runs.
fn cache_root() -> PathBuf {
    root().join("target/test-scratch/broker-cache")
}

/// Runs `install.sh` for `kind`; the installed folder, or why it failed.
fn install(kind: Kind) -> Result<PathBuf, String> {
    let started = Instant::now();
    let out = Command::new("bash")
        .arg(scripts().join("install.sh"))
        .arg(kind.name())
        .arg(cache_root())
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run tests/brokers/install.sh: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("install.sh failed ({}):\n{stderr}", out.status));
    }
    let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    if !dir.is_dir() {
        return Err(format!("install.sh printed no folder:\n{stderr}"));
    }
    let took = started.elapsed();
    if took > Duration::from_secs(2) {
        eprintln!(
            "installed {} in {took:.1?} into {}",
            kind.name(),
            dir.display()
        );
    }
    Ok(dir)
}

/// A running third-party broker on 127.0.0.1. Dropping it kills the
/// process; if the test is panicking, its log is printed first.
pub struct ExtBroker {
    kind: Kind,
    port: u16,
    child: Child,
    log: PathBuf,
}

impl ExtBroker {
    /// Installs `kind` if needed and starts it on a free port; panics with
    /// its log if it does not accept connections in time.
    pub fn start(kind: Kind) -> ExtBroker {
        let dir = kind.installed();
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let scratch = root().join("target/test-scratch/broker-matrix");
        std::fs::create_dir_all(&scratch).expect("create the broker log folder");
        let log = scratch.join(format!("{}-{}-{id}.log", kind.name(), std::process::id()));
        let mut last = String::new();
        for _ in 0..START_ATTEMPTS {
            let port = free_port();
            match launch(kind, &dir, port, &log) {
                Ok(child) => {
                    return ExtBroker {
                        kind,
                        port,
                        child,
                        log,
                    }
                }
                Err(why) => last = why,
            }
        }
        panic!("{} did not start:\n{last}", kind.name());
    }

    /// Which broker this is.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The listening port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `-h 127.0.0.1 -p PORT`, for `mosquitto_pub`/`mosquitto_sub`.
    pub fn client_args(&self) -> Vec<String> {
        vec![
            "-h".into(),
            "127.0.0.1".into(),
            "-p".into(),
            self.port.to_string(),
        ]
    }

    /// What the broker wrote so far (stdout and stderr).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for ExtBroker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if thread::panicking() {
            eprintln!(
                "--- {} {} log ({}):\n{}",
                self.kind.name(),
                self.kind.version(),
                self.log.display(),
                self.log()
            );
        } else {
            let _ = std::fs::remove_file(&self.log);
        }
    }
}

/// A port that was free on 127.0.0.1 a moment ago.
fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .expect("bind an ephemeral port")
        .port()
}

/// Starts `kind` on `port`, logging to `log`, and waits until it accepts a
/// connection. On failure the process is reaped and its log returned.
fn launch(kind: Kind, dir: &Path, port: u16, log: &Path) -> Result<Child, String> {
    let file = std::fs::File::create(log).expect("create the broker log");
    let mut child = kind
        .command(dir, port)
        // A pipe nobody writes: the launchers exit when it closes, that is
        // when this process ends, however it ends.
        .stdin(Stdio::piped())
        .stdout(file.try_clone().expect("clone a file handle"))
        .stderr(file)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", kind.name()));
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            let text = std::fs::read_to_string(log).unwrap_or_default();
            return Err(format!("(exited: {status})\n{text}"));
        }
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(child);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            let text = std::fs::read_to_string(log).unwrap_or_default();
            return Err(format!("(no connection within {START_TIMEOUT:?})\n{text}"));
        }
        thread::sleep(Duration::from_millis(20));
    }
}
