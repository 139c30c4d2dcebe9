//! TLS configuration of a client: certificates, verification, PSK and
//! access to the underlying TLS session.
//!
//! The settings are stored on the client and used at the next connect
//! (see `crate::transport::tls_config`); TLS itself is rustls (and
//! embedded-tls for TLS 1.3 pre-shared keys), so there is no OpenSSL
//! `SSL *` to hand out.

use std::ffi::{c_char, c_int, c_void, OsStr};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;
use std::ptr;
use std::sync::Arc;

use super::boundary::ffi_boundary;
use super::constants::{mosq_err_t, rc};
use super::error::result_rc;
use super::ptr::{c_str, try_client};
use super::types::mosquitto;
use crate::client::tls_settings::TlsFiles;
use crate::transport::PasswordSource;

/// The type of `mosquitto_tls_set`'s `pw_callback` (OpenSSL's
/// `pem_password_cb`).
pub type PwCallback = unsafe extern "C" fn(
    buf: *mut c_char,
    size: c_int,
    rwflag: c_int,
    userdata: *mut c_void,
) -> c_int;

/// The buffer OpenSSL hands the password callback (`PEM_BUFSIZE`).
const PW_BUF_SIZE: usize = 1024;

/// A path from a C string (NULL: `None`).
///
/// # Safety
/// `p` is NULL or a NUL-terminated string.
unsafe fn path(p: *const c_char) -> Option<PathBuf> {
    // SAFETY: NULL or NUL-terminated (this function's contract); the bytes
    // are copied at once.
    unsafe { c_str(p) }.map(|s| PathBuf::from(OsStr::from_bytes(s.to_bytes())))
}

/// Turns the C password callback into a [`PasswordSource`]: called as
/// OpenSSL calls it, with a 1024-byte buffer, `rwflag` 0 and the client
/// handle as `userdata`.
fn password_source(cb: PwCallback, mosq: *mut mosquitto) -> PasswordSource {
    // The handle is kept as an address so the closure can be shared; it is
    // only used while the client lives (it calls this while connecting).
    let handle = mosq as usize;
    Arc::new(move || {
        let mut buf = vec![0u8; PW_BUF_SIZE];
        // SAFETY: the callback is the application's `pw_callback`, given a
        // writable buffer of the size we pass and the client handle as
        // userdata, as OpenSSL would call it.
        let n = unsafe {
            cb(
                buf.as_mut_ptr().cast::<c_char>(),
                PW_BUF_SIZE as c_int,
                0,
                handle as *mut c_void,
            )
        };
        let n = usize::try_from(n).ok().filter(|&n| n > 0)?;
        buf.truncate(n.min(PW_BUF_SIZE));
        Some(buf)
    })
}

/// Enables certificate-based TLS: CA file or folder, optional client
/// certificate and key, and a callback for the key's password.
///
/// As the original: `MOSQ_ERR_INVAL` without a CA file or folder, with a
/// certificate but no key (or the reverse), or when the CA file,
/// certificate or key cannot be opened (files are read at connect time,
/// where bad contents fail with `MOSQ_ERR_TLS`).
///
/// # Safety
/// `mosq` is NULL or a live handle; the strings are NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_tls_set(
    mosq: *mut mosquitto,
    cafile: *const c_char,
    capath: *const c_char,
    certfile: *const c_char,
    keyfile: *const c_char,
    // Spelled out (not `PwCallback`) so that the generated header shows it.
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
        let client = try_client!(mosq);
        // SAFETY: the strings are NULL or NUL-terminated (this function's
        // contract).
        let files = unsafe {
            TlsFiles {
                cafile: path(cafile),
                capath: path(capath),
                certfile: path(certfile),
                keyfile: path(keyfile),
            }
        };
        let password = pw_callback.map(|cb| password_source(cb, mosq));
        result_rc(client.set_tls(files, password))
    })
}

/// Disables (true) or enables (false) the check that the broker's
/// certificate names the host connected to (the chain is still verified).
///
/// # Safety
/// `mosq` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_tls_insecure_set(mosq: *mut mosquitto, value: bool) -> c_int {
    ffi_boundary(|| result_rc(try_client!(mosq).set_tls_insecure(value)))
}

