//! A real broker for tests: Debian's `/usr/sbin/mosquitto` on loopback,
//! with a generated configuration in its own scratch folder.
//!
//! Every [`Broker`] has its own ports (found free at start), folder, log,
//! password file, unix socket and persistence folder, so tests may run in
//! parallel. Dropping it kills the broker; if the test is panicking, the
//! broker's log is printed first.

use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::MetadataExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use super::run::run_ok;

/// The broker binary.
pub const MOSQUITTO: &str = "/usr/sbin/mosquitto";

/// How long a starting broker has to accept connections.
const START_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a gracefully stopped broker has to exit before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(5);

/// Longest unix socket path we create (`sun_path` holds 108 bytes).
const MAX_SOCKET_PATH: usize = 100;

/// Distinguishes the brokers of one test process.
static NEXT_ID: AtomicUsize = AtomicUsize::new(0);

/// Which listeners, users and limits a [`Broker`] gets. Start from
/// [`BrokerOptions::default`] (one anonymous TCP listener on 127.0.0.1) and
/// chain the builder methods.
#[derive(Clone, Debug)]
pub struct BrokerOptions {
    /// An anonymous TCP listener on 127.0.0.1.
    pub tcp: bool,
    /// An anonymous TCP listener on ::1.
    pub tcp6: bool,
    /// Users of the password-protected listener on 127.0.0.1 (which exists
    /// only when this is not empty).
    pub users: Vec<(String, String)>,
    /// An anonymous unix socket listener.
    pub unix_socket: bool,
    /// Whether the broker persists sessions and retained messages.
    pub persistence: bool,
    /// `max_inflight_messages`.
    pub max_inflight: Option<u32>,
    /// `max_queued_messages`.
    pub max_queued: Option<u32>,
    /// Extra global configuration lines.
    pub extra: Vec<String>,
    /// A name for the scratch folder (to recognise it).
    pub name: String,
}

impl Default for BrokerOptions {
    fn default() -> Self {
        BrokerOptions {
            tcp: true,
            tcp6: false,
            users: Vec::new(),
            unix_socket: false,
            persistence: false,
            max_inflight: None,
            max_queued: None,
            extra: Vec::new(),
            name: "broker".into(),
        }
    }
}

impl BrokerOptions {
    /// Names the scratch folder.
    pub fn name(mut self, name: &str) -> Self {
        self.name = name.into();
        self
    }

    /// Drops the anonymous 127.0.0.1 listener.
    pub fn no_tcp(mut self) -> Self {
        self.tcp = false;
        self
    }

    /// Adds an anonymous listener on ::1.
    pub fn tcp6(mut self) -> Self {
        self.tcp6 = true;
        self
    }

    /// Adds a user to the password-protected listener (creating it).
    pub fn user(mut self, name: &str, password: &str) -> Self {
        self.users.push((name.into(), password.into()));
        self
    }

    /// Adds an anonymous unix socket listener.
    pub fn unix_socket(mut self) -> Self {
        self.unix_socket = true;
        self
    }

    /// Turns persistence on (kept across [`Broker::restart`]).
    pub fn persistence(mut self) -> Self {
        self.persistence = true;
        self
    }

    /// Sets `max_inflight_messages`.
    pub fn max_inflight(mut self, n: u32) -> Self {
        self.max_inflight = Some(n);
        self
    }

    /// Sets `max_queued_messages`.
    pub fn max_queued(mut self, n: u32) -> Self {
        self.max_queued = Some(n);
        self
    }

    /// Appends a raw global configuration line. `{port:NAME}` in it stands
    /// for a free port picked for NAME at each start attempt (ask it back
    /// with [`Broker::named_port`]), so extra listeners get new ports too
    /// when a port found free was taken meanwhile.
    pub fn config(mut self, line: &str) -> Self {
        self.extra.push(line.into());
        self
    }
}

/// One of a broker's listeners, to ask how to reach it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Listener {
    /// Anonymous TCP on 127.0.0.1.
    Tcp,
    /// Anonymous TCP on ::1.
    Tcp6,
    /// Password-protected TCP on 127.0.0.1.
    Auth,
    /// Anonymous unix socket.
    Unix,
}

/// Whether this machine can bind ::1 (IPv6 loopback).
pub fn ipv6_available() -> bool {
    TcpListener::bind((Ipv6Addr::LOCALHOST, 0)).is_ok()
}

