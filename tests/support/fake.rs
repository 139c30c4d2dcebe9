//! A scriptable fake broker for packet-level tests, and the framed
//! connection it (or a raw test client) uses.
//!
//! Everything is blocking with deadlines, so a plain `#[test]` scripts the
//! exchange step by step while the client under test runs in another
//! process or thread:
//!
//! ```ignore
//! let mut fake = FakeBroker::new();
//! // ... start the client against fake.port() ...
//! fake.accept();
//! fake.expect(|p| assert!(matches!(p, Packet::Connect(_))));
//! fake.send(&packets::connack_ok(fake.version()));
//! let publish = fake.expect_type(PacketType::Publish);
//! ```

use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::ops::{Deref, DerefMut};
use std::thread;
use std::time::{Duration, Instant};

use mosquitto::protocol::packet::{decode, frame, Packet, PacketType, ProtocolVersion};

use super::packets::{encode, hex};

/// How long a receive or accept waits unless told otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// Why no packet was received.
#[derive(Debug)]
pub enum RecvError {
    /// Nothing complete arrived in time; holds the bytes of an incomplete
    /// packet, if any.
    Timeout(Vec<u8>),
    /// The peer closed (or reset) the connection; holds the bytes of an
    /// incomplete packet, if any.
    Closed(Vec<u8>),
    /// The bytes do not start with a valid fixed header.
    BadHeader(Vec<u8>),
}

/// One received packet: its whole bytes, fixed header included, and the
/// protocol version of the connection when it arrived.
#[derive(Clone, PartialEq, Eq)]
pub struct RawPacket {
    /// The packet's bytes.
    pub bytes: Vec<u8>,
    /// The connection's protocol version (a CONNECT decodes with its own).
    pub version: ProtocolVersion,
}

impl RawPacket {
    /// The packet type named by the first byte (`None` for type 0).
    pub fn packet_type(&self) -> Option<PacketType> {
        PacketType::from_header(self.bytes[0])
    }

    /// The flag nibble of the first byte.
    pub fn flags(&self) -> u8 {
        self.bytes[0] & 0x0F
    }

    /// Decodes the packet; panics with a hex dump if it is invalid.
    pub fn decode(&self) -> Packet<'_> {
        decode(&self.bytes, self.version)
            .unwrap_or_else(|e| panic!("cannot decode {} ({e})", hex(&self.bytes)))
    }

    /// Decodes the packet, reporting a decoding error.
    pub fn try_decode(&self) -> Result<Packet<'_>, mosquitto::protocol::packet::DecodeError> {
        decode(&self.bytes, self.version)
    }
}

impl std::fmt::Debug for RawPacket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.try_decode() {
            Ok(p) => write!(f, "{p:?} [{}]", hex(&self.bytes)),
            Err(e) => write!(f, "undecodable ({e}) [{}]", hex(&self.bytes)),
        }
    }
}

/// A blocking TCP connection that frames MQTT packets, with deadlines on
/// every receive and a record of every byte received.
pub struct PacketConn {
    stream: TcpStream,
    pending: Vec<u8>,
    received: Vec<u8>,
    version: ProtocolVersion,
    timeout: Duration,
    closed: bool,
}

impl PacketConn {
    /// Wraps a connected stream; packets decode as `version` until a
    /// CONNECT says otherwise.
    pub fn new(stream: TcpStream, version: ProtocolVersion) -> PacketConn {
        let _ = stream.set_nodelay(true);
        PacketConn {
            stream,
            pending: Vec::new(),
            received: Vec::new(),
            version,
            timeout: DEFAULT_TIMEOUT,
            closed: false,
        }
    }

    /// Connects to `addr` as a raw client.
    pub fn connect(addr: SocketAddr, version: ProtocolVersion) -> PacketConn {
        let stream = TcpStream::connect_timeout(&addr, DEFAULT_TIMEOUT)
            .unwrap_or_else(|e| panic!("cannot connect to {addr}: {e}"));
        PacketConn::new(stream, version)
    }

