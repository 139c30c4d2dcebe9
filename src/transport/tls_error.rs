//! [`TlsError`], the TLS failure the client reports. It is in every build
//! (a build without the `tls` feature simply never makes one), so the
//! client's error type is the same with and without TLS.

use std::fmt;
use std::io;

/// A TLS failure, with a message for the log.
#[derive(Debug, Clone)]
pub struct TlsError {
    /// Whether it happened before the handshake completed (including
    /// setting up the configuration).
    pub handshake: bool,
    /// Whether the handshake itself failed (the broker's certificate, an
    /// alert, a peer that does not speak TLS or hung up): the original
    /// then closes the connection without calling on_disconnect.
    pub during_handshake: bool,
    /// What went wrong, for the log callback: one line or more, in the
    /// original's words.
    pub message: String,
}

impl TlsError {
    /// A failure to set up the TLS configuration (files, ciphers...).
    pub fn config(message: String) -> TlsError {
        TlsError {
            handshake: true,
            during_handshake: false,
            message,
        }
    }

    /// The [`TlsError`] inside an `io::Error` from a TLS stream, if any.
    pub fn from_io(e: &io::Error) -> Option<&TlsError> {
        e.get_ref()
            .and_then(|inner| inner.downcast_ref::<TlsError>())
    }
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TlsError {}
