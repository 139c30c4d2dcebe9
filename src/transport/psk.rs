//! TLS 1.3 with an external pre-shared key (`mosquitto_tls_psk_set`) over a
//! non-blocking socket.
//!
//! rustls offers no external PSK, so this connection is `embedded-tls`, a
//! pure-Rust TLS 1.3 client, with the one suite OpenSSL ties such a key to
//! (`TLS_AES_128_GCM_SHA256`). Its blocking API loses a partial record on
//! `WouldBlock`, so [`PskStream`] drives its async API instead: one
//! long-lived session future owns the connection (its read futures are not
//! cancel-safe, so it is never dropped half-way) and is polled with a no-op
//! waker whenever the caller reads, writes or flushes, that is whenever
//! the client's own `poll` says the socket is ready. The future's socket
//! (`Sock`) turns `WouldBlock` into `Pending`.
//!
//! After the handshake the session splits into a reader and a writer,
//! joined by hand: the writer sends what [`PskStream::write`] queued, the
//! reader decrypts into a buffer [`PskStream::read`] empties. The reader
//! touches the socket only from [`PskStream::read`] (or during the
//! handshake), so bytes are never taken off the socket behind the back of
//! a caller that waits for it to become readable.

use std::collections::VecDeque;
use std::fmt;
use std::future::{poll_fn, Future};
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use embedded_io_async::{Read as _, Write as _};
use embedded_tls::{
    Aes128GcmSha256, TlsConfig, TlsConnection, TlsContext, TlsError as EtError, UnsecureProvider,
};

use super::random::OsRandom;
use super::stream::Stream;
use super::tls::TlsError;
use super::tls_report::{alert_line, UNEXPECTED_EOF};

/// The largest TLS record (16 KiB of plaintext plus the most a peer may
/// add), so any record the broker sends fits.
const RECORD_READ_BUF: usize = 16 * 1024 + 256;
/// Outgoing records: up to 16 KiB of plaintext each.
const RECORD_WRITE_BUF: usize = 16 * 1024 + 64;
/// Decrypted bytes held for [`PskStream::read`] before the reader stops
/// reading the socket.
const INPUT_LIMIT: usize = 64 * 1024;
/// Plaintext [`PskStream::write`] accepts ahead of the socket.
const OUTPUT_LIMIT: usize = 64 * 1024;
/// OpenSSL's largest pre-shared key (`PSK_MAX_PSK_LEN`).
const MAX_PSK_LEN: usize = 512;
/// OpenSSL's identity buffer (`PSK_MAX_IDENTITY_LEN`), NUL included: longer
/// identities are cut, as the original's `snprintf` into it cuts them.
const MAX_IDENTITY_LEN: usize = 256;

/// The only suite here, as OpenSSL names it.
pub const PSK_SUITE: &str = "TLS_AES_128_GCM_SHA256";

/// The log line when the broker will not do TLS 1.3.
pub const NEEDS_TLS13: &str = "Error: TLS-PSK here needs TLS 1.3 (TLS_AES_128_GCM_SHA256); the broker refused TLS 1.3 (is its listener limited to TLS 1.2?).";

/// A pre-shared key and identity, as `mosquitto_tls_psk_set` stores them.
#[derive(Clone)]
pub struct PskSettings {
    /// The key as given: hexadecimal digits (checked by the setter).
    pub hex: String,
    /// The identity sent to the broker.
    pub identity: Vec<u8>,
}

impl fmt::Debug for PskSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the key.
        f.debug_struct("PskSettings")
            .field("identity", &String::from_utf8_lossy(&self.identity))
            .finish_non_exhaustive()
    }
}

