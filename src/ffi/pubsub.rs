//! Publishing, subscribing, unsubscribing, and v5 AUTH.

use std::ffi::{c_char, c_int, c_void};

use super::boundary::ffi_boundary;
use super::client::{outgoing, read_properties};
use super::constants::{mosq_err_t::*, rc};
use super::error::error_rc;
use super::ptr::{bytes, c_bytes, try_client, write_out};
use super::types::{mosquitto, mosquitto_property};
use crate::client::api_checks::payload_len;
use crate::client::api_checks::PayloadArg;
use crate::protocol::property::{Identifier, Property, Value};

/// Stands for a NULL filter: invalid, so it fails exactly where the
/// original's filter check fails (after its connection check).
const NULL_FILTER: &[u8] = b"#/";

/// Writes a message id to `*mid` when `mid` is not NULL.
///
/// # Safety
/// `mid` is NULL or writable.
unsafe fn store_mid(mid: *mut c_int, value: u16) {
    // SAFETY: NULL or writable, by this function's contract.
    unsafe { write_out(mid, c_int::from(value)) }
}

/// Publishes a message.
/// Difference: RETAIN while the broker has no Retain Available fails with MOSQ_ERR_RETAIN_NOT_SUPPORTED (the original clears it and sends the message) [MQTT-3.2.2-14].
///
/// # Safety
/// `mosq` NULL or live; `mid` NULL or writable; `topic` NULL or
/// NUL-terminated; `payload` valid for `payloadlen` bytes when not NULL.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_publish(
    mosq: *mut mosquitto,
    mid: *mut c_int,
    topic: *const c_char,
    payloadlen: c_int,
    payload: *const c_void,
    qos: c_int,
    retain: bool,
) -> c_int {
    ffi_boundary(|| {
        // SAFETY: this function's contract covers `publish`'s.
        unsafe {
            publish(
                mosq,
                mid,
                topic,
                payloadlen,
                payload,
                qos,
                retain,
                std::ptr::null(),
            )
        }
    })
}

/// Publishes a message with MQTT 5 properties.
/// Difference: a NULL payload with a positive length returns MOSQ_ERR_INVAL once connected (the original reads through the NULL); unconnected it fails with MOSQ_ERR_NO_CONN as the original does. MQTT 5 rules the original breaks: RETAIN while the broker has no Retain Available fails with MOSQ_ERR_RETAIN_NOT_SUPPORTED (the original clears it), a Topic Alias the broker does not allow with MOSQ_ERR_TOPIC_ALIAS_INVALID (the original sends it).
///
/// # Safety
/// As [`mosquitto_publish`]; `properties` NULL or a valid list.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn mosquitto_publish_v5(
    mosq: *mut mosquitto,
    mid: *mut c_int,
    topic: *const c_char,
    payloadlen: c_int,
    payload: *const c_void,
    qos: c_int,
    retain: bool,
    properties: *const mosquitto_property,
) -> c_int {
    ffi_boundary(|| {
        // SAFETY: this function's contract covers `publish`'s.
        unsafe {
            publish(
                mosq, mid, topic, payloadlen, payload, qos, retain, properties,
            )
        }
    })
}

/// The body of [`mosquitto_publish`] and [`mosquitto_publish_v5`] (one
/// panic boundary on the hot path, not two).
///
/// # Safety
/// As [`mosquitto_publish_v5`].
#[allow(clippy::too_many_arguments)]
#[inline(always)]
unsafe fn publish(
    mosq: *mut mosquitto,
    mid: *mut c_int,
    topic: *const c_char,
    payloadlen: c_int,
    payload: *const c_void,
    qos: c_int,
    retain: bool,
    properties: *const mosquitto_property,
) -> c_int {
    let client = try_client!(mosq);
    // SAFETY: `topic` is NULL or NUL-terminated (the caller's contract).
    let topic = unsafe { c_bytes(topic) }.unwrap_or_default();
    let payload = match payload_len(payloadlen) {
        // SAFETY: `payload` is NULL or holds `payloadlen` bytes (the
        // caller's contract).
        Ok(len) => unsafe { bytes(payload, len) }.map_or(PayloadArg::Null, PayloadArg::Bytes),
        Err(_) => PayloadArg::OutOfRange,
    };
    // SAFETY: NULL or a valid list (the caller's contract), read before
    // this call returns.
    let props = unsafe { outgoing(properties) };
    let (mid_value, code) = match client.publish_args(topic, payload, qos, retain, props) {
        Ok(m) => (Some(m), rc(MOSQ_ERR_SUCCESS)),
        Err((e, m)) => (m, error_rc(&e)),
    };
    if let Some(m) = mid_value {
        // SAFETY: `mid` is NULL or writable (the caller's contract).
        unsafe { store_mid(mid, m) };
    }
    code
}

