//! Creating, resetting and destroying clients, and their per-client
//! settings (will, credentials, reconnect delay, user data, SOCKS5 proxy).
//!
//! A `struct mosquitto *` is `Arc::into_raw` of the [`Client`]: the C side
//! holds one strong reference, which `mosquitto_destroy` gives back;
//! `loop_start`'s thread holds another while it runs.

use std::ffi::{c_char, c_int, c_uint, c_void};
use std::ptr;
use std::sync::Arc;

use super::boundary::{ffi_boundary, ffi_boundary_or, report_errno};
use super::constants::{mosq_err_t::*, rc};
use super::property::{view_list, view_outgoing};
use super::ptr::{bytes, c_bytes, try_client};
use super::types::{mosquitto, mosquitto_property};
use crate::client::api_checks::payload_len;
use crate::client::api_checks::PropertiesArg;
use crate::client::{Client, ClientError};
use crate::protocol::property::Property;

pub(crate) use super::error::{error_rc, result_rc};
pub(crate) use super::ptr::{client, client_arc};

/// The properties of a C list, borrowed from its nodes (an unreadable list
/// as the error the original reports for it).
///
/// # Safety
/// `list` is NULL or a valid property list that outlives the result.
pub(crate) unsafe fn read_properties<'a>(
    list: *const mosquitto_property,
) -> Result<Vec<Property<'a>>, ClientError> {
    if list.is_null() {
        // The common case, kept off the list walk.
        return Ok(Vec::new());
    }
    // SAFETY: a valid list outliving 'a, by this function's contract.
    unsafe { view_list(list) }.map_err(super::error::property_error)
}

/// The properties a packet-sending `_v5` call sends for `list`
/// ([`view_outgoing`]: one node when the library made the head), as
/// [`read_properties`] gives them.
///
/// # Safety
/// As [`read_properties`].
pub(crate) unsafe fn outgoing<'a>(list: *const mosquitto_property) -> PropertiesArg<'a> {
    if list.is_null() {
        return Ok(Vec::new());
    }
    // SAFETY: a valid list outliving 'a, by this function's contract.
    unsafe { view_outgoing(list) }.map_err(super::error::property_error)
}

/// Creates a client. Returns NULL with `errno` set to `EINVAL` for a NULL
/// id without clean session or an empty id, as the original.
///
/// # Safety
/// `id` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_new(
    id: *const c_char,
    clean_session: bool,
    obj: *mut c_void,
) -> *mut mosquitto {
    ffi_boundary(|| {
        // SAFETY: `id` is NULL or NUL-terminated (this function's contract).
        let id = unsafe { c_bytes(id) };
        let new = match Client::create(id, clean_session) {
            Ok(new) => new,
            Err(e) => {
                // The original sets errno only for invalid arguments.
                if matches!(e, ClientError::Inval) {
                    report_errno(libc::EINVAL);
                }
                return ptr::null_mut();
            }
        };
        let handle = Arc::as_ptr(&new) as *mut mosquitto;
        new.set_userdata(if obj.is_null() {
            handle as *mut c_void
        } else {
            obj
        });
        Arc::into_raw(new) as *mut mosquitto
    })
}

/// Frees a client and everything it owns; a running loop thread is
/// stopped first.
///
/// # Safety
/// `mosq` is NULL or a live handle, not used again afterwards.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_destroy(mosq: *mut mosquitto) {
    ffi_boundary(|| {
        if mosq.is_null() {
            return;
        }
        // SAFETY: a live handle; this takes back the C side's reference.
        let client = unsafe { Arc::from_raw(mosq as *const Client) };
        client.shutdown();
        drop(client);
    })
}

