//! The `mosquitto_*_callback_set` functions: each stores one C function
//! pointer that the client calls on an event.
//!
//! The callback types are spelled out in each signature (no typedefs), so the
//! header shows them exactly as the original does. A NULL callback unsets
//! the event's callback; a NULL client is ignored (the original crashes).
//!
//! The table is the client's [`Handler`](crate::client::Handler) (see
//! `dispatch.rs`). Setting a callback installs a changed copy of the table
//! under a short lock; the client takes a reference to the table and
//! releases the lock before calling anything, so a callback may call any
//! API function, including the setters.

#![allow(non_camel_case_types)]

use std::ffi::{c_char, c_int, c_void};
use std::sync::Arc;

use super::boundary::ffi_boundary;
use super::client::client;
use super::types::{mosquitto, mosquitto_message, mosquitto_property};
use crate::client::Client;

/// `on_connect(mosq, obj, rc)`.
pub type on_connect = unsafe extern "C" fn(*mut mosquitto, *mut c_void, c_int);
/// `on_connect_with_flags(mosq, obj, rc, flags)`.
pub type on_connect_with_flags = unsafe extern "C" fn(*mut mosquitto, *mut c_void, c_int, c_int);
/// `on_connect_v5(mosq, obj, rc, flags, props)`.
pub type on_connect_v5 =
    unsafe extern "C" fn(*mut mosquitto, *mut c_void, c_int, c_int, *const mosquitto_property);
/// `on_pre_connect(mosq, obj)` (2.1).
pub type on_pre_connect = unsafe extern "C" fn(*mut mosquitto, *mut c_void);
/// `on_disconnect(mosq, obj, rc)`.
pub type on_disconnect = unsafe extern "C" fn(*mut mosquitto, *mut c_void, c_int);
/// `on_disconnect_v5(mosq, obj, rc, props)`.
pub type on_disconnect_v5 =
    unsafe extern "C" fn(*mut mosquitto, *mut c_void, c_int, *const mosquitto_property);
/// `on_publish(mosq, obj, mid)`.
pub type on_publish = unsafe extern "C" fn(*mut mosquitto, *mut c_void, c_int);
/// `on_publish_v5(mosq, obj, mid, reason_code, props)`.
pub type on_publish_v5 =
    unsafe extern "C" fn(*mut mosquitto, *mut c_void, c_int, c_int, *const mosquitto_property);
/// `on_message(mosq, obj, msg)`.
pub type on_message = unsafe extern "C" fn(*mut mosquitto, *mut c_void, *const mosquitto_message);
/// `on_message_v5(mosq, obj, msg, props)`.
pub type on_message_v5 = unsafe extern "C" fn(
    *mut mosquitto,
    *mut c_void,
    *const mosquitto_message,
    *const mosquitto_property,
);
/// `on_subscribe(mosq, obj, mid, qos_count, granted_qos)`.
pub type on_subscribe =
    unsafe extern "C" fn(*mut mosquitto, *mut c_void, c_int, c_int, *const c_int);
/// `on_subscribe_v5(mosq, obj, mid, qos_count, granted_qos, props)`.
pub type on_subscribe_v5 = unsafe extern "C" fn(
    *mut mosquitto,
    *mut c_void,
    c_int,
    c_int,
    *const c_int,
    *const mosquitto_property,
);
/// `on_unsubscribe(mosq, obj, mid)`.
pub type on_unsubscribe = unsafe extern "C" fn(*mut mosquitto, *mut c_void, c_int);
/// `on_unsubscribe_v5(mosq, obj, mid, props)`.
pub type on_unsubscribe_v5 =
    unsafe extern "C" fn(*mut mosquitto, *mut c_void, c_int, *const mosquitto_property);
