//! The integration tests' one toolkit (every test file starts with
//! `mod support;`):
//!
//! - [`common`]: where the built library is (built with `make` on first
//!   use), compiling C test programs, running a program on our library or
//!   on Debian's reference (`Lib`, `command_with`);
//! - [`consts`]: the C API's numbers by their header names (`MOSQ_ERR_*`,
//!   `MOSQ_OPT_*`, `MQTT_PROTOCOL_*`, `MQTT_PROP_*`), checked against the
//!   reference's headers;
//! - [`inproc`]: our library driven in-process through its C API, the one
//!   client wrapper ([`inproc::Ptr`] for any thread, [`inproc::Mosq`] for
//!   step-by-step sessions against the fake broker);
//! - [`packets`]: the one packet builder, well-formed packets from the
//!   crate's codec and raw bytes for malformed ones;
//! - [`fake`]: a scriptable fake broker; [`broker`]: a real mosquitto
//!   broker; [`proxy`]: a fault-injecting proxy; [`socks`]: a SOCKS5 proxy;
//! - [`probe`]: a C client run on the reference library against the fake
//!   broker; [`diff`]: one C trace program on both libraries, compared;
//!   [`clients`]: Debian's command-line clients on either library;
//! - [`run`]: running programs with deadlines; [`certs`]: test
//!   certificates made with `openssl`.
//!
//! ```ignore
//! mod support;
//! use support::common;
//! use support::consts::*;
//! ```
#![allow(dead_code, unused_imports)]

pub mod broker;
pub mod certs;
pub mod clients;
pub mod common;
pub mod consts;
pub mod debuginfo;
pub mod diff;
pub mod fake;
pub mod inproc;
pub mod packets;
pub mod probe;
pub mod proxy;
pub mod run;
pub mod socks;

pub use broker::{Broker, BrokerOptions, Listener};
pub use fake::{FakeBroker, PacketConn, RawPacket};
