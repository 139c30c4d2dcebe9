//! What stands in for TLS in a build without the `tls` feature: the types
//! the rest of the crate names, none of which can carry a connection.
//!
//! [`TlsStream`] and [`PskStream`] have no values, so `Stream::Tls` and
//! `Stream::Psk` can never be made and every `match` arm on them compiles
//! to nothing. [`TlsSettings`] records nothing and is never enabled: the
//! client's TLS setters answer `NotSupported` (see
//! `client/tls_settings_off.rs` and `client/tls_off.rs`).

use std::io;
use std::sync::Arc;

use super::stream::Stream;
pub use super::tls_error::TlsError;

/// Where a key's password would come from (`pw_callback`); unused here.
pub type PasswordSource = Arc<dyn Fn() -> Option<Vec<u8>> + Send + Sync>;

/// The TLS settings of a build without TLS: always empty.
#[derive(Clone, Debug, Default)]
pub struct TlsSettings;

impl TlsSettings {
    /// Never: connections are plain.
    pub fn enabled(&self) -> bool {
        false
    }
}

/// A TLS or TLS-PSK connection, which this build cannot make (no values).
#[derive(Debug)]
pub enum TlsStream {}

/// TLS-PSK uses the same empty stand-in.
pub type PskStream = TlsStream;

impl TlsStream {
    /// The connection underneath (never called: there is no value).
    pub fn inner(&self) -> &Stream {
        match *self {}
    }

    /// Never called (no value).
    pub fn read(&self, _buf: &mut [u8]) -> io::Result<usize> {
        match *self {}
    }

    /// Never called (no value).
    pub fn write(&self, _buf: &[u8]) -> io::Result<usize> {
        match *self {}
    }

    /// Never called (no value).
    pub fn flush(&self) -> io::Result<()> {
        match *self {}
    }

    /// Never called (no value).
    pub fn wants_write(&self) -> bool {
        match *self {}
    }

    /// Never called (no value).
    pub fn shutdown(&self) -> io::Result<()> {
        match *self {}
    }
}