/// The shared body of the subscribe functions.
///
/// # Safety
/// `mosq` NULL or live; `mid` NULL or writable; `sub` NULL or an array of
/// `sub_count` pointers, each NULL or NUL-terminated; `props` NULL or a
/// valid list.
unsafe fn subscribe(
    mosq: *mut mosquitto,
    mid: *mut c_int,
    sub_count: c_int,
    sub: *const *const c_char,
    qos: c_int,
    options: c_int,
    props: *const mosquitto_property,
) -> c_int {
    let client = try_client!(mosq);
    if sub_count == 0 || sub.is_null() {
        return rc(MOSQ_ERR_INVAL);
    }
    // SAFETY: `sub` holds `sub_count` strings, each NULL or NUL-terminated
    // (the caller's contract).
    let filters = unsafe { filters(sub_count, sub) };
    // SAFETY: NULL or a valid list (the caller's contract), read before
    // this call returns.
    let props = unsafe { outgoing(props) };
    match client.subscribe_args(&filters, qos, options, props) {
        Ok(m) => {
            // SAFETY: `mid` is NULL or writable (the caller's contract).
            unsafe { store_mid(mid, m) };
            rc(MOSQ_ERR_SUCCESS)
        }
        Err(e) => error_rc(&e),
    }
}

/// The filters of a C array (NULL entries stand as [`NULL_FILTER`]).
///
/// # Safety
/// `sub` is an array of `count` pointers, each NULL or NUL-terminated.
unsafe fn filters<'a>(count: c_int, sub: *const *const c_char) -> Vec<&'a [u8]> {
    (0..count.max(0) as usize)
        .map(|i| {
            // SAFETY: `i < count`, within the caller's array.
            let p = unsafe { *sub.add(i) };
            // SAFETY: NULL or NUL-terminated per the contract.
            unsafe { c_bytes(p) }.unwrap_or(NULL_FILTER)
        })
        .collect()
}

/// Subscribes to one topic filter.
///
/// # Safety
/// `mosq` NULL or live; `mid` NULL or writable; `sub` NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_subscribe(
    mosq: *mut mosquitto,
    mid: *mut c_int,
    sub: *const c_char,
    qos: c_int,
) -> c_int {
    // SAFETY: this function's contract covers the shared body's; `&sub`
    // is an array of one.
    ffi_boundary(|| unsafe { subscribe(mosq, mid, 1, &sub, qos, 0, std::ptr::null()) })
}

/// Subscribes to one topic filter with MQTT 5 options and properties.
///
/// # Safety
/// As [`mosquitto_subscribe`]; `properties` NULL or a valid list.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_subscribe_v5(
    mosq: *mut mosquitto,
    mid: *mut c_int,
    sub: *const c_char,
    qos: c_int,
    options: c_int,
    properties: *const mosquitto_property,
) -> c_int {
    // SAFETY: this function's contract covers the shared body's; `&sub`
    // is an array of one.
    ffi_boundary(|| unsafe { subscribe(mosq, mid, 1, &sub, qos, options, properties) })
}

/// Subscribes to several topic filters in one SUBSCRIBE.
///
/// # Safety
/// As [`mosquitto_subscribe_v5`]; `sub` an array of `sub_count` strings.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_subscribe_multiple(
    mosq: *mut mosquitto,
    mid: *mut c_int,
    sub_count: c_int,
    sub: *const *mut c_char,
    qos: c_int,
    options: c_int,
    properties: *const mosquitto_property,
) -> c_int {
    ffi_boundary(|| {
        // SAFETY: this function's contract covers `subscribe`'s.
        unsafe {
            subscribe(
                mosq,
                mid,
                sub_count,
                sub as *const *const c_char,
                qos,
                options,
                properties,
            )
        }
    })
}