/// Whether `s` is all hexadecimal digits (the original's check; the empty
/// string passes).
pub fn is_hex(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The key bytes the original derives from its hex string: each leading
/// `00` pair is a zero byte, the rest is read as one big number (so an odd
/// digit count is fine). `None` where the original's key callback gives no
/// key (empty string, longer than OpenSSL's 512 bytes).
pub fn key_bytes(hex: &str) -> Option<Vec<u8>> {
    if hex.is_empty() || !is_hex(hex) {
        return None;
    }
    let zeros = hex.as_bytes().chunks(2).take_while(|c| *c == b"00").count();
    let digits = hex.trim_start_matches('0');
    let mut padded = String::with_capacity(digits.len() + 1);
    if digits.len() % 2 == 1 {
        padded.push('0');
    }
    padded.push_str(digits);
    let mut out = vec![0u8; zeros];
    for pair in padded.as_bytes().chunks(2) {
        let s = std::str::from_utf8(pair).ok()?;
        out.push(u8::from_str_radix(s, 16).ok()?);
    }
    (out.len() <= MAX_PSK_LEN).then_some(out)
}

/// Whether an OpenSSL-style cipher list names only TLS 1.2 PSK suites
/// (names with `PSK` in them), none of which exist here.
///
/// OpenSSL's cipher list governs TLS 1.2 and below only, so the original
/// still connects over TLS 1.3 with such a list; so does this library,
/// after the warning [`tls12_only_warning`] gives.
pub fn names_only_tls12_psk(ciphers: &str) -> bool {
    let names: Vec<&str> = ciphers
        .split([':', ',', ' '])
        .filter(|n| !n.is_empty() && !n.starts_with(['!', '-', '+', '@']))
        .collect();
    !names.is_empty()
        && names
            .iter()
            .all(|n| n.to_ascii_uppercase().contains("PSK") && !n.eq_ignore_ascii_case(PSK_SUITE))
}

/// The warning for a cipher list that names only TLS 1.2 PSK suites.
pub fn tls12_only_warning(ciphers: &str) -> String {
    format!(
        "Warning: TLS-PSK here is TLS 1.3 only: the cipher list \"{ciphers}\" names only TLS 1.2 PSK suites, which this library does not have; the connection uses TLS 1.3 with {PSK_SUITE} (as OpenSSL does, its cipher list governing TLS 1.2 only)."
    )
}

/// What the session future and the [`PskStream`] methods share.
#[derive(Default)]
struct Shared {
    /// Plaintext waiting for the writer.
    out: Vec<u8>,
    /// Decrypted bytes not read yet.
    input: VecDeque<u8>,
    /// The handshake is complete.
    open: bool,
    /// Whether the reader may take bytes off the socket now.
    may_read: bool,
    /// Whether the current poll comes from [`PskStream::read`].
    reading: bool,
    /// The socket refused a write with TLS bytes still to send.
    write_blocked: bool,
    /// The socket reported end of stream.
    eof: bool,
    /// The socket's last error (kind and OS error number).
    io_error: Option<(io::ErrorKind, Option<i32>)>,
}

/// The socket as the session future sees it: `WouldBlock` is `Pending`.
#[derive(Clone)]
struct Sock {
    inner: Arc<Stream>,
    shared: Arc<Mutex<Shared>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Sock {
    fn note(&self, r: &io::Result<usize>, write: bool) {
        let mut sh = lock(&self.shared);
        match r {
            Ok(0) if !write => sh.eof = true,
            Ok(_) => {
                if write {
                    sh.write_blocked = false;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                if write {
                    sh.write_blocked = true;
                }
            }
            Err(e) => sh.io_error = Some((e.kind(), e.raw_os_error())),
        }
    }
}

impl embedded_io::ErrorType for Sock {
    type Error = io::Error;
}

impl embedded_io_async::Read for Sock {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, io::Error> {
        poll_fn(|_| {
            if !lock(&self.shared).may_read {
                return Poll::Pending;
            }
            loop {
                let r = self.inner.read(buf);
                self.note(&r, false);
                return match r {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => Poll::Pending,
                    r => Poll::Ready(r),
                };
            }
        })
        .await
    }
}

impl embedded_io_async::Write for Sock {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, io::Error> {
        poll_fn(|_| loop {
            let r = self.inner.write(buf);
            self.note(&r, true);
            return match r {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => Poll::Pending,
                r => Poll::Ready(r),
            };
        })
        .await
    }

    async fn flush(&mut self) -> Result<(), io::Error> {
        Ok(())
    }
}

/// How the session ended.
#[derive(Debug)]
enum End {
    /// The broker closed the connection (or sent close_notify).
    Closed,
    /// The handshake (`true`) or the session after it failed in TLS.
    Tls(EtError, bool),
}

/// The session future, boxed.
///
/// It is not `Send` as the compiler sees it only because embedded-tls keeps
/// a `Range<*const u8>` (the bounds of its own record buffer, which this
/// future owns) across an await point.
struct SessionFuture(Pin<Box<dyn Future<Output = End>>>);

// SAFETY: the only non-`Send` parts of the future are raw pointers into
// buffers the future itself owns (boxed, so they do not move); nothing in
// it is tied to a thread (no thread-locals, no `Rc`: its socket is an
// `Arc<Stream>` and its shared state an `Arc<Mutex<_>>`). It is polled only
// with the `PskStream`'s session mutex held, so one thread at a time.
unsafe impl Send for SessionFuture {}

/// The whole connection: handshake, then reader and writer side by side.
async fn session(sock: Sock, key: Vec<u8>, identity: Vec<u8>, sni: Option<String>) -> End {
    let shared = Arc::clone(&sock.shared);
    let mut read_buf = vec![0u8; RECORD_READ_BUF];
    let mut write_buf = vec![0u8; RECORD_WRITE_BUF];
    let identities = [identity.as_slice()];
    let mut config = TlsConfig::new().with_psk(&key, &identities);
    if let Some(name) = sni.as_deref() {
        config = config.with_server_name(name);
    }
    let mut conn: TlsConnection<'_, Sock, Aes128GcmSha256> =
        TlsConnection::new(sock, &mut read_buf, &mut write_buf);
    let provider = UnsecureProvider::new::<Aes128GcmSha256>(OsRandom);
    if let Err(e) = conn.open(TlsContext::new(&config, provider)).await {
        return End::Tls(e, true);
    }
    {
        let mut sh = lock(&shared);
        sh.open = true;
        // From now on, only a read may take bytes off the socket.
        sh.may_read = sh.reading;
    }
    let (mut reader, mut writer) = conn.split();
    let reading = async {
        let mut chunk = vec![0u8; 16 * 1024];
        loop {
            poll_fn(|_| {
                if lock(&shared).input.len() < INPUT_LIMIT {
                    Poll::Ready(())
                } else {
                    Poll::Pending
                }
            })
            .await;
            match reader.read(&mut chunk).await {
                Ok(0) | Err(EtError::ConnectionClosed) => return End::Closed,
                Ok(n) => lock(&shared).input.extend(&chunk[..n]),
                Err(EtError::IoError | EtError::Io(_)) => return End::Closed,
                Err(e) => return End::Tls(e, false),
            }
        }
    };
    let writing = async {
        loop {
            let data = poll_fn(|_| {
                let mut sh = lock(&shared);
                if sh.out.is_empty() {
                    Poll::Pending
                } else {
                    Poll::Ready(std::mem::take(&mut sh.out))
                }
            })
            .await;
            let sent = async {
                writer.write_all(&data).await?;
                writer.flush().await
            };
            match sent.await {
                Ok(()) => {}
                Err(EtError::IoError | EtError::Io(_)) => return End::Closed,
                Err(e) => return End::Tls(e, false),
            }
        }
    };
    first_of(reading, writing).await
}

/// Runs both futures, never dropping one half-way while the other is
/// pending; the first to finish ends the session.
async fn first_of<A, B>(a: A, b: B) -> End
where
    A: Future<Output = End>,
    B: Future<Output = End>,
{
    let mut a = std::pin::pin!(a);
    let mut b = std::pin::pin!(b);
    poll_fn(move |cx| {
        if let Poll::Ready(end) = a.as_mut().poll(cx) {
            return Poll::Ready(end);
        }
        b.as_mut().poll(cx)
    })
    .await
}

/// The session future and how it ended.
struct Session {
    future: Option<SessionFuture>,
    started: bool,
    end: Option<End>,
}

/// A TLS 1.3 PSK connection over a connected (or connecting) [`Stream`].
pub struct PskStream {
    inner: Arc<Stream>,
    shared: Arc<Mutex<Shared>>,
    session: Mutex<Session>,
}

impl fmt::Debug for PskStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PskStream")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl PskStream {
    /// Starts a PSK session to `host` over `inner`; nothing is sent until
    /// the first read, write or flush. Fails when the key gives no bytes
    /// (as the original's key callback then gives OpenSSL none).
    pub fn new(inner: Arc<Stream>, psk: &PskSettings, host: &str) -> Result<PskStream, TlsError> {
        let key = key_bytes(&psk.hex).ok_or_else(|| {
            TlsError::config(
                "Error: the TLS-PSK key gives no key bytes (empty or longer than 512 bytes)."
                    .to_string(),
            )
        })?;
        let mut identity = psk.identity.clone();
        identity.truncate(MAX_IDENTITY_LEN - 1);
        // A server name is sent for host names only, not for addresses.
        let sni = host
            .parse::<std::net::IpAddr>()
            .is_err()
            .then(|| host.to_string());
        let shared = Arc::new(Mutex::new(Shared {
            may_read: true,
            ..Shared::default()
        }));
        let sock = Sock {
            inner: Arc::clone(&inner),
            shared: Arc::clone(&shared),
        };
        Ok(PskStream {
            inner,
            shared,
            session: Mutex::new(Session {
                future: Some(SessionFuture(Box::pin(session(sock, key, identity, sni)))),
                started: false,
                end: None,
            }),
        })
    }

    /// The socket underneath.
    pub fn inner(&self) -> &Stream {
        &self.inner
    }

    /// Polls the session once (no-op waker: the caller's `poll` is what
    /// wakes us), reading from the socket if `read` (always during the
    /// handshake).
    fn drive(&self, s: &mut Session, read: bool) {
        let Some(fut) = s.future.as_mut() else {
            return;
        };
        s.started = true;
        {
            let mut sh = lock(&self.shared);
            sh.reading = read;
            sh.may_read = read || !sh.open;
        }
        let mut cx = Context::from_waker(Waker::noop());
        if let Poll::Ready(end) = fut.0.as_mut().poll(&mut cx) {
            s.future = None;
            s.end = Some(end);
        }
        let mut sh = lock(&self.shared);
        sh.may_read = !sh.open;
    }

    /// The error (or end of stream) the session ended with.
    fn ended(&self, end: &End) -> io::Result<usize> {
        let sh = lock(&self.shared);
        let hung_up = || {
            io_error(TlsError {
                handshake: true,
                during_handshake: true,
                message: UNEXPECTED_EOF.to_string(),
            })
        };
        match end {
            End::Closed => Ok(0),
            End::Tls(_, true) if sh.eof => Err(hung_up()),
            End::Tls(_, true) => match sh.io_error {
                Some((
                    io::ErrorKind::ConnectionReset
                    | io::ErrorKind::BrokenPipe
                    | io::ErrorKind::ConnectionAborted,
                    _,
                )) => Err(hung_up()),
                Some((_, Some(errno))) => Err(io::Error::from_raw_os_error(errno)),
                Some((kind, None)) => Err(kind.into()),
                None => Err(io_error(describe(end))),
            },
            End::Tls(..) => match sh.io_error {
                Some((_, Some(errno))) => Err(io::Error::from_raw_os_error(errno)),
                _ => Err(io_error(describe(end))),
            },
        }
    }

    /// Reads decrypted data; `Ok(0)` means the broker closed the connection.
    pub fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        let mut s = lock(&self.session);
        self.drive(&mut s, true);
        {
            let mut sh = lock(&self.shared);
            if !sh.input.is_empty() {
                let n = buf.len().min(sh.input.len());
                for (d, b) in buf.iter_mut().zip(sh.input.drain(..n)) {
                    *d = b;
                }
                return Ok(n);
            }
        }
        match &s.end {
            Some(end) => self.ended(end),
            None => Err(io::ErrorKind::WouldBlock.into()),
        }
    }

    /// Queues `buf` for encryption and sends what the socket takes now
    /// (during the handshake it waits for the handshake's end);
    /// `WouldBlock` when too much is already waiting.
    pub fn write(&self, buf: &[u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let mut s = lock(&self.session);
        if let Some(end) = &s.end {
            return match self.ended(end) {
                Ok(_) => Err(io::ErrorKind::BrokenPipe.into()),
                Err(e) => Err(e),
            };
        }
        let n = {
            let mut sh = lock(&self.shared);
            let n = buf.len().min(OUTPUT_LIMIT.saturating_sub(sh.out.len()));
            sh.out.extend_from_slice(&buf[..n]);
            n
        };
        self.drive(&mut s, false);
        if let Some(end @ End::Tls(..)) = &s.end {
            return self.ended(end);
        }
        if n == 0 {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        Ok(n)
    }

    /// Moves the handshake on and sends what waits for the socket;
    /// `WouldBlock` is not an error.
    pub fn flush(&self) -> io::Result<()> {
        let mut s = lock(&self.session);
        self.drive(&mut s, false);
        match &s.end {
            Some(end @ End::Tls(..)) => self.ended(end).map(|_| ()),
            _ => Ok(()),
        }
    }

    /// Whether TLS bytes wait for the socket to become writable: before
    /// the first flight, when the socket refused a write, or when queued
    /// data can go (after the handshake).
    pub fn wants_write(&self) -> bool {
        let s = lock(&self.session);
        if s.end.is_some() {
            return false;
        }
        let sh = lock(&self.shared);
        !s.started || sh.write_blocked || (sh.open && !sh.out.is_empty())
    }

    /// Shuts the socket down (no close_notify: the session's writer is
    /// busy or idle, and the broker treats either end alike).
    pub fn shutdown(&self) -> io::Result<()> {
        self.inner.shutdown()
    }
}

/// The log lines for a failure inside embedded-tls, in OpenSSL's words
/// where there are some.
fn describe(end: &End) -> TlsError {
    let (e, handshake) = match end {
        End::Tls(e, h) => (e, *h),
        End::Closed => (&EtError::ConnectionClosed, false),
    };
    let message = match e {
        EtError::HandshakeAborted(_, desc) => {
            let n = *desc as u8;
            let line = alert_line(rustls::AlertDescription::from(n));
            // protocol_version: the broker does not do TLS 1.3.
            if handshake && n == 70 {
                format!("{line}\n{NEEDS_TLS13}")
            } else {
                line
            }
        }
        EtError::InvalidRecord
        | EtError::UnknownContentType
        | EtError::InvalidSupportedVersions => {
            format!("OpenSSL Error[0]: error:0A00010B:SSL routines::wrong version number\n{NEEDS_TLS13}")
        }
        EtError::CryptoError | EtError::InvalidApplicationData => {
            "OpenSSL Error[0]: error:0A000119:SSL routines::decryption failed or bad record mac"
                .to_string()
        }
        _ => "OpenSSL Error[0]: error:0A0C0103:SSL routines::internal error".to_string(),
    };
    TlsError {
        handshake,
        during_handshake: handshake,
        message,
    }
}

/// Wraps a [`TlsError`] in an `io::Error` (see [`TlsError::from_io`]).
fn io_error(e: TlsError) -> io::Error {
    io::Error::other(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::net::TcpListener;

    #[test]
    fn key_bytes_read_hex_as_the_original() {
        assert_eq!(key_bytes("deadbeef"), Some(vec![0xde, 0xad, 0xbe, 0xef]));
        assert_eq!(key_bytes("DEADbeef"), Some(vec![0xde, 0xad, 0xbe, 0xef]));
        // Leading "00" pairs are zero bytes; other leading zeros vanish.
        assert_eq!(key_bytes("00ab"), Some(vec![0, 0xab]));
        assert_eq!(key_bytes("0ab"), Some(vec![0xab]));
        assert_eq!(key_bytes("000ab"), Some(vec![0, 0xab]));
        assert_eq!(key_bytes("abc"), Some(vec![0x0a, 0xbc]));
        assert_eq!(key_bytes("0000"), Some(vec![0, 0]));
        assert_eq!(key_bytes(""), None);
        assert_eq!(key_bytes("xyz"), None);
        assert_eq!(key_bytes(&"ab".repeat(512)).map(|k| k.len()), Some(512));
        assert_eq!(key_bytes(&"ab".repeat(513)), None);
        assert!(is_hex("") && is_hex("0aF") && !is_hex("0x1"));
    }

    #[test]
    fn tls12_psk_cipher_lists_are_recognised() {
        assert!(names_only_tls12_psk("PSK-AES128-GCM-SHA256"));
        assert!(names_only_tls12_psk(
            "PSK-AES128-CBC-SHA:ECDHE-PSK-AES128-CBC-SHA256:!aNULL"
        ));
        assert!(!names_only_tls12_psk("TLS_AES_128_GCM_SHA256"));
        assert!(!names_only_tls12_psk("PSK:TLS_AES_128_GCM_SHA256"));
        assert!(!names_only_tls12_psk("DEFAULT"));
        assert!(!names_only_tls12_psk(""));
        assert!(tls12_only_warning("PSK").contains("TLS 1.3"));
    }

    #[test]
    fn a_refused_tls13_names_the_condition() {
        let e = describe(&End::Tls(
            EtError::HandshakeAborted(
                embedded_tls::alert::AlertLevel::Fatal,
                embedded_tls::alert::AlertDescription::ProtocolVersion,
            ),
            true,
        ));
        assert!(e.handshake && e.during_handshake);
        let lines: Vec<&str> = e.message.lines().collect();
        assert!(lines[0].ends_with("tlsv1 alert protocol version"), "{e}");
        assert_eq!(lines[1], NEEDS_TLS13);
        // A wrong key: the broker's alert, nothing about versions.
        let e = describe(&End::Tls(
            EtError::HandshakeAborted(
                embedded_tls::alert::AlertLevel::Fatal,
                embedded_tls::alert::AlertDescription::IllegalParameter,
            ),
            true,
        ));
        assert!(e.message.ends_with("sslv3 alert illegal parameter"), "{e}");
        assert!(!e.message.contains("TLS 1.3"));
    }

    fn settings() -> PskSettings {
        PskSettings {
            hex: "deadbeef".into(),
            identity: b"dev1".to_vec(),
        }
    }

    #[test]
    fn handshake_wants_write_first_then_fails_on_a_hang_up() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let (raw, _) = crate::transport::connect(
            "127.0.0.1",
            listener.local_addr().unwrap().port(),
            None,
            true,
        )
        .unwrap();
        let psk = PskStream::new(Arc::new(raw), &settings(), "localhost").unwrap();
        // The ClientHello waits for the socket.
        assert!(psk.wants_write());
        psk.flush().unwrap();
        assert!(!psk.wants_write());
        let (mut server, _) = listener.accept().unwrap();
        let mut hello = [0u8; 5];
        server.read_exact(&mut hello).unwrap();
        assert_eq!(hello[0], 22, "a handshake record");
        // Plaintext waits for the handshake, and does not ask for the socket.
        assert_eq!(psk.write(b"early").unwrap(), 5);
        assert!(!psk.wants_write());
        let mut buf = [0u8; 8];
        assert_eq!(
            psk.read(&mut buf).unwrap_err().kind(),
            io::ErrorKind::WouldBlock
        );
        drop(server);
        let mut tries = 0;
        let err = loop {
            tries += 1;
            assert!(tries < 1000, "the hang-up never showed");
            match psk.read(&mut buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    std::thread::sleep(std::time::Duration::from_millis(5))
                }
                other => break other.unwrap_err(),
            }
        };
        let tls = TlsError::from_io(&err).expect("a TLS error");
        assert!(tls.during_handshake);
        assert_eq!(tls.message, UNEXPECTED_EOF);
        assert!(!psk.wants_write());
    }

    #[test]
    fn no_key_bytes_is_a_set_up_error() {
        let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
        let psk = PskSettings {
            hex: String::new(),
            identity: b"dev1".to_vec(),
        };
        let e = PskStream::new(Arc::new(Stream::Unix(a)), &psk, "h").unwrap_err();
        assert!(e.handshake && !e.during_handshake);
    }
}
