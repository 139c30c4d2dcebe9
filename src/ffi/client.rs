//! Creating, resetting and destroying clients, and their per-client
//! settings (will, credentials, reconnect delay, user data, SOCKS5 proxy).
//!
//! A `struct mosquitto *` is `Arc::into_raw` of the [`Client`]: the C side
//! holds one strong reference, which `mosquitto_destroy` gives back;
//! `loop_start`'s thread holds another while it runs.

use std::ffi::{c_char, c_int, c_uint, c_void};
use std::ptr;
use std::sync::Arc;

use super::boundary::{c_str, ffi_boundary, ffi_boundary_or, report_errno};
use super::constants::{mosq_err_t::*, rc};
use super::property::{error_code, view_list, view_outgoing};
use super::types::{mosquitto, mosquitto_property};
use crate::client::{wipe_secret, Client, ClientError, ReconnectDelay, Socks5Proxy};
use crate::protocol::property::{Property, CMD_WILL};
use crate::protocol::utf8;
use crate::session::{OwnedProperties, WillConfig};

/// Borrows the client behind a handle (`None` for NULL).
///
/// # Safety
/// `mosq` is NULL or a handle from `mosquitto_new` not yet destroyed.
pub(crate) unsafe fn client<'a>(mosq: *mut mosquitto) -> Option<&'a Client> {
    // SAFETY: live handles are `Arc::into_raw` pointers; the C side's
    // reference keeps the client alive until `mosquitto_destroy`.
    unsafe { (mosq as *const Client).as_ref() }
}

/// A new strong reference to the client behind a handle.
///
/// # Safety
/// As [`client`].
pub(crate) unsafe fn client_arc(mosq: *mut mosquitto) -> Option<Arc<Client>> {
    if mosq.is_null() {
        return None;
    }
    let raw = mosq as *const Client;
    // SAFETY: `raw` came from `Arc::into_raw` and its count is at least one
    // (the C side's); we add one for the `Arc` we hand out.
    unsafe {
        Arc::increment_strong_count(raw);
        Some(Arc::from_raw(raw))
    }
}

/// The return code for `e`, setting `errno` where the original does.
pub(crate) fn error_rc(e: &ClientError) -> c_int {
    if let Some(errno) = e.errno() {
        report_errno(errno);
    }
    super::error::kind_rc(e.kind())
}

/// The return code for `r`.
pub(crate) fn result_rc(r: Result<(), ClientError>) -> c_int {
    match r {
        Ok(()) => rc(MOSQ_ERR_SUCCESS),
        Err(e) => error_rc(&e),
    }
}

/// The properties of a C list, borrowed from its nodes.
///
/// # Safety
/// `list` is NULL or a valid property list that outlives the result.
pub(crate) unsafe fn properties<'a>(
    list: *const mosquitto_property,
) -> Result<Vec<Property<'a>>, c_int> {
    if list.is_null() {
        // The common case, kept off the list walk.
        return Ok(Vec::new());
    }
    // SAFETY: forwarded contract.
    unsafe { view_list(list) }.map_err(error_code)
}

/// The properties a packet-sending `_v5` call sends for `list`
/// ([`view_outgoing`]: one node when the library made the head).
///
/// # Safety
/// As [`properties`].
pub(crate) unsafe fn outgoing_properties<'a>(
    list: *const mosquitto_property,
) -> Result<Vec<Property<'a>>, c_int> {
    if list.is_null() {
        return Ok(Vec::new());
    }
    // SAFETY: forwarded contract.
    unsafe { view_outgoing(list) }.map_err(error_code)
}

/// Checks a client id as `mosquitto_new` does: not empty (`INVAL`), valid
/// UTF-8 (`MALFORMED_UTF8`, `INVAL` when too long).
fn check_id(id: Option<&[u8]>) -> Result<(), c_int> {
    match id {
        Some([]) => Err(rc(MOSQ_ERR_INVAL)),
        Some(id) => match utf8::validate(id) {
            Ok(()) => Ok(()),
            Err(utf8::Utf8Error::TooLong) => Err(rc(MOSQ_ERR_INVAL)),
            Err(utf8::Utf8Error::Malformed) => Err(rc(MOSQ_ERR_MALFORMED_UTF8)),
        },
        None => Ok(()),
    }
}

