//! The one-shot helpers: connect, subscribe, collect or hand over messages,
//! disconnect, all in one call.
//!
//! Built on the public API exactly as the original builds them: a client
//! whose userdata is the helper's context, a connect callback that
//! subscribes, a message callback that feeds the caller, and
//! `mosquitto_loop_forever` until the helper calls `mosquitto_disconnect`.
//! TLS settings go through `mosquitto_tls_set`/`mosquitto_tls_opts_set`, so
//! the helpers accept and check them exactly as those functions do.

use std::ffi::{c_char, c_int, c_void};
use std::mem::size_of;
use std::ptr;

use super::boundary::ffi_boundary;
use super::callbacks::{mosquitto_connect_callback_set, mosquitto_message_callback_set};
use super::constants::{mosq_err_t, rc};
use super::message::{mosquitto_message_copy, mosquitto_message_free_contents};
use super::types::{libmosquitto_tls, libmosquitto_will, mosquitto, mosquitto_message};
use super::{client, tls};

/// The message callback `mosquitto_subscribe_callback` takes.
type UserCallback =
    unsafe extern "C" fn(*mut mosquitto, *mut c_void, *const mosquitto_message) -> c_int;

/// The public functions the helpers call, as C function pointers: the
/// helpers use them exactly as a C program would, whether or not the Rust
/// items are declared `unsafe`.
mod api {
    use super::*;

    /// `mosquitto_new`.
    pub const NEW: unsafe extern "C" fn(*const c_char, bool, *mut c_void) -> *mut mosquitto =
        client::mosquitto_new;
    /// `mosquitto_destroy`.
    pub const DESTROY: unsafe extern "C" fn(*mut mosquitto) = client::mosquitto_destroy;
    /// `mosquitto_will_set`.
    pub const WILL_SET: unsafe extern "C" fn(
        *mut mosquitto,
        *const c_char,
        c_int,
        *const c_void,
        c_int,
        bool,
    ) -> c_int = client::mosquitto_will_set;
    /// `mosquitto_username_pw_set`.
    pub const USERNAME_PW_SET: unsafe extern "C" fn(
        *mut mosquitto,
        *const c_char,
        *const c_char,
    ) -> c_int = client::mosquitto_username_pw_set;
    /// `mosquitto_connect`.
    pub const CONNECT: unsafe extern "C" fn(*mut mosquitto, *const c_char, c_int, c_int) -> c_int =
        crate::ffi::connect::mosquitto_connect;
    /// `mosquitto_loop_forever`.
    pub const LOOP_FOREVER: unsafe extern "C" fn(*mut mosquitto, c_int, c_int) -> c_int =
        crate::ffi::loops::mosquitto_loop_forever;
    /// `mosquitto_subscribe`.
    pub const SUBSCRIBE: unsafe extern "C" fn(
        *mut mosquitto,
        *mut c_int,
        *const c_char,
        c_int,
    ) -> c_int = crate::ffi::pubsub::mosquitto_subscribe;
    /// `mosquitto_disconnect`.
    pub const DISCONNECT: unsafe extern "C" fn(*mut mosquitto) -> c_int =
        crate::ffi::connect::mosquitto_disconnect;
    /// `mosquitto_tls_set`.
    pub const TLS_SET: unsafe extern "C" fn(
        *mut mosquitto,
        *const c_char,
        *const c_char,
        *const c_char,
        *const c_char,
        Option<unsafe extern "C" fn(*mut c_char, c_int, c_int, *mut c_void) -> c_int>,
    ) -> c_int = tls::mosquitto_tls_set;
    /// `mosquitto_tls_opts_set`.
    pub const TLS_OPTS_SET: unsafe extern "C" fn(
        *mut mosquitto,
        c_int,
        *const c_char,
        *const c_char,
    ) -> c_int = tls::mosquitto_tls_opts_set;
}

/// The userdata of `mosquitto_subscribe_callback`'s client.
struct CallbackContext {
    topic: *const c_char,
    qos: c_int,
    callback: UserCallback,
    userdata: *mut c_void,
}