/// `on_unsubscribe2_v5(mosq, obj, mid, reason_code_count, reason_codes, props)` (2.1).
pub type on_unsubscribe2_v5 = unsafe extern "C" fn(
    *mut mosquitto,
    *mut c_void,
    c_int,
    c_int,
    *const c_int,
    *const mosquitto_property,
);
/// `on_ext_auth(mosq, obj, method, data_len, data, props) -> rc` (2.1).
pub type on_ext_auth = unsafe extern "C" fn(
    *mut mosquitto,
    *mut c_void,
    *const c_char,
    u16,
    *const c_void,
    *const mosquitto_property,
) -> c_int;
/// `on_log(mosq, obj, level, text)`.
pub type on_log = unsafe extern "C" fn(*mut mosquitto, *mut c_void, c_int, *const c_char);

/// Every callback a client may have; `None` where unset.
#[derive(Clone, Copy, Default)]
pub struct Callbacks {
    pub connect: Option<on_connect>,
    pub connect_with_flags: Option<on_connect_with_flags>,
    pub connect_v5: Option<on_connect_v5>,
    pub pre_connect: Option<on_pre_connect>,
    pub disconnect: Option<on_disconnect>,
    pub disconnect_v5: Option<on_disconnect_v5>,
    pub publish: Option<on_publish>,
    pub publish_v5: Option<on_publish_v5>,
    pub message: Option<on_message>,
    pub message_v5: Option<on_message_v5>,
    pub subscribe: Option<on_subscribe>,
    pub subscribe_v5: Option<on_subscribe_v5>,
    pub unsubscribe: Option<on_unsubscribe>,
    pub unsubscribe_v5: Option<on_unsubscribe_v5>,
    pub unsubscribe2_v5: Option<on_unsubscribe2_v5>,
    pub ext_auth: Option<on_ext_auth>,
    pub log: Option<on_log>,
}

/// The callback table of `client` (all unset when none was ever set).
pub fn table(client: &Client) -> Callbacks {
    client
        .handler()
        .and_then(|h| h.as_any().downcast_ref::<Callbacks>().copied())
        .unwrap_or_default()
}

/// Changes the callback table of the client behind `mosq`, if any.
///
/// # Safety
/// `mosq` is NULL or a live handle from `mosquitto_new`.
unsafe fn set(mosq: *mut mosquitto, f: impl FnOnce(&mut Callbacks)) {
    // SAFETY: `mosq` is NULL or a live handle, by this function's contract.
    if let Some(client) = unsafe { client(mosq) } {
        client.update_handler(|current| {
            let mut table = current
                .and_then(|h| h.as_any().downcast_ref::<Callbacks>().copied())
                .unwrap_or_default();
            f(&mut table);
            Some(Arc::new(table))
        });
    }
}

/// Sets the callback: called when the broker answers CONNECT.
///
/// # Safety
/// `mosq` is NULL or a live handle from `mosquitto_new`.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_connect_callback_set(
    mosq: *mut mosquitto,
    on_connect: Option<unsafe extern "C" fn(*mut mosquitto, *mut c_void, c_int)>,
) {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract.
        unsafe { set(mosq, |cb| cb.connect = on_connect) }
    })
}

/// Sets the callback: called when the broker answers CONNECT, with the CONNACK flags.
///
/// # Safety
/// `mosq` is NULL or a live handle from `mosquitto_new`.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_connect_with_flags_callback_set(
    mosq: *mut mosquitto,
    on_connect: Option<unsafe extern "C" fn(*mut mosquitto, *mut c_void, c_int, c_int)>,
) {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract.
        unsafe { set(mosq, |cb| cb.connect_with_flags = on_connect) }
    })
}

/// Sets the callback: called when the broker answers CONNECT, with flags and properties.
///
/// # Safety
/// `mosq` is NULL or a live handle from `mosquitto_new`.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_connect_v5_callback_set(
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
        // SAFETY: forwarded from this function's contract.
        unsafe { set(mosq, |cb| cb.connect_v5 = on_connect) }
    })
}

