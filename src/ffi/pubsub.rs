//! Publishing, subscribing, unsubscribing, and v5 AUTH.

use std::ffi::{c_char, c_int, c_void, CStr};

use super::boundary::{c_str, ffi_boundary};
use super::client::{client, error_rc, outgoing_properties, properties};
use super::constants::{mosq_err_t::*, rc};
use super::types::{mosquitto, mosquitto_property};
use crate::protocol::property::{Identifier, Property, Value};
use crate::protocol::utf8;
use crate::session::MAX_PAYLOAD;

/// Stands for a NULL filter: invalid, so it fails exactly where the
/// original's filter check fails (after its connection check).
const NULL_FILTER: &[u8] = b"#/";

/// Writes `value` to `*mid` when `mid` is not NULL.
///
/// # Safety
/// `mid` is NULL or writable.
unsafe fn store_mid(mid: *mut c_int, value: u16) {
    if !mid.is_null() {
        // SAFETY: non-NULL and writable per the contract.
        unsafe { *mid = c_int::from(value) };
    }
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
        // SAFETY: forwarded contract.
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
        // SAFETY: forwarded contract.
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
    // SAFETY: forwarded contract.
    let Some(client) = (unsafe { client(mosq) }) else {
        return rc(MOSQ_ERR_INVAL);
    };
    if !(0..=2).contains(&qos) {
        return rc(MOSQ_ERR_INVAL);
    }
    // SAFETY: NULL or NUL-terminated from the caller.
    let topic: &[u8] = unsafe { c_str(topic) }.map_or(b"", CStr::to_bytes);
    // SAFETY: forwarded contract.
    let props = match unsafe { outgoing_properties(properties) } {
        Ok(p) => p,
        Err(code) => return code,
    };
    if !(0..=MAX_PAYLOAD as c_int).contains(&payloadlen) {
        // The original checks the size after the topic's UTF-8.
        let v5 = client.with_state(|st| st.version().is_v5());
        if !v5 && !props.is_empty() {
            return rc(MOSQ_ERR_NOT_SUPPORTED);
        }
        if topic.is_empty() {
            return rc(MOSQ_ERR_INVAL);
        }
        if utf8::validate(topic).is_err() {
            return rc(MOSQ_ERR_MALFORMED_UTF8);
        }
        return rc(MOSQ_ERR_PAYLOAD_SIZE);
    }
    let payload: &[u8] = if payloadlen == 0 {
        &[]
    } else if payload.is_null() {
        // The original reads through the NULL once connected (a crash);
        // without a connection it fails before touching it.
        if client.with_state(|st| st.link.is_some()) {
            return rc(MOSQ_ERR_INVAL);
        }
        &[]
    } else {
        // SAFETY: non-NULL and valid for `payloadlen` bytes per the contract.
        unsafe { std::slice::from_raw_parts(payload as *const u8, payloadlen as usize) }
    };
    match client.publish(topic, payload, qos as u8, retain, &props) {
        Ok(m) => {
            // SAFETY: forwarded contract.
            unsafe { store_mid(mid, m) };
            rc(MOSQ_ERR_SUCCESS)
        }
        Err((e, m)) => {
            if let Some(m) = m {
                // SAFETY: forwarded contract.
                unsafe { store_mid(mid, m) };
            }
            error_rc(&e)
        }
    }
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
    // SAFETY: forwarded contract.
    let Some(client) = (unsafe { client(mosq) }) else {
        return rc(MOSQ_ERR_INVAL);
    };
    if sub_count == 0 || sub.is_null() {
        return rc(MOSQ_ERR_INVAL);
    }
    // SAFETY: forwarded contract.
    let filters = unsafe { filters(sub_count, sub) };
    // SAFETY: forwarded contract.
    let props = match unsafe { outgoing_properties(props) } {
        Ok(p) => p,
        Err(code) => return code,
    };
    if !(0..=2).contains(&qos) || !(0..=255).contains(&options) {
        return rc(MOSQ_ERR_INVAL);
    }
    let filters = if filters.is_empty() {
        // A negative count: the original checks the connection, then sends
        // nothing sensible; refuse once connected.
        if client.with_state(|st| st.link.is_none()) {
            return rc(MOSQ_ERR_NO_CONN);
        }
        return rc(MOSQ_ERR_INVAL);
    } else {
        filters
    };
    match client.subscribe(&filters, qos as u8, options as u8, &props) {
        Ok(m) => {
            // SAFETY: forwarded contract.
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
            unsafe { c_str(p) }.map_or(NULL_FILTER, CStr::to_bytes)
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
    // SAFETY: forwarded contract; `&sub` is an array of one.
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
    // SAFETY: forwarded contract; `&sub` is an array of one.
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
        // SAFETY: forwarded contract.
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
    // SAFETY: forwarded contract.
    let Some(client) = (unsafe { client(mosq) }) else {
        return rc(MOSQ_ERR_INVAL);
    };
    let filters = if sub.is_null() {
        Vec::new()
    } else {
        // SAFETY: forwarded contract.
        unsafe { filters(sub_count, sub) }
    };
    // SAFETY: forwarded contract.
    let props = match unsafe { outgoing_properties(props) } {
        Ok(p) => p,
        Err(code) => return code,
    };
    match client.unsubscribe(&filters, &props) {
        Ok(m) => {
            // SAFETY: forwarded contract.
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
    // SAFETY: forwarded contract; `&sub` is an array of one.
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
    // SAFETY: forwarded contract; `&sub` is an array of one.
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
        // SAFETY: forwarded contract.
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
        // SAFETY: forwarded contract.
        let Some(client) = (unsafe { client(context) }) else {
            return rc(MOSQ_ERR_INVAL);
        };
        // SAFETY: forwarded contract.
        let Some(method) = (unsafe { c_str(auth_method) }) else {
            return rc(MOSQ_ERR_INVAL);
        };
        if auth_data_len > 0 && auth_data.is_null() {
            return rc(MOSQ_ERR_INVAL);
        }
        let data: &[u8] = if auth_data_len == 0 {
            &[]
        } else {
            // SAFETY: non-NULL and valid for the length per the contract.
            unsafe {
                std::slice::from_raw_parts(auth_data as *const u8, usize::from(auth_data_len))
            }
        };
        // SAFETY: forwarded contract.
        let mut all = match unsafe { properties(props) } {
            Ok(p) => p,
            Err(code) => return code,
        };
        all.push(Property {
            id: Identifier::AuthenticationMethod,
            value: Value::String(method.to_bytes()),
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