/// On CONNACK (whatever its result, as the original): subscribe.
///
/// # Safety
/// `obj` is the [`CallbackContext`] the helper's client was made with.
unsafe extern "C" fn on_connect(mosq: *mut mosquitto, obj: *mut c_void, _rc: c_int) {
    // SAFETY: the context outlives the client (see `subscribe_with`).
    let ctx = unsafe { &*(obj as *const CallbackContext) };
    // SAFETY: a live client; the topic is the caller's NUL-terminated string.
    // A failure shows as no messages, as in the original.
    unsafe { (api::SUBSCRIBE)(mosq, ptr::null_mut(), ctx.topic, ctx.qos) };
}

/// On each message: hand it to the caller; a non-zero answer ends the loop.
///
/// # Safety
/// `obj` is the [`CallbackContext`] the helper's client was made with.
unsafe extern "C" fn on_message(
    mosq: *mut mosquitto,
    obj: *mut c_void,
    message: *const mosquitto_message,
) {
    // SAFETY: the context outlives the client (see `subscribe_with`).
    let ctx = unsafe { &*(obj as *const CallbackContext) };
    // SAFETY: the caller's callback, with its own userdata and a message
    // valid for the call.
    if unsafe { (ctx.callback)(mosq, ctx.userdata, message) } != 0 {
        // SAFETY: a live client.
        unsafe { (api::DISCONNECT)(mosq) };
    }
}

/// `mosquitto_subscribe_callback` once its arguments are checked.
///
/// # Safety
/// The pointers are as `mosquitto_subscribe_callback` requires.
#[allow(clippy::too_many_arguments)]
unsafe fn subscribe_with(
    ctx: &CallbackContext,
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
    let obj = ctx as *const CallbackContext as *mut c_void;
    // SAFETY: `client_id` is NULL or NUL-terminated; `ctx` outlives the
    // client, which is destroyed before this function returns.
    let mosq = unsafe { (api::NEW)(client_id, clean_session, obj) };
    if mosq.is_null() {
        return rc(mosq_err_t::MOSQ_ERR_NOMEM);
    }
    // SAFETY: `mosq` is live until DESTROY; the other pointers are the
    // caller's, valid by contract.
    let result = unsafe { configure(mosq, username, password, will, tls) }.and_then(|()| {
        // SAFETY: as above; the callbacks match the setters' types.
        unsafe {
            mosquitto_connect_callback_set(mosq, Some(on_connect));
            mosquitto_message_callback_set(mosq, Some(on_message));
            check((api::CONNECT)(mosq, host, port, keepalive))?;
            Ok((api::LOOP_FOREVER)(mosq, -1, 1))
        }
    });
    // SAFETY: made above and no longer used.
    unsafe { (api::DESTROY)(mosq) };
    result.unwrap_or_else(|e| e)
}

/// `Err(code)` for a non-zero `code`.
fn check(code: c_int) -> Result<(), c_int> {
    if code == 0 {
        Ok(())
    } else {
        Err(code)
    }
}

/// Will, credentials (only with a user name) and TLS, in the original's
/// order, stopping at the first failure.
///
/// # Safety
/// `mosq` is live; the other pointers are NULL or valid as documented for
/// `mosquitto_subscribe_callback`.
unsafe fn configure(
    mosq: *mut mosquitto,
    username: *const c_char,
    password: *const c_char,
    will: *const libmosquitto_will,
    tls: *const libmosquitto_tls,
) -> Result<(), c_int> {
    // SAFETY: NULL or a readable struct by contract.
    if let Some(w) = unsafe { will.as_ref() } {
        // SAFETY: the will's fields are the caller's, valid by contract.
        check(unsafe { (api::WILL_SET)(mosq, w.topic, w.payloadlen, w.payload, w.qos, w.retain) })?;
    }
    if !username.is_null() {
        // SAFETY: NUL-terminated strings (password may be NULL).
        check(unsafe { (api::USERNAME_PW_SET)(mosq, username, password) })?;
    }
    // SAFETY: NULL or a readable struct by contract.
    if let Some(t) = unsafe { tls.as_ref() } {
        // SAFETY: the struct's strings are NULL or NUL-terminated.
        unsafe {
            check((api::TLS_SET)(
                mosq,
                t.cafile,
                t.capath,
                t.certfile,
                t.keyfile,
                t.pw_callback,
            ))?;
            check((api::TLS_OPTS_SET)(
                mosq,
                t.cert_reqs,
                t.tls_version,
                t.ciphers,
            ))?;
        }
    }
    Ok(())
}