/// Resets a client to the state `mosquitto_new` leaves it in.
///
/// # Safety
/// `mosq` is NULL or a live handle; `id` NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_reinitialise(
    mosq: *mut mosquitto,
    id: *const c_char,
    clean_session: bool,
    obj: *mut c_void,
) -> c_int {
    ffi_boundary(|| {
        // SAFETY: `mosq` is NULL or live (this function's contract).
        let Some(client) = (unsafe { client_arc(mosq) }) else {
            return rc(MOSQ_ERR_INVAL);
        };
        // SAFETY: `id` is NULL or NUL-terminated (this function's contract).
        let id = unsafe { c_bytes(id) };
        if let Err(e) = client.reset(id, clean_session) {
            return error_rc(&e);
        }
        client.set_userdata(if obj.is_null() {
            mosq as *mut c_void
        } else {
            obj
        });
        rc(MOSQ_ERR_SUCCESS)
    })
}

/// Sets the will message sent at the next connection.
/// Difference: a will payload longer than 65535 bytes is accepted as the original does, but only its first 65535 bytes are sent (the original sends a corrupt CONNECT).
///
/// # Safety
/// `mosq` NULL or live; `topic` NULL or NUL-terminated; `payload` valid for
/// `payloadlen` bytes when not NULL.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_will_set(
    mosq: *mut mosquitto,
    topic: *const c_char,
    payloadlen: c_int,
    payload: *const c_void,
    qos: c_int,
    retain: bool,
) -> c_int {
    ffi_boundary(|| {
        // SAFETY: this function's contract is `will_set`'s with no list.
        unsafe { will_set(mosq, topic, payloadlen, payload, qos, retain, ptr::null()) }
    })
}

/// Sets the will message, with MQTT 5 will properties.
///
/// # Safety
/// As [`mosquitto_will_set`]; `properties` NULL or a valid list.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_will_set_v5(
    mosq: *mut mosquitto,
    topic: *const c_char,
    payloadlen: c_int,
    payload: *const c_void,
    qos: c_int,
    retain: bool,
    properties: *mut mosquitto_property,
) -> c_int {
    ffi_boundary(|| {
        // SAFETY: this function's contract is `will_set`'s.
        let r = unsafe { will_set(mosq, topic, payloadlen, payload, qos, retain, properties) };
        if r == rc(MOSQ_ERR_SUCCESS) && !properties.is_null() {
            // The original takes ownership of the list on success.
            // SAFETY: the caller handed the list over; we copied it.
            unsafe { super::property::free_list(properties) };
        }
        r
    })
}

/// The shared body of the will setters: converts the arguments and lets
/// [`Client::set_will`] check and store them.
///
/// # Safety
/// As [`mosquitto_will_set_v5`].
unsafe fn will_set(
    mosq: *mut mosquitto,
    topic: *const c_char,
    payloadlen: c_int,
    payload: *const c_void,
    qos: c_int,
    retain: bool,
    properties: *const mosquitto_property,
) -> c_int {
    let client = try_client!(mosq);
    // SAFETY: `topic` is NULL or NUL-terminated (the caller's contract).
    let Some(topic) = (unsafe { c_bytes(topic) }) else {
        return rc(MOSQ_ERR_INVAL);
    };
    let len = match payload_len(payloadlen) {
        Ok(len) => len,
        Err(e) => return error_rc(&e),
    };
    // SAFETY: `payload` is NULL or holds `payloadlen` bytes (the caller's
    // contract).
    let Some(payload) = (unsafe { bytes(payload, len) }) else {
        return rc(MOSQ_ERR_INVAL);
    };
    // SAFETY: `properties` is NULL or a valid list (the caller's contract),
    // read before this call returns.
    let props = unsafe { read_properties(properties) };
    result_rc(client.set_will(topic, payload, qos, retain, props))
}

/// Removes the will.
///
/// # Safety
/// `mosq` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_will_clear(mosq: *mut mosquitto) -> c_int {
    ffi_boundary(|| {
        try_client!(mosq).clear_will();
        rc(MOSQ_ERR_SUCCESS)
    })
}

/// Sets the user name and password sent in CONNECT. The previous password
/// is wiped from memory.
/// Difference: a password longer than 65535 bytes is accepted as the original does, but only its first 65535 bytes are sent.
///
/// # Safety
/// `mosq` NULL or live; the strings NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_username_pw_set(
    mosq: *mut mosquitto,
    username: *const c_char,
    password: *const c_char,
) -> c_int {
    ffi_boundary(|| {
        let client = try_client!(mosq);
        // SAFETY: both are NULL or NUL-terminated (this function's contract).
        let (username, password) = unsafe { (c_bytes(username), c_bytes(password)) };
        result_rc(client.set_credentials(username, password))
    })
}

