//! Transport failures, carrying what the C API needs to report them.
//!
//! The FFI layer turns a [`TransportError`] into the original's return code
//! with [`TransportError::code`] and, where the original leaves a meaningful
//! `errno` behind, sets it from [`TransportError::errno`].

use std::fmt;
use std::io;

use super::socks5::Socks5Error;

/// Which `MOSQ_ERR_*` value a transport failure becomes at the C boundary.
///
/// The variants are named after the constants they stand for; the FFI layer
/// maps them one to one (this module does not depend on `src/ffi`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// `MOSQ_ERR_EAI` (15): name resolution failed.
    Eai,
    /// `MOSQ_ERR_ERRNO` (14): a system call failed; see `errno`.
    Errno,
    /// `MOSQ_ERR_INVAL` (3): an argument was unusable.
    Inval,
    /// `MOSQ_ERR_PROXY` (16): the SOCKS proxy misbehaved or failed.
    Proxy,
    /// `MOSQ_ERR_AUTH` (11): the SOCKS proxy refused us.
    Auth,
    /// `MOSQ_ERR_NO_CONN` (4): the SOCKS proxy could not reach the target.
    NoConn,
    /// `MOSQ_ERR_PROTOCOL` (2): the SOCKS reply was malformed.
    Protocol,
    /// `MOSQ_ERR_NOMEM` (1): what the original returns for an over-long
    /// SOCKS target host name.
    NoMem,
    /// `MOSQ_ERR_CONN_LOST` (7): the connection was reset mid-handshake.
    ConnLost,
    /// `MOSQ_ERR_NOT_SUPPORTED` (10): the WebSocket server speaks another
    /// version of the protocol.
    NotSupported,
    /// `MOSQ_ERR_UNKNOWN` (13): the WebSocket upgrade was refused.
    Unknown,
}

/// A failure to set up or use a connection.
///
/// Mapping to the original's results (see [`ErrorCode`]):
///
/// | variant | return code | `errno` |
/// | --- | --- | --- |
/// | [`Resolve`](Self::Resolve) | `MOSQ_ERR_EAI` | the `EAI_*` code (negative on glibc) |
/// | [`Os`](Self::Os) | `MOSQ_ERR_ERRNO` | the OS error number |
/// | [`InvalidArgument`](Self::InvalidArgument) | `MOSQ_ERR_INVAL` | untouched |
/// | [`Socks`](Self::Socks) | see [`Socks5Error::code`]: `MOSQ_ERR_PROXY`, `_AUTH`, `_NO_CONN`, `_PROTOCOL`, `_NOMEM`, `_CONN_LOST` or `_INVAL` | untouched |
#[derive(Debug)]
pub enum TransportError {
    /// `getaddrinfo` failed with this `EAI_*` code (for the host or the
    /// bind address). The original stores the code in `errno`.
    Resolve {
        /// The raw `EAI_*` value `getaddrinfo` returned.
        code: i32,
    },
    /// A system call failed (socket, bind, connect, fcntl, read, write...):
    /// the last such error, as the original leaves it in `errno`.
    Os(io::Error),
    /// An argument the original rejects with `MOSQ_ERR_INVAL`, such as an
    /// empty or over-long unix socket path.
    InvalidArgument(&'static str),
    /// The SOCKS5 handshake failed.
    Socks(Socks5Error),
}

impl TransportError {
    /// The `MOSQ_ERR_*` value the original returns for this failure.
    pub fn code(&self) -> ErrorCode {
        match self {
            TransportError::Resolve { .. } => ErrorCode::Eai,
            TransportError::Os(_) => ErrorCode::Errno,
            TransportError::InvalidArgument(_) => ErrorCode::Inval,
            TransportError::Socks(e) => e.code(),
        }
    }

    /// The value the original leaves in `errno`, if it sets one.
    pub fn errno(&self) -> Option<i32> {
        match self {
            TransportError::Resolve { code } => Some(*code),
            TransportError::Os(e) => e.raw_os_error(),
            TransportError::InvalidArgument(_) | TransportError::Socks(_) => None,
        }
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportError::Resolve { code } => write!(f, "name resolution failed (EAI {code})"),
            TransportError::Os(e) => write!(f, "{e}"),
            TransportError::InvalidArgument(what) => write!(f, "invalid argument: {what}"),
            TransportError::Socks(e) => write!(f, "SOCKS5: {e}"),
        }
    }
}

impl std::error::Error for TransportError {}

impl From<io::Error> for TransportError {
    fn from(e: io::Error) -> Self {
        TransportError::Os(e)
    }
}

impl From<Socks5Error> for TransportError {
    fn from(e: Socks5Error) -> Self {
        TransportError::Socks(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_errno_follow_the_documented_mapping() {
        let e = TransportError::Resolve { code: -2 };
        assert_eq!(e.code(), ErrorCode::Eai);
        assert_eq!(e.errno(), Some(-2));

        let e = TransportError::Os(io::Error::from_raw_os_error(libc::ECONNREFUSED));
        assert_eq!(e.code(), ErrorCode::Errno);
        assert_eq!(e.errno(), Some(libc::ECONNREFUSED));

        let e = TransportError::InvalidArgument("path");
        assert_eq!(e.code(), ErrorCode::Inval);
        assert_eq!(e.errno(), None);

        let e = TransportError::Socks(Socks5Error::BadVersion);
        assert_eq!(e.code(), ErrorCode::Proxy);
        assert_eq!(e.errno(), None);
    }
}