/// Sets the callback: called just before each connection attempt (2.1).
///
/// # Safety
/// `mosq` is NULL or a live handle from `mosquitto_new`.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_pre_connect_callback_set(
    mosq: *mut mosquitto,
    on_pre_connect: Option<unsafe extern "C" fn(*mut mosquitto, *mut c_void)>,
) {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract.
        unsafe { set(mosq, |cb| cb.pre_connect = on_pre_connect) }
    })
}

/// Sets the callback: called when the connection ends.
///
/// # Safety
/// `mosq` is NULL or a live handle from `mosquitto_new`.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_disconnect_callback_set(
    mosq: *mut mosquitto,
    on_disconnect: Option<unsafe extern "C" fn(*mut mosquitto, *mut c_void, c_int)>,
) {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract.
        unsafe { set(mosq, |cb| cb.disconnect = on_disconnect) }
    })
}

/// Sets the callback: called when the connection ends, with the DISCONNECT properties.
///
/// # Safety
/// `mosq` is NULL or a live handle from `mosquitto_new`.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_disconnect_v5_callback_set(
    mosq: *mut mosquitto,
    on_disconnect: Option<
        unsafe extern "C" fn(*mut mosquitto, *mut c_void, c_int, props: *const mosquitto_property),
    >,
) {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract.
        unsafe { set(mosq, |cb| cb.disconnect_v5 = on_disconnect) }
    })
}

/// Sets the callback: called when a published message has completed its QoS flow.
///
/// # Safety
/// `mosq` is NULL or a live handle from `mosquitto_new`.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_publish_callback_set(
    mosq: *mut mosquitto,
    on_publish: Option<unsafe extern "C" fn(*mut mosquitto, *mut c_void, c_int)>,
) {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract.
        unsafe { set(mosq, |cb| cb.publish = on_publish) }
    })
}

/// Sets the callback: called when a published message has completed, with reason code and properties.
///
/// # Safety
/// `mosq` is NULL or a live handle from `mosquitto_new`.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_publish_v5_callback_set(
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
        // SAFETY: forwarded from this function's contract.
        unsafe { set(mosq, |cb| cb.publish_v5 = on_publish) }
    })
}

/// Sets the callback: called for each message received.
///
/// # Safety
/// `mosq` is NULL or a live handle from `mosquitto_new`.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_message_callback_set(
    mosq: *mut mosquitto,
    on_message: Option<unsafe extern "C" fn(*mut mosquitto, *mut c_void, *const mosquitto_message)>,
) {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract.
        unsafe { set(mosq, |cb| cb.message = on_message) }
    })
}

/// Sets the callback: called for each message received, with its properties.
///
/// # Safety
/// `mosq` is NULL or a live handle from `mosquitto_new`.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_message_v5_callback_set(
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
        // SAFETY: forwarded from this function's contract.
        unsafe { set(mosq, |cb| cb.message_v5 = on_message) }
    })
}

/// Sets the callback: called when SUBACK arrives, with the granted QoS list.
///
/// # Safety
/// `mosq` is NULL or a live handle from `mosquitto_new`.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_subscribe_callback_set(
    mosq: *mut mosquitto,
    on_subscribe: Option<
        unsafe extern "C" fn(*mut mosquitto, *mut c_void, c_int, c_int, *const c_int),
    >,
) {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract.
        unsafe { set(mosq, |cb| cb.subscribe = on_subscribe) }
    })
}

/// Sets the callback: called when SUBACK arrives, with the granted QoS list and properties.
///
/// # Safety
/// `mosq` is NULL or a live handle from `mosquitto_new`.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_subscribe_v5_callback_set(
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
        // SAFETY: forwarded from this function's contract.
        unsafe { set(mosq, |cb| cb.subscribe_v5 = on_subscribe) }
    })
}

