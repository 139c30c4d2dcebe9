//! Client options: `mosquitto_opts_set`, the typed `*_option` setters and
//! the in-flight message limit.
//!
//! The option identifier arrives as [`mosq_opt_value`], a plain `int`: C may
//! pass any number there, and reading an out-of-range value as the Rust enum
//! `mosq_opt_t` would be undefined behaviour. The header still declares it
//! `enum mosq_opt_t option`, exactly as the original (see the header config).
//!
//! TLS options are stored in the client's TLS settings. Those that need
//! OpenSSL (`MOSQ_OPT_SSL_CTX` with a context, engines, key form
//! "engine") and required OCSP answer `MOSQ_ERR_NOT_SUPPORTED`.
//! The 2.1 WebSocket options (`MOSQ_OPT_TRANSPORT`, `MOSQ_OPT_HTTP_PATH`,
//! `MOSQ_OPT_HTTP_HEADER_SIZE`) are stored in the client's WebSocket
//! settings, with the argument checks of a 2.1 build with WebSockets.

#![allow(non_camel_case_types)]

use std::ffi::{c_char, c_int, c_uint, c_void};

use super::boundary::ffi_boundary;
use super::constants::{
    mosq_err_t, mosq_opt_t, mosq_transport_t, rc, MQTT_PROTOCOL_V31, MQTT_PROTOCOL_V311,
    MQTT_PROTOCOL_V5,
};
use super::error::result_rc;
use super::extensions::queue_option;
use super::ptr::{c_bytes, try_client};
use super::types::mosquitto;
use crate::client::{Client, ClientError};
use crate::protocol::packet::ProtocolVersion;

/// An `enum mosq_opt_t` value as received from C (any `int`).
pub type mosq_opt_value = c_int;

/// The identifier of `o` as C passes it.
const fn opt(o: mosq_opt_t) -> mosq_opt_value {
    o as mosq_opt_value
}

const PROTOCOL_VERSION: c_int = opt(mosq_opt_t::MOSQ_OPT_PROTOCOL_VERSION);
const SSL_CTX: c_int = opt(mosq_opt_t::MOSQ_OPT_SSL_CTX);
const SSL_CTX_WITH_DEFAULTS: c_int = opt(mosq_opt_t::MOSQ_OPT_SSL_CTX_WITH_DEFAULTS);
const RECEIVE_MAXIMUM: c_int = opt(mosq_opt_t::MOSQ_OPT_RECEIVE_MAXIMUM);
const SEND_MAXIMUM: c_int = opt(mosq_opt_t::MOSQ_OPT_SEND_MAXIMUM);
const TLS_KEYFORM: c_int = opt(mosq_opt_t::MOSQ_OPT_TLS_KEYFORM);
const TLS_ENGINE: c_int = opt(mosq_opt_t::MOSQ_OPT_TLS_ENGINE);
const TLS_ENGINE_KPASS_SHA1: c_int = opt(mosq_opt_t::MOSQ_OPT_TLS_ENGINE_KPASS_SHA1);
const TLS_OCSP_REQUIRED: c_int = opt(mosq_opt_t::MOSQ_OPT_TLS_OCSP_REQUIRED);
const TLS_ALPN: c_int = opt(mosq_opt_t::MOSQ_OPT_TLS_ALPN);
const TCP_NODELAY: c_int = opt(mosq_opt_t::MOSQ_OPT_TCP_NODELAY);
const BIND_ADDRESS: c_int = opt(mosq_opt_t::MOSQ_OPT_BIND_ADDRESS);
const TLS_USE_OS_CERTS: c_int = opt(mosq_opt_t::MOSQ_OPT_TLS_USE_OS_CERTS);
const DISABLE_SOCKETPAIR: c_int = opt(mosq_opt_t::MOSQ_OPT_DISABLE_SOCKETPAIR);
const TRANSPORT: c_int = opt(mosq_opt_t::MOSQ_OPT_TRANSPORT);
const HTTP_PATH: c_int = opt(mosq_opt_t::MOSQ_OPT_HTTP_PATH);
const HTTP_HEADER_SIZE: c_int = opt(mosq_opt_t::MOSQ_OPT_HTTP_HEADER_SIZE);