/// Creates a client. Returns NULL with `errno` set to `EINVAL` for a NULL
/// id without clean session or an empty id, as the original.
///
/// # Safety
/// `id` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_new(
    id: *const c_char,
    clean_session: bool,
    obj: *mut c_void,
) -> *mut mosquitto {
    ffi_boundary(|| {
        // SAFETY: NULL or a NUL-terminated string from the caller.
        let id = unsafe { c_str(id) }.map(|s| s.to_bytes());
        if !clean_session && id.is_none() {
            report_errno(libc::EINVAL);
            return ptr::null_mut();
        }
        if let Err(code) = check_id(id) {
            if code == rc(MOSQ_ERR_INVAL) {
                report_errno(libc::EINVAL);
            }
            return ptr::null_mut();
        }
        let new = Client::new(id, clean_session);
        let handle = Arc::as_ptr(&new) as *mut mosquitto;
        new.set_userdata(if obj.is_null() {
            handle as *mut c_void
        } else {
            obj
        });
        Arc::into_raw(new) as *mut mosquitto
    })
}

/// Frees a client and everything it owns; a running loop thread is
/// stopped first.
///
/// # Safety
/// `mosq` is NULL or a live handle, not used again afterwards.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_destroy(mosq: *mut mosquitto) {
    ffi_boundary(|| {
        if mosq.is_null() {
            return;
        }
        // SAFETY: a live handle; this takes back the C side's reference.
        let client = unsafe { Arc::from_raw(mosq as *const Client) };
        client.shutdown();
        drop(client);
    })
}

/// Resets a client to the state `mosquitto_new` leaves it in.
///
/// # Safety
/// `mosq` is NULL or a live handle; `id` NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_reinitialise(
    mosq: *mut mosquitto,
    id: *const c_char,
    clean_session: bool,
    obj: *mut c_void,
) -> c_int {
    ffi_boundary(|| {
        // SAFETY: forwarded contract.
        let Some(client) = (unsafe { client_arc(mosq) }) else {
            return rc(MOSQ_ERR_INVAL);
        };
        // SAFETY: NULL or a NUL-terminated string from the caller.
        let id = unsafe { c_str(id) }.map(|s| s.to_bytes());
        if !clean_session && id.is_none() {
            return rc(MOSQ_ERR_INVAL);
        }
        if let Err(code) = check_id(id) {
            return code;
        }
        client.reinitialise(id, clean_session);
        client.set_userdata(if obj.is_null() {
            mosq as *mut c_void
        } else {
            obj
        });
        rc(MOSQ_ERR_SUCCESS)
    })
}

/// Sets the will message sent at the next connection.
/// Difference: a will payload longer than 65535 bytes is accepted as the original does, but only its first 65535 bytes are sent (the original sends a corrupt CONNECT).
///
/// # Safety
/// `mosq` NULL or live; `topic` NULL or NUL-terminated; `payload` valid for
/// `payloadlen` bytes when not NULL.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_will_set(
    mosq: *mut mosquitto,
    topic: *const c_char,
    payloadlen: c_int,
    payload: *const c_void,
    qos: c_int,
    retain: bool,
) -> c_int {
    ffi_boundary(|| {
        // SAFETY: forwarded contract.
        unsafe { will_set(mosq, topic, payloadlen, payload, qos, retain, ptr::null()) }
    })
}

/// Sets the will message, with MQTT 5 will properties.
///
/// # Safety
/// As [`mosquitto_will_set`]; `properties` NULL or a valid list.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_will_set_v5(
    mosq: *mut mosquitto,
    topic: *const c_char,
    payloadlen: c_int,
    payload: *const c_void,
    qos: c_int,
    retain: bool,
    properties: *mut mosquitto_property,
) -> c_int {
    ffi_boundary(|| {
        // SAFETY: forwarded contract.
        let r = unsafe { will_set(mosq, topic, payloadlen, payload, qos, retain, properties) };
        if r == rc(MOSQ_ERR_SUCCESS) && !properties.is_null() {
            // The original takes ownership of the list on success.
            // SAFETY: the caller handed the list over; we copied it.
            unsafe { super::property::free_list(properties) };
        }
        r
    })
}

