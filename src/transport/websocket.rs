//! MQTT over WebSocket (RFC 6455), client side, over a TCP or TLS
//! [`Stream`]: `MOSQ_OPT_TRANSPORT` = `MOSQ_T_WEBSOCKETS` (libmosquitto
//! 2.1).
//!
//! [`WsStream`] keeps the `&self`, never-blocking interface of [`Stream`]
//! and presents the MQTT byte stream to the runtime:
//!
//! - the HTTP upgrade ([`handshake`]) runs as the socket allows: the
//!   request goes out with the first flush, the answer is read by the
//!   first reads (which return `WouldBlock` until it is whole and
//!   checked);
//! - what is written becomes masked binary frames ([`frame`]); frames
//!   written before the upgrade completes wait for it (the CONNECT packet
//!   is queued at once, as on TCP);
//! - reads hand out the payload of the broker's binary frames, answer
//!   pings with pongs, ignore pongs, and answer a close with a close and
//!   then end of stream.
//!
//! [`WsStream::wants_write`] is true while handshake or frame bytes wait
//! for the socket (and not while frames merely wait for the upgrade, which
//! needs the socket to become readable, not writable).

pub mod frame;
pub mod handshake;

use std::fmt;
use std::io;
use std::sync::{Arc, Mutex, MutexGuard};

use super::random;
use super::stream::Stream;
pub use super::ws_settings::WsSettings;
use frame::{Decoder, Step, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG};
pub use handshake::HandshakeError;

/// The largest payload put in one frame: larger writes take several
/// frames (the broker joins them back into the MQTT stream).
const MAX_FRAME_PAYLOAD: usize = 64 * 1024;

/// The largest read from the socket at once.
const MAX_READ: usize = 64 * 1024;

/// Close status "normal closure".
const CLOSE_NORMAL: u16 = 1000;

/// Random bytes for masks, fetched from the OS a batch at a time.
struct Random {
    pool: [u8; 64],
    used: usize,
}

impl Random {
    fn new() -> Random {
        Random {
            pool: [0; 64],
            used: 64,
        }
    }

    /// Fills `out` with random bytes.
    fn fill(&mut self, out: &mut [u8]) -> Result<(), HandshakeError> {
        random::fill(out).map_err(|_| HandshakeError::Random)
    }

    /// A fresh frame mask.
    fn mask(&mut self) -> io::Result<[u8; 4]> {
        if self.used + 4 > self.pool.len() {
            let mut pool = [0u8; 64];
            self.fill(&mut pool).map_err(HandshakeError::into_io)?;
            self.pool = pool;
            self.used = 0;
        }
        let mut m = [0u8; 4];
        m.copy_from_slice(&self.pool[self.used..self.used + 4]);
        self.used += 4;
        Ok(m)
    }
}

/// The upgrade while it runs.
struct Upgrade {
    /// The answer so far.
    answer: Vec<u8>,
    /// The `Sec-WebSocket-Accept` the broker must send.
    accept: String,
    /// The largest answer header accepted.
    limit: usize,
}

/// Everything behind the lock.
struct State {
    /// `Some` until the broker's 101 answer has been checked.
    upgrade: Option<Upgrade>,
    /// Bytes for the socket (the request, then frames), sent from `out_pos`.
    out: Vec<u8>,
    out_pos: usize,
    /// Frames written before the upgrade completed.
    held: Vec<u8>,
    /// Bytes read and not decoded yet, from `raw_pos`.
    raw: Vec<u8>,
    raw_pos: usize,
    decoder: Decoder,
    /// The broker sent a close frame: reads report the end of the stream.
    peer_closed: bool,
    /// We queued a close frame.
    close_sent: bool,
    random: Random,
}

impl State {
    /// Appends a frame to what goes out.
    fn queue(&mut self, opcode: u8, parts: &[&[u8]]) -> io::Result<()> {
        let mask = self.random.mask()?;
        let target = if self.upgrade.is_some() {
            &mut self.held
        } else {
            &mut self.out
        };
        frame::encode(opcode, parts, mask, target);
        Ok(())
    }

    /// Whether bytes wait in `out`.
    fn pending(&self) -> bool {
        self.out_pos < self.out.len()
    }
}