/// A `MQTT_PROTOCOL_*` value as the client's type.
fn protocol_version(value: c_int) -> Result<ProtocolVersion, ClientError> {
    match value {
        MQTT_PROTOCOL_V31 => Ok(ProtocolVersion::V31),
        MQTT_PROTOCOL_V311 => Ok(ProtocolVersion::V311),
        MQTT_PROTOCOL_V5 => Ok(ProtocolVersion::V5),
        _ => Err(ClientError::Inval),
    }
}

/// A `MOSQ_T_*` value: whether it names WebSockets.
fn websockets(value: c_int) -> Result<bool, ClientError> {
    match value {
        v if v == mosq_transport_t::MOSQ_T_TCP as c_int => Ok(false),
        v if v == mosq_transport_t::MOSQ_T_WEBSOCKETS as c_int => Ok(true),
        _ => Err(ClientError::Inval),
    }
}

/// `mosquitto_int_option`: the option number picks the client's setter.
fn set_int_option(
    client: &Client,
    option: mosq_opt_value,
    value: c_int,
) -> Result<(), ClientError> {
    match option {
        PROTOCOL_VERSION => client.set_protocol_version(protocol_version(value)?),
        RECEIVE_MAXIMUM => client.set_receive_maximum(value)?,
        SEND_MAXIMUM => client.set_send_maximum(value)?,
        TCP_NODELAY => client.set_tcp_nodelay(value != 0),
        DISABLE_SOCKETPAIR => client.set_socketpair_disabled(value != 0),
        TRANSPORT => client.set_websockets(websockets(value)?)?,
        TLS_USE_OS_CERTS => client.set_tls_use_os_certs(value != 0)?,
        SSL_CTX_WITH_DEFAULTS => client.set_ssl_ctx_with_defaults(value != 0)?,
        TLS_OCSP_REQUIRED => client.set_tls_ocsp_required(value != 0)?,
        HTTP_HEADER_SIZE => client.set_http_header_size(value)?,
        _ => match queue_option(option) {
            Some(q) => client.set_queue_option(q, value)?,
            None => return Err(ClientError::Inval),
        },
    }
    Ok(())
}

/// `mosquitto_string_option` (`value` may be NULL): the option number
/// picks the client's setter.
fn set_string_option(
    client: &Client,
    option: mosq_opt_value,
    value: Option<&[u8]>,
) -> Result<(), ClientError> {
    match option {
        BIND_ADDRESS => client.set_bind_address(value),
        TLS_KEYFORM => client.set_tls_keyform(value)?,
        TLS_ALPN => client.set_tls_alpn(value)?,
        HTTP_PATH => client.set_http_path(value),
        TLS_ENGINE | TLS_ENGINE_KPASS_SHA1 => client.set_tls_engine()?,
        _ => return Err(ClientError::Inval),
    }
    Ok(())
}

/// Sets an option from a pointer to its value (the pre-1.6 interface):
/// `MOSQ_OPT_PROTOCOL_VERSION` (an `int *`) and `MOSQ_OPT_SSL_CTX`; any
/// other option is `MOSQ_ERR_INVAL`.
///
/// # Safety
/// `mosq` is NULL or a live handle from `mosquitto_new`; for
/// `MOSQ_OPT_PROTOCOL_VERSION`, `value` is NULL or points to an `int`.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_opts_set(
    mosq: *mut mosquitto,
    option: mosq_opt_value,
    value: *mut c_void,
) -> c_int {
    ffi_boundary(|| {
        if mosq.is_null() {
            return rc(mosq_err_t::MOSQ_ERR_INVAL);
        }
        match option {
            PROTOCOL_VERSION if value.is_null() => rc(mosq_err_t::MOSQ_ERR_INVAL),
            PROTOCOL_VERSION => {
                // SAFETY: non-NULL and, by contract, pointing to an int
                // (read unaligned: C gives no alignment promise we can check).
                let v = unsafe { (value as *const c_int).read_unaligned() };
                // SAFETY: `mosq` is live (checked non-NULL; this
                // function's contract).
                unsafe { mosquitto_int_option(mosq, option, v) }
            }
            // SAFETY: `mosq` is live (checked non-NULL; this function's
            // contract).
            SSL_CTX => unsafe { mosquitto_void_option(mosq, option, value) },
            _ => rc(mosq_err_t::MOSQ_ERR_INVAL),
        }
    })
}

