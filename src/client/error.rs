//! Why a client operation failed, with what the C API reports for it.

use std::io;

use crate::session::SessionError;
use crate::transport::{ErrorCode, HandshakeError, TlsError, TransportError};

/// A client failure. [`ClientError::mosq_err`] gives the `MOSQ_ERR_*`
/// value and [`ClientError::errno`] the `errno` the original leaves.
#[derive(Debug)]
pub enum ClientError {
    /// The session refused or ended something.
    Session(SessionError),
    /// Connecting (or the SOCKS handshake) failed.
    Transport(TransportError),
    /// A system call failed (`MOSQ_ERR_ERRNO`).
    Io(io::Error),
    /// The connection was closed or reset by the peer (`MOSQ_ERR_CONN_LOST`).
    ConnLost,
    /// No connection (`MOSQ_ERR_NO_CONN`).
    NoConn,
    /// Invalid argument (`MOSQ_ERR_INVAL`).
    Inval,
    /// Not supported (`MOSQ_ERR_NOT_SUPPORTED`).
    NotSupported,
    /// A non-blocking connect is under way (`MOSQ_ERR_CONN_PENDING`).
    ConnPending,
    /// TLS failed: `MOSQ_ERR_TLS` during set-up and the handshake,
    /// `MOSQ_ERR_ERRNO` with `EPROTO` after it (as the original).
    Tls(TlsError),
    /// The WebSocket upgrade failed (`MOSQ_ERR_UNKNOWN`, or as
    /// [`HandshakeError::mosq_err`] says).
    WebSocket(HandshakeError),
    /// The application refused what the broker sent: its `on_ext_auth`
    /// callback returned this (non-zero) code, which is reported as is.
    Refused(i32),
}

impl ClientError {
    /// The `MOSQ_ERR_*` value.
    pub fn mosq_err(&self) -> i32 {
        match self {
            ClientError::Session(e) => e.mosq_err(),
            ClientError::Transport(e) => match e.code() {
                ErrorCode::Eai => 15,
                ErrorCode::Errno => 14,
                ErrorCode::Inval => 3,
                ErrorCode::Proxy => 16,
                ErrorCode::Auth => 11,
                ErrorCode::NoConn => 4,
                ErrorCode::Protocol => 2,
                ErrorCode::NoMem => 1,
                ErrorCode::ConnLost => 7,
            },
            ClientError::Io(_) => 14,
            ClientError::ConnLost => 7,
            ClientError::NoConn => 4,
            ClientError::Inval => 3,
            ClientError::NotSupported => 10,
            ClientError::ConnPending => -1,
            ClientError::Tls(e) if e.handshake => 8,
            ClientError::Tls(_) => 14,
            ClientError::WebSocket(e) => e.mosq_err(),
            ClientError::Refused(rc) => *rc,
        }
    }

    /// The `errno` value the original sets with this failure, if any.
    pub fn errno(&self) -> Option<i32> {
        match self {
            ClientError::Transport(e) => e.errno(),
            ClientError::Io(e) => e.raw_os_error(),
            ClientError::Tls(e) if !e.handshake => Some(libc::EPROTO),
            _ => None,
        }
    }

    /// Maps a socket read/write error as the original does: a reset is a
    /// lost connection, anything else an `errno` failure.
    pub fn from_io(e: io::Error) -> Self {
        if let Some(tls) = TlsError::from_io(&e) {
            return ClientError::Tls(tls.clone());
        }
        // (No WebSocket stream, so no such error, without the feature.)
        #[cfg(feature = "websockets")]
        if let Some(ws) = HandshakeError::from_io(&e) {
            return ClientError::WebSocket(ws.clone());
        }
        if e.raw_os_error() == Some(libc::ECONNRESET) || e.kind() == io::ErrorKind::WriteZero {
            ClientError::ConnLost
        } else {
            ClientError::Io(e)
        }
    }
}

impl From<SessionError> for ClientError {
    fn from(e: SessionError) -> Self {
        ClientError::Session(e)
    }
}

impl From<TlsError> for ClientError {
    fn from(e: TlsError) -> Self {
        ClientError::Tls(e)
    }
}

impl From<HandshakeError> for ClientError {
    fn from(e: HandshakeError) -> Self {
        ClientError::WebSocket(e)
    }
}

impl From<TransportError> for ClientError {
    fn from(e: TransportError) -> Self {
        ClientError::Transport(e)
    }
}
