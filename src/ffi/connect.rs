//! Connecting, reconnecting and disconnecting.

use std::ffi::{c_char, c_int};

use super::boundary::{c_str, ffi_boundary};
use super::client::{client, properties, result_rc};
use super::constants::{mosq_err_t::*, rc};
use super::types::{mosquitto, mosquitto_property};
use crate::protocol::property::{CMD_CONNECT, CMD_DISCONNECT};
use crate::session::OwnedProperties;

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
    // SAFETY: forwarded contract.
    let Some(client) = (unsafe { client(mosq) }) else {
        return rc(MOSQ_ERR_INVAL);
    };
    // SAFETY: NULL or NUL-terminated strings from the caller.
    let (host, bind) = unsafe { (c_str(host), c_str(bind_address)) };
    let bind = bind.map(|b| b.to_string_lossy().into_owned());
    let owned = match props {
        Some(list) => {
            // SAFETY: forwarded contract.
            let list = match unsafe { properties(list) } {
                Ok(p) => p,
                Err(code) => return code,
            };
            match OwnedProperties::new(CMD_CONNECT, &list) {
                Ok(p) => Some(p),
                Err(e) => return super::error::session_rc(e),
            }
        }
        None => None,
    };
    let Some(host) = host else {
        return rc(MOSQ_ERR_INVAL);
    };
    if !(0..=65535).contains(&port) || (keepalive != 0 && !(5..=65535).contains(&keepalive)) {
        return rc(MOSQ_ERR_INVAL);
    }
    let host = host.to_string_lossy();
    result_rc(client.connect(
        &host,
        port as u16,
        keepalive as u16,
        bind.as_deref(),
        owned,
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
    // SAFETY: forwarded contract.
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
    // SAFETY: forwarded contract.
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
        // SAFETY: forwarded contract.
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
    // SAFETY: forwarded contract.
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
    // SAFETY: forwarded contract.
    ffi_boundary(|| unsafe { connect(mosq, host, port, keepalive, bind_address, None, false) })
}

/// Reconnects to the broker of the last connect, blocking.
///
/// # Safety
/// `mosq` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_reconnect(mosq: *mut mosquitto) -> c_int {
    ffi_boundary(|| {
        // SAFETY: forwarded contract.
        match unsafe { client(mosq) } {
            Some(c) => result_rc(c.reconnect(true)),
            None => rc(MOSQ_ERR_INVAL),
        }
    })
}

/// Reconnects to the broker of the last connect without waiting.
///
/// # Safety
/// `mosq` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_reconnect_async(mosq: *mut mosquitto) -> c_int {
    ffi_boundary(|| {
        // SAFETY: forwarded contract.
        match unsafe { client(mosq) } {
            Some(c) => result_rc(c.reconnect(false)),
            None => rc(MOSQ_ERR_INVAL),
        }
    })
}

/// Sends DISCONNECT; `on_disconnect(0)` follows once it is written.
///
/// # Safety
/// `mosq` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_disconnect(mosq: *mut mosquitto) -> c_int {
    // SAFETY: forwarded contract.
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
        // SAFETY: forwarded contract.
        let Some(client) = (unsafe { client(mosq) }) else {
            return rc(MOSQ_ERR_INVAL);
        };
        let v5 = client.with_state(|st| st.version().is_v5());
        if !v5 && !properties.is_null() {
            return rc(MOSQ_ERR_NOT_SUPPORTED);
        }
        if !(0..=255).contains(&reason_code) {
            return rc(MOSQ_ERR_INVAL);
        }
        // SAFETY: forwarded contract.
        let props = match unsafe { super::client::outgoing_properties(properties) } {
            Ok(p) => p,
            Err(code) => return code,
        };
        if let Err(e) = crate::session::check_properties(CMD_DISCONNECT, &props) {
            return super::error::session_rc(e);
        }
        result_rc(client.disconnect(reason_code as u8, &props))
    })
}
