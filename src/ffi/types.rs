//! The C types of `mosquitto.h` whose layout callers rely on.

#![allow(non_camel_case_types)]

use std::ffi::{c_char, c_int, c_void};

/// The client handle. Opaque to C: only pointers to it cross the boundary.
// Deliberately not `#[repr(C)]`: cbindgen then declares it as the incomplete
// `struct mosquitto;` of the original header.
pub struct mosquitto {
    _opaque: [u8; 0],
}

/// A message as delivered to `on_message` and handled by `mosquitto_message_*`.
/// Layout identical to the original's (bindings read the fields directly).
#[repr(C)]
pub struct mosquitto_message {
    pub mid: c_int,
    pub topic: *mut c_char,
    pub payload: *mut c_void,
    pub payloadlen: c_int,
    pub qos: c_int,
    pub retain: bool,
}

/// A length-prefixed string or binary blob inside a property node.
/// `v` is a `malloc` block; strings carry a trailing NUL not counted in `len`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct mqtt__string {
    pub v: *mut c_char,
    pub len: u16,
}

/// The value of a property node: which member is live depends on the
/// property identifier's type.
#[repr(C)]
#[derive(Clone, Copy)]
pub union mqtt5__property_value {
    pub i8: u8,
    pub i16: u16,
    pub i32: u32,
    pub varint: u32,
    pub bin: mqtt__string,
    pub s: mqtt__string,
}

/// One node of an MQTT v5 property list, laid out exactly as the original's
/// internal `struct mqtt5__property` (48 bytes on x86-64), because Python
/// ctypes bindings walk these lists themselves. Nodes are `calloc`ed.
#[repr(C)]
pub struct mqtt5__property {
    pub next: *mut mqtt5__property,
    pub value: mqtt5__property_value,
    pub name: mqtt__string,
    pub identifier: i32,
    pub client_generated: bool,
}

/// The public name of a property list node.
pub type mosquitto_property = mqtt5__property;

/// Will message for the one-shot helpers (`mosquitto_subscribe_simple`, ...).
#[repr(C)]
pub struct libmosquitto_will {
    pub topic: *mut c_char,
    pub payload: *mut c_void,
    pub payloadlen: c_int,
    pub qos: c_int,
    pub retain: bool,
}

/// Credentials for the one-shot helpers.
#[repr(C)]
pub struct libmosquitto_auth {
    pub username: *mut c_char,
    pub password: *mut c_char,
}

/// Password callback used to decrypt TLS private keys.
pub type pw_callback = Option<
    unsafe extern "C" fn(
        buf: *mut c_char,
        size: c_int,
        rwflag: c_int,
        userdata: *mut c_void,
    ) -> c_int,
>;

/// TLS settings for the one-shot helpers.
#[repr(C)]
pub struct libmosquitto_tls {
    pub cafile: *mut c_char,
    pub capath: *mut c_char,
    pub certfile: *mut c_char,
    pub keyfile: *mut c_char,
    pub ciphers: *mut c_char,
    pub tls_version: *mut c_char,
    // Spelled out rather than using the `pw_callback` alias, so the header
    // shows a plain function pointer member as the original does.
    pub pw_callback: Option<
        unsafe extern "C" fn(
            buf: *mut c_char,
            size: c_int,
            rwflag: c_int,
            userdata: *mut c_void,
        ) -> c_int,
    >,
    pub cert_reqs: c_int,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{offset_of, size_of};

    #[test]
    fn property_node_layout_matches_the_original() {
        assert_eq!(size_of::<mqtt5__property>(), 48);
        assert_eq!(offset_of!(mqtt5__property, next), 0);
        assert_eq!(offset_of!(mqtt5__property, value), 8);
        assert_eq!(offset_of!(mqtt5__property, name), 24);
        assert_eq!(offset_of!(mqtt5__property, identifier), 40);
        assert_eq!(offset_of!(mqtt5__property, client_generated), 44);
    }

    #[test]
    fn message_layout_matches_the_original() {
        assert_eq!(size_of::<mosquitto_message>(), 40);
        assert_eq!(offset_of!(mosquitto_message, topic), 8);
        assert_eq!(offset_of!(mosquitto_message, payload), 16);
        assert_eq!(offset_of!(mosquitto_message, payloadlen), 24);
        assert_eq!(offset_of!(mosquitto_message, qos), 28);
        assert_eq!(offset_of!(mosquitto_message, retain), 32);
    }
}
