//! The `mosquitto_*_callback_set` functions: each stores one C function
//! pointer that the client calls on an event.
//!
//! The callback types are spelled out in each signature (no typedefs), so the
//! header shows them exactly as the original does. Until the client exists
//! (issue 3) the setters do nothing.

use std::ffi::{c_char, c_int, c_void};

use super::boundary::ffi_boundary;
use super::types::{mosquitto, mosquitto_message, mosquitto_property};

/// Sets the callback: called when the broker answers CONNECT.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_connect_callback_set(
    mosq: *mut mosquitto,
    on_connect: Option<unsafe extern "C" fn(*mut mosquitto, *mut c_void, c_int)>,
) {
    ffi_boundary(|| {
        let _ = (mosq, on_connect);
    })
}

/// Sets the callback: called when the broker answers CONNECT, with the CONNACK flags.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_connect_with_flags_callback_set(
    mosq: *mut mosquitto,
    on_connect: Option<unsafe extern "C" fn(*mut mosquitto, *mut c_void, c_int, c_int)>,
) {
    ffi_boundary(|| {
        let _ = (mosq, on_connect);
    })
}

/// Sets the callback: called when the broker answers CONNECT, with flags and properties.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_connect_v5_callback_set(
    mosq: *mut mosquitto,
    on_connect: Option<
        unsafe extern "C" fn(
            *mut mosquitto,
            *mut c_void,
            c_int,
            c_int,
            props: *const mosquitto_property,
        ),
    >,
) {
    ffi_boundary(|| {
        let _ = (mosq, on_connect);
    })
}

/// Sets the callback: called just before each connection attempt (2.1).
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_pre_connect_callback_set(
    mosq: *mut mosquitto,
    on_pre_connect: Option<unsafe extern "C" fn(*mut mosquitto, *mut c_void)>,
) {
    ffi_boundary(|| {
        let _ = (mosq, on_pre_connect);
    })
}

/// Sets the callback: called when the connection ends.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_disconnect_callback_set(
    mosq: *mut mosquitto,
    on_disconnect: Option<unsafe extern "C" fn(*mut mosquitto, *mut c_void, c_int)>,
) {
    ffi_boundary(|| {
        let _ = (mosq, on_disconnect);
    })
}

/// Sets the callback: called when the connection ends, with the DISCONNECT properties.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_disconnect_v5_callback_set(
    mosq: *mut mosquitto,
    on_disconnect: Option<
        unsafe extern "C" fn(*mut mosquitto, *mut c_void, c_int, props: *const mosquitto_property),
    >,
) {
    ffi_boundary(|| {
        let _ = (mosq, on_disconnect);
    })
}

/// Sets the callback: called when a published message has completed its QoS flow.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_publish_callback_set(
    mosq: *mut mosquitto,
    on_publish: Option<unsafe extern "C" fn(*mut mosquitto, *mut c_void, c_int)>,
) {
    ffi_boundary(|| {
        let _ = (mosq, on_publish);
    })
}

/// Sets the callback: called when a published message has completed, with reason code and properties.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_publish_v5_callback_set(
    mosq: *mut mosquitto,
    on_publish: Option<
        unsafe extern "C" fn(
            *mut mosquitto,
            *mut c_void,
            c_int,
            c_int,
            props: *const mosquitto_property,
        ),
    >,
) {
    ffi_boundary(|| {
        let _ = (mosq, on_publish);
    })
}

/// Sets the callback: called for each message received.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_message_callback_set(
    mosq: *mut mosquitto,
    on_message: Option<unsafe extern "C" fn(*mut mosquitto, *mut c_void, *const mosquitto_message)>,
) {
    ffi_boundary(|| {
        let _ = (mosq, on_message);
    })
}

/// Sets the callback: called for each message received, with its properties.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_message_v5_callback_set(
    mosq: *mut mosquitto,
    on_message: Option<
        unsafe extern "C" fn(
            *mut mosquitto,
            *mut c_void,
            *const mosquitto_message,
            props: *const mosquitto_property,
        ),
    >,
) {
    ffi_boundary(|| {
        let _ = (mosq, on_message);
    })
}

/// Sets the callback: called when SUBACK arrives, with the granted QoS list.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_subscribe_callback_set(
    mosq: *mut mosquitto,
    on_subscribe: Option<
        unsafe extern "C" fn(*mut mosquitto, *mut c_void, c_int, c_int, *const c_int),
    >,
) {
    ffi_boundary(|| {
        let _ = (mosq, on_subscribe);
    })
}

/// Sets the callback: called when SUBACK arrives, with the granted QoS list and properties.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_subscribe_v5_callback_set(
    mosq: *mut mosquitto,
    on_subscribe: Option<
        unsafe extern "C" fn(
            *mut mosquitto,
            *mut c_void,
            c_int,
            c_int,
            *const c_int,
            props: *const mosquitto_property,
        ),
    >,
) {
    ffi_boundary(|| {
        let _ = (mosq, on_subscribe);
    })
}

/// Sets the callback: called when UNSUBACK arrives.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_unsubscribe_callback_set(
    mosq: *mut mosquitto,
    on_unsubscribe: Option<unsafe extern "C" fn(*mut mosquitto, *mut c_void, c_int)>,
) {
    ffi_boundary(|| {
        let _ = (mosq, on_unsubscribe);
    })
}

/// Sets the callback: called when UNSUBACK arrives, with its properties.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_unsubscribe_v5_callback_set(
    mosq: *mut mosquitto,
    on_unsubscribe: Option<
        unsafe extern "C" fn(*mut mosquitto, *mut c_void, c_int, props: *const mosquitto_property),
    >,
) {
    ffi_boundary(|| {
        let _ = (mosq, on_unsubscribe);
    })
}

/// Sets the callback: called when UNSUBACK arrives, with its reason codes and properties (2.1).
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_unsubscribe2_v5_callback_set(
    mosq: *mut mosquitto,
    on_unsubscribe: Option<
        unsafe extern "C" fn(
            *mut mosquitto,
            *mut c_void,
            c_int,
            c_int,
            *const c_int,
            props: *const mosquitto_property,
        ),
    >,
) {
    ffi_boundary(|| {
        let _ = (mosq, on_unsubscribe);
    })
}

/// Sets the callback: called when the broker sends AUTH during extended authentication (2.1).
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_ext_auth_callback_set(
    mosq: *mut mosquitto,
    on_ext_auth: Option<
        unsafe extern "C" fn(
            *mut mosquitto,
            *mut c_void,
            *const c_char,
            u16,
            *const c_void,
            props: *const mosquitto_property,
        ) -> c_int,
    >,
) {
    ffi_boundary(|| {
        let _ = (mosq, on_ext_auth);
    })
}

/// Sets the callback: called with each log line of the client.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_log_callback_set(
    mosq: *mut mosquitto,
    on_log: Option<unsafe extern "C" fn(*mut mosquitto, *mut c_void, c_int, *const c_char)>,
) {
    ffi_boundary(|| {
        let _ = (mosq, on_log);
    })
}