/// Sets the callback: called when UNSUBACK arrives.
///
/// # Safety
/// `mosq` is NULL or a live handle from `mosquitto_new`.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_unsubscribe_callback_set(
    mosq: *mut mosquitto,
    on_unsubscribe: Option<unsafe extern "C" fn(*mut mosquitto, *mut c_void, c_int)>,
) {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract.
        unsafe { set(mosq, |cb| cb.unsubscribe = on_unsubscribe) }
    })
}

/// Sets the callback: called when UNSUBACK arrives, with its properties.
///
/// # Safety
/// `mosq` is NULL or a live handle from `mosquitto_new`.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_unsubscribe_v5_callback_set(
    mosq: *mut mosquitto,
    on_unsubscribe: Option<
        unsafe extern "C" fn(*mut mosquitto, *mut c_void, c_int, props: *const mosquitto_property),
    >,
) {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract.
        unsafe { set(mosq, |cb| cb.unsubscribe_v5 = on_unsubscribe) }
    })
}

/// Sets the callback: called when UNSUBACK arrives, with its reason codes and properties (2.1).
///
/// # Safety
/// `mosq` is NULL or a live handle from `mosquitto_new`.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_unsubscribe2_v5_callback_set(
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
        // SAFETY: forwarded from this function's contract.
        unsafe { set(mosq, |cb| cb.unsubscribe2_v5 = on_unsubscribe) }
    })
}

/// Sets the callback: called when the broker sends AUTH during extended authentication (2.1).
///
/// # Safety
/// `mosq` is NULL or a live handle from `mosquitto_new`.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_ext_auth_callback_set(
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
        // SAFETY: forwarded from this function's contract.
        unsafe { set(mosq, |cb| cb.ext_auth = on_ext_auth) }
    })
}

/// Sets the callback: called with each log line of the client.
///
/// # Safety
/// `mosq` is NULL or a live handle from `mosquitto_new`.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_log_callback_set(
    mosq: *mut mosquitto,
    on_log: Option<unsafe extern "C" fn(*mut mosquitto, *mut c_void, c_int, *const c_char)>,
) {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract.
        unsafe { set(mosq, |cb| cb.log = on_log) }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::Handler;
    use std::ptr;
    use std::sync::Arc;

    unsafe extern "C" fn on_rc(_: *mut mosquitto, _: *mut c_void, _: c_int) {}
    unsafe extern "C" fn on_log(_: *mut mosquitto, _: *mut c_void, _: c_int, _: *const c_char) {}

    #[test]
    fn setters_store_and_clear_the_pointer() {
        let new = Client::new(None, true);
        let mosq = Arc::into_raw(new) as *mut mosquitto;
        // SAFETY: a live handle from Arc::into_raw, released at the end.
        unsafe {
            let c = client(mosq).unwrap();
            mosquitto_connect_callback_set(mosq, Some(on_rc));
            mosquitto_publish_callback_set(mosq, Some(on_rc));
            mosquitto_log_callback_set(mosq, Some(on_log));
            let cb = table(c);
            assert_eq!(
                cb.connect.map(|f| f as usize),
                Some(on_rc as *const () as usize)
            );
            assert_eq!(
                cb.log.map(|f| f as usize),
                Some(on_log as *const () as usize)
            );
            assert!(cb.wants_published());
            assert!(cb.disconnect.is_none() && cb.connect_v5.is_none());
            mosquitto_publish_callback_set(mosq, None);
            mosquitto_disconnect_callback_set(mosq, Some(on_rc));
            let cb = table(c);
            assert!(!cb.wants_published());
            assert!(cb.connect.is_some() && cb.disconnect.is_some());
            drop(Arc::from_raw(mosq as *const Client));
        }
    }

    #[test]
    fn null_client_is_ignored() {
        // SAFETY: NULL is an allowed handle.
        unsafe {
            mosquitto_connect_callback_set(ptr::null_mut(), Some(on_rc));
            mosquitto_log_callback_set(ptr::null_mut(), None);
        }
    }
}
