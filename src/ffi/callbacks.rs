//! The `mosquitto_*_callback_set` functions: each stores one C function
//! pointer that the client calls on an event.
//!
//! The callback types are spelled out in each signature (no typedefs), so the
//! header shows them exactly as the original does. A NULL callback unsets
//! the event's callback; a NULL client is ignored (the original crashes).

use std::ffi::{c_char, c_int, c_void};

use super::boundary::ffi_boundary;
use super::client::client;
use super::types::{mosquitto, mosquitto_message, mosquitto_property};
use crate::client::callbacks::Callbacks;

/// Changes the callback table of the client behind `mosq`, if any.
///
/// # Safety
/// `mosq` is NULL or a live handle from `mosquitto_new`.
unsafe fn set(mosq: *mut mosquitto, f: impl FnOnce(&mut Callbacks)) {
    // SAFETY: forwarded contract.
    if let Some(client) = unsafe { client(mosq) } {
        client.set_callbacks(f);
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
    use crate::client::Client;
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
            let cb = c.callbacks();
            assert_eq!(
                cb.connect.map(|f| f as usize),
                Some(on_rc as *const () as usize)
            );
            assert_eq!(
                cb.log.map(|f| f as usize),
                Some(on_log as *const () as usize)
            );
            assert!(cb.wants_publish());
            assert!(cb.disconnect.is_none() && cb.connect_v5.is_none());
            mosquitto_publish_callback_set(mosq, None);
            mosquitto_disconnect_callback_set(mosq, Some(on_rc));
            let cb = c.callbacks();
            assert!(!cb.wants_publish());
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