/// What `mosquitto_subscribe_simple` collects into.
struct Collector {
    /// `calloc`'d room for `capacity` messages.
    messages: *mut mosquitto_message,
    /// Messages still wanted.
    remaining: c_int,
    /// Messages stored so far.
    count: c_int,
    want_retained: bool,
}

/// `mosquitto_subscribe_simple`'s message callback: copy the message,
/// disconnect once enough have arrived.
///
/// # Safety
/// `obj` is a [`Collector`]; `message` a valid message.
unsafe extern "C" fn collect(
    mosq: *mut mosquitto,
    obj: *mut c_void,
    message: *const mosquitto_message,
) -> c_int {
    // SAFETY: the collector outlives the client (see subscribe_simple).
    let c = unsafe { &mut *(obj as *mut Collector) };
    // SAFETY: a valid message for the call.
    let retained = unsafe { (*message).retain };
    if c.remaining == 0 || (retained && !c.want_retained) {
        return 0;
    }
    c.remaining -= 1;
    // SAFETY: `count` < the array's length, since `remaining` was positive.
    let slot = unsafe { c.messages.add(c.count as usize) };
    // SAFETY: a zeroed slot in our array; `message` valid.
    let code = unsafe { mosquitto_message_copy(slot, message) };
    if code != 0 {
        return code;
    }
    c.count += 1;
    if c.remaining == 0 {
        // SAFETY: a live client.
        unsafe { (api::DISCONNECT)(mosq) };
    }
    0
}

/// Connects, subscribes and returns the first `msg_count` messages received
/// in a `malloc`'d array (free each with `mosquitto_message_free_contents`,
/// then the array with `free`). Retained messages count only with
/// `want_retained`.
///
/// # Safety
/// `messages` is NULL or writable; the strings are NULL or NUL-terminated;
/// `will` and `tls` are NULL or valid structs.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn mosquitto_subscribe_simple(
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
        if messages.is_null() || msg_count < 1 || topic.is_null() {
            return rc(mosq_err_t::MOSQ_ERR_INVAL);
        }
        // SAFETY: non-NULL and writable by contract.
        unsafe { *messages = ptr::null_mut() };
        let len = msg_count as usize;
        // SAFETY: calloc of `len` message structs (all-zero is a valid,
        // empty message); the block goes to the caller or back to free.
        let array =
            unsafe { libc::calloc(len, size_of::<mosquitto_message>()) } as *mut mosquitto_message;
        if array.is_null() {
            return rc(mosq_err_t::MOSQ_ERR_NOMEM);
        }
        let mut collector = Collector {
            messages: array,
            remaining: msg_count,
            count: 0,
            want_retained,
        };
        let obj = &mut collector as *mut Collector as *mut c_void;
        // SAFETY: the arguments are forwarded under the same contract; the
        // collector lives until the call returns, and so does its client.
        let code = unsafe {
            mosquitto_subscribe_callback(
                Some(collect),
                obj,
                topic,
                qos,
                host,
                port,
                client_id,
                keepalive,
                clean_session,
                username,
                password,
                will,
                tls,
            )
        };
        if code == 0 && collector.remaining == 0 {
            // SAFETY: writable by contract.
            unsafe { *messages = array };
            return code;
        }
        for i in 0..len {
            // SAFETY: every slot is zeroed or a copy made by message_copy.
            unsafe { mosquitto_message_free_contents(array.add(i)) };
        }
        // SAFETY: the calloc'd block above, no longer referenced.
        unsafe { libc::free(array as *mut c_void) };
        code
    })
}

