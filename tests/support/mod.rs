//! Test infrastructure for the client tests: where the built library is and
//! how to run a program on it or on Debian's reference ([`common`]), a real
//! broker ([`broker`]), a
//! scriptable fake broker ([`fake`]) with packet builders ([`packets`]),
//! running programs with deadlines ([`run`]) and Debian's command-line
//! clients on either library ([`clients`]), a SOCKS5 proxy ([`socks`]) and
//! a C probe run on the reference library against the fake broker
//! ([`probe`]), and test certificates made with `openssl` ([`certs`]).
//!
//! A test file uses it with
//!
//! ```ignore
//! mod support;
//! use support::common;
//! ```
//!
//! (`clients` and `diff` build on `common`'s `Lib` and `command_with`;
//! [`diff`] runs one C trace program on both libraries and compares).
#![allow(dead_code, unused_imports)]

pub mod broker;
pub mod certs;
pub mod clients;
pub mod common;
pub mod consts;
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