/// A running (or stopped, between [`Broker::stop`] and
/// [`Broker::start_again`]) mosquitto broker.
pub struct Broker {
    child: Option<Child>,
    dir: PathBuf,
    config: PathBuf,
    log: PathBuf,
    stderr: PathBuf,
    tcp: Option<u16>,
    tcp6: Option<u16>,
    auth: Option<u16>,
    socket: Option<PathBuf>,
    persistence: Option<PathBuf>,
    options: BrokerOptions,
    /// Set when a panic message already carries the log.
    log_reported: bool,
    /// The ports picked for `{port:NAME}` placeholders.
    named: Vec<(String, u16)>,
}

impl Broker {
    /// Starts a broker with `options`; panics (showing its log) if it does
    /// not accept connections within 5 s.
    pub fn start(options: BrokerOptions) -> Broker {
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let dir = scratch_root().join(format!("{}-{}-{id}", options.name, std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the broker folder");
        let socket = options.unix_socket.then(|| socket_path(&dir, id));
        let persistence = options.persistence.then(|| dir.join("persist"));
        if let Some(p) = &persistence {
            std::fs::create_dir_all(p).expect("create the persistence folder");
        }
        let mut broker = Broker {
            child: None,
            config: dir.join("mosquitto.conf"),
            log: dir.join("mosquitto.log"),
            stderr: dir.join("stderr.log"),
            dir,
            tcp: None,
            tcp6: None,
            auth: None,
            socket,
            persistence,
            options,
            log_reported: false,
            named: Vec::new(),
        };
        if !broker.options.users.is_empty() {
            broker.write_password_file();
        }
        // A port found free may be taken before the broker binds it: try
        // again with new ports when that happens.
        for attempt in 1.. {
            broker.pick_ports();
            broker.write_config();
            match broker.launch() {
                Ok(()) => break,
                Err(log) if attempt < 3 && log.contains("in use") => continue,
                Err(log) => {
                    broker.log_reported = true;
                    panic!("mosquitto did not start:\n{log}");
                }
            }
        }
        broker
    }

    /// A broker with just the anonymous 127.0.0.1 listener.
    pub fn plain() -> Broker {
        Broker::start(BrokerOptions::default())
    }

    /// The anonymous 127.0.0.1 listener's port.
    pub fn port(&self) -> u16 {
        self.tcp.expect("this broker has no anonymous TCP listener")
    }

    /// The anonymous 127.0.0.1 listener's address.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port()))
    }

    /// The anonymous ::1 listener's port.
    pub fn port6(&self) -> u16 {
        self.tcp6.expect("this broker has no ::1 listener")
    }

    /// The password-protected listener's port.
    pub fn auth_port(&self) -> u16 {
        self.auth.expect("this broker has no password listener")
    }

    /// The unix socket's path.
    pub fn socket_path(&self) -> &Path {
        self.socket
            .as_deref()
            .expect("this broker has no unix socket listener")
    }

    /// The persistence folder, if persistence is on.
    pub fn persistence_dir(&self) -> Option<&Path> {
        self.persistence.as_deref()
    }

    /// The broker's scratch folder (config, log, password file).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The generated configuration file.
    pub fn config_path(&self) -> &Path {
        &self.config
    }

    /// The broker's process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The `mosquitto_pub`/`mosquitto_sub` arguments that reach `listener`
    /// (`-h HOST -p PORT` or `--unix PATH`).
    pub fn client_args(&self, listener: Listener) -> Vec<String> {
        match listener {
            Listener::Tcp => host_port("127.0.0.1", self.port()),
            Listener::Tcp6 => host_port("::1", self.port6()),
            Listener::Auth => host_port("127.0.0.1", self.auth_port()),
            Listener::Unix => vec![
                "--unix".into(),
                self.socket_path().to_string_lossy().into_owned(),
            ],
        }
    }

    /// The log so far: the log file, then anything written to stderr.
    pub fn log(&self) -> String {
        let mut text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let stderr = std::fs::read_to_string(&self.stderr).unwrap_or_default();
        if !stderr.is_empty() {
            text.push_str("--- stderr\n");
            text.push_str(&stderr);
        }
        text
    }

    /// Waits until the log contains `needle`; panics with the log if it
    /// does not within `timeout`.
    pub fn wait_for_log(&self, needle: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while !self.log().contains(needle) {
            assert!(
                Instant::now() < deadline,
                "{needle:?} not in the broker log within {timeout:?}:\n{}",
                self.log()
            );
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// Whether the broker process is running.
    pub fn is_running(&mut self) -> bool {
        match &mut self.child {
            Some(c) => matches!(c.try_wait(), Ok(None)),
            None => false,
        }
    }

    /// Stops the broker gracefully (SIGTERM, so persistence is saved) and
    /// waits for it; kills it if it has not exited within 5 s.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let deadline = Instant::now() + STOP_TIMEOUT;
        while matches!(child.try_wait(), Ok(None)) {
            if Instant::now() >= deadline {
                let _ = child.kill();
                break;
            }
            thread::sleep(Duration::from_millis(5));
        }
        let _ = child.wait();
    }

    /// Kills the broker at once (SIGKILL: nothing is saved), as a crash.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts a stopped broker again on the same ports, socket and
    /// persistence folder; panics with the log if it does not come up.
    pub fn start_again(&mut self) {
        assert!(self.child.is_none(), "the broker is already running");
        if let Err(log) = self.launch() {
            self.log_reported = true;
            panic!("mosquitto did not start again:\n{log}");
        }
    }

    /// [`Broker::stop`] then [`Broker::start_again`].
    pub fn restart(&mut self) {
        self.stop();
        self.start_again();
    }

    /// Finds a free port for every TCP listener.
    fn pick_ports(&mut self) {
        // Hold all the probes at once so the ports differ.
        let v4 = |on: bool| on.then(|| TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap());
        let tcp = v4(self.options.tcp);
        let auth = v4(!self.options.users.is_empty());
        let tcp6 = self.options.tcp6.then(|| {
            TcpListener::bind((Ipv6Addr::LOCALHOST, 0)).expect("::1 is not available here")
        });
        let port = |l: &Option<TcpListener>| l.as_ref().map(|l| l.local_addr().unwrap().port());
        self.tcp = port(&tcp);
        self.auth = port(&auth);
        self.tcp6 = port(&tcp6);
        // Ports for the `{port:NAME}` placeholders, probed while the others
        // are still held so that all differ.
        let mut held = Vec::new();
        self.named.clear();
        for line in &self.options.extra {
            let mut rest = line.as_str();
            while let Some(at) = rest.find("{port:") {
                let end = rest[at..].find('}').expect("unterminated {port:NAME}") + at;
                let name = &rest[at + 6..end];
                if !self.named.iter().any(|(n, _)| n == name) {
                    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
                    self.named
                        .push((name.to_string(), l.local_addr().unwrap().port()));
                    held.push(l);
                }
                rest = &rest[end + 1..];
            }
        }
    }

    /// The port picked for the `{port:NAME}` placeholder of the
    /// configuration lines.
    pub fn named_port(&self, name: &str) -> u16 {
        self.named
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no {{port:{name}}} placeholder"))
            .1
    }

    /// `line` with its `{port:NAME}` placeholders filled in.
    fn fill_ports(&self, line: &str) -> String {
        let mut out = line.to_string();
        for (name, port) in &self.named {
            out = out.replace(&format!("{{port:{name}}}"), &port.to_string());
        }
        out
    }

    /// Creates the password file with every user.
    fn write_password_file(&self) {
        let file = self.dir.join("passwd");
        std::fs::write(&file, "").expect("create the password file");
        for (user, password) in &self.options.users {
            run_ok(
                Command::new("mosquitto_passwd")
                    .arg("-b")
                    .arg(&file)
                    .args([user, password]),
                Duration::from_secs(10),
            );
        }
    }

    /// Writes the configuration file for the current ports.
    fn write_config(&self) {
        let o = &self.options;
        let mut c = String::new();
        c.push_str("per_listener_settings true\n");
        if running_as_root() {
            // Otherwise mosquitto switches to the `mosquitto` user, which
            // cannot write our folder.
            c.push_str("user root\n");
        }
        let _ = writeln!(c, "log_dest file {}", self.log.display());
        c.push_str("log_type all\nconnection_messages true\nlog_timestamp true\n");
        match &self.persistence {
            Some(p) => {
                let _ = writeln!(c, "persistence true\npersistence_location {}/", p.display());
            }
            None => c.push_str("persistence false\n"),
        }
        if let Some(n) = o.max_inflight {
            let _ = writeln!(c, "max_inflight_messages {n}");
        }
        if let Some(n) = o.max_queued {
            let _ = writeln!(c, "max_queued_messages {n}");
        }
        for line in &o.extra {
            let _ = writeln!(c, "{}", self.fill_ports(line));
        }
        if let Some(port) = self.tcp {
            let _ = writeln!(c, "\nlistener {port} 127.0.0.1\nallow_anonymous true");
        }
        if let Some(port) = self.tcp6 {
            let _ = writeln!(c, "\nlistener {port} ::1\nallow_anonymous true");
        }
        if let Some(port) = self.auth {
            let _ = writeln!(
                c,
                "\nlistener {port} 127.0.0.1\nallow_anonymous false\npassword_file {}",
                self.dir.join("passwd").display()
            );
        }
        if let Some(path) = &self.socket {
            let _ = writeln!(c, "\nlistener 0 {}\nallow_anonymous true", path.display());
        }
        std::fs::write(&self.config, c).expect("write mosquitto.conf");
    }

    /// Starts the process and waits until every listener accepts a
    /// connection. On failure the process is reaped and the log returned.
    fn launch(&mut self) -> Result<(), String> {
        if let Some(path) = &self.socket {
            let _ = std::fs::remove_file(path);
        }
        let stderr = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.stderr)
            .expect("open the broker's stderr file");
        // Where this start's lines begin (a restart appends to the log).
        let log_start = std::fs::metadata(&self.log).map_or(0, |m| m.len());
        let child = Command::new(MOSQUITTO)
            .arg("-c")
            .arg(&self.config)
            .stdin(Stdio::null())
            .stdout(stderr.try_clone().expect("clone a file handle"))
            .stderr(stderr)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {MOSQUITTO}: {e}"));
        self.child = Some(child);
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            // Both: a listener that accepts may belong to another test's
            // broker that took a port this one could not bind; mosquitto
            // says "running" only once it holds every listener.
            if self.says_running_since(log_start) && self.accepts_everywhere() {
                return Ok(());
            }
            let exited = !self.is_running();
            if exited || Instant::now() >= deadline {
                self.kill();
                let why = if exited { "exited" } else { "timed out" };
                return Err(format!("({why})\n{}", self.log()));
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// Whether the log, from byte `start` on, has mosquitto's line saying
    /// it opened every listener and runs.
    fn says_running_since(&self, start: u64) -> bool {
        let text = std::fs::read(&self.log).unwrap_or_default();
        let new = text.get(start as usize..).unwrap_or_default();
        String::from_utf8_lossy(new)
            .lines()
            .any(|l| l.contains("mosquitto version") && l.ends_with(" running"))
    }

    /// Whether every listener accepts a connection now.
    fn accepts_everywhere(&self) -> bool {
        let v4 = |port: Option<u16>| match port {
            Some(p) => connects(SocketAddr::from((Ipv4Addr::LOCALHOST, p))),
            None => true,
        };
        let v6 = match self.tcp6 {
            Some(p) => connects(SocketAddr::from((Ipv6Addr::LOCALHOST, p))),
            None => true,
        };
        let unix = match &self.socket {
            Some(s) => UnixStream::connect(s).is_ok(),
            None => true,
        };
        v4(self.tcp) && v4(self.auth) && v6 && unix
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        self.kill();
        if thread::panicking() && !self.log_reported {
            eprintln!(
                "--- mosquitto log ({}):\n{}",
                self.dir.display(),
                self.log()
            );
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
            if let Some(s) = &self.socket {
                let _ = std::fs::remove_file(s);
            }
        }
    }
}

/// Whether a TCP connection to `addr` succeeds now.
fn connects(addr: SocketAddr) -> bool {
    TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok()
}

/// `-h host -p port` as arguments.
fn host_port(host: &str, port: u16) -> Vec<String> {
    vec!["-h".into(), host.into(), "-p".into(), port.to_string()]
}

/// Where brokers' folders go: `target/test-scratch/brokers`.
fn scratch_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/test-scratch/brokers")
}

/// A unix socket path in `dir`, or in the temporary folder when that would
/// be too long for `sun_path`.
fn socket_path(dir: &Path, id: usize) -> PathBuf {
    let path = dir.join("mqtt.sock");
    if path.as_os_str().len() <= MAX_SOCKET_PATH {
        path
    } else {
        std::env::temp_dir().join(format!("mosq-test-{}-{id}.sock", std::process::id()))
    }
}

/// Whether this process runs as root (it owns `/proc/self`).
fn running_as_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}
