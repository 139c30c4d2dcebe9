//! The one-shot helpers: connect, subscribe, collect or hand over messages,
//! disconnect, all in one call.
//!
//! Stubs until the client exists (issue 3): they check their arguments as
//! the original does (`MOSQ_ERR_INVAL`), then report "not supported".

use std::ffi::{c_char, c_int, c_void};

use super::boundary::ffi_boundary;
use super::constants::{mosq_err_t, rc};
use super::types::{libmosquitto_tls, libmosquitto_will, mosquitto, mosquitto_message};

/// Connects, subscribes and returns the first `msg_count` messages received.
/// Status: not implemented yet (issue 3).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn mosquitto_subscribe_simple(
    messages: *mut *mut mosquitto_message,
    msg_count: c_int,
    want_retained: bool,
    topic: *const c_char,
    qos: c_int,
    host: *const c_char,
    port: c_int,
    client_id: *const c_char,
    keepalive: c_int,
    clean_session: bool,
    username: *const c_char,
    password: *const c_char,
    will: *const libmosquitto_will,
    tls: *const libmosquitto_tls,
) -> c_int {
    ffi_boundary(|| {
        let _ = (want_retained, qos, host, port);
        let _ = (
            client_id,
            keepalive,
            clean_session,
            username,
            password,
            will,
            tls,
        );
        if messages.is_null() || msg_count < 1 || topic.is_null() {
            return rc(mosq_err_t::MOSQ_ERR_INVAL);
        }
        rc(mosq_err_t::MOSQ_ERR_NOT_SUPPORTED)
    })
}

/// Connects, subscribes and calls `callback` for each message until it
/// returns non-zero.
/// Status: not implemented yet (issue 3).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn mosquitto_subscribe_callback(
    callback: Option<
        unsafe extern "C" fn(*mut mosquitto, *mut c_void, *const mosquitto_message) -> c_int,
    >,
    userdata: *mut c_void,
    topic: *const c_char,
    qos: c_int,
    host: *const c_char,
    port: c_int,
    client_id: *const c_char,
    keepalive: c_int,
    clean_session: bool,
    username: *const c_char,
    password: *const c_char,
    will: *const libmosquitto_will,
    tls: *const libmosquitto_tls,
) -> c_int {
    ffi_boundary(|| {
        let _ = (userdata, qos, host, port, client_id);
        let _ = (keepalive, clean_session, username, password, will, tls);
        if callback.is_none() || topic.is_null() {
            return rc(mosq_err_t::MOSQ_ERR_INVAL);
        }
        rc(mosq_err_t::MOSQ_ERR_NOT_SUPPORTED)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ptr;

    #[test]
    fn helpers_do_not_claim_success() {
        let mut msgs: *mut mosquitto_message = ptr::null_mut();
        let r = mosquitto_subscribe_simple(
            &mut msgs,
            1,
            true,
            c"t".as_ptr(),
            0,
            c"localhost".as_ptr(),
            1883,
            ptr::null(),
            60,
            true,
            ptr::null(),
            ptr::null(),
            ptr::null(),
            ptr::null(),
        );
        assert_eq!(r, rc(mosq_err_t::MOSQ_ERR_NOT_SUPPORTED));
        assert!(msgs.is_null());
    }

    #[test]
    fn helpers_reject_missing_arguments_like_the_original() {
        let inval = rc(mosq_err_t::MOSQ_ERR_INVAL);
        let host = c"localhost".as_ptr();
        let n = ptr::null();
        let r = mosquitto_subscribe_simple(
            ptr::null_mut(),
            1,
            true,
            c"t".as_ptr(),
            0,
            host,
            1883,
            n,
            60,
            true,
            n,
            n,
            ptr::null(),
            ptr::null(),
        );
        assert_eq!(r, inval);
        let mut msgs: *mut mosquitto_message = ptr::null_mut();
        let r = mosquitto_subscribe_simple(
            &mut msgs,
            0,
            true,
            c"t".as_ptr(),
            0,
            host,
            1883,
            n,
            60,
            true,
            n,
            n,
            ptr::null(),
            ptr::null(),
        );
        assert_eq!(r, inval);
        let r = mosquitto_subscribe_callback(
            None,
            ptr::null_mut(),
            c"t".as_ptr(),
            0,
            host,
            1883,
            n,
            60,
            true,
            n,
            n,
            ptr::null(),
            ptr::null(),
        );
        assert_eq!(r, inval);
    }
}
