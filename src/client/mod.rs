//! The client runtime behind `struct mosquitto`: the session, the socket,
//! the buffers between them, the loop functions and `loop_start`'s thread.
//!
//! Locking: one short lock (the client's state mutex) guards the session, the
//! connection and the outgoing buffer; the read buffer has its own lock,
//! held only by whichever thread is reading. Callbacks are called with
//! neither the state lock nor the handler's lock held, so a callback
//! may call any API function.

mod api;
pub mod api_checks;
pub mod buffers;
mod connect;
mod env;
mod error;
mod events;
mod link;
mod log;
mod loops;
mod on_demand;
pub mod options;
#[cfg(feature = "tls")]
mod psk;
mod random;
mod read;
mod report;
mod thread;
// Without a feature, its stand-in beside it (`*_off.rs`): setters that
// answer NotSupported, connections that stay plain.
#[cfg_attr(not(feature = "tls"), path = "tls_off.rs")]
mod tls;
#[cfg_attr(not(feature = "tls"), path = "tls_settings_off.rs")]
pub mod tls_settings;
#[cfg_attr(not(feature = "websockets"), path = "websocket_off.rs")]
mod websocket;
pub mod will;

use std::ffi::c_void;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Instant;

use crate::protocol::packet::ProtocolVersion;
use crate::session::{Config, Session};
use crate::transport::{Socks5, Stream, TlsSettings, WakeReceiver, WakeSender, Wakeup, WsSettings};

use buffers::{OutBuffer, ReadBuffer};
pub use error::{ClientError, ErrorKind};
pub use events::{Disconnection, Handler, HandlerCache, LogLevel};
pub use on_demand::OnDemand;

/// Who runs the network loop (`mosq->threaded` in the original).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Threading {
    /// The application calls the loop functions; API calls write at once.
    None = 0,
    /// `mosquitto_loop_start`'s thread.
    OwnThread = 1,
    /// `mosquitto_threaded_set(true)`: the application's own thread.
    External = 2,
}

/// What the application last asked for, which decides whether
/// `loop_forever` reconnects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Intent {
    /// Never connected (`loop_start`'s thread waits for a connect).
    New,
    /// Connected, or trying to be.
    Connect,
    /// `mosquitto_disconnect` was called.
    Disconnect,
}

/// Where to connect and how to get there.
#[derive(Clone, Debug, Default)]
pub struct Target {
    /// Broker host name, address, or unix socket path (port 0).
    pub host: Option<String>,
    /// Broker port (0: unix socket).
    pub port: u16,
    /// Local address to bind to.
    pub bind_address: Option<String>,
    /// SOCKS5 proxy, if any.
    pub socks5: Option<Box<Socks5Proxy>>,
}

/// `mosquitto_socks5_set`'s settings.
#[derive(Clone, Debug)]
pub struct Socks5Proxy {
    /// Proxy host.
    pub host: String,
    /// Proxy port.
    pub port: u16,
    /// User name, if any.
    pub username: Option<Vec<u8>>,
    /// Password, if any.
    pub password: Option<Vec<u8>>,
}

/// `mosquitto_reconnect_delay_set`'s settings.
#[derive(Clone, Copy, Debug)]
pub struct ReconnectDelay {
    /// First delay, seconds.
    pub delay: u32,
    /// Largest delay, seconds.
    pub max: u32,
    /// Grow quadratically rather than linearly.
    pub exponential: bool,
}

/// The live network connection.
pub struct Link {
    /// The socket, shared with a reader that reads without the state lock.
    pub stream: Arc<Stream>,
    /// A non-blocking connect is still under way.
    pub connecting: bool,
    /// The SOCKS5 handshake, while it runs.
    pub socks: Option<Box<Socks5>>,
}

