//! What stands in for WebSockets in a build without the `websockets`
//! feature: the types the rest of the crate names, none of which can carry
//! a connection. [`WsStream`] and [`HandshakeError`] have no values, so
//! `Stream::Ws` can never be made; `MOSQ_OPT_TRANSPORT` refuses
//! `MOSQ_T_WEBSOCKETS` (see `client/websocket_off.rs`).

use std::fmt;
use std::io;

use super::stream::Stream;
pub use super::ws_settings::WsSettings;

/// A failed WebSocket upgrade, which this build cannot attempt (no values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandshakeError {}

impl HandshakeError {
    /// Never called (no value).
    pub fn code(&self) -> super::ErrorCode {
        match *self {}
    }
}

impl fmt::Display for HandshakeError {
    fn fmt(&self, _f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {}
    }
}

impl std::error::Error for HandshakeError {}

/// A WebSocket connection, which this build cannot make (no values).
#[derive(Debug)]
pub enum WsStream {}

impl WsStream {
    /// The connection underneath (never called: there is no value).
    pub fn inner(&self) -> &Stream {
        match *self {}
    }

    /// Never called (no value).
    pub fn handshaking(&self) -> bool {
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
    pub fn write2(&self, _first: &[u8], _second: &[u8]) -> io::Result<usize> {
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
