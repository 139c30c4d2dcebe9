//! The MQTT v5 property list API of `mosquitto.h` (`mosquitto_property_*`,
//! `mosquitto_string_to_property_info`) and the 2.1 accessors, over the C
//! node list whose layout callers rely on (`mosquitto_property`).
//!
//! Behaviour follows Debian's libmosquitto 2.0.11 as probed, quirks included
//! (see the tests at the end). Where the original crashes (NULL data with a
//! non-zero length, NULL out-pointers, copying an empty string property) we
//! return an error or treat the data as empty instead.
//!
//! Also the bridge between C lists and the pure
//! `Property` model: `view_list`, `build_list`, `free_list`,
//! `check_list` and `error_code`.

// The safety contract of every exported function is the C API's, as
// mosquitto.h documents it: pointers are NULL or valid for their use.
#![allow(clippy::missing_safety_doc)]

mod add;
mod list;
mod read;
#[cfg(test)]
mod tests;
mod whole;

pub use add::*;
pub use list::{build_list, check_list, error_code, free_list, view_list, view_outgoing};
pub use read::*;
pub use whole::*;
