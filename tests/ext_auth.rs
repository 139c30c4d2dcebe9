//! MQTT 5 extended authentication through the 2.1 API
//! (`mosquitto_ext_auth_callback_set`, `mosquitto_ext_auth_continue`),
//! driven in-process through the C API against a fake broker. As in
//! libmosquitto 2.1, the callback's return code decides: 0 keeps the
//! connection (the callback may answer with an AUTH of its own), anything
//! else drops it and reports that code. Debian's 2.0.11 has no such
//! callback, so there is no reference run.

mod support;

use std::ffi::{c_char, c_int, c_void};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use ::mosquitto::ffi::callbacks::{
    mosquitto_connect_callback_set, mosquitto_disconnect_callback_set,
    mosquitto_ext_auth_callback_set,
};
use ::mosquitto::ffi::client::mosquitto_destroy;
use ::mosquitto::ffi::loops::mosquitto_loop;
use ::mosquitto::ffi::options::mosquitto_int_option;
use ::mosquitto::ffi::pubsub::mosquitto_ext_auth_continue;
use ::mosquitto::ffi::types::{mosquitto as Handle, mosquitto_property};
use ::mosquitto::protocol::packet::{Auth, Packet, Properties};
use ::mosquitto::protocol::property::{Identifier, Property, Value};
use support::consts::*;
use support::inproc::Ptr;
use support::packets::{self, V5};
use support::FakeBroker;

const NOT_CALLED: i32 = i32::MIN;

/// What the callback returns.
static AUTH_RC: AtomicI32 = AtomicI32::new(0);
/// How many times the callback ran.
static AUTH_CALLS: AtomicI32 = AtomicI32::new(0);
/// The code `on_disconnect` reported.
static DISCONNECT_RC: AtomicI32 = AtomicI32::new(NOT_CALLED);
/// The code `on_connect` reported.
static CONNECT_RC: AtomicI32 = AtomicI32::new(NOT_CALLED);
/// The statics above are shared: one test at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

unsafe extern "C" fn on_connect(_: *mut Handle, _: *mut c_void, rc: c_int) {
    CONNECT_RC.store(rc, Ordering::SeqCst);
}

unsafe extern "C" fn on_disconnect(_: *mut Handle, _: *mut c_void, rc: c_int) {
    DISCONNECT_RC.store(rc, Ordering::SeqCst);
}

/// Answers "response" to the method it is given, then returns `AUTH_RC`.
unsafe extern "C" fn on_ext_auth(
    mosq: *mut Handle,
    _: *mut c_void,
    method: *const c_char,
    _len: u16,
    _data: *const c_void,
    _props: *const mosquitto_property,
) -> c_int {
    AUTH_CALLS.fetch_add(1, Ordering::SeqCst);
    let rc = AUTH_RC.load(Ordering::SeqCst);
    if rc == 0 {
        // SAFETY: a live handle, the callback's NUL-terminated method and
        // 8 readable bytes.
        let sent = unsafe {
            mosquitto_ext_auth_continue(
                mosq,
                method,
                8,
                b"response".as_ptr() as *const c_void,
                std::ptr::null(),
            )
        };
        assert_eq!(sent, 0);
    }
    rc
}

/// A v5 client connected to `fake` (CONNACK handled), with the callbacks.
fn connected(fake: &mut FakeBroker) -> *mut Handle {
    AUTH_CALLS.store(0, Ordering::SeqCst);
    DISCONNECT_RC.store(NOT_CALLED, Ordering::SeqCst);
    CONNECT_RC.store(NOT_CALLED, Ordering::SeqCst);
    let m = Ptr::new(None, true, std::ptr::null_mut());
    // SAFETY: a live handle, callbacks of the right types.
    unsafe {
        assert_eq!(
            mosquitto_int_option(m.0, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5),
            0
        );
        mosquitto_connect_callback_set(m.0, Some(on_connect));
        mosquitto_disconnect_callback_set(m.0, Some(on_disconnect));
        mosquitto_ext_auth_callback_set(m.0, Some(on_ext_auth));
    }
    assert_eq!(m.connect(fake.port(), 60), 0);
    fake.accept_connect();
    loop_until(m.0, || CONNECT_RC.load(Ordering::SeqCst) != NOT_CALLED);
    assert_eq!(CONNECT_RC.load(Ordering::SeqCst), 0);
    m.0
}

/// Runs `mosquitto_loop` until `done` holds (or 5 s pass); returns the
/// last non-zero loop code, or 0.
fn loop_until(m: *mut Handle, done: impl Fn() -> bool) -> c_int {
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut last = 0;
    while !done() {
        assert!(Instant::now() < deadline, "timed out (last loop rc {last})");
        // SAFETY: a live handle.
        let rc = unsafe { mosquitto_loop(m, 50, 1) };
        if rc != 0 {
            last = rc;
        }
    }
    last
}

/// AUTH "continue authentication" with method "m" and data "challenge".
fn challenge() -> Vec<u8> {
    let props = [
        Property {
            id: Identifier::AuthenticationMethod,
            value: Value::String(b"m"),
        },
        Property {
            id: Identifier::AuthenticationData,
            value: Value::Binary(b"challenge"),
        },
    ];
    packets::encode(
        V5,
        &Packet::Auth(Auth {
            reason_code: 0x18,
            properties: Properties::List(&props),
        }),
    )
}

#[test]
fn callback_returning_0_keeps_the_connection_and_may_answer() {
    let _serial = serial();
    AUTH_RC.store(0, Ordering::SeqCst);
    let mut fake = FakeBroker::new();
    let m = connected(&mut fake);
    fake.send(&challenge());
    let rc = loop_until(m, || AUTH_CALLS.load(Ordering::SeqCst) == 1);
    assert_eq!(rc, 0);
    fake.expect(|p| match p {
        Packet::Auth(a) => {
            assert_eq!(a.reason_code, 0x18);
            assert_eq!(
                a.properties.find(Identifier::AuthenticationData),
                Some(Value::Binary(b"response"))
            );
        }
        other => panic!("expected AUTH, got {other:?}"),
    });
    // SAFETY: a live handle.
    for _ in 0..5 {
        assert_eq!(unsafe { mosquitto_loop(m, 20, 1) }, 0);
    }
    assert_eq!(DISCONNECT_RC.load(Ordering::SeqCst), NOT_CALLED);
    // SAFETY: a live handle, not used again.
    unsafe { mosquitto_destroy(m) };
}

#[test]
fn callback_returning_an_error_drops_the_connection() {
    let _serial = serial();
    AUTH_RC.store(MOSQ_ERR_AUTH, Ordering::SeqCst);
    let mut fake = FakeBroker::new();
    let m = connected(&mut fake);
    fake.send(&challenge());
    let rc = loop_until(m, || DISCONNECT_RC.load(Ordering::SeqCst) != NOT_CALLED);
    assert_eq!(AUTH_CALLS.load(Ordering::SeqCst), 1);
    assert_eq!(rc, MOSQ_ERR_AUTH, "mosquitto_loop's code");
    assert_eq!(DISCONNECT_RC.load(Ordering::SeqCst), MOSQ_ERR_AUTH);
    fake.expect_closed();
    // SAFETY: a live handle, not used again.
    unsafe { mosquitto_destroy(m) };
}