/// Everything behind the state lock.
pub struct State {
    /// The MQTT session.
    session: Session,
    /// The connection, when there is one.
    link: Option<Link>,
    /// Bumped for every new connection, so a reader knows to drop stale bytes.
    generation: u64,
    /// Bytes waiting for the socket.
    out: OutBuffer,
    /// Where to connect.
    target: Target,
    /// What the application asked for.
    intent: Intent,
    /// Connections being opened outside the lock (by `mosquitto_connect*`
    /// or `mosquitto_reconnect*`), which the loop thread waits for.
    dialing: u32,
    /// Reconnect backoff settings.
    reconnect_delay: ReconnectDelay,
    /// Reconnect attempts since `loop_forever` started.
    reconnects: u32,
    /// `MOSQ_OPT_TCP_NODELAY`.
    tcp_nodelay: bool,
    /// The wake-up pair, made when a loop first needs it (clients driven
    /// only by an external event loop never use one, which saves two file
    /// descriptors each); never made with `MOSQ_OPT_DISABLE_SOCKETPAIR`.
    wake: Option<(WakeSender, Arc<WakeReceiver>)>,
    /// `MOSQ_OPT_DISABLE_SOCKETPAIR`.
    wake_disabled: bool,
    /// TLS settings (TLS is used when they name a CA source).
    tls: OnDemand<TlsSettings>,
    /// WebSocket transport settings (used when they say so).
    websockets: OnDemand<WsSettings>,
}

/// What the reading thread owns.
#[derive(Default)]
pub struct Reader {
    /// Incoming bytes.
    pub buf: ReadBuffer,
    /// The connection generation `buf` belongs to.
    pub generation: u64,
    /// Reused space for NUL-terminated copies of a message's topic and
    /// payload, as `struct mosquitto_message` needs.
    pub scratch: Vec<u8>,
    /// The handler as this reader last took it.
    pub handler: HandlerCache,
}

/// One client: what `struct mosquitto *` points to.
pub struct Client {
    state: Mutex<State>,
    reader: Mutex<Reader>,
    /// What hears about events (the C API's table of callbacks).
    handler: Mutex<Option<Arc<dyn Handler>>>,
    /// Bumped whenever the handler changes (from 1), so that a reader's
    /// [`HandlerCache`] knows when to take it again.
    handler_generation: AtomicU64,
    /// The application's own pointer, handed back with every event.
    userdata: AtomicPtr<c_void>,
    /// Set while the library runs a callback (the original's `in_callback`):
    /// API calls then leave writing to the loop.
    in_callback: AtomicBool,
    /// Whether QoS 0 completions need tracking (a publish callback is set).
    track_qos0: AtomicBool,
    /// Whether a log callback is set (debug lines are only built then).
    log_enabled: AtomicBool,
    threading: AtomicU8,
    /// Asks `loop_start`'s thread to leave.
    stop: AtomicBool,
    thread: Mutex<Option<JoinHandle<()>>>,
}

/// Milliseconds on a monotonic clock shared by all clients.
///
/// Read from the kernel's coarse monotonic clock (a few milliseconds of
/// resolution, which is all keep alive needs, at a fraction of the cost of
/// a precise reading: this is on the publish path).
pub fn now_ms() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec through a valid pointer;
    // CLOCK_MONOTONIC_COARSE exists on every Linux this library targets.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC_COARSE, &mut ts) };
    if rc != 0 {
        static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
        return EPOCH.get_or_init(Instant::now).elapsed().as_millis() as u64;
    }
    ts.tv_sec as u64 * 1000 + ts.tv_nsec as u64 / 1_000_000
}

/// Locks `m`, ignoring poisoning: a panic in another thread was already
/// turned into an error return by the FFI boundary, and the data it guards
/// stays consistent between statements.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl State {
    fn new(client_id: Option<&[u8]>, clean_start: bool) -> Self {
        let mut session = Session::new(Config::new(client_id, clean_start));
        env::apply(&mut session);
        State {
            session,
            link: None,
            generation: 0,
            out: OutBuffer::default(),
            target: Target::default(),
            intent: Intent::New,
            dialing: 0,
            reconnect_delay: ReconnectDelay {
                delay: 1,
                max: 1,
                exponential: false,
            },
            reconnects: 0,
            tcp_nodelay: false,
            wake: None,
            wake_disabled: false,
            tls: OnDemand::default(),
            websockets: OnDemand::default(),
        }
    }

    /// Makes the wake-up pair if a loop is about to need it.
    pub fn ensure_wake(&mut self) {
        if self.wake.is_none() && !self.wake_disabled {
            self.wake = Wakeup::new().ok().map(|(tx, rx)| (tx, Arc::new(rx)));
        }
    }

    /// Wakes the loop thread (used when new output appears).
    pub fn wake(&self) {
        if let Some((tx, _)) = &self.wake {
            tx.wake();
        }
    }

    /// Drops the connection: shuts the socket down, discards the bytes
    /// queued for it and tells the session. Nothing is reported.
    pub(crate) fn drop_link(&mut self) {
        if let Some(link) = self.link.take() {
            let _ = link.stream.shutdown();
        }
        self.abandon_link();
    }

    /// [`Self::drop_link`] for a connection that never came up: the socket
    /// is closed without a shutdown, as the original does.
    pub(crate) fn abandon_link(&mut self) {
        self.link = None;
        self.out.clear();
        self.session.connection_lost();
    }

    /// The protocol version in use.
    pub fn version(&self) -> ProtocolVersion {
        self.session.config().version
    }
}

