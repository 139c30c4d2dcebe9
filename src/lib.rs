//! A memory-safe, drop-in replacement for libmosquitto, written in Rust.
//!
//! The crate is layered as the architecture describes:
//!
//! - [`protocol`]: pure MQTT knowledge (topics, UTF-8, properties, reason
//!   codes, packet encoding); no sockets, no clocks, no `unsafe`.
//! - [`session`]: the MQTT client session state machine (QoS flows,
//!   inflight windows, keepalive, resend), also pure and clock-free.
//! - [`transport`]: sockets: TCP, unix, SOCKS5, the wake-up pair, poll.
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
