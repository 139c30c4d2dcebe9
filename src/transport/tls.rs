//! A TLS client connection over a non-blocking socket (rustls).
//!
//! [`TlsStream`] keeps the `&self` interface of [`Stream`]: the rustls
//! state sits behind a mutex, so one thread may read while another writes.
//! The handshake runs as the socket allows: reads and writes move it on
//! and return `WouldBlock` while it waits; [`TlsStream::wants_write`] tells
//! the loop when TLS records are waiting for the socket to become
//! writable. Plaintext written during the handshake is kept by rustls and
//! sent once it completes.
//!
//! Failures come back as `io::Error`s carrying a [`TlsError`] (see
//! [`TlsError::from_io`]), which the client reports as the original does:
//! `MOSQ_ERR_TLS` for a failed handshake, `MOSQ_ERR_ERRNO` with `EPROTO`
//! for a TLS failure after it.
//!
//! Crypto: rustls with its `ring` provider (no OpenSSL, no cmake).

use std::fmt;
use std::io::{self, Read, Write};
use std::sync::{Arc, Mutex, MutexGuard};

use rustls::{ClientConfig, ClientConnection, Error};
use rustls_pki_types::ServerName;

use super::stream::Stream;
use super::tls_report::{describe, UNEXPECTED_EOF};

pub use super::tls_error::TlsError;

impl TlsError {
    /// A rustls failure during (`handshake`) or after the handshake.
    pub fn from_rustls(e: &Error, handshake: bool) -> TlsError {
        TlsError {
            handshake,
            during_handshake: handshake,
            message: describe(e),
        }
    }

    /// The broker closed or reset the connection before the handshake
    /// completed.
    fn hung_up() -> TlsError {
        TlsError {
            handshake: true,
            during_handshake: true,
            message: UNEXPECTED_EOF.to_string(),
        }
    }

    /// Wraps this error in an `io::Error`.
    fn into_io(self) -> io::Error {
        io::Error::other(self)
    }
}

/// Whether a socket error means the peer hung up (reset, or gone before
/// our write), which OpenSSL reports mid-handshake as an unexpected EOF.
fn hang_up(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionReset
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::ConnectionAborted
    )
}

/// The inner socket as `io::Read`/`io::Write` for rustls.
struct Sock<'a>(&'a Stream);

impl Read for Sock<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl Write for Sock<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    /// rustls hands over every queued record at once: one system call
    /// sends them all (separate small sends would meet Nagle's algorithm
    /// and the peer's delayed ACK: tens of milliseconds per handshake).
    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        self.0.write_vectored(bufs)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A TLS connection over a connected (or connecting) [`Stream`].
pub struct TlsStream {
    inner: Arc<Stream>,
    conn: Mutex<ClientConnection>,
}