/// Sets an integer option. `MOSQ_OPT_TLS_OCSP_REQUIRED` 1 answers
/// `MOSQ_ERR_NOT_SUPPORTED`; `MOSQ_OPT_DISABLE_SOCKETPAIR` (2.1) non-zero
/// drops the loop's wake-up socket pair and 0 brings it back;
/// `MOSQ_OPT_TRANSPORT` (2.1) takes `MOSQ_T_TCP` or `MOSQ_T_WEBSOCKETS`,
/// `MOSQ_OPT_HTTP_HEADER_SIZE` (2.1) 100 or more.
///
/// # Safety
/// `mosq` is NULL or a live handle from `mosquitto_new`.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_int_option(
    mosq: *mut mosquitto,
    option: mosq_opt_value,
    value: c_int,
) -> c_int {
    ffi_boundary(|| result_rc(set_int_option(try_client!(mosq), option, value)))
}

/// Sets a string option: `MOSQ_OPT_BIND_ADDRESS` (NULL clears it),
/// `MOSQ_OPT_TLS_ALPN`, `MOSQ_OPT_TLS_KEYFORM` ("pem"), `MOSQ_OPT_HTTP_PATH`
/// (2.1; NULL means "/mqtt"). OpenSSL engines (`MOSQ_OPT_TLS_ENGINE`,
/// `_ENGINE_KPASS_SHA1`, key form "engine") answer
/// `MOSQ_ERR_NOT_SUPPORTED`.
///
/// # Safety
/// `mosq` is NULL or a live handle from `mosquitto_new`; `value` is NULL
/// or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_string_option(
    mosq: *mut mosquitto,
    option: mosq_opt_value,
    value: *const c_char,
) -> c_int {
    ffi_boundary(|| {
        // SAFETY: NULL or NUL-terminated by contract; copied before returning.
        let value = unsafe { c_bytes(value) };
        result_rc(set_string_option(try_client!(mosq), option, value))
    })
}

/// Sets a pointer option. `MOSQ_OPT_SSL_CTX`: NULL (the library's own TLS
/// set-up) is accepted, an OpenSSL `SSL_CTX` answers
/// `MOSQ_ERR_NOT_SUPPORTED`; any other option is `MOSQ_ERR_INVAL`.
///
/// # Safety
/// `mosq` is NULL or a live handle from `mosquitto_new`.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_void_option(
    mosq: *mut mosquitto,
    option: mosq_opt_value,
    value: *mut c_void,
) -> c_int {
    ffi_boundary(|| {
        let client = try_client!(mosq);
        result_rc(match option {
            SSL_CTX => client.set_ssl_ctx(!value.is_null()),
            _ => Err(ClientError::Inval),
        })
    })
}

