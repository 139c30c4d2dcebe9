//! The fuzz targets of the protocol code, as plain functions of a byte
//! slice: each panics when an invariant breaks and returns otherwise.
//!
//! `fuzz_targets/*.rs` hand them to libFuzzer; the smoke test
//! (`tests/fuzz_smoke.rs` in the main crate) builds and runs those.

mod decode;
mod properties;
mod session;
mod topic_utf8;

pub use decode::{decode_v31, decode_v311, decode_v5};
pub use properties::properties;
pub use session::session;
pub use topic_utf8::topic_utf8;
