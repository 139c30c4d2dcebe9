//! The table of C callbacks a client calls on events.
//!
//! Setting a callback swaps one pointer under a short lock; the runtime copies
//! the table out (it is `Copy`) and releases the lock before calling anything,
//! so a callback may call any API function, including the setters.

#![allow(non_camel_case_types)]

use std::ffi::{c_char, c_int, c_void};

use crate::ffi::types::{mosquitto, mosquitto_message, mosquitto_property};

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

impl Callbacks {
    /// Whether any publish-completion callback is set (the runtime skips
    /// tracking QoS 0 completions otherwise).
    pub fn wants_publish(&self) -> bool {
        self.publish.is_some() || self.publish_v5.is_some()
    }

    /// Whether any message callback is set.
    pub fn wants_message(&self) -> bool {
        self.message.is_some() || self.message_v5.is_some()
    }
}
