//! The client API of `mosquitto.h`: creating and destroying clients,
//! connecting, publishing, subscribing and running the network loop.
//!
//! Every function here is a stub until the client is written (issue 3): it
//! reports "not supported" (or "invalid" for a NULL client, as the original
//! does) and never pretends to have succeeded.

use std::ffi::{c_char, c_int, c_uint, c_void};
use std::ptr;

use super::boundary::{ffi_boundary, ffi_boundary_or};
use super::constants::{mosq_err_t, rc};
use super::types::{mosquitto, mosquitto_property};

/// What a stub taking a client returns: `MOSQ_ERR_INVAL` for NULL (as the
/// original checks that first), `MOSQ_ERR_NOT_SUPPORTED` otherwise.
fn stub_rc(mosq: *const mosquitto) -> c_int {
    if mosq.is_null() {
        rc(mosq_err_t::MOSQ_ERR_INVAL)
    } else {
        rc(mosq_err_t::MOSQ_ERR_NOT_SUPPORTED)
    }
}

/// Creates a client. Returns NULL with `errno` set (ENOSYS for now).
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_new(
    id: *const c_char,
    clean_session: bool,
    obj: *mut c_void,
) -> *mut mosquitto {
    ffi_boundary(|| {
        let _ = (id, clean_session, obj);
        // SAFETY: __errno_location returns this thread's errno slot, which is
        // always valid to write.
        unsafe { *libc::__errno_location() = libc::ENOSYS };
        ptr::null_mut()
    })
}

/// Frees a client and everything it owns.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_destroy(mosq: *mut mosquitto) {
    ffi_boundary(|| {
        let _ = mosq;
    })
}

/// Resets a client to the state `mosquitto_new` leaves it in.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_reinitialise(
    mosq: *mut mosquitto,
    id: *const c_char,
    clean_session: bool,
    obj: *mut c_void,
) -> c_int {
    ffi_boundary(|| {
        let _ = (id, clean_session, obj);
        stub_rc(mosq)
    })
}

/// Sets the will message sent at the next connection.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_will_set(
    mosq: *mut mosquitto,
    topic: *const c_char,
    payloadlen: c_int,
    payload: *const c_void,
    qos: c_int,
    retain: bool,
) -> c_int {
    ffi_boundary(|| {
        let _ = (topic, payloadlen, payload, qos, retain);
        stub_rc(mosq)
    })
}

/// Sets the will message, with MQTT 5 will properties.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_will_set_v5(
    mosq: *mut mosquitto,
    topic: *const c_char,
    payloadlen: c_int,
    payload: *const c_void,
    qos: c_int,
    retain: bool,
    properties: *mut mosquitto_property,
) -> c_int {
    ffi_boundary(|| {
        let _ = (topic, payloadlen, payload, qos, retain, properties);
        stub_rc(mosq)
    })
}

/// Removes the will message.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_will_clear(mosq: *mut mosquitto) -> c_int {
    ffi_boundary(|| stub_rc(mosq))
}

/// Sets (or with a NULL username, clears) the credentials sent in CONNECT.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_username_pw_set(
    mosq: *mut mosquitto,
    username: *const c_char,
    password: *const c_char,
) -> c_int {
    ffi_boundary(|| {
        let _ = (username, password);
        stub_rc(mosq)
    })
}

/// Connects to a broker, blocking until the TCP connection is made.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_connect(
    mosq: *mut mosquitto,
    host: *const c_char,
    port: c_int,
    keepalive: c_int,
) -> c_int {
    ffi_boundary(|| {
        let _ = (host, port, keepalive);
        stub_rc(mosq)
    })
}

/// Connects to a broker from a given local address.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_connect_bind(
    mosq: *mut mosquitto,
    host: *const c_char,
    port: c_int,
    keepalive: c_int,
    bind_address: *const c_char,
) -> c_int {
    ffi_boundary(|| {
        let _ = (host, port, keepalive, bind_address);
        stub_rc(mosq)
    })
}

/// Connects to a broker from a given local address, with CONNECT properties.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_connect_bind_v5(
    mosq: *mut mosquitto,
    host: *const c_char,
    port: c_int,
    keepalive: c_int,
    bind_address: *const c_char,
    properties: *const mosquitto_property,
) -> c_int {
    ffi_boundary(|| {
        let _ = (host, port, keepalive, bind_address, properties);
        stub_rc(mosq)
    })
}

/// Starts connecting to a broker without waiting (for the threaded loop).
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_connect_async(
    mosq: *mut mosquitto,
    host: *const c_char,
    port: c_int,
    keepalive: c_int,
) -> c_int {
    ffi_boundary(|| {
        let _ = (host, port, keepalive);
        stub_rc(mosq)
    })
}

/// Starts connecting without waiting, from a given local address.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_connect_bind_async(
    mosq: *mut mosquitto,
    host: *const c_char,
    port: c_int,
    keepalive: c_int,
    bind_address: *const c_char,
) -> c_int {
    ffi_boundary(|| {
        let _ = (host, port, keepalive, bind_address);
        stub_rc(mosq)
    })
}

