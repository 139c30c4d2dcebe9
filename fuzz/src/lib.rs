//! The fuzz targets of the protocol code and of the hand-written
//! transport parsers (WebSocket, SOCKS5, legacy PEM), as plain functions of a byte
//! slice: each panics when an invariant breaks and returns otherwise.
//!
//! `fuzz_targets/*.rs` hand them to libFuzzer; the smoke test
//! (`tests/fuzz_smoke.rs` in the main crate) builds and runs those.

mod decode;
mod legacy_pem;
mod properties;
mod session;
mod socks5;
mod topic_utf8;
mod ws_frames;
mod ws_handshake;

pub use decode::{decode_v31, decode_v311, decode_v5};
pub use legacy_pem::legacy_pem;
pub use properties::properties;
pub use session::session;
pub use socks5::socks5;
pub use topic_utf8::topic_utf8;
pub use ws_frames::ws_frames;
pub use ws_handshake::ws_handshake;