/// The will checks of the original, in its order.
///
/// # Safety
/// As [`mosquitto_will_set_v5`].
unsafe fn will_set(
    mosq: *mut mosquitto,
    topic: *const c_char,
    payloadlen: c_int,
    payload: *const c_void,
    qos: c_int,
    retain: bool,
    properties: *const mosquitto_property,
) -> c_int {
    // SAFETY: forwarded contract.
    let (Some(client), Some(topic)) = (unsafe { client(mosq) }, unsafe { c_str(topic) }) else {
        return rc(MOSQ_ERR_INVAL);
    };
    if !(0..=crate::session::MAX_PAYLOAD as c_int).contains(&payloadlen) {
        return rc(MOSQ_ERR_PAYLOAD_SIZE);
    }
    if payloadlen > 0 && payload.is_null() {
        return rc(MOSQ_ERR_INVAL);
    }
    let topic = topic.to_bytes();
    if crate::protocol::topic::check_publish_topic(topic).is_err() {
        return rc(MOSQ_ERR_INVAL);
    }
    if utf8::validate(topic).is_err() {
        return rc(MOSQ_ERR_MALFORMED_UTF8);
    }
    let payload: &[u8] = if payloadlen == 0 {
        &[]
    } else {
        // SAFETY: non-NULL and valid for `payloadlen` bytes per the contract.
        unsafe { std::slice::from_raw_parts(payload as *const u8, payloadlen as usize) }
    };
    // SAFETY: forwarded contract.
    let props = match unsafe { self::properties(properties) } {
        Ok(p) => p,
        Err(code) => return code,
    };
    // The property rules come first, then the version (as the original).
    let props = match OwnedProperties::new(CMD_WILL, &props) {
        Ok(p) => p,
        Err(e) => return super::error::session_rc(e),
    };
    client.with_state(|st| {
        if !props.is_empty() && !st.version().is_v5() {
            return rc(MOSQ_ERR_NOT_SUPPORTED);
        }
        // The original stores any QoS and sends its low two bits, and
        // accepts payloads longer than the 65535 bytes CONNECT can carry;
        // we keep what fits instead of sending a corrupt CONNECT.
        let payload = &payload[..payload.len().min(usize::from(u16::MAX))];
        st.session.config_mut().will = Some(Box::new(WillConfig {
            topic: topic.to_vec(),
            payload: payload.to_vec(),
            qos: (qos & 3) as u8,
            retain,
            properties: props,
        }));
        rc(MOSQ_ERR_SUCCESS)
    })
}

/// Removes the will.
///
/// # Safety
/// `mosq` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_will_clear(mosq: *mut mosquitto) -> c_int {
    ffi_boundary(|| {
        // SAFETY: forwarded contract.
        let Some(client) = (unsafe { client(mosq) }) else {
            return rc(MOSQ_ERR_INVAL);
        };
        client.with_state(|st| st.session.config_mut().will = None);
        rc(MOSQ_ERR_SUCCESS)
    })
}

/// Sets the user name and password sent in CONNECT. The previous password
/// is wiped from memory.
/// Difference: a password longer than 65535 bytes is accepted as the original does, but only its first 65535 bytes are sent.
///
/// # Safety
/// `mosq` NULL or live; the strings NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_username_pw_set(
    mosq: *mut mosquitto,
    username: *const c_char,
    password: *const c_char,
) -> c_int {
    ffi_boundary(|| {
        // SAFETY: forwarded contract.
        let Some(client) = (unsafe { client(mosq) }) else {
            return rc(MOSQ_ERR_INVAL);
        };
        // SAFETY: NULL or NUL-terminated strings from the caller.
        let (username, password) = unsafe { (c_str(username), c_str(password)) };
        client.with_state(|st| {
            let cfg = st.session.config_mut();
            if !cfg.version.is_v5() && password.is_some() && username.is_none() {
                return rc(MOSQ_ERR_INVAL);
            }
            wipe_secret(cfg.password.take());
            cfg.username = None;
            if let Some(u) = username {
                let u = u.to_bytes();
                if u.len() > usize::from(u16::MAX) {
                    return rc(MOSQ_ERR_INVAL);
                }
                if utf8::validate(u).is_err() {
                    return rc(MOSQ_ERR_MALFORMED_UTF8);
                }
                cfg.username = Some(u.to_vec());
            }
            if let Some(p) = password {
                // Like the original, any length is accepted; CONNECT can
                // carry 65535 bytes, so that is what is kept.
                let p = p.to_bytes();
                cfg.password = Some(p[..p.len().min(usize::from(u16::MAX))].to_vec());
            }
            rc(MOSQ_ERR_SUCCESS)
        })
    })
}

