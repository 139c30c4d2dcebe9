//! MQTT protocol knowledge as pure, safe Rust: nothing here touches a
//! socket, a clock or a raw pointer.

pub mod packet;
pub mod property;
pub mod reason;
pub mod topic;
pub mod utf8;