/// Sets peer verification (`cert_reqs` 0: none, otherwise verify), the
/// lowest TLS version ("tlsv1.3", "tlsv1.2" (the default) or "tlsv1.1",
/// which allows TLS 1.2 and 1.3 as rustls has no 1.1; anything else is
/// `MOSQ_ERR_INVAL`) and the TLS 1.2 cipher list (OpenSSL names).
///
/// # Safety
/// `mosq` is NULL or a live handle; the strings are NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_tls_opts_set(
    mosq: *mut mosquitto,
    cert_reqs: c_int,
    tls_version: *const c_char,
    ciphers: *const c_char,
) -> c_int {
    ffi_boundary(|| {
        let client = try_client!(mosq);
        // SAFETY: the strings are NULL or NUL-terminated (this function's
        // contract); copied at once.
        let (version, ciphers) = unsafe { (c_str(tls_version), c_str(ciphers)) };
        let version = version.map(|s| s.to_string_lossy());
        let ciphers = ciphers.map(|s| s.to_string_lossy().into_owned());
        result_rc(client.set_tls_opts(cert_reqs, version.as_deref(), ciphers))
    })
}

/// Enables pre-shared-key TLS: TLS 1.3 with `TLS_AES_128_GCM_SHA256` (see
/// `crate::transport::psk`). `MOSQ_ERR_INVAL` for a NULL handle, key or
/// identity, or a key with a non-hex digit (as the original); `ciphers`
/// naming only TLS 1.2 PSK suites gets a warning in the log. Certificate
/// TLS, when also set, wins at connect.
/// Status: supported over TLS 1.3 only (external PSK, TLS_AES_128_GCM_SHA256): the broker must accept a TLS 1.3 PSK, as mosquitto 2.0 with OpenSSL 3 does on its psk_hint/psk_file listener; no TLS 1.2 PSK suites.
///
/// # Safety
/// `mosq` is NULL or a live handle; the strings are NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_tls_psk_set(
    mosq: *mut mosquitto,
    psk: *const c_char,
    identity: *const c_char,
    ciphers: *const c_char,
) -> c_int {
    ffi_boundary(|| {
        let client = try_client!(mosq);
        // SAFETY: the strings are NULL or NUL-terminated (this function's
        // contract); copied at once.
        let (psk, identity, ciphers) = unsafe { (c_str(psk), c_str(identity), c_str(ciphers)) };
        let (Some(psk), Some(identity)) = (psk, identity) else {
            return rc(mosq_err_t::MOSQ_ERR_INVAL);
        };
        let ciphers = ciphers.map(|s| s.to_string_lossy().into_owned());
        result_rc(client.set_psk(&psk.to_string_lossy(), identity.to_bytes(), ciphers))
    })
}

/// The connection's OpenSSL `SSL *`.
/// Status: always NULL (TLS is rustls, there is no OpenSSL object).
/// The original also returns NULL without a TLS connection.
#[no_mangle]
pub extern "C" fn mosquitto_ssl_get(mosq: *mut mosquitto) -> *mut c_void {
    ffi_boundary(|| {
        let _ = mosq;
        ptr::null_mut()
    })
}

#[cfg(all(test, feature = "tls"))]
mod tests {
    use super::super::ptr::client;
    use super::*;
    use crate::client::Client;
    use crate::transport::MinVersion;
    use std::ffi::CString;

    struct Handle(*mut mosquitto);

    impl Handle {
        fn new() -> Handle {
            let c = Client::new(Some(b"tls-test"), true);
            Handle(Arc::into_raw(c) as *mut mosquitto)
        }

        fn client(&self) -> &Client {
            // SAFETY: made by Handle::new, freed only in drop.
            unsafe { client(self.0) }.unwrap()
        }
    }

    impl Drop for Handle {
        fn drop(&mut self) {
            // SAFETY: the pointer came from Arc::into_raw in Handle::new.
            drop(unsafe { Arc::from_raw(self.0 as *const Client) });
        }
    }

    const OK: c_int = 0;
    const INVAL: c_int = 3;

    fn cs(s: &str) -> CString {
        CString::new(s).unwrap()
    }

    unsafe extern "C" fn pw(
        buf: *mut c_char,
        size: c_int,
        rwflag: c_int,
        ud: *mut c_void,
    ) -> c_int {
        assert_eq!(size, 1024);
        assert_eq!(rwflag, 0);
        assert!(!ud.is_null());
        // SAFETY: the buffer has `size` bytes.
        unsafe { ptr::copy_nonoverlapping(b"secret".as_ptr(), buf.cast::<u8>(), 6) };
        6
    }