/// Sets the delays `loop_forever` waits before reconnecting. As in the
/// original, a first delay of 0 counts as 1 s while a maximum of 0 is kept,
/// so `(0, 0, _)` (or any maximum of 0) reconnects at once.
/// Difference: with a maximum of 0, a reconnect refused at once is retried after 10 ms, where the original spins a CPU core.
///
/// # Safety
/// `mosq` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_reconnect_delay_set(
    mosq: *mut mosquitto,
    reconnect_delay: c_uint,
    reconnect_delay_max: c_uint,
    reconnect_exponential_backoff: bool,
) -> c_int {
    ffi_boundary(|| {
        // SAFETY: forwarded contract.
        let Some(client) = (unsafe { client(mosq) }) else {
            return rc(MOSQ_ERR_INVAL);
        };
        client.with_state(|st| {
            st.reconnect_delay = ReconnectDelay {
                delay: reconnect_delay.max(1),
                max: reconnect_delay_max,
                exponential: reconnect_exponential_backoff,
            };
        });
        rc(MOSQ_ERR_SUCCESS)
    })
}

/// Does nothing, as in libmosquitto 2.0 (retries happen on reconnect).
///
/// # Safety
/// `mosq` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_message_retry_set(mosq: *mut mosquitto, message_retry: c_uint) {
    ffi_boundary(|| {
        let _ = (mosq, message_retry);
    })
}

/// Sets the `obj` pointer passed to callbacks.
///
/// # Safety
/// `mosq` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_user_data_set(mosq: *mut mosquitto, obj: *mut c_void) {
    ffi_boundary(|| {
        // SAFETY: forwarded contract.
        if let Some(client) = unsafe { client(mosq) } {
            client.set_userdata(obj);
        }
    })
}

/// The `obj` pointer passed to callbacks (NULL for a NULL client).
///
/// # Safety
/// `mosq` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_userdata(mosq: *mut mosquitto) -> *mut c_void {
    ffi_boundary(|| {
        // SAFETY: forwarded contract.
        unsafe { client(mosq) }.map_or(ptr::null_mut(), |c| c.userdata())
    })
}

/// Routes the connection through a SOCKS5 proxy.
///
/// # Safety
/// `mosq` NULL or live; the strings NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_socks5_set(
    mosq: *mut mosquitto,
    host: *const c_char,
    port: c_int,
    username: *const c_char,
    password: *const c_char,
) -> c_int {
    ffi_boundary_or(rc(MOSQ_ERR_UNKNOWN), || {
        // SAFETY: forwarded contract.
        let Some(client) = (unsafe { client(mosq) }) else {
            return rc(MOSQ_ERR_INVAL);
        };
        // SAFETY: NULL or NUL-terminated strings from the caller.
        let (host, username, password) = unsafe { (c_str(host), c_str(username), c_str(password)) };
        let Some(host) = host else {
            return rc(MOSQ_ERR_INVAL);
        };
        if host.to_bytes().len() > 256 || !(1..=65535).contains(&port) {
            return rc(MOSQ_ERR_INVAL);
        }
        let username = username.map(|u| u.to_bytes().to_vec());
        let password = password.map(|p| p.to_bytes().to_vec());
        if username.as_ref().is_some_and(|u| u.len() > 255)
            || (username.is_some() && password.as_ref().is_some_and(|p| p.len() > 255))
        {
            return rc(MOSQ_ERR_INVAL);
        }
        client.with_state(|st| {
            st.target.socks5 = Some(Box::new(Socks5Proxy {
                host: host.to_string_lossy().into_owned(),
                port: port as u16,
                password: if username.is_some() { password } else { None },
                username,
            }));
        });
        rc(MOSQ_ERR_SUCCESS)
    })
}

/// Whether the application runs its own loop thread (`mosquitto_threaded_set`).
///
/// # Safety
/// `mosq` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_threaded_set(mosq: *mut mosquitto, threaded: bool) -> c_int {
    ffi_boundary(|| {
        // SAFETY: forwarded contract.
        let Some(client) = (unsafe { client(mosq) }) else {
            return rc(MOSQ_ERR_INVAL);
        };
        client.set_threading(if threaded {
            crate::client::Threading::External
        } else {
            crate::client::Threading::None
        });
        rc(MOSQ_ERR_SUCCESS)
    })
}

/// The client's SRV lookup is not built in (as in Debian's build).
/// Status: not supported: returns `MOSQ_ERR_NOT_SUPPORTED`, as Debian's libmosquitto (built without SRV) does.
///
/// # Safety
/// Nothing is dereferenced.
#[no_mangle]
pub unsafe extern "C" fn mosquitto_connect_srv(
    mosq: *mut mosquitto,
    host: *const c_char,
    keepalive: c_int,
    bind_address: *const c_char,
) -> c_int {
    ffi_boundary(|| {
        let _ = (mosq, host, keepalive, bind_address);
        rc(MOSQ_ERR_NOT_SUPPORTED)
    })
}