impl fmt::Debug for TlsStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsStream")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl TlsStream {
    /// Starts a TLS client session to `host` over `inner`. Nothing is sent
    /// until the first read or write (or [`Self::flush`]).
    pub fn new(
        inner: Arc<Stream>,
        config: Arc<ClientConfig>,
        host: &str,
    ) -> Result<TlsStream, TlsError> {
        let name = ServerName::try_from(host.to_string())
            .map_err(|_| TlsError::config(format!("TLS Error: invalid server name \"{host}\"")))?;
        let conn =
            ClientConnection::new(config, name).map_err(|e| TlsError::from_rustls(&e, true))?;
        Ok(TlsStream {
            inner,
            conn: Mutex::new(conn),
        })
    }

    /// The socket underneath.
    pub fn inner(&self) -> &Stream {
        &self.inner
    }

    fn lock(&self) -> MutexGuard<'_, ClientConnection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sends queued TLS records until done or the socket is full.
    fn push(&self, conn: &mut ClientConnection) -> io::Result<()> {
        while conn.wants_write() {
            match conn.write_tls(&mut Sock(&self.inner)) {
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if conn.is_handshaking() && hang_up(&e) => {
                    return Err(TlsError::hung_up().into_io())
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Reads TLS records from the socket once and processes them. `Ok(false)`
    /// means end of stream.
    fn pull(&self, conn: &mut ClientConnection) -> io::Result<bool> {
        let handshaking = conn.is_handshaking();
        let n = match conn.read_tls(&mut Sock(&self.inner)) {
            Ok(0) if handshaking => return Err(TlsError::hung_up().into_io()),
            Err(e) if handshaking && hang_up(&e) => return Err(TlsError::hung_up().into_io()),
            other => other?,
        };
        if let Err(e) = conn.process_new_packets() {
            // Tell the broker why (an alert), as far as the socket takes it.
            let _ = self.push(conn);
            return Err(TlsError::from_rustls(&e, handshaking).into_io());
        }
        self.push(conn)?;
        Ok(n > 0)
    }

    /// Reads decrypted data; `Ok(0)` means the broker closed the connection.
    pub fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        let mut conn = self.lock();
        loop {
            match conn.reader().read(buf) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                // Closed without close_notify: still the end of the stream
                // (mid-handshake, a failed handshake).
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                    if conn.is_handshaking() {
                        return Err(TlsError::hung_up().into_io());
                    }
                    return Ok(0);
                }
                Err(e) => return Err(e),
            }
            self.push(&mut conn)?;
            if !self.pull(&mut conn)? {
                return Ok(0);
            }
        }
    }

    /// Encrypts and sends (or, during the handshake, queues) what it can of
    /// `buf`; `WouldBlock` when the socket cannot take more now.
    pub fn write(&self, buf: &[u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let mut conn = self.lock();
        if conn.is_handshaking() {
            // Move the handshake on with what has arrived, as SSL_write does.
            match self.pull(&mut conn) {
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
        }
        // The data joins what is queued (the end of the handshake, say) and
        // leaves with it in one send. rustls bounds its queue: a full one
        // takes nothing, which a socket that cannot keep up leads to.
        let n = conn.writer().write(buf)?;
        self.push(&mut conn)?;
        if n == 0 {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        Ok(n)
    }

    /// Sends TLS records waiting for the socket (handshake messages, or
    /// data written earlier); `WouldBlock` is not an error.
    pub fn flush(&self) -> io::Result<()> {
        let mut conn = self.lock();
        self.push(&mut conn)
    }

    /// Whether TLS records wait for the socket to become writable.
    pub fn wants_write(&self) -> bool {
        self.lock().wants_write()
    }

    /// Sends close_notify (as far as the socket takes it), then shuts the
    /// socket down.
    pub fn shutdown(&self) -> io::Result<()> {
        {
            let mut conn = self.lock();
            conn.send_close_notify();
            let _ = self.push(&mut conn);
        }
        self.inner.shutdown()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_reason() {
        use rustls::{AlertDescription, CertificateError};
        let e = TlsError::from_rustls(
            &Error::InvalidCertificate(CertificateError::UnknownIssuer),
            true,
        );
        assert!(e.handshake && e.during_handshake);
        assert!(e.message.ends_with("certificate verify failed"), "{e}");
        let e = TlsError::from_rustls(
            &Error::AlertReceived(AlertDescription::ProtocolVersion),
            false,
        );
        assert!(!e.handshake && !e.during_handshake);
        assert!(e.message.contains("tlsv1 alert protocol version"), "{e}");
        let io = e.clone().into_io();
        assert_eq!(TlsError::from_io(&io).unwrap().message, e.message);
        assert!(TlsError::from_io(&io::Error::other("x")).is_none());
        assert!(!TlsError::config("x".into()).during_handshake);
        let eof = TlsError::hung_up();
        assert!(eof.handshake && eof.during_handshake);
        assert!(eof.message.contains("unexpected eof while reading"));
    }
}
