//! TLS configuration of a client: certificates, verification, PSK and
//! access to the underlying TLS session.
//!
//! Stubs until TLS support lands (issue 4): they report "not supported" (or
//! "invalid" for a NULL client, as the original does).

use std::ffi::{c_char, c_int, c_void};
use std::ptr;

use super::boundary::ffi_boundary;
use super::constants::{mosq_err_t, rc};
use super::types::mosquitto;

/// What a stub taking a client returns: `MOSQ_ERR_INVAL` for NULL,
/// `MOSQ_ERR_NOT_SUPPORTED` otherwise.
fn stub_rc(mosq: *const mosquitto) -> c_int {
    if mosq.is_null() {
        rc(mosq_err_t::MOSQ_ERR_INVAL)
    } else {
        rc(mosq_err_t::MOSQ_ERR_NOT_SUPPORTED)
    }
}

/// Enables certificate-based TLS: CA file or folder, optional client
/// certificate and key, and a callback for the key's password.
/// Status: not implemented yet (issue 4).
#[no_mangle]
pub extern "C" fn mosquitto_tls_set(
    mosq: *mut mosquitto,
    cafile: *const c_char,
    capath: *const c_char,
    certfile: *const c_char,
    keyfile: *const c_char,
    pw_callback: Option<
        unsafe extern "C" fn(
            buf: *mut c_char,
            size: c_int,
            rwflag: c_int,
            userdata: *mut c_void,
        ) -> c_int,
    >,
) -> c_int {
    ffi_boundary(|| {
        let _ = (cafile, capath, certfile, keyfile, pw_callback);
        stub_rc(mosq)
    })
}

/// Disables (true) or enables (false) the server hostname check.
/// Status: not implemented yet (issue 4).
#[no_mangle]
pub extern "C" fn mosquitto_tls_insecure_set(mosq: *mut mosquitto, value: bool) -> c_int {
    ffi_boundary(|| {
        let _ = value;
        stub_rc(mosq)
    })
}

/// Sets peer verification, the TLS version and the cipher list.
/// Status: not implemented yet (issue 4).
#[no_mangle]
pub extern "C" fn mosquitto_tls_opts_set(
    mosq: *mut mosquitto,
    cert_reqs: c_int,
    tls_version: *const c_char,
    ciphers: *const c_char,
) -> c_int {
    ffi_boundary(|| {
        let _ = (cert_reqs, tls_version, ciphers);
        stub_rc(mosq)
    })
}

/// Enables pre-shared-key TLS.
/// Status: not implemented yet (issue 4).
#[no_mangle]
pub extern "C" fn mosquitto_tls_psk_set(
    mosq: *mut mosquitto,
    psk: *const c_char,
    identity: *const c_char,
    ciphers: *const c_char,
) -> c_int {
    ffi_boundary(|| {
        let _ = (psk, identity, ciphers);
        stub_rc(mosq)
    })
}

/// The connection's OpenSSL `SSL *`, or NULL.
/// Status: not implemented yet (issue 4).
#[no_mangle]
pub extern "C" fn mosquitto_ssl_get(mosq: *mut mosquitto) -> *mut c_void {
    ffi_boundary(|| {
        let _ = mosq;
        ptr::null_mut()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_stubs_do_not_claim_success() {
        let fake = ptr::NonNull::<mosquitto>::dangling().as_ptr();
        assert_eq!(
            mosquitto_tls_insecure_set(ptr::null_mut(), true),
            rc(mosq_err_t::MOSQ_ERR_INVAL)
        );
        assert_eq!(
            mosquitto_tls_insecure_set(fake, true),
            rc(mosq_err_t::MOSQ_ERR_NOT_SUPPORTED)
        );
        assert!(mosquitto_ssl_get(fake).is_null());
    }
}