/// A WebSocket connection over a connected (or connecting) [`Stream`].
pub struct WsStream {
    inner: Arc<Stream>,
    state: Mutex<State>,
}

impl fmt::Debug for WsStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WsStream")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl WsStream {
    /// Starts the upgrade to WebSocket over `inner` (TCP, or TLS when
    /// `tls`) for `host`:`port` with `settings`. Nothing is sent until the
    /// first flush or read.
    pub fn new(
        inner: Arc<Stream>,
        settings: &WsSettings,
        host: &str,
        port: u16,
        tls: bool,
    ) -> Result<WsStream, HandshakeError> {
        let mut random = Random::new();
        let mut nonce = [0u8; 16];
        random.fill(&mut nonce)?;
        let key = handshake::request_key(&nonce);
        let path = settings.http_path.as_deref().unwrap_or(b"/mqtt");
        let request = handshake::request(path, &handshake::host_header(host, port, tls), &key);
        Ok(WsStream {
            inner,
            state: Mutex::new(State {
                upgrade: Some(Upgrade {
                    answer: Vec::new(),
                    accept: handshake::accept_key(&key),
                    limit: settings.header_size,
                }),
                out: request,
                out_pos: 0,
                held: Vec::new(),
                raw: Vec::new(),
                raw_pos: 0,
                decoder: Decoder::default(),
                peer_closed: false,
                close_sent: false,
                random,
            }),
        })
    }

    /// The stream underneath.
    pub fn inner(&self) -> &Stream {
        &self.inner
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the upgrade is still under way.
    pub fn handshaking(&self) -> bool {
        self.lock().upgrade.is_some()
    }

    /// Sends what waits in `out` until done or the socket is full
    /// (`WouldBlock` is not an error).
    fn push(&self, st: &mut State) -> io::Result<()> {
        while st.pending() {
            match self.inner.write(&st.out[st.out_pos..]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => st.out_pos += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        if !st.pending() {
            st.out.clear();
            st.out_pos = 0;
        }
        self.inner.flush()
    }

    /// Reads the broker's answer to the upgrade. `Ok(true)` once it has
    /// been checked (any bytes after it stay for the frame decoder),
    /// `Ok(false)` at end of stream; `WouldBlock` while it is incomplete.
    fn read_answer(&self, st: &mut State) -> io::Result<bool> {
        let Some(up) = st.upgrade.as_mut() else {
            return Ok(true);
        };
        loop {
            let room = up.limit.saturating_sub(up.answer.len());
            if room == 0 {
                return Err(HandshakeError::TooLarge.into_io());
            }
            let old = up.answer.len();
            up.answer.resize(old + room.min(4096), 0);
            let got = self.inner.read(&mut up.answer[old..]);
            let n = match got {
                Ok(n) => n,
                Err(e) => {
                    up.answer.truncate(old);
                    if e.kind() == io::ErrorKind::Interrupted {
                        continue;
                    }
                    return Err(e);
                }
            };
            up.answer.truncate(old + n);
            if n == 0 {
                return Ok(false);
            }
            let Some(len) = handshake::header_len(&up.answer) else {
                continue;
            };
            handshake::check_response(&up.answer[..len], &up.accept)
                .map_err(HandshakeError::into_io)?;
            let up = st.upgrade.take().expect("checked above");
            st.raw = up.answer[len..].to_vec();
            st.raw_pos = 0;
            let held = std::mem::take(&mut st.held);
            if st.out.is_empty() {
                st.out = held;
            } else {
                st.out.extend_from_slice(&held);
            }
            return Ok(true);
        }
    }

    /// Decodes buffered bytes into `buf`: the MQTT data, with control
    /// frames answered on the way. Returns how many bytes of `buf` were
    /// filled.
    fn decode(&self, st: &mut State, buf: &mut [u8]) -> io::Result<usize> {
        let mut filled = 0;
        while !st.peer_closed {
            let input = &st.raw[st.raw_pos..];
            let step = st
                .decoder
                .next(input, buf.len() - filled)
                .map_err(|_| io::Error::from_raw_os_error(libc::EPROTO))?;
            match step {
                Step::NeedMore | Step::Full => break,
                Step::Data(n) => {
                    buf[filled..filled + n].copy_from_slice(&input[..n]);
                    filled += n;
                    st.raw_pos += n;
                }
                Step::Header(n) => st.raw_pos += n,
                Step::Control { opcode, start, len } => {
                    let payload = input[start..len].to_vec();
                    st.raw_pos += len;
                    match opcode {
                        OP_PING => st.queue(OP_PONG, &[&payload])?,
                        OP_CLOSE => {
                            // Echo the status code, then report the end.
                            if !st.close_sent {
                                let code = payload.get(..2).unwrap_or_default();
                                st.queue(OP_CLOSE, &[code])?;
                                st.close_sent = true;
                            }
                            st.peer_closed = true;
                        }
                        _ => {}
                    }
                }
            }
        }
        if st.raw_pos == st.raw.len() {
            st.raw.clear();
            st.raw_pos = 0;
        }
        Ok(filled)
    }

    /// Reads MQTT bytes; `Ok(0)` means the broker closed the connection
    /// (or the WebSocket).
    pub fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        let mut st = self.lock();
        if st.upgrade.is_some() {
            // The request may still wait for the socket.
            self.push(&mut st)?;
            if !self.read_answer(&mut st)? {
                return Ok(0);
            }
        }
        loop {
            let n = self.decode(&mut st, buf)?;
            if st.pending() {
                // Pongs, a close reply, frames held for the upgrade.
                self.push(&mut st)?;
            }
            if n > 0 || st.peer_closed || buf.is_empty() {
                return Ok(n);
            }
            // More bytes needed; read no more than `buf` holds, so that
            // what is buffered here never outlasts the caller's reads.
            if st.raw_pos > 0 {
                let pos = st.raw_pos;
                st.raw.drain(..pos);
                st.raw_pos = 0;
            }
            let old = st.raw.len();
            let want = buf.len().clamp(frame::MAX_HEADER, MAX_READ);
            st.raw.resize(old + want, 0);
            let got = self.inner.read(&mut st.raw[old..]);
            let n = *got.as_ref().unwrap_or(&0);
            st.raw.truncate(old + n);
            match got {
                Ok(0) => return Ok(0),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Frames what it can of `buf` (several frames for a large write);
    /// `WouldBlock` while earlier frames still wait for the socket.
    pub fn write(&self, buf: &[u8]) -> io::Result<usize> {
        self.write2(buf, &[])
    }

    /// As [`Self::write`], for `first` then `second` in one frame.
    pub fn write2(&self, first: &[u8], second: &[u8]) -> io::Result<usize> {
        let total = first.len() + second.len();
        if total == 0 {
            return Ok(0);
        }
        let mut st = self.lock();
        if st.upgrade.is_none() {
            self.push(&mut st)?;
            if st.pending() {
                return Err(io::ErrorKind::WouldBlock.into());
            }
        }
        let n = total.min(MAX_FRAME_PAYLOAD);
        let a = &first[..first.len().min(n)];
        let b = &second[..n - a.len()];
        st.queue(OP_BINARY, &[a, b])?;
        if st.upgrade.is_none() {
            self.push(&mut st)?;
        } else if st.pending() {
            // The request, as far as the socket takes it.
            self.push(&mut st)?;
        }
        Ok(n)
    }

    /// Sends what waits for the socket (the request, frames, or the TLS
    /// records below); a full socket is not an error.
    pub fn flush(&self) -> io::Result<()> {
        let mut st = self.lock();
        self.push(&mut st)
    }

    /// Whether bytes (ours or TLS's) wait for the socket to become
    /// writable.
    pub fn wants_write(&self) -> bool {
        self.lock().pending() || self.inner.wants_write()
    }

    /// Sends a close frame after an upgraded connection (as far as the
    /// socket takes it), then shuts the stream below down.
    pub fn shutdown(&self) -> io::Result<()> {
        {
            let mut st = self.lock();
            if st.upgrade.is_none() && !st.close_sent {
                st.close_sent = true;
                if st.queue(OP_CLOSE, &[&CLOSE_NORMAL.to_be_bytes()]).is_ok() {
                    let _ = self.push(&mut st);
                }
            }
        }
        self.inner.shutdown()
    }
}

#[cfg(test)]
mod tests;
