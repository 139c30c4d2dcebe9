//! A memory-safe, drop-in replacement for libmosquitto, written in Rust.
//!
//! The crate is layered as the architecture describes:
//!
//! - [`protocol`]: pure MQTT knowledge (topics, UTF-8, properties, reason
//!   codes, packet encoding); no sockets, no clocks, and
//!   `#![forbid(unsafe_code)]`.
//! - [`session`]: the MQTT client session state machine (QoS flows,
//!   inflight windows, keepalive, resend), also pure and clock-free, and
//!   `#![forbid(unsafe_code)]` too.
//! - [`transport`]: everything that touches a socket, nothing about MQTT:
//!   TCP and unix connections, SOCKS5, TLS (rustls), WebSockets (the HTTP
//!   upgrade and framing, over TCP or TLS), the wake-up pair, poll, the
//!   operating system's random bytes.
//! - [`client`]: the runtime behind `struct mosquitto`: locks, buffers, the
//!   loop functions and `loop_start`'s thread.
//! - [`ffi`]: the `extern "C"` surface of `mosquitto.h`, one module per area
//!   of the header. Every entry point goes through [`ffi::boundary`].
//!
//! The shipped artifact is `libmosquitto.so.1`, relinked from this crate's
//! staticlib by the top-level `Makefile` with the upstream symbol versions.

#![deny(unsafe_op_in_unsafe_fn)]

pub mod client;
pub mod ffi;
pub mod protocol;
pub mod session;
pub mod transport;

#[cfg(test)]
mod tests {
    /// The lower layers keep their promise of no `unsafe` by the
    /// compiler's hand, not by review.
    #[test]
    fn protocol_and_session_forbid_unsafe_code() {
        for (layer, text) in [
            ("protocol", include_str!("protocol/mod.rs")),
            ("session", include_str!("session/mod.rs")),
        ] {
            assert!(
                text.lines().any(|l| l.trim() == "#![forbid(unsafe_code)]"),
                "src/{layer}/mod.rs lacks #![forbid(unsafe_code)]"
            );
        }
    }
}
