//! Everything that touches a socket, and nothing about MQTT.
//!
//! - [`connect`]: opens a TCP connection (host names, IPv4/IPv6, bind
//!   address, blocking or not) or, for port 0, a unix-domain one, as
//!   `mosquitto_connect*` does; [`Stream`] is the resulting non-blocking
//!   connection.
//! - [`socks5`]: the SOCKS5 handshake for `mosquitto_socks5_set`.
//! - `tls` and `tls_config`: TLS over the connection (rustls), and the
//!   settings it is configured from; `tls_verify` checks the broker's
//!   certificate as the original does (with `x509` reading its names).
//! - `psk`: TLS 1.3 with an external pre-shared key (embedded-tls),
//!   which rustls does not offer.
//! - [`websocket`]: MQTT over WebSocket (the HTTP upgrade and framing)
//!   over the connection, TLS or not.
//!
//! The TLS modules are built with the `tls` feature and WebSocket with
//! the `websockets` feature (both default); without them `tls` and
//! `websocket` are stand-ins whose streams cannot be made
//! (`tls_off.rs`, `websocket_off.rs`), so [`Stream`] and the client keep
//! one shape in every build.
//! - [`random`]: random bytes from the operating system (WebSocket keys
//!   and masks, made-up client ids).
//! - [`wakeup`]: lets any thread wake the network thread out of [`poll()`].
//! - [`poll()`]: waits for the stream and the wake-up descriptor.
//! - [`io_errno`]: the `errno` the original leaves after socket I/O.
//! - [`TransportError`]: failures, with the original's return code and
//!   `errno` for each ([`ErrorCode`]).
//!
//! # Why this module has `unsafe`
//!
//! Three system interfaces have no safe wrapper in `std` or `socket2`:
//! `getaddrinfo` (needed to report the resolver's `EAI_*` code as the
//! original does, see [`resolve`]), `poll` (see [`poll()`]) and
//! `getrandom` (see [`random`]). Each call sits in a small `unsafe` block
//! with a `// SAFETY:` note; everything else
//! goes through `std` and `socket2`.

pub mod error;
pub mod io_errno;
#[cfg(feature = "tls")]
pub mod legacy_pem;
pub mod poll;
#[cfg(feature = "tls")]
pub mod psk;
pub mod random;
pub mod resolve;
pub mod socks5;
pub mod stream;
pub mod tcp;
// Without the `tls` feature, `tls` is a stand-in (tls_off.rs) whose streams
// cannot be made, and the other TLS modules are left out.
#[cfg_attr(not(feature = "tls"), path = "tls_off.rs")]
pub mod tls;
#[cfg(feature = "tls")]
pub mod tls_config;
pub mod tls_error;
#[cfg(feature = "tls")]
pub mod tls_report;
#[cfg(feature = "tls")]
pub mod tls_verify;
pub mod unix;
pub mod wakeup;
// Without the `websockets` feature, a stand-in (websocket_off.rs).
#[cfg_attr(not(feature = "websockets"), path = "websocket_off.rs")]
pub mod websocket;
pub mod ws_settings;
#[cfg(feature = "tls")]
pub mod x509;

pub use error::{ErrorCode, TransportError};
pub use poll::{poll, Ready};
#[cfg(feature = "tls")]
pub use psk::{PskSettings, PskStream};
pub use socks5::{Socks5, Socks5Error};
pub use stream::Stream;
#[cfg(not(feature = "tls"))]
pub use tls::{PasswordSource, PskStream, TlsSettings};
pub use tls::{TlsError, TlsStream};
#[cfg(feature = "tls")]
pub use tls_config::{MinVersion, PasswordSource, TlsSettings};
pub use wakeup::{WakeReceiver, WakeSender, Wakeup};
pub use websocket::{HandshakeError, WsSettings, WsStream};

/// How far a new connection got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connecting {
    /// Connected (the original returns `MOSQ_ERR_SUCCESS`).
    Done,
    /// A non-blocking connect is under way (`MOSQ_ERR_CONN_PENDING`): poll
    /// for writability, then [`Stream::check_connected`].
    InProgress,
}

/// Opens a connection the way the original's `mosquitto_connect*` does.
///
/// Port 0 means `host` is a unix socket path (`bind_address` and `blocking`
/// are then unused); otherwise it is a TCP host name or address, tried
/// address by address (see [`tcp`]). The stream is non-blocking on return.
pub fn connect(
    host: &str,
    port: u16,
    bind_address: Option<&str>,
    blocking: bool,
) -> Result<(Stream, Connecting), TransportError> {
    if port == 0 {
        unix::connect_unix(host)
    } else {
        tcp::connect_tcp(host, port, bind_address, blocking)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::os::unix::net::UnixListener;

    #[test]
    fn port_zero_means_a_unix_socket_path() {
        let path = std::env::temp_dir().join(format!("mosq-rs-mod-{}.sock", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let _listener = UnixListener::bind(&path).unwrap();
        let (stream, state) = connect(path.to_str().unwrap(), 0, Some("ignored"), true).unwrap();
        assert!(stream.is_unix());
        assert_eq!(state, Connecting::Done);
        std::fs::remove_file(&path).unwrap();
        // An empty host with port 0 is an invalid argument, as in the original.
        assert_eq!(
            connect("", 0, None, true).unwrap_err().code(),
            ErrorCode::Inval
        );
    }

    #[test]
    fn other_ports_mean_tcp() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (stream, _) = connect("127.0.0.1", port, None, true).unwrap();
        assert!(!stream.is_unix());
        assert!(stream.as_raw_fd() >= 0);
    }
}
