//! The C ABI of libmosquitto: one module per area of `mosquitto.h`.
//!
//! Each exported function checks its arguments, runs inside
//! [`boundary::ffi_boundary`] so that no panic crosses into C, and maps
//! errors to `MOSQ_ERR_*` values here and nowhere else.

pub mod boundary;
pub mod constants;
pub mod dispatch;
pub mod error;
pub mod mqtt_protocol;
pub mod types;

pub mod library;
pub mod message;
pub mod property;
pub mod ptr;
pub mod topic;

pub mod callbacks;
pub mod client;
pub mod connect;
pub mod extensions;
pub mod helpers;
pub mod loops;
pub mod options;
pub mod pubsub;
pub mod tls;