/// The shared body of the unsubscribe functions.
///
/// # Safety
/// As [`subscribe`].
unsafe fn unsubscribe(
    mosq: *mut mosquitto,
    mid: *mut c_int,
    sub_count: c_int,
    sub: *const *const c_char,
    props: *const mosquitto_property,
) -> c_int {
    let client = try_client!(mosq);
    let filters = if sub.is_null() {
        Vec::new()
    } else {
        // SAFETY: `sub` holds `sub_count` strings, each NULL or
        // NUL-terminated (the caller's contract).
        unsafe { filters(sub_count, sub) }
    };
    // SAFETY: NULL or a valid list (the caller's contract), read before
    // this call returns.
    let props = match unsafe { outgoing(props) } {
        Ok(p) => p,
        Err(e) => return error_rc(&e),
    };
    match client.unsubscribe(&filters, &props) {
        Ok(m) => {
            // SAFETY: `mid` is NULL or writable (the caller's contract).
            unsafe { store_mid(mid, m) };
            rc(MOSQ_ERR_SUCCESS)
        }
        Err(e) => error_rc(&e),
    }
}

/// Unsubscribes from one topic filter.
///
/// # Safety
/// `mosq` NULL or live; `mid` NULL or writable; `sub` NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_unsubscribe(
    mosq: *mut mosquitto,
    mid: *mut c_int,
    sub: *const c_char,
) -> c_int {
    // SAFETY: this function's contract covers the shared body's; `&sub`
    // is an array of one.
    ffi_boundary(|| unsafe { unsubscribe(mosq, mid, 1, &sub, std::ptr::null()) })
}

/// Unsubscribes from one topic filter, with MQTT 5 properties.
///
/// # Safety
/// As [`mosquitto_unsubscribe`]; `properties` NULL or a valid list.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_unsubscribe_v5(
    mosq: *mut mosquitto,
    mid: *mut c_int,
    sub: *const c_char,
    properties: *const mosquitto_property,
) -> c_int {
    // SAFETY: this function's contract covers the shared body's; `&sub`
    // is an array of one.
    ffi_boundary(|| unsafe { unsubscribe(mosq, mid, 1, &sub, properties) })
}

/// Unsubscribes from several topic filters in one UNSUBSCRIBE.
///
/// # Safety
/// As [`mosquitto_unsubscribe_v5`]; `sub` an array of `sub_count` strings.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_unsubscribe_multiple(
    mosq: *mut mosquitto,
    mid: *mut c_int,
    sub_count: c_int,
    sub: *const *mut c_char,
    properties: *const mosquitto_property,
) -> c_int {
    ffi_boundary(|| {
        // SAFETY: this function's contract covers `unsubscribe`'s.
        unsafe {
            unsubscribe(
                mosq,
                mid,
                sub_count,
                sub as *const *const c_char,
                properties,
            )
        }
    })
}

/// Continues an MQTT 5 extended authentication exchange (2.1): sends AUTH
/// (continue authentication) with the method, data and properties.
///
/// # Safety
/// `context` NULL or live; `auth_method` NULL or NUL-terminated;
/// `auth_data` valid for `auth_data_len` bytes; `props` NULL or a valid list.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_ext_auth_continue(
    context: *mut mosquitto,
    auth_method: *const c_char,
    auth_data_len: u16,
    auth_data: *const c_void,
    props: *const mosquitto_property,
) -> c_int {
    ffi_boundary(|| {
        let client = try_client!(context);
        // SAFETY: NULL or NUL-terminated (this function's contract).
        let Some(method) = (unsafe { c_bytes(auth_method) }) else {
            return rc(MOSQ_ERR_INVAL);
        };
        // SAFETY: NULL or `auth_data_len` readable bytes (this function's
        // contract).
        let Some(data) = (unsafe { bytes(auth_data, usize::from(auth_data_len)) }) else {
            return rc(MOSQ_ERR_INVAL);
        };
        // SAFETY: NULL or a valid list (this function's contract), read
        // before this call returns.
        let mut all = match unsafe { read_properties(props) } {
            Ok(p) => p,
            Err(e) => return error_rc(&e),
        };
        all.push(Property {
            id: Identifier::AuthenticationMethod,
            value: Value::String(method),
        });
        if !data.is_empty() {
            all.push(Property {
                id: Identifier::AuthenticationData,
                value: Value::Binary(data),
            });
        }
        match client.auth(0x18, &all) {
            Ok(()) => rc(MOSQ_ERR_SUCCESS),
            Err(e) => error_rc(&e),
        }
    })
}