    /// The protocol version packets are decoded and encoded with.
    pub fn version(&self) -> ProtocolVersion {
        self.version
    }

    /// Sets the protocol version (a received CONNECT sets it too).
    pub fn set_version(&mut self, v: ProtocolVersion) {
        self.version = v;
    }

    /// Sets how long [`recv`](Self::recv) and the `expect_*` helpers wait.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// The underlying stream.
    pub fn stream(&self) -> &TcpStream {
        &self.stream
    }

    /// Every byte received on this connection, in order.
    pub fn received(&self) -> &[u8] {
        &self.received
    }

    /// Bytes received but not yet returned as a packet.
    pub fn pending(&self) -> &[u8] {
        &self.pending
    }

    /// Reads once into the buffer, waiting at most until `deadline`.
    /// Returns false on timeout; marks the connection closed on EOF or
    /// error.
    fn fill(&mut self, deadline: Instant) -> bool {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || self.closed {
            return false;
        }
        self.stream
            .set_read_timeout(Some(left))
            .expect("set a read timeout");
        let mut buf = [0u8; 4096];
        match self.stream.read(&mut buf) {
            Ok(0) => {
                self.closed = true;
                true
            }
            Ok(n) => {
                self.pending.extend_from_slice(&buf[..n]);
                self.received.extend_from_slice(&buf[..n]);
                true
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => false,
            Err(e) if e.kind() == ErrorKind::Interrupted => true,
            Err(_) => {
                self.closed = true;
                true
            }
        }
    }

    /// Receives the next whole packet within `timeout`.
    pub fn recv_timeout(&mut self, timeout: Duration) -> Result<RawPacket, RecvError> {
        let deadline = Instant::now() + timeout;
        loop {
            match frame(&self.pending, 0) {
                Ok(Some(f)) if self.pending.len() >= f.total_len() => {
                    let bytes: Vec<u8> = self.pending.drain(..f.total_len()).collect();
                    let packet = RawPacket {
                        bytes,
                        version: self.version,
                    };
                    if let Ok(Packet::Connect(c)) = packet.try_decode() {
                        self.version = c.version;
                    }
                    return Ok(packet);
                }
                Ok(_) => {}
                Err(_) => return Err(RecvError::BadHeader(self.pending.clone())),
            }
            if self.closed {
                return Err(RecvError::Closed(self.pending.clone()));
            }
            if !self.fill(deadline) {
                return Err(RecvError::Timeout(self.pending.clone()));
            }
        }
    }

    /// Receives the next whole packet; panics if none comes in time.
    pub fn recv(&mut self) -> RawPacket {
        let timeout = self.timeout;
        match self.recv_timeout(timeout) {
            Ok(p) => p,
            Err(e) => panic!(
                "no packet within {timeout:?}: {e:?}\nreceived so far: {}",
                hex(&self.received)
            ),
        }
    }

    /// Receives and decodes the next packet and hands it to `check`
    /// (which asserts what it expects and may return values from it).
    pub fn expect<R>(&mut self, check: impl FnOnce(Packet<'_>) -> R) -> R {
        let raw = self.recv();
        check(raw.decode())
    }

    /// Receives the next packet and asserts its type.
    pub fn expect_type(&mut self, t: PacketType) -> RawPacket {
        let raw = self.recv();
        assert_eq!(raw.packet_type(), Some(t), "unexpected packet {raw:?}");
        raw
    }

    /// Asserts that the next bytes received are exactly `bytes`, whatever
    /// their framing.
    pub fn expect_bytes(&mut self, bytes: &[u8]) {
        let deadline = Instant::now() + self.timeout;
        while self.pending.len() < bytes.len() {
            if self.closed || !self.fill(deadline) {
                break;
            }
        }
        let n = bytes.len().min(self.pending.len());
        assert_eq!(
            hex(&self.pending[..n]),
            hex(bytes),
            "unexpected bytes (closed: {})",
            self.closed
        );
        assert_eq!(n, bytes.len(), "the connection ended early");
        self.pending.drain(..n);
    }

    /// Reads the DISCONNECT an MQTT 5 client sends before it closes
    /// because this broker broke the protocol, and returns its reason code.
    pub fn expect_disconnect_reason(&mut self) -> u8 {
        let p = self.expect_type(PacketType::Disconnect);
        assert!(
            p.bytes.len() >= 3,
            "a DISCONNECT without a reason code: {}",
            hex(&p.bytes)
        );
        p.bytes[2]
    }

    /// Asserts that the peer closes the connection within the timeout
    /// without sending anything more.
    pub fn expect_closed(&mut self) {
        let deadline = Instant::now() + self.timeout;
        while !self.closed {
            assert!(
                self.pending.is_empty(),
                "expected the connection to close, got {}",
                hex(&self.pending)
            );
            assert!(
                self.fill(deadline),
                "the connection was not closed within {:?}",
                self.timeout
            );
        }
        assert!(
            self.pending.is_empty(),
            "expected the connection to close, got {}",
            hex(&self.pending)
        );
    }

    /// Asserts that nothing arrives (and the connection stays open) for
    /// `period`.
    pub fn expect_silence(&mut self, period: Duration) {
        let deadline = Instant::now() + period;
        while self.fill(deadline) {
            assert!(
                self.pending.is_empty() && !self.closed,
                "expected silence, got {} (closed: {})",
                hex(&self.pending),
                self.closed
            );
        }
    }

    /// Whether the peer has closed the connection (as seen so far).
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Writes `bytes`, reporting failure (e.g. the peer is gone).
    pub fn try_send(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.stream.write_all(bytes)?;
        self.stream.flush()
    }

    /// Writes `bytes`; panics if that fails.
    pub fn send(&mut self, bytes: &[u8]) {
        self.try_send(bytes)
            .unwrap_or_else(|e| panic!("cannot send {}: {e}", hex(bytes)));
    }

    /// Encodes `packet` with the connection's version and sends it.
    pub fn send_packet(&mut self, packet: &Packet<'_>) {
        let bytes = encode(self.version, packet);
        self.send(&bytes);
    }

    /// Sends `bytes` in pieces of the given sizes (cycling through
    /// `chunks`), sleeping `delay` between pieces.
    pub fn send_split(&mut self, bytes: &[u8], chunks: &[usize], delay: Duration) {
        assert!(
            !chunks.is_empty() && chunks.iter().all(|&c| c > 0),
            "chunk sizes must be positive"
        );
        let mut rest = bytes;
        for &size in chunks.iter().cycle() {
            let (piece, tail) = rest.split_at(size.min(rest.len()));
            self.send(piece);
            rest = tail;
            if rest.is_empty() {
                break;
            }
            thread::sleep(delay);
        }
    }

    /// Closes the connection gracefully (FIN in both directions).
    pub fn close(self) {
        let _ = self.stream.shutdown(Shutdown::Both);
    }

    /// Aborts the connection with a TCP reset (RST).
    pub fn reset(self) {
        let socket = socket2::SockRef::from(&self.stream);
        let _ = socket.set_linger(Some(Duration::ZERO));
    }
}

/// A fake broker on 127.0.0.1 (an ephemeral port) that accepts one client
/// connection at a time. Through `Deref` it is the current
/// [`PacketConn`]: `recv`, `expect*`, `send*` act on the accepted client
/// (and panic if there is none).
pub struct FakeBroker {
    listener: TcpListener,
    conn: Option<PacketConn>,
    history: Vec<u8>,
    connections: usize,
    version: ProtocolVersion,
    timeout: Duration,
}

impl Default for FakeBroker {
    fn default() -> Self {
        FakeBroker::new()
    }
}

impl FakeBroker {
    /// Listens on 127.0.0.1 on a free port.
    pub fn new() -> FakeBroker {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind the fake broker");
        listener
            .set_nonblocking(true)
            .expect("make the listener non-blocking");
        FakeBroker {
            listener,
            conn: None,
            history: Vec::new(),
            connections: 0,
            version: ProtocolVersion::V311,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// The listening port.
    pub fn port(&self) -> u16 {
        self.addr().port()
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("the listener's address")
    }

    /// `-h 127.0.0.1 -p PORT`, for `mosquitto_pub`/`mosquitto_sub`.
    pub fn client_args(&self) -> Vec<String> {
        vec![
            "-h".into(),
            "127.0.0.1".into(),
            "-p".into(),
            self.port().to_string(),
        ]
    }

    /// Sets the accept and receive timeout (default 5 s).
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
        if let Some(c) = &mut self.conn {
            c.set_timeout(timeout);
        }
    }

    /// The protocol version in use: the last CONNECT's, or 3.1.1.
    pub fn version(&self) -> ProtocolVersion {
        self.conn.as_ref().map_or(self.version, |c| c.version())
    }

    /// Waits for a client to connect within `timeout`; `false` if none did.
    /// A previous connection is dropped first.
    pub fn try_accept(&mut self, timeout: Duration) -> bool {
        self.drop_conn();
        let deadline = Instant::now() + timeout;
        loop {
            match self.listener.accept() {
                Ok((stream, _)) => {
                    stream
                        .set_nonblocking(false)
                        .expect("make a blocking stream");
                    let mut conn = PacketConn::new(stream, self.version);
                    conn.set_timeout(self.timeout);
                    self.conn = Some(conn);
                    self.connections += 1;
                    return true;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    if Instant::now() >= deadline {
                        return false;
                    }
                    thread::sleep(Duration::from_millis(2));
                }
                Err(e) => panic!("accept failed: {e}"),
            }
        }
    }

    /// Waits for a client to connect; panics if none does in time.
    pub fn accept(&mut self) {
        assert!(
            self.try_accept(self.timeout),
            "no client connected within {:?}",
            self.timeout
        );
    }

    /// Drops the current connection (if any) and accepts the next one, for
    /// reconnection tests.
    pub fn accept_again(&mut self) {
        self.accept();
    }

    /// Accepts a client, expects its CONNECT, answers a successful CONNACK
    /// and returns the CONNECT.
    pub fn accept_connect(&mut self) -> RawPacket {
        self.accept();
        let connect = self.expect_type(PacketType::Connect);
        let v = self.version();
        self.send(&super::packets::connack_ok(v));
        connect
    }

    /// Whether a client is connected (accepted and not yet closed by us).
    pub fn is_connected(&self) -> bool {
        self.conn.is_some()
    }

    /// How many connections have been accepted.
    pub fn connections(&self) -> usize {
        self.connections
    }

    /// Closes the current connection gracefully.
    pub fn close(&mut self) {
        if let Some(c) = self.take_conn() {
            c.close();
        }
    }

    /// Aborts the current connection with a TCP reset.
    pub fn reset(&mut self) {
        if let Some(c) = self.take_conn() {
            c.reset();
        }
    }

    /// Every byte received from every connection so far, in order.
    pub fn all_received(&self) -> Vec<u8> {
        let mut all = self.history.clone();
        if let Some(c) = &self.conn {
            all.extend_from_slice(c.received());
        }
        all
    }

    /// Detaches the current connection, keeping its bytes and version.
    fn take_conn(&mut self) -> Option<PacketConn> {
        let conn = self.conn.take()?;
        self.history.extend_from_slice(conn.received());
        self.version = conn.version();
        Some(conn)
    }

    fn drop_conn(&mut self) {
        drop(self.take_conn());
    }
}

impl Deref for FakeBroker {
    type Target = PacketConn;

    fn deref(&self) -> &PacketConn {
        self.conn
            .as_ref()
            .expect("no client connection: call accept() first")
    }
}

impl DerefMut for FakeBroker {
    fn deref_mut(&mut self) -> &mut PacketConn {
        self.conn
            .as_mut()
            .expect("no client connection: call accept() first")
    }
}