/// Connects, subscribes and calls `callback` for each message until it
/// returns non-zero; returns what `mosquitto_loop_forever` returns.
///
/// # Safety
/// `callback` is safe to call with the client, `userdata` and each message;
/// the strings are NULL or NUL-terminated; `will` and `tls` are NULL or
/// valid structs.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn mosquitto_subscribe_callback(
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
        let Some(callback) = callback else {
            return rc(mosq_err_t::MOSQ_ERR_INVAL);
        };
        if topic.is_null() {
            return rc(mosq_err_t::MOSQ_ERR_INVAL);
        }
        let ctx = CallbackContext {
            topic,
            qos,
            callback,
            userdata,
        };
        // SAFETY: the caller's strings and structs are NULL or valid (this
        // function's contract, which is `subscribe_with`'s); `ctx` lives
        // until the call returns.
        unsafe {
            subscribe_with(
                &ctx,
                host,
                port,
                client_id,
                keepalive,
                clean_session,
                username,
                password,
                will,
                tls,
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;
    use std::ptr;

    unsafe extern "C" fn never(
        _: *mut mosquitto,
        _: *mut c_void,
        _: *const mosquitto_message,
    ) -> c_int {
        1
    }

    /// `mosquitto_subscribe_simple` with only the checked arguments varying.
    fn simple(messages: *mut *mut mosquitto_message, count: c_int, topic: *const c_char) -> c_int {
        let n = ptr::null();
        // SAFETY: NULL or valid pointers; the call stops at the checks.
        unsafe {
            mosquitto_subscribe_simple(
                messages,
                count,
                true,
                topic,
                0,
                c"localhost".as_ptr(),
                1883,
                n,
                60,
                true,
                n,
                n,
                ptr::null(),
                ptr::null(),
            )
        }
    }

    /// `mosquitto_subscribe_callback` with only the checked arguments varying.
    fn with_callback(callback: Option<UserCallback>, topic: *const c_char) -> c_int {
        let n = ptr::null();
        // SAFETY: NULL or valid pointers; the call stops at the checks.
        unsafe {
            mosquitto_subscribe_callback(
                callback,
                ptr::null_mut(),
                topic,
                0,
                c"localhost".as_ptr(),
                1883,
                n,
                60,
                true,
                n,
                n,
                ptr::null(),
                ptr::null(),
            )
        }
    }

    #[test]
    fn helpers_reject_missing_arguments_like_the_original() {
        let inval = rc(mosq_err_t::MOSQ_ERR_INVAL);
        let t = c"t".as_ptr();
        assert_eq!(simple(ptr::null_mut(), 1, t), inval);
        let sentinel = ptr::NonNull::<mosquitto_message>::dangling().as_ptr();
        let mut msgs = sentinel;
        assert_eq!(simple(&mut msgs, 0, t), inval);
        assert_eq!(simple(&mut msgs, -1, t), inval);
        assert_eq!(simple(&mut msgs, 1, ptr::null()), inval);
        assert_eq!(msgs, sentinel, "left untouched on argument errors");
        assert_eq!(with_callback(None, t), inval);
        assert_eq!(with_callback(Some(never), ptr::null()), inval);
    }

    #[test]
    fn collect_copies_until_full_and_skips_unwanted_retained() {
        use crate::client::Client;
        use std::sync::Arc;

        let mosq = Arc::into_raw(Client::new(None, true)) as *mut mosquitto;
        let mut payload = *b"hello";
        let mut msg = mosquitto_message {
            mid: 7,
            topic: c"a/b".as_ptr() as *mut c_char,
            payload: payload.as_mut_ptr() as *mut c_void,
            payloadlen: 5,
            qos: 1,
            retain: true,
        };
        // SAFETY: calloc'd room for two messages, freed below; `msg` is a
        // valid message; `mosq` a live handle released at the end.
        unsafe {
            let array = libc::calloc(2, size_of::<mosquitto_message>()) as *mut mosquitto_message;
            let mut c = Collector {
                messages: array,
                remaining: 2,
                count: 0,
                want_retained: false,
            };
            let obj = &mut c as *mut Collector as *mut c_void;
            assert_eq!(collect(mosq, obj, &msg), 0);
            assert_eq!((c.count, c.remaining), (0, 2), "retained skipped");
            msg.retain = false;
            assert_eq!(collect(mosq, obj, &msg), 0);
            msg.mid = 8;
            assert_eq!(collect(mosq, obj, &msg), 0);
            assert_eq!(collect(mosq, obj, &msg), 0);
            assert_eq!((c.count, c.remaining), (2, 0), "full after two");
            let first = &*array;
            assert_eq!(first.mid, 7);
            assert_eq!(CStr::from_ptr(first.topic).to_bytes(), b"a/b");
            let body = std::slice::from_raw_parts(first.payload as *const u8, 5);
            assert_eq!(body, b"hello");
            assert_eq!((*array.add(1)).mid, 8);
            for i in 0..2 {
                mosquitto_message_free_contents(array.add(i));
            }
            libc::free(array as *mut c_void);
            drop(Arc::from_raw(mosq as *const Client));
        }
    }
}