/// Connects to a broker found through a DNS SRV lookup. The reference
/// (Debian's build, without SRV support) returns `MOSQ_ERR_NOT_SUPPORTED`
/// for every input, a NULL client included.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_connect_srv(
    mosq: *mut mosquitto,
    host: *const c_char,
    keepalive: c_int,
    bind_address: *const c_char,
) -> c_int {
    ffi_boundary(|| {
        let _ = (host, keepalive, bind_address);
        let _ = mosq;
        rc(mosq_err_t::MOSQ_ERR_NOT_SUPPORTED)
    })
}

/// Reconnects with the settings of the last connect call.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_reconnect(mosq: *mut mosquitto) -> c_int {
    ffi_boundary(|| stub_rc(mosq))
}

/// Reconnects without waiting for the TCP connection.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_reconnect_async(mosq: *mut mosquitto) -> c_int {
    ffi_boundary(|| stub_rc(mosq))
}

/// Sends DISCONNECT and closes the connection.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_disconnect(mosq: *mut mosquitto) -> c_int {
    ffi_boundary(|| stub_rc(mosq))
}

/// Sends DISCONNECT with a reason code and properties, then closes.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_disconnect_v5(
    mosq: *mut mosquitto,
    reason_code: c_int,
    properties: *const mosquitto_property,
) -> c_int {
    ffi_boundary(|| {
        let _ = (reason_code, properties);
        stub_rc(mosq)
    })
}

/// Publishes a message.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_publish(
    mosq: *mut mosquitto,
    mid: *mut c_int,
    topic: *const c_char,
    payloadlen: c_int,
    payload: *const c_void,
    qos: c_int,
    retain: bool,
) -> c_int {
    ffi_boundary(|| {
        let _ = (mid, topic, payloadlen, payload, qos, retain);
        stub_rc(mosq)
    })
}

/// Publishes a message with MQTT 5 properties.
/// Status: not implemented yet (issue 3).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn mosquitto_publish_v5(
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
        let _ = (mid, topic, payloadlen, payload, qos, retain, properties);
        stub_rc(mosq)
    })
}

/// Subscribes to one topic filter.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_subscribe(
    mosq: *mut mosquitto,
    mid: *mut c_int,
    sub: *const c_char,
    qos: c_int,
) -> c_int {
    ffi_boundary(|| {
        let _ = (mid, sub, qos);
        stub_rc(mosq)
    })
}

/// Subscribes to one topic filter with MQTT 5 options and properties.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_subscribe_v5(
    mosq: *mut mosquitto,
    mid: *mut c_int,
    sub: *const c_char,
    qos: c_int,
    options: c_int,
    properties: *const mosquitto_property,
) -> c_int {
    ffi_boundary(|| {
        let _ = (mid, sub, qos, options, properties);
        stub_rc(mosq)
    })
}

/// Subscribes to several topic filters in one SUBSCRIBE packet.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_subscribe_multiple(
    mosq: *mut mosquitto,
    mid: *mut c_int,
    sub_count: c_int,
    sub: *const *mut c_char,
    qos: c_int,
    options: c_int,
    properties: *const mosquitto_property,
) -> c_int {
    ffi_boundary(|| {
        let _ = (mid, sub_count, sub, qos, options, properties);
        stub_rc(mosq)
    })
}

/// Unsubscribes from one topic filter.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_unsubscribe(
    mosq: *mut mosquitto,
    mid: *mut c_int,
    sub: *const c_char,
) -> c_int {
    ffi_boundary(|| {
        let _ = (mid, sub);
        stub_rc(mosq)
    })
}

/// Unsubscribes from one topic filter, with MQTT 5 properties.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_unsubscribe_v5(
    mosq: *mut mosquitto,
    mid: *mut c_int,
    sub: *const c_char,
    properties: *const mosquitto_property,
) -> c_int {
    ffi_boundary(|| {
        let _ = (mid, sub, properties);
        stub_rc(mosq)
    })
}

/// Unsubscribes from several topic filters in one UNSUBSCRIBE packet.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_unsubscribe_multiple(
    mosq: *mut mosquitto,
    mid: *mut c_int,
    sub_count: c_int,
    sub: *const *mut c_char,
    properties: *const mosquitto_property,
) -> c_int {
    ffi_boundary(|| {
        let _ = (mid, sub_count, sub, properties);
        stub_rc(mosq)
    })
}

/// Continues an MQTT 5 extended authentication exchange (2.1).
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_ext_auth_continue(
    context: *mut mosquitto,
    auth_method: *const c_char,
    auth_data_len: u16,
    auth_data: *const c_void,
    props: *const mosquitto_property,
) -> c_int {
    ffi_boundary(|| {
        let _ = (auth_method, auth_data_len, auth_data, props);
        stub_rc(context)
    })
}

/// Runs the network loop until the client disconnects.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_loop_forever(
    mosq: *mut mosquitto,
    timeout: c_int,
    max_packets: c_int,
) -> c_int {
    ffi_boundary(|| {
        let _ = (timeout, max_packets);
        stub_rc(mosq)
    })
}