impl Client {
    /// A client as `mosquitto_new` makes it; `userdata` NULL means the
    /// client's own handle (set by the caller once the address is known).
    pub fn new(client_id: Option<&[u8]>, clean_start: bool) -> Arc<Client> {
        Arc::new(Client {
            state: Mutex::new(State::new(client_id, clean_start)),
            reader: Mutex::new(Reader::default()),
            handler: Mutex::new(None),
            handler_generation: AtomicU64::new(1),
            userdata: AtomicPtr::new(std::ptr::null_mut()),
            in_callback: AtomicBool::new(false),
            track_qos0: AtomicBool::new(false),
            log_enabled: AtomicBool::new(false),
            threading: AtomicU8::new(Threading::None as u8),
            stop: AtomicBool::new(false),
            thread: Mutex::new(None),
        })
    }

    /// `mosquitto_reinitialise`: everything back to `mosquitto_new`'s state
    /// (a running loop thread is stopped first), keeping the handle.
    pub fn reinitialise(self: &Arc<Self>, client_id: Option<&[u8]>, clean_start: bool) {
        self.stop_thread(true);
        let mut st = lock(&self.state);
        wipe_secret(st.session.config_mut().password.take());
        *st = State::new(client_id, clean_start);
        drop(st);
        *lock(&self.reader) = Reader::default();
        self.update_handler(|_| None);
        self.set_threading(Threading::None);
    }

    /// The `obj` pointer passed to callbacks.
    pub fn userdata(&self) -> *mut c_void {
        self.userdata.load(Ordering::Acquire)
    }

    /// Sets the `obj` pointer passed to callbacks.
    pub fn set_userdata(&self, obj: *mut c_void) {
        self.userdata.store(obj, Ordering::Release);
    }

    /// Runs `f` on the locked state.
    pub fn with_state<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut lock(&self.state))
    }

    /// Who runs the loop.
    pub fn threading(&self) -> Threading {
        match self.threading.load(Ordering::Acquire) {
            1 => Threading::OwnThread,
            2 => Threading::External,
            _ => Threading::None,
        }
    }

    /// `mosquitto_threaded_set` (and `loop_start`/`loop_stop`).
    pub fn set_threading(&self, t: Threading) {
        self.threading.store(t as u8, Ordering::Release);
    }

    /// Whether the library is running a callback.
    fn in_callback(&self) -> bool {
        self.in_callback.load(Ordering::Acquire)
    }

    /// Whether an API call should write to the socket itself, as the
    /// original does without a loop thread and outside callbacks.
    fn writes_directly(&self) -> bool {
        self.threading() == Threading::None && !self.in_callback()
    }

    /// Whether a log callback wants debug lines.
    fn logging(&self) -> bool {
        self.log_enabled.load(Ordering::Relaxed)
    }

    /// Whether QoS 0 completions need tracking.
    fn tracks_qos0(&self) -> bool {
        self.track_qos0.load(Ordering::Relaxed)
    }
}

/// Overwrites a secret (a password) with zeros before its memory is freed.
pub fn wipe_secret(secret: Option<Vec<u8>>) {
    if let Some(mut s) = secret {
        s.iter_mut().for_each(|b| *b = 0);
        // Keep the compiler from dropping the writes as dead stores.
        std::hint::black_box(&s);
    }
}

impl Drop for Client {
    /// The password does not outlive the client in memory.
    fn drop(&mut self) {
        let st = self.state.get_mut().unwrap_or_else(|e| e.into_inner());
        wipe_secret(st.session.config_mut().password.take());
        if let Some(proxy) = st.target.socks5.as_mut() {
            wipe_secret(proxy.password.take());
        }
    }
}
#[cfg(test)]
mod tests {
    /// A process may hold thousands of idle clients: the struct behind
    /// each handle stays small (settings few clients use live behind
    /// [`OnDemand`] or a `Box`).
    #[test]
    fn an_idle_client_is_small() {
        let size = std::mem::size_of::<super::Client>();
        assert!(size <= 800, "struct Client grew to {size} bytes");
    }
}