/// Limits the QoS 1 and 2 messages in flight at once (0 = no limit): the
/// same as `MOSQ_OPT_SEND_MAXIMUM`, so above 65,535 is `MOSQ_ERR_INVAL`.
///
/// # Safety
/// `mosq` is NULL or a live handle from `mosquitto_new`.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_max_inflight_messages_set(
    mosq: *mut mosquitto,
    max_inflight_messages: c_uint,
) -> c_int {
    ffi_boundary(|| {
        // The original converts to int, so huge values turn negative; both
        // are out of range either way.
        let value = c_int::try_from(max_inflight_messages).unwrap_or(-1);
        result_rc(try_client!(mosq).set_send_maximum(value))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::options::StoredOptions;
    use crate::ffi::ptr::client;
    use std::ptr;
    use std::sync::Arc;

    const OK: c_int = rc(mosq_err_t::MOSQ_ERR_SUCCESS);
    const INVAL: c_int = rc(mosq_err_t::MOSQ_ERR_INVAL);
    const UNSUPPORTED: c_int = rc(mosq_err_t::MOSQ_ERR_NOT_SUPPORTED);

    /// A client and its C handle, released on drop.
    struct Handle(*mut mosquitto);

    impl Handle {
        fn new() -> Self {
            Handle(Arc::into_raw(Client::new(None, true)) as *mut mosquitto)
        }

        fn client(&self) -> &Client {
            // SAFETY: a live handle made by `new`.
            unsafe { client(self.0) }.unwrap()
        }

        fn stored(&self) -> StoredOptions {
            self.client().stored_options()
        }
    }

    impl Drop for Handle {
        fn drop(&mut self) {
            // SAFETY: made by Arc::into_raw in `new`, released once.
            drop(unsafe { Arc::from_raw(self.0 as *const Client) });
        }
    }

    #[test]
    fn null_client_is_inval_everywhere() {
        // SAFETY: NULL is an allowed handle for all of these.
        unsafe {
            assert_eq!(mosquitto_int_option(ptr::null_mut(), 1, 4), INVAL);
            assert_eq!(
                mosquitto_string_option(ptr::null_mut(), 12, c"x".as_ptr()),
                INVAL
            );
            assert_eq!(
                mosquitto_void_option(ptr::null_mut(), 2, ptr::null_mut()),
                INVAL
            );
            assert_eq!(
                mosquitto_opts_set(ptr::null_mut(), 1, ptr::null_mut()),
                INVAL
            );
            assert_eq!(
                mosquitto_max_inflight_messages_set(ptr::null_mut(), 1),
                INVAL
            );
        }
    }

    #[test]
    fn protocol_version_is_stored_and_checked() {
        let h = Handle::new();
        // SAFETY: a live handle; `v` is an int.
        unsafe {
            assert_eq!(mosquitto_int_option(h.0, PROTOCOL_VERSION, 5), OK);
            assert_eq!(h.stored().version, ProtocolVersion::V5);
            assert_eq!(mosquitto_int_option(h.0, PROTOCOL_VERSION, 6), INVAL);
            assert_eq!(h.stored().version, ProtocolVersion::V5);
            let mut v: c_int = 3;
            let p = &mut v as *mut c_int as *mut c_void;
            assert_eq!(mosquitto_opts_set(h.0, PROTOCOL_VERSION, p), OK);
            assert_eq!(h.stored().version, ProtocolVersion::V31);
            assert_eq!(
                mosquitto_opts_set(h.0, PROTOCOL_VERSION, ptr::null_mut()),
                INVAL
            );
            assert_eq!(mosquitto_opts_set(h.0, TCP_NODELAY, p), INVAL);
        }
    }

    #[test]
    fn inflight_limits_take_0_to_65535() {
        let h = Handle::new();
        // SAFETY: a live handle.
        unsafe {
            for opt in [RECEIVE_MAXIMUM, SEND_MAXIMUM] {
                assert_eq!(mosquitto_int_option(h.0, opt, 0), OK);
                assert_eq!(mosquitto_int_option(h.0, opt, 65535), OK);
                assert_eq!(mosquitto_int_option(h.0, opt, 65536), INVAL);
                assert_eq!(mosquitto_int_option(h.0, opt, -1), INVAL);
            }
            assert_eq!(mosquitto_max_inflight_messages_set(h.0, 65535), OK);
            assert_eq!(mosquitto_max_inflight_messages_set(h.0, 65536), INVAL);
            assert_eq!(mosquitto_max_inflight_messages_set(h.0, c_uint::MAX), INVAL);
        }
    }

    #[test]
    fn tcp_nodelay_and_socketpair_change_the_state() {
        let h = Handle::new();
        // The pair is made lazily, by the first loop that needs it.
        assert!(!h.stored().wake_made);
        h.client().with_state(|st| st.ensure_wake());
        assert!(h.stored().wake_made);
        // SAFETY: a live handle.
        unsafe {
            assert_eq!(mosquitto_int_option(h.0, TCP_NODELAY, i32::MIN), OK);
            assert!(h.stored().tcp_nodelay);
            assert_eq!(mosquitto_int_option(h.0, TCP_NODELAY, 0), OK);
            assert!(!h.stored().tcp_nodelay);
            assert_eq!(mosquitto_int_option(h.0, DISABLE_SOCKETPAIR, 1), OK);
            assert!(!h.stored().wake_made);
            h.client().with_state(|st| st.ensure_wake());
            assert!(!h.stored().wake_made, "disabled: never made");
            assert_eq!(mosquitto_int_option(h.0, DISABLE_SOCKETPAIR, 0), OK);
            h.client().with_state(|st| st.ensure_wake());
            assert!(h.stored().wake_made);
        }
    }

    #[cfg(feature = "tls")]
    #[test]
    fn tls_options_are_stored_or_refused_when_they_need_openssl() {
        let h = Handle::new();
        // SAFETY: a live handle; strings are NUL-terminated.
        unsafe {
            assert_eq!(mosquitto_int_option(h.0, TLS_USE_OS_CERTS, 1), OK);
            assert!(h.stored().tls.use_os_certs && h.stored().tls_enabled);
            assert_eq!(mosquitto_int_option(h.0, TLS_USE_OS_CERTS, 0), OK);
            assert!(!h.stored().tls.use_os_certs);
            assert_eq!(mosquitto_int_option(h.0, TLS_OCSP_REQUIRED, 1), UNSUPPORTED);
            assert_eq!(mosquitto_int_option(h.0, TLS_OCSP_REQUIRED, 0), OK);
            assert_eq!(mosquitto_int_option(h.0, SSL_CTX_WITH_DEFAULTS, 1), OK);
            assert_eq!(
                mosquitto_string_option(h.0, TLS_KEYFORM, c"PEM".as_ptr()),
                OK
            );
            assert_eq!(
                mosquitto_string_option(h.0, TLS_KEYFORM, c"engine".as_ptr()),
                UNSUPPORTED
            );
            assert_eq!(
                mosquitto_string_option(h.0, TLS_KEYFORM, c"der".as_ptr()),
                INVAL
            );
            assert_eq!(
                mosquitto_string_option(h.0, TLS_KEYFORM, ptr::null()),
                INVAL
            );
            assert_eq!(mosquitto_string_option(h.0, TLS_ALPN, c"mqtt".as_ptr()), OK);
            assert!(h.stored().tls.alpn.as_deref() == Some(b"mqtt".as_slice()));
            for opt in [TLS_ENGINE, TLS_ENGINE_KPASS_SHA1] {
                assert_eq!(
                    mosquitto_string_option(h.0, opt, c"pem".as_ptr()),
                    UNSUPPORTED
                );
            }
            assert_eq!(mosquitto_void_option(h.0, SSL_CTX, ptr::null_mut()), OK);
            assert_eq!(mosquitto_opts_set(h.0, SSL_CTX, ptr::null_mut()), OK);
            let mut fake_ctx = 0u8;
            assert_eq!(
                mosquitto_void_option(h.0, SSL_CTX, (&raw mut fake_ctx).cast()),
                UNSUPPORTED
            );
        }
    }

    #[cfg(not(feature = "tls"))]
    #[test]
    fn tls_options_are_not_supported_without_tls() {
        let h = Handle::new();
        let mut fake_ctx = 0u8;
        // SAFETY: a live handle; strings are NUL-terminated; the context
        // pointer is never read.
        unsafe {
            for opt in [TLS_USE_OS_CERTS, TLS_OCSP_REQUIRED, SSL_CTX_WITH_DEFAULTS] {
                for value in [0, 1] {
                    assert_eq!(mosquitto_int_option(h.0, opt, value), UNSUPPORTED);
                }
            }
            for opt in [TLS_KEYFORM, TLS_ALPN, TLS_ENGINE, TLS_ENGINE_KPASS_SHA1] {
                assert_eq!(
                    mosquitto_string_option(h.0, opt, c"pem".as_ptr()),
                    UNSUPPORTED
                );
            }
            let ctx: *mut c_void = (&raw mut fake_ctx).cast();
            assert_eq!(mosquitto_void_option(h.0, SSL_CTX, ctx), UNSUPPORTED);
            assert_eq!(mosquitto_opts_set(h.0, SSL_CTX, ctx), UNSUPPORTED);
        }
        assert!(!h.stored().tls_enabled);
    }

    #[cfg(not(feature = "websockets"))]
    #[test]
    fn websockets_transport_is_not_supported_without_websockets() {
        let h = Handle::new();
        // SAFETY: a live handle.
        unsafe {
            assert_eq!(mosquitto_int_option(h.0, TRANSPORT, 2), UNSUPPORTED);
            assert_eq!(mosquitto_int_option(h.0, TRANSPORT, 1), OK);
            assert_eq!(mosquitto_int_option(h.0, TRANSPORT, 3), INVAL);
        }
        assert!(!h.stored().websockets.enabled);
    }

    #[cfg(feature = "websockets")]
    #[test]
    fn websocket_options_are_stored_and_checked() {
        let h = Handle::new();
        let ws = || h.stored().websockets;
        assert_eq!(ws(), crate::transport::WsSettings::default());
        assert_eq!(ws().header_size, 4096);
        // SAFETY: a live handle; strings are NUL-terminated.
        unsafe {
            assert_eq!(mosquitto_int_option(h.0, TRANSPORT, 2), OK);
            assert!(ws().enabled);
            assert_eq!(mosquitto_int_option(h.0, TRANSPORT, 3), INVAL);
            assert_eq!(mosquitto_int_option(h.0, TRANSPORT, 0), INVAL);
            assert!(ws().enabled);
            assert_eq!(mosquitto_int_option(h.0, TRANSPORT, 1), OK);
            assert!(!ws().enabled);
            assert_eq!(mosquitto_int_option(h.0, HTTP_HEADER_SIZE, 99), INVAL);
            assert_eq!(mosquitto_int_option(h.0, HTTP_HEADER_SIZE, -1), INVAL);
            assert_eq!(ws().header_size, 4096);
            assert_eq!(mosquitto_int_option(h.0, HTTP_HEADER_SIZE, 100), OK);
            assert_eq!(ws().header_size, 100);
            assert_eq!(mosquitto_int_option(h.0, HTTP_HEADER_SIZE, c_int::MAX), OK);
            assert_eq!(ws().header_size, c_int::MAX as usize);
            assert_eq!(
                mosquitto_string_option(h.0, HTTP_PATH, c"/ws?x=1".as_ptr()),
                OK
            );
            assert_eq!(ws().http_path.as_deref(), Some(b"/ws?x=1".as_slice()));
            assert_eq!(mosquitto_string_option(h.0, HTTP_PATH, ptr::null()), OK);
            assert_eq!(ws().http_path, None);
            // Not while an upgrade waits for its answer.
            let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let port = silent.local_addr().unwrap().port();
            assert_eq!(mosquitto_int_option(h.0, TRANSPORT, 2), OK);
            let client = client(h.0).unwrap();
            client
                .connect("127.0.0.1", port, 60, None, None, true)
                .unwrap();
            assert!(h.stored().ws_handshaking);
            assert_eq!(mosquitto_int_option(h.0, HTTP_HEADER_SIZE, 200), INVAL);
            assert_eq!(ws().header_size, c_int::MAX as usize);
            // The string and int setters do not take each other's options.
            assert_eq!(mosquitto_int_option(h.0, HTTP_PATH, 1), INVAL);
            assert_eq!(
                mosquitto_string_option(h.0, HTTP_HEADER_SIZE, c"1".as_ptr()),
                INVAL
            );
        }
    }

    #[test]
    fn bind_address_is_set_and_cleared() {
        let h = Handle::new();
        // SAFETY: a live handle; strings are NUL-terminated.
        unsafe {
            let set = |v: *const c_char| mosquitto_string_option(h.0, BIND_ADDRESS, v);
            assert_eq!(set(c"127.0.0.1".as_ptr()), OK);
            let addr = h.stored().bind_address;
            assert_eq!(addr.as_deref(), Some("127.0.0.1"));
            // Clearing twice is fine (the original double-frees here).
            assert_eq!(set(ptr::null()), OK);
            assert_eq!(set(ptr::null()), OK);
            assert!(h.stored().bind_address.is_none());
        }
    }

    #[test]
    fn unknown_options_are_inval() {
        let h = Handle::new();
        // SAFETY: a live handle; strings are NUL-terminated.
        unsafe {
            for opt in [0, 18, 99, -1, c_int::MAX] {
                assert_eq!(mosquitto_int_option(h.0, opt, 1), INVAL);
                assert_eq!(mosquitto_string_option(h.0, opt, c"x".as_ptr()), INVAL);
                assert_eq!(mosquitto_void_option(h.0, opt, ptr::null_mut()), INVAL);
            }
            // Options of another type are unknown to each setter.
            assert_eq!(mosquitto_int_option(h.0, BIND_ADDRESS, 1), INVAL);
            assert_eq!(
                mosquitto_string_option(h.0, TCP_NODELAY, c"1".as_ptr()),
                INVAL
            );
            assert_eq!(
                mosquitto_void_option(h.0, TCP_NODELAY, ptr::null_mut()),
                INVAL
            );
        }
    }
}
