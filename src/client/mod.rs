//! The client runtime behind `struct mosquitto` (being written).

pub mod buffers;
pub mod callbacks;