/// Starts a thread that runs the network loop.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_loop_start(mosq: *mut mosquitto) -> c_int {
    ffi_boundary(|| stub_rc(mosq))
}

/// Stops the network thread, waiting for it to end.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_loop_stop(mosq: *mut mosquitto, force: bool) -> c_int {
    ffi_boundary(|| {
        let _ = force;
        stub_rc(mosq)
    })
}

/// Runs one iteration of the network loop.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_loop(
    mosq: *mut mosquitto,
    timeout: c_int,
    max_packets: c_int,
) -> c_int {
    ffi_boundary(|| {
        let _ = (timeout, max_packets);
        stub_rc(mosq)
    })
}

/// Reads and handles incoming packets (for an external event loop).
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_loop_read(mosq: *mut mosquitto, max_packets: c_int) -> c_int {
    ffi_boundary(|| {
        let _ = max_packets;
        stub_rc(mosq)
    })
}

/// Writes queued packets (for an external event loop).
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_loop_write(mosq: *mut mosquitto, max_packets: c_int) -> c_int {
    ffi_boundary(|| {
        let _ = max_packets;
        stub_rc(mosq)
    })
}

/// Handles keepalive and retries (for an external event loop).
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_loop_misc(mosq: *mut mosquitto) -> c_int {
    ffi_boundary(|| stub_rc(mosq))
}

/// The client's socket, or -1 when not connected.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_socket(mosq: *mut mosquitto) -> c_int {
    ffi_boundary_or(-1, || {
        let _ = mosq;
        -1
    })
}

/// Whether the client has data waiting to be written.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_want_write(mosq: *mut mosquitto) -> bool {
    ffi_boundary(|| {
        let _ = mosq;
        false
    })
}

/// Tells the library the application runs its own threads around the client.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_threaded_set(mosq: *mut mosquitto, threaded: bool) -> c_int {
    ffi_boundary(|| {
        let _ = threaded;
        stub_rc(mosq)
    })
}

/// Sets the delays between automatic reconnection attempts.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_reconnect_delay_set(
    mosq: *mut mosquitto,
    reconnect_delay: c_uint,
    reconnect_delay_max: c_uint,
    reconnect_exponential_backoff: bool,
) -> c_int {
    ffi_boundary(|| {
        let _ = (
            reconnect_delay,
            reconnect_delay_max,
            reconnect_exponential_backoff,
        );
        stub_rc(mosq)
    })
}

/// Obsolete: the original ignores it; kept for the ABI.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_message_retry_set(mosq: *mut mosquitto, message_retry: c_uint) {
    ffi_boundary(|| {
        let _ = (mosq, message_retry);
    })
}

/// Replaces the user data pointer passed to callbacks.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_user_data_set(mosq: *mut mosquitto, obj: *mut c_void) {
    ffi_boundary(|| {
        let _ = (mosq, obj);
    })
}

/// The user data pointer passed to callbacks.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_userdata(mosq: *mut mosquitto) -> *mut c_void {
    ffi_boundary(|| {
        let _ = mosq;
        ptr::null_mut()
    })
}

/// Routes the connection through a SOCKS5 proxy.
/// Status: not implemented yet (issue 3).
#[no_mangle]
pub extern "C" fn mosquitto_socks5_set(
    mosq: *mut mosquitto,
    host: *const c_char,
    port: c_int,
    username: *const c_char,
    password: *const c_char,
) -> c_int {
    ffi_boundary(|| {
        let _ = (host, port, username, password);
        stub_rc(mosq)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_client() -> *mut mosquitto {
        ptr::NonNull::<mosquitto>::dangling().as_ptr()
    }

    #[test]
    fn new_fails_with_enosys() {
        assert!(mosquitto_new(ptr::null(), true, ptr::null_mut()).is_null());
        assert_eq!(
            std::io::Error::last_os_error().raw_os_error(),
            Some(libc::ENOSYS)
        );
    }

    #[test]
    fn stubs_report_inval_for_null_and_not_supported_otherwise() {
        let inval = rc(mosq_err_t::MOSQ_ERR_INVAL);
        let unsupported = rc(mosq_err_t::MOSQ_ERR_NOT_SUPPORTED);
        assert_eq!(
            mosquitto_connect(ptr::null_mut(), ptr::null(), 1883, 60),
            inval
        );
        assert_eq!(
            mosquitto_connect(fake_client(), ptr::null(), 1883, 60),
            unsupported
        );
        assert_eq!(mosquitto_loop_forever(fake_client(), -1, 1), unsupported);
        assert_eq!(
            mosquitto_ext_auth_continue(ptr::null_mut(), ptr::null(), 0, ptr::null(), ptr::null()),
            inval
        );
        assert_eq!(
            mosquitto_connect_srv(ptr::null_mut(), ptr::null(), 60, ptr::null()),
            unsupported
        );
        assert_eq!(mosquitto_socket(fake_client()), -1);
        assert!(!mosquitto_want_write(fake_client()));
        assert!(mosquitto_userdata(fake_client()).is_null());
    }
}
