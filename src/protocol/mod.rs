//! MQTT protocol knowledge as pure, safe Rust: nothing here touches a
//! socket, a clock or a raw pointer. `forbid(unsafe_code)` makes the
//! compiler keep the "safe" part.

#![forbid(unsafe_code)]

pub mod packet;
pub mod property;
pub mod reason;
pub mod topic;
pub mod utf8;