/// Sets the delays `loop_forever` waits before reconnecting. As in the
/// original, a first delay of 0 counts as 1 s while a maximum of 0 is kept,
/// so `(0, 0, _)` (or any maximum of 0) reconnects at once.
/// Difference: with a maximum of 0, a reconnect refused at once is retried after 10 ms, where the original spins a CPU core.
///
/// # Safety
/// `mosq` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_reconnect_delay_set(
    mosq: *mut mosquitto,
    reconnect_delay: c_uint,
    reconnect_delay_max: c_uint,
    reconnect_exponential_backoff: bool,
) -> c_int {
    ffi_boundary(|| {
        try_client!(mosq).set_reconnect_delay(
            reconnect_delay,
            reconnect_delay_max,
            reconnect_exponential_backoff,
        );
        rc(MOSQ_ERR_SUCCESS)
    })
}

/// Does nothing, as in libmosquitto 2.0 (retries happen on reconnect).
///
/// # Safety
/// `mosq` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_message_retry_set(mosq: *mut mosquitto, message_retry: c_uint) {
    ffi_boundary(|| {
        let _ = (mosq, message_retry);
    })
}

/// Sets the `obj` pointer passed to callbacks.
///
/// # Safety
/// `mosq` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_user_data_set(mosq: *mut mosquitto, obj: *mut c_void) {
    ffi_boundary(|| {
        // SAFETY: `mosq` is NULL or live (this function's contract).
        if let Some(client) = unsafe { client(mosq) } {
            client.set_userdata(obj);
        }
    })
}

/// The `obj` pointer passed to callbacks (NULL for a NULL client).
///
/// # Safety
/// `mosq` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_userdata(mosq: *mut mosquitto) -> *mut c_void {
    ffi_boundary(|| {
        // SAFETY: `mosq` is NULL or live (this function's contract).
        unsafe { client(mosq) }.map_or(ptr::null_mut(), |c| c.userdata())
    })
}

/// Routes the connection through a SOCKS5 proxy.
///
/// # Safety
/// `mosq` NULL or live; the strings NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_socks5_set(
    mosq: *mut mosquitto,
    host: *const c_char,
    port: c_int,
    username: *const c_char,
    password: *const c_char,
) -> c_int {
    ffi_boundary_or(rc(MOSQ_ERR_UNKNOWN), || {
        let client = try_client!(mosq);
        // SAFETY: the strings are NULL or NUL-terminated (this function's
        // contract).
        let (host, username, password) =
            unsafe { (c_bytes(host), c_bytes(username), c_bytes(password)) };
        let Some(host) = host else {
            return rc(MOSQ_ERR_INVAL);
        };
        result_rc(client.set_socks5(host, port, username, password))
    })
}

/// Whether the application runs its own loop thread (`mosquitto_threaded_set`).
///
/// # Safety
/// `mosq` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_threaded_set(mosq: *mut mosquitto, threaded: bool) -> c_int {
    ffi_boundary(|| {
        try_client!(mosq).set_threading(if threaded {
            crate::client::Threading::External
        } else {
            crate::client::Threading::None
        });
        rc(MOSQ_ERR_SUCCESS)
    })
}

/// The client's SRV lookup is not built in (as in Debian's build).
/// Status: not supported: returns `MOSQ_ERR_NOT_SUPPORTED`, as Debian's libmosquitto (built without SRV) does.
///
/// # Safety
/// Nothing is dereferenced.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_connect_srv(
    mosq: *mut mosquitto,
    host: *const c_char,
    keepalive: c_int,
    bind_address: *const c_char,
) -> c_int {
    ffi_boundary(|| {
        let _ = (mosq, host, keepalive, bind_address);
        rc(MOSQ_ERR_NOT_SUPPORTED)
    })
}