    #[test]
    fn tls_set_checks_arguments_and_files_as_the_original() {
        let h = Handle::new();
        let dir = std::env::temp_dir().join(format!("mosq-rs-ffitls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let ca = dir.join("ca.pem");
        std::fs::write(&ca, "x").unwrap();
        let ca_c = cs(ca.to_str().unwrap());
        let missing = cs(dir.join("missing.pem").to_str().unwrap());
        let dir_c = cs(dir.to_str().unwrap());
        let null = ptr::null();
        // SAFETY: live handle, valid strings.
        unsafe {
            assert_eq!(
                mosquitto_tls_set(ptr::null_mut(), ca_c.as_ptr(), null, null, null, None),
                INVAL
            );
            assert_eq!(mosquitto_tls_set(h.0, null, null, null, null, None), INVAL);
            assert_eq!(
                mosquitto_tls_set(h.0, ca_c.as_ptr(), null, ca_c.as_ptr(), null, None),
                INVAL
            );
            assert_eq!(
                mosquitto_tls_set(h.0, ca_c.as_ptr(), null, null, ca_c.as_ptr(), None),
                INVAL
            );
            assert_eq!(
                mosquitto_tls_set(h.0, missing.as_ptr(), null, null, null, None),
                INVAL
            );
            assert!(!h.client().stored_options().tls_enabled);
            // A CA folder is not checked at set time.
            assert_eq!(
                mosquitto_tls_set(h.0, null, missing.as_ptr(), null, null, None),
                OK
            );
            assert_eq!(
                mosquitto_tls_set(
                    h.0,
                    ca_c.as_ptr(),
                    dir_c.as_ptr(),
                    ca_c.as_ptr(),
                    missing.as_ptr(),
                    None
                ),
                INVAL
            );
            // A failed key check forgets the CA settings too.
            assert!(!h.client().stored_options().tls_enabled);
            assert_eq!(
                mosquitto_tls_set(
                    h.0,
                    ca_c.as_ptr(),
                    null,
                    ca_c.as_ptr(),
                    ca_c.as_ptr(),
                    Some(pw)
                ),
                OK
            );
        }
        let tls = h.client().stored_options().tls;
        assert_eq!(tls.cafile.as_deref(), Some(ca.as_path()));
        let source = tls.password.clone().unwrap();
        assert_eq!(source().unwrap(), b"secret");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn opts_insecure_psk_and_ssl_get() {
        let h = Handle::new();
        let v13 = cs("TLSv1.3");
        let bad = cs("tlsv1.0");
        let ciphers = cs("ECDHE-RSA-AES128-GCM-SHA256");
        // SAFETY: live handle, valid strings.
        unsafe {
            assert_eq!(
                mosquitto_tls_opts_set(ptr::null_mut(), 1, ptr::null(), ptr::null()),
                INVAL
            );
            assert_eq!(
                mosquitto_tls_opts_set(h.0, 0, v13.as_ptr(), ciphers.as_ptr()),
                OK
            );
            let tls = h.client().stored_options().tls;
            assert_eq!(tls.cert_reqs, 0);
            assert_eq!(tls.min_version, MinVersion::Tls13);
            assert_eq!(tls.ciphers.as_deref(), Some("ECDHE-RSA-AES128-GCM-SHA256"));
            assert_eq!(
                mosquitto_tls_opts_set(h.0, 1, bad.as_ptr(), ptr::null()),
                INVAL
            );
            assert_eq!(h.client().stored_options().tls.cert_reqs, 1);
            assert_eq!(mosquitto_tls_opts_set(h.0, 1, ptr::null(), ptr::null()), OK);
            assert_eq!(
                h.client().stored_options().tls.min_version,
                MinVersion::Tls12
            );
            assert_eq!(mosquitto_tls_insecure_set(ptr::null_mut(), true), INVAL);
            assert_eq!(mosquitto_tls_insecure_set(h.0, true), OK);
            assert!(h.client().stored_options().tls.insecure);
        }
        assert!(mosquitto_ssl_get(h.0).is_null());
    }
}

#[cfg(all(test, not(feature = "tls")))]
mod tests_without_tls {
    use super::super::constants::rc;
    use super::*;
    use crate::client::Client;

    #[test]
    fn tls_functions_are_not_supported_without_tls() {
        let not_supported = rc(mosq_err_t::MOSQ_ERR_NOT_SUPPORTED);
        let mosq = Arc::into_raw(Client::new(Some(b"no-tls"), true)) as *mut mosquitto;
        // SAFETY: a live handle (freed below); NUL-terminated strings.
        unsafe {
            assert_eq!(
                mosquitto_tls_set(
                    mosq,
                    c"ca.pem".as_ptr(),
                    ptr::null(),
                    ptr::null(),
                    ptr::null(),
                    None
                ),
                not_supported
            );
            assert_eq!(mosquitto_tls_insecure_set(mosq, true), not_supported);
            assert_eq!(
                mosquitto_tls_opts_set(mosq, 1, c"tlsv1.2".as_ptr(), ptr::null()),
                not_supported
            );
            assert_eq!(
                mosquitto_tls_psk_set(mosq, c"abcd".as_ptr(), c"id".as_ptr(), ptr::null()),
                not_supported
            );
        }
        assert!(mosquitto_ssl_get(mosq).is_null());
        // SAFETY: made by Arc::into_raw above, not used after.
        drop(unsafe { Arc::from_raw(mosq as *const Client) });
    }
}
