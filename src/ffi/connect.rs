//! Connecting, reconnecting and disconnecting.

use std::ffi::{c_char, c_int};

use super::boundary::{c_str, ffi_boundary};
use super::client::{outgoing, read_properties, result_rc};
use super::ptr::try_client;
use super::types::{mosquitto, mosquitto_property};

/// The shared body of every `mosquitto_connect*`: the original's argument
/// checks, then the connection.
///
/// # Safety
/// `mosq` NULL or live; strings NULL or NUL-terminated; `props` NULL or a
/// valid list.
unsafe fn connect(
    mosq: *mut mosquitto,
    host: *const c_char,
    port: c_int,
    keepalive: c_int,
    bind_address: *const c_char,
    props: Option<*const mosquitto_property>,
    blocking: bool,
) -> c_int {
    let client = try_client!(mosq);
    // SAFETY: NULL or NUL-terminated strings from the caller.
    let (host, bind) = unsafe { (c_str(host), c_str(bind_address)) };
    let host = host.map(|h| h.to_string_lossy());
    let bind = bind.map(|b| b.to_string_lossy());
    // SAFETY: NULL or a valid list (the caller's contract), read before
    // this call returns.
    let props = props.map(|list| unsafe { read_properties(list) });
    result_rc(client.connect_args(
        host.as_deref(),
        port,
        keepalive,
        bind.as_deref(),
        props,
        blocking,
    ))
}

/// Connects to a broker, blocking until the TCP connection is made, and
/// sends CONNECT.
///
/// # Safety
/// `mosq` NULL or live; `host` NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_connect(
    mosq: *mut mosquitto,
    host: *const c_char,
    port: c_int,
    keepalive: c_int,
) -> c_int {
    // SAFETY: this function's contract covers `connect`'s.
    ffi_boundary(|| unsafe { connect(mosq, host, port, keepalive, std::ptr::null(), None, true) })
}

/// Connects to a broker from a given local address.
///
/// # Safety
/// As [`mosquitto_connect`]; `bind_address` NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_connect_bind(
    mosq: *mut mosquitto,
    host: *const c_char,
    port: c_int,
    keepalive: c_int,
    bind_address: *const c_char,
) -> c_int {
    // SAFETY: this function's contract covers `connect`'s.
    ffi_boundary(|| unsafe { connect(mosq, host, port, keepalive, bind_address, None, true) })
}

/// Connects to a broker from a given local address, with CONNECT properties.
///
/// # Safety
/// As [`mosquitto_connect_bind`]; `properties` NULL or a valid list.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_connect_bind_v5(
    mosq: *mut mosquitto,
    host: *const c_char,
    port: c_int,
    keepalive: c_int,
    bind_address: *const c_char,
    properties: *const mosquitto_property,
) -> c_int {
    ffi_boundary(|| {
        // SAFETY: this function's contract covers `connect`'s.
        unsafe {
            connect(
                mosq,
                host,
                port,
                keepalive,
                bind_address,
                Some(properties),
                true,
            )
        }
    })
}

/// Starts connecting to a broker without waiting for the TCP connection.
///
/// # Safety
/// As [`mosquitto_connect`].
#[no_mangle]
pub unsafe extern "C" fn mosquitto_connect_async(
    mosq: *mut mosquitto,
    host: *const c_char,
    port: c_int,
    keepalive: c_int,
) -> c_int {
    // SAFETY: this function's contract covers `connect`'s.
    ffi_boundary(|| unsafe { connect(mosq, host, port, keepalive, std::ptr::null(), None, false) })
}

/// Starts connecting from a given local address without waiting.
///
/// # Safety
/// As [`mosquitto_connect_bind`].
#[no_mangle]
pub unsafe extern "C" fn mosquitto_connect_bind_async(
    mosq: *mut mosquitto,
    host: *const c_char,
    port: c_int,
    keepalive: c_int,
    bind_address: *const c_char,
) -> c_int {
    // SAFETY: this function's contract covers `connect`'s.
    ffi_boundary(|| unsafe { connect(mosq, host, port, keepalive, bind_address, None, false) })
}

/// Reconnects to the broker of the last connect, blocking.
///
/// # Safety
/// `mosq` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_reconnect(mosq: *mut mosquitto) -> c_int {
    ffi_boundary(|| {
        let c = try_client!(mosq);
        result_rc(c.reconnect(true))
    })
}

/// Reconnects to the broker of the last connect without waiting.
///
/// # Safety
/// `mosq` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_reconnect_async(mosq: *mut mosquitto) -> c_int {
    ffi_boundary(|| {
        let c = try_client!(mosq);
        result_rc(c.reconnect(false))
    })
}

/// Sends DISCONNECT; `on_disconnect(0)` follows once it is written.
///
/// # Safety
/// `mosq` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_disconnect(mosq: *mut mosquitto) -> c_int {
    // SAFETY: this function's contract covers `mosquitto_disconnect_v5`'s.
    ffi_boundary(|| unsafe { mosquitto_disconnect_v5(mosq, 0, std::ptr::null()) })
}

/// Sends DISCONNECT with an MQTT 5 reason code and properties.
/// Difference: in MQTT 5, a reason code not sent by clients, or a non-zero Session Expiry Interval after a CONNECT without one, returns MOSQ_ERR_INVAL and sends nothing (the original sends it).
///
/// # Safety
/// `mosq` NULL or live; `properties` NULL or a valid list.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_disconnect_v5(
    mosq: *mut mosquitto,
    reason_code: c_int,
    properties: *const mosquitto_property,
) -> c_int {
    ffi_boundary(|| {
        let client = try_client!(mosq);
        // SAFETY: NULL or a valid list (this function's contract), read
        // before this call returns.
        let props = (!properties.is_null()).then(|| unsafe { outgoing(properties) });
        result_rc(client.disconnect_args(reason_code, props))
    })
}
