//! Why a client operation failed: one error type for the runtime, wrapping
//! the session's and the transport's, with the [`ErrorKind`] the C API
//! turns into its return code.

use std::io;

use crate::session::SessionError;
use crate::transport::{ErrorCode, HandshakeError, TlsError, TransportError};

/// A client failure. [`ClientError::kind`] says what kind (the C API's
/// return code) and [`ClientError::errno`] the `errno` the original leaves.
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
    /// The WebSocket upgrade failed (as [`HandshakeError::code`] says).
    WebSocket(HandshakeError),
    /// The application refused what the broker sent: its extended
    /// authentication callback returned this (non-success) code, which is
    /// reported as is.
    Refused(ErrorKind),
}

/// What kind of failure an error is: the C API turns each into one
/// `MOSQ_ERR_*` value (the variants are named after them), and the loop
/// asks it whether the failure ends `loop_forever`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// Out of memory (or of packet identifiers).
    NoMem,
    /// The broker broke the protocol.
    Protocol,
    /// An invalid argument.
    Inval,
    /// No connection.
    NoConn,
    /// The broker refused the connection.
    ConnRefused,
    /// Something asked for was not found.
    NotFound,
    /// The connection was lost.
    ConnLost,
    /// TLS failed during set-up or the handshake.
    Tls,
    /// A payload too large for the protocol.
    PayloadSize,
    /// Not supported (by this protocol version, or by this build).
    NotSupported,
    /// Authentication failed (the SOCKS5 proxy refused us).
    Auth,
    /// Access denied.
    AclDenied,
    /// An unknown failure (a refused WebSocket upgrade, say).
    Unknown,
    /// A system call failed; see `errno`.
    Errno,
    /// Name resolution failed.
    Eai,
    /// The SOCKS5 proxy failed.
    Proxy,
    /// Malformed UTF-8.
    MalformedUtf8,
    /// The broker did not answer within the keep alive interval.
    Keepalive,
    /// A malformed packet.
    MalformedPacket,
    /// A property given twice.
    DuplicateProperty,
    /// A QoS above the broker's maximum.
    QosNotSupported,
    /// A packet above the Maximum Packet Size.
    OversizePacket,
    /// A retained message while the broker has none.
    RetainNotSupported,
    /// A topic alias the broker does not allow.
    TopicAliasInvalid,
    /// A non-blocking connect is under way.
    ConnPending,
    /// A code of the application's own (what its extended authentication
    /// callback returned) that names none of the above.
    Other(i32),
}

impl ErrorKind {
    /// Whether the failure ends `loop_forever` (rather than being retried
    /// with a reconnect), as in the original: the failures no new
    /// connection can cure.
    pub fn is_fatal(self) -> bool {
        match self {
            ErrorKind::NoMem
            | ErrorKind::Protocol
            | ErrorKind::Inval
            | ErrorKind::NotFound
            | ErrorKind::Tls
            | ErrorKind::PayloadSize
            | ErrorKind::NotSupported
            | ErrorKind::Auth
            | ErrorKind::AclDenied
            | ErrorKind::Unknown
            | ErrorKind::Eai
            | ErrorKind::Proxy => true,
            ErrorKind::NoConn
            | ErrorKind::ConnRefused
            | ErrorKind::ConnLost
            | ErrorKind::Errno
            | ErrorKind::MalformedUtf8
            | ErrorKind::Keepalive
            | ErrorKind::MalformedPacket
            | ErrorKind::DuplicateProperty
            | ErrorKind::QosNotSupported
            | ErrorKind::OversizePacket
            | ErrorKind::RetainNotSupported
            | ErrorKind::TopicAliasInvalid
            | ErrorKind::ConnPending
            | ErrorKind::Other(_) => false,
        }
    }
}

impl From<SessionError> for ErrorKind {
    fn from(e: SessionError) -> Self {
        match e {
            SessionError::Inval => ErrorKind::Inval,
            SessionError::NoConn => ErrorKind::NoConn,
            SessionError::ConnRefused => ErrorKind::ConnRefused,
            SessionError::PayloadSize => ErrorKind::PayloadSize,
            SessionError::NotSupported => ErrorKind::NotSupported,
            SessionError::MalformedUtf8 => ErrorKind::MalformedUtf8,
            SessionError::Keepalive => ErrorKind::Keepalive,
            SessionError::MalformedPacket => ErrorKind::MalformedPacket,
            SessionError::DuplicateProperty => ErrorKind::DuplicateProperty,
            SessionError::QosNotSupported => ErrorKind::QosNotSupported,
            SessionError::OversizePacket => ErrorKind::OversizePacket,
            SessionError::RetainNotSupported => ErrorKind::RetainNotSupported,
            SessionError::TopicAliasInvalid => ErrorKind::TopicAliasInvalid,
            SessionError::NoMem => ErrorKind::NoMem,
            // 2.0 reports every fault of the broker's packets this way.
            SessionError::Protocol
            | SessionError::BrokerMalformed
            | SessionError::ReceiveMaximumExceeded
            | SessionError::BrokerTopicAliasInvalid => ErrorKind::Protocol,
        }
    }
}

impl From<ErrorCode> for ErrorKind {
    fn from(code: ErrorCode) -> Self {
        match code {
            ErrorCode::Eai => ErrorKind::Eai,
            ErrorCode::Errno => ErrorKind::Errno,
            ErrorCode::Inval => ErrorKind::Inval,
            ErrorCode::Proxy => ErrorKind::Proxy,
            ErrorCode::Auth => ErrorKind::Auth,
            ErrorCode::NoConn => ErrorKind::NoConn,
            ErrorCode::Protocol => ErrorKind::Protocol,
            ErrorCode::NoMem => ErrorKind::NoMem,
            ErrorCode::ConnLost => ErrorKind::ConnLost,
            ErrorCode::NotSupported => ErrorKind::NotSupported,
            ErrorCode::Unknown => ErrorKind::Unknown,
        }
    }
}

impl ClientError {
    /// What kind of failure this is (the C API's return code).
    pub fn kind(&self) -> ErrorKind {
        match self {
            ClientError::Session(e) => ErrorKind::from(*e),
            ClientError::Transport(e) => e.code().into(),
            ClientError::Io(_) => ErrorKind::Errno,
            ClientError::ConnLost => ErrorKind::ConnLost,
            ClientError::NoConn => ErrorKind::NoConn,
            ClientError::Inval => ErrorKind::Inval,
            ClientError::NotSupported => ErrorKind::NotSupported,
            ClientError::ConnPending => ErrorKind::ConnPending,
            ClientError::Tls(e) if e.handshake => ErrorKind::Tls,
            ClientError::Tls(_) => ErrorKind::Errno,
            ClientError::WebSocket(e) => e.code().into(),
            ClientError::Refused(kind) => *kind,
        }
    }

    /// Whether this failure ends `loop_forever` (see [`ErrorKind::is_fatal`]).
    pub fn is_fatal(&self) -> bool {
        self.kind().is_fatal()
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
