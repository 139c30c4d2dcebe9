//! Client options: `mosquitto_opts_set`, the typed `*_option` setters and
//! the in-flight message limit.
//!
//! The option identifier arrives as [`mosq_opt_value`], a plain `int`: C may
//! pass any number there, and reading an out-of-range value as the Rust enum
//! `mosq_opt_t` would be undefined behaviour. The header still declares it
//! `enum mosq_opt_t option`, exactly as the original (see the header config).

#![allow(non_camel_case_types)]

use std::ffi::{c_char, c_int, c_uint, c_void};

use super::boundary::ffi_boundary;
use super::constants::{mosq_err_t, rc};
use super::types::mosquitto;

/// An `enum mosq_opt_t` value as received from C (any `int`).
pub type mosq_opt_value = c_int;

/// What a stub taking a client returns: `MOSQ_ERR_INVAL` for NULL,
/// `MOSQ_ERR_NOT_SUPPORTED` otherwise.
fn stub_rc(mosq: *const mosquitto) -> c_int {
    if mosq.is_null() {
        rc(mosq_err_t::MOSQ_ERR_INVAL)
    } else {
        rc(mosq_err_t::MOSQ_ERR_NOT_SUPPORTED)
    }
}

/// Sets an option from a pointer to its value (the pre-1.6 interface).
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_opts_set(
    mosq: *mut mosquitto,
    option: mosq_opt_value,
    value: *mut c_void,
) -> c_int {
    ffi_boundary(|| {
        let _ = (option, value);
        stub_rc(mosq)
    })
}

/// Sets an integer option.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_int_option(
    mosq: *mut mosquitto,
    option: mosq_opt_value,
    value: c_int,
) -> c_int {
    ffi_boundary(|| {
        let _ = (option, value);
        stub_rc(mosq)
    })
}

/// Sets a string option.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_string_option(
    mosq: *mut mosquitto,
    option: mosq_opt_value,
    value: *const c_char,
) -> c_int {
    ffi_boundary(|| {
        let _ = (option, value);
        stub_rc(mosq)
    })
}

/// Sets a pointer option (an OpenSSL `SSL_CTX`).
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_void_option(
    mosq: *mut mosquitto,
    option: mosq_opt_value,
    value: *mut c_void,
) -> c_int {
    ffi_boundary(|| {
        let _ = (option, value);
        stub_rc(mosq)
    })
}

/// Limits the QoS 1 and 2 messages in flight at once (0 = no limit).
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_max_inflight_messages_set(
    mosq: *mut mosquitto,
    max_inflight_messages: c_uint,
) -> c_int {
    ffi_boundary(|| {
        let _ = max_inflight_messages;
        stub_rc(mosq)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ptr;

    #[test]
    fn option_stubs_do_not_claim_success() {
        let fake = ptr::NonNull::<mosquitto>::dangling().as_ptr();
        assert_eq!(
            mosquitto_int_option(ptr::null_mut(), 1, 5),
            rc(mosq_err_t::MOSQ_ERR_INVAL)
        );
        assert_eq!(
            mosquitto_int_option(fake, 1, 5),
            rc(mosq_err_t::MOSQ_ERR_NOT_SUPPORTED)
        );
        // An identifier outside the enum is just a number here.
        assert_eq!(
            mosquitto_opts_set(fake, 9999, ptr::null_mut()),
            rc(mosq_err_t::MOSQ_ERR_NOT_SUPPORTED)
        );
    }
}
