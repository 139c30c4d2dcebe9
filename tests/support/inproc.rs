//! Our library driven in-process through its C API: the tests' one client
//! wrapper.
//!
//! - [`Ptr`]: a raw handle any thread may use, with the calls every test
//!   makes (create, connect, publish, subscribe, destroy), for tests whose
//!   callbacks keep their own state (delivery_faults, stress);
//! - [`Mosq`]: an owned handle whose callbacks write lines in
//!   tests/c/packet_probe.c's format, driven step by step against the fake
//!   broker (packet_level, hostile_broker, conformance), with v5 property
//!   lists ([`PropList`]) and connected sessions ([`session`],
//!   [`connected`]).

use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, Once};
use std::thread;
use std::time::{Duration, Instant};

use ::mosquitto::ffi::callbacks::*;
use ::mosquitto::ffi::client::{mosquitto_destroy, mosquitto_new, mosquitto_will_set_v5};
use ::mosquitto::ffi::client::{mosquitto_username_pw_set, mosquitto_will_set};
use ::mosquitto::ffi::connect::{
    mosquitto_connect, mosquitto_connect_bind_v5, mosquitto_disconnect, mosquitto_reconnect,
};
use ::mosquitto::ffi::library::mosquitto_lib_init;
use ::mosquitto::ffi::loops::{mosquitto_loop, mosquitto_socket};
use ::mosquitto::ffi::options::{mosquitto_int_option, mosquitto_max_inflight_messages_set};
use ::mosquitto::ffi::property::{
    mosquitto_property_add_byte, mosquitto_property_add_int16, mosquitto_property_add_int32,
    mosquitto_property_add_string, mosquitto_property_add_varint, mosquitto_property_free_all,
};
use ::mosquitto::ffi::pubsub::{
    mosquitto_publish, mosquitto_publish_v5, mosquitto_subscribe, mosquitto_subscribe_multiple,
    mosquitto_subscribe_v5, mosquitto_unsubscribe, mosquitto_unsubscribe_v5,
};
use ::mosquitto::ffi::types::{mosquitto as Handle, mosquitto_message, mosquitto_property};
use ::mosquitto::protocol::packet::{AckKind, PacketType};
use ::mosquitto::protocol::property::{Identifier, Property, Value};

use super::fake::RecvError;
use super::packets::{self, hex, V311, V5};
pub use super::packets::{be16, pkt, s};
use super::{FakeBroker, RawPacket};

// ---- constants --------------------------------------------------------------

pub use super::consts::*;

/// Old names kept for tests/queue_ext.rs (edited elsewhere); new code uses
/// the header names of [`super::consts`].
pub use super::consts::{MOSQ_ERR_CONN_LOST as ERR_CONN_LOST, MQTT_PROTOCOL_V311 as V311_OPT};

/// How long any single wait may take.
pub const WAIT: Duration = Duration::from_secs(5);

// ---- the client under test ----------------------------------------------------

/// What the callbacks saw, as lines in tests/c/packet_probe.c's format.
pub struct Log {
    pub lines: Mutex<Vec<String>>,
    /// Messages whose payload or topic lacked the NUL after it.
    pub missing_nul: Mutex<Vec<String>>,
    /// How many messages arrived (logged or not).
    pub messages: AtomicUsize,
    /// How many times `on_disconnect` was called.
    pub disconnects: AtomicUsize,
    /// How many messages get a line (the rest are only counted): a test
    /// that sends a flood lowers it with [`Mosq::log_messages_up_to`].
    pub message_lines: AtomicUsize,
}

impl Default for Log {
    fn default() -> Self {
        Log {
            lines: Mutex::default(),
            missing_nul: Mutex::default(),
            messages: AtomicUsize::new(0),
            disconnects: AtomicUsize::new(0),
            message_lines: AtomicUsize::new(usize::MAX),
        }
    }
}

impl Log {
    /// Appends one line.
    pub fn push(&self, line: String) {
        self.lines.lock().unwrap().push(line);
    }
}

/// The log behind a callback's `obj`.
///
/// # Safety
/// `obj` is the `Log` passed to `mosquitto_new`, alive for the client's life.
pub unsafe fn log<'a>(obj: *mut c_void) -> &'a Log {
    // SAFETY: see the function's contract.
    unsafe { &*(obj as *const Log) }
}

pub unsafe extern "C" fn on_connect(_: *mut Handle, obj: *mut c_void, rc: c_int) {
    // SAFETY: obj is our Log.
    unsafe { log(obj) }.push(format!("on_connect rc={rc}"));
}

pub unsafe extern "C" fn on_connect_flags(_: *mut Handle, obj: *mut c_void, rc: c_int, f: c_int) {
    // SAFETY: obj is our Log.
    unsafe { log(obj) }.push(format!("connect rc={rc} flags={f}"));
}

pub unsafe extern "C" fn on_disconnect(_: *mut Handle, obj: *mut c_void, rc: c_int) {
    // SAFETY: obj is our Log.
    let log = unsafe { log(obj) };
    log.disconnects.fetch_add(1, Ordering::SeqCst);
    log.push(format!("disconnect rc={rc}"));
}

pub unsafe extern "C" fn on_disconnect_v5(
    _: *mut Handle,
    obj: *mut c_void,
    rc: c_int,
    _: *const mosquitto_property,
) {
    // SAFETY: obj is our Log.
    unsafe { log(obj) }.push(format!("disconnect_v5 rc={rc}"));
}

pub unsafe extern "C" fn on_publish(_: *mut Handle, obj: *mut c_void, mid: c_int) {
    // SAFETY: obj is our Log.
    unsafe { log(obj) }.push(format!("publish mid={mid}"));
}

pub unsafe extern "C" fn on_publish_v5(
    _: *mut Handle,
    obj: *mut c_void,
    mid: c_int,
    rc: c_int,
    _: *const mosquitto_property,
) {
    // SAFETY: obj is our Log.
    unsafe { log(obj) }.push(format!("publish_v5 mid={mid} rc={rc}"));
}

pub unsafe extern "C" fn on_message(_: *mut Handle, obj: *mut c_void, m: *const mosquitto_message) {
    // SAFETY: obj is our Log.
    let log = unsafe { log(obj) };
    let n = log.messages.fetch_add(1, Ordering::SeqCst);
    if n >= log.message_lines.load(Ordering::SeqCst) {
        return;
    }
    // SAFETY: `m`, its topic and its payload (followed by a NUL, which we
    // check) are valid during the call.
    unsafe {
        let m = &*m;
        let topic = CStr::from_ptr(m.topic).to_string_lossy().into_owned();
        let len = m.payloadlen as usize;
        let payload = if m.payload.is_null() {
            Vec::new()
        } else {
            let p = m.payload as *const u8;
            if *p.add(len) != 0 {
                log.missing_nul.lock().unwrap().push(topic.clone());
            }
            std::slice::from_raw_parts(p, len).to_vec()
        };
        log.push(format!(
            "message mid={} topic={topic} len={} qos={} retain={} payload={}",
            m.mid,
            m.payloadlen,
            m.qos,
            u8::from(m.retain),
            String::from_utf8_lossy(&payload)
        ));
    }
}

pub unsafe extern "C" fn on_subscribe(
    _: *mut Handle,
    obj: *mut c_void,
    mid: c_int,
    n: c_int,
    granted: *const c_int,
) {
    // SAFETY: `granted` holds `n` entries during the call (a hostile
    // broker's SUBACK may make that none).
    let g = unsafe { std::slice::from_raw_parts(granted, n.max(0) as usize) };
    let g: Vec<String> = g.iter().map(|x| x.to_string()).collect();
    // SAFETY: obj is our Log.
    unsafe { log(obj) }.push(format!("subscribe mid={mid} granted={}", g.join(",")));
}

pub unsafe extern "C" fn on_unsubscribe(_: *mut Handle, obj: *mut c_void, mid: c_int) {
    // SAFETY: obj is our Log.
    unsafe { log(obj) }.push(format!("unsubscribe mid={mid}"));
}

pub unsafe extern "C" fn on_unsubscribe_v5(
    _: *mut Handle,
    obj: *mut c_void,
    mid: c_int,
    _: *const mosquitto_property,
) {
    // SAFETY: obj is our Log.
    unsafe { log(obj) }.push(format!("unsubscribe_v5 mid={mid}"));
}

pub unsafe extern "C" fn on_unsubscribe2_v5(
    _: *mut Handle,
    obj: *mut c_void,
    mid: c_int,
    n: c_int,
    reasons: *const c_int,
    _: *const mosquitto_property,
) {
    // SAFETY: `reasons` holds `n` entries during the call.
    let r = unsafe { std::slice::from_raw_parts(reasons, n as usize) };
    let r: Vec<String> = r.iter().map(|x| x.to_string()).collect();
    // SAFETY: obj is our Log.
    unsafe { log(obj) }.push(format!("unsubscribe2_v5 mid={mid} reasons={}", r.join(",")));
}

/// One of our clients, with every v3 callback recording into its log.
pub struct Mosq {
    pub m: *mut Handle,
    pub log: Box<Log>,
    /// The previous `mosquitto_loop` return code.
    pub last_rc: c_int,
}

impl Drop for Mosq {
    fn drop(&mut self) {
        // SAFETY: `m` is a live handle owned by this value, used by no
        // other thread.
        unsafe { Ptr(self.m).destroy() };
    }
}

/// A client handle that threads may share: the C API is thread-safe.
/// Holding a `Ptr` means the handle is live: its creator destroys it
/// ([`Ptr::destroy`]) only once no thread uses it any more, and a callback
/// wraps the handle it is called for.
#[derive(Clone, Copy, Debug)]
pub struct Ptr(pub *mut Handle);

// SAFETY: the library's functions may be called on one handle from any
// thread; `Ptr::destroy`'s contract keeps the handle alive while they are.
unsafe impl Send for Ptr {}

impl Ptr {
    /// `mosquitto_new(id, clean, obj)` (after `mosquitto_lib_init` once);
    /// panics when it fails. `obj` is what the callbacks get.
    pub fn new(id: Option<&str>, clean: bool, obj: *mut c_void) -> Ptr {
        lib_init();
        let id = id.map(cstr);
        // SAFETY: the id is NULL or NUL-terminated; `obj` is only handed
        // back to the callbacks, whose owner keeps it alive.
        let m = unsafe {
            mosquitto_new(
                id.as_ref().map_or(std::ptr::null(), |c| c.as_ptr()),
                clean,
                obj,
            )
        };
        assert!(!m.is_null(), "mosquitto_new failed");
        Ptr(m)
    }

    /// `mosquitto_connect` to 127.0.0.1:`port`.
    pub fn connect(self, port: u16, keepalive: c_int) -> c_int {
        let host = cstr("127.0.0.1");
        // SAFETY: a live handle (the type's contract), a NUL-terminated host.
        unsafe { mosquitto_connect(self.0, host.as_ptr(), c_int::from(port), keepalive) }
    }

    /// `mosquitto_publish` without properties: (rc, mid).
    pub fn publish(self, topic: &str, payload: &[u8], qos: c_int, retain: bool) -> (c_int, c_int) {
        let t = cstr(topic);
        let mut mid = -1;
        // SAFETY: a live handle; the topic is NUL-terminated and the payload
        // holds `payload.len()` bytes for the call.
        let rc = unsafe {
            mosquitto_publish(
                self.0,
                &mut mid,
                t.as_ptr(),
                payload.len() as c_int,
                payload.as_ptr() as *const c_void,
                qos,
                retain,
            )
        };
        (rc, mid)
    }

    /// `mosquitto_subscribe` of `filter` at `qos`: (rc, mid).
    pub fn subscribe(self, filter: &str, qos: c_int) -> (c_int, c_int) {
        let f = cstr(filter);
        let mut mid = 0;
        // SAFETY: a live handle, a NUL-terminated filter.
        let rc = unsafe { mosquitto_subscribe(self.0, &mut mid, f.as_ptr(), qos) };
        (rc, mid)
    }

    /// `mosquitto_destroy`.
    ///
    /// # Safety
    /// No other thread uses the handle any more, and it is not used after.
    pub unsafe fn destroy(self) {
        // SAFETY: see the function's contract.
        unsafe { mosquitto_destroy(self.0) };
    }
}

pub fn lib_init() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        mosquitto_lib_init();
    });
}

pub fn cstr(x: &str) -> CString {
    CString::new(x).unwrap()
}

impl Mosq {
    /// A client with `id` (None: NULL), clean session, protocol `version`.
    pub fn new(id: Option<&str>, clean: bool, version: c_int) -> Mosq {
        let log = Box::<Log>::default();
        // `obj` outlives the client: `m` is destroyed in Drop::drop, before
        // the Box field is dropped.
        let Ptr(m) = Ptr::new(id, clean, &*log as *const Log as *mut c_void);
        // SAFETY: `m` is live; the callbacks have the right signatures.
        unsafe {
            assert_eq!(mosquitto_int_option(m, 1, version), 0);
            mosquitto_connect_with_flags_callback_set(m, Some(on_connect_flags));
            mosquitto_disconnect_callback_set(m, Some(on_disconnect));
            mosquitto_publish_callback_set(m, Some(on_publish));
            mosquitto_message_callback_set(m, Some(on_message));
            mosquitto_subscribe_callback_set(m, Some(on_subscribe));
            mosquitto_unsubscribe_callback_set(m, Some(on_unsubscribe));
        }
        Mosq { m, log, last_rc: 0 }
    }

    /// `mosquitto_connect` to the fake broker.
    pub fn connect(&mut self, fake: &FakeBroker, keepalive: c_int) -> c_int {
        Ptr(self.m).connect(fake.port(), keepalive)
    }

    /// `mosquitto_connect_bind_v5` with CONNECT properties.
    pub fn connect_v5(&mut self, fake: &FakeBroker, keepalive: c_int, props: &PropList) -> c_int {
        self.connect_port_v5(fake.port(), keepalive, props)
    }

    /// `mosquitto_connect_bind_v5` to 127.0.0.1:`port` with CONNECT
    /// properties (for a client on another thread than its broker).
    pub fn connect_port_v5(&mut self, port: u16, keepalive: c_int, props: &PropList) -> c_int {
        let host = cstr("127.0.0.1");
        // SAFETY: live handle, NUL-terminated host, valid (or NULL) list.
        unsafe {
            mosquitto_connect_bind_v5(
                self.m,
                host.as_ptr(),
                c_int::from(port),
                keepalive,
                std::ptr::null(),
                props.0,
            )
        }
    }

    /// One `mosquitto_loop` call, logging nothing.
    pub fn loop_once(&mut self, timeout_ms: c_int) -> c_int {
        // SAFETY: live handle.
        unsafe { mosquitto_loop(self.m, timeout_ms, 1) }
    }

    /// Whether `on_connect` reported success (no session present).
    pub fn connected(&self) -> bool {
        self.lines().iter().any(|l| l == "connect rc=0 flags=0")
    }

    /// Logs only the first `n` messages from now on (the rest are counted).
    pub fn log_messages_up_to(&mut self, n: usize) {
        self.log.message_lines.store(n, Ordering::SeqCst);
    }

    /// `mosquitto_subscribe` of `filter` at `qos`: (rc, mid).
    pub fn subscribe(&self, filter: &str, qos: c_int) -> (c_int, c_int) {
        Ptr(self.m).subscribe(filter, qos)
    }

    /// Subscribes and asserts success; returns the mid.
    pub fn subscribe_ok(&self, filter: &str, qos: c_int) -> u16 {
        let (rc, mid) = self.subscribe(filter, qos);
        assert_eq!(rc, 0, "subscribe {filter} qos {qos}");
        mid as u16
    }

    /// `mosquitto_unsubscribe` of `filter`: (rc, mid).
    pub fn unsubscribe(&self, filter: &str) -> (c_int, c_int) {
        let f = cstr(filter);
        let mut mid = 0;
        // SAFETY: live handle, NUL-terminated filter.
        let rc = unsafe { mosquitto_unsubscribe(self.m, &mut mid, f.as_ptr()) };
        (rc, mid)
    }

    /// Unsubscribes and asserts success; returns the mid.
    pub fn unsubscribe_ok(&self, filter: &str) -> u16 {
        let (rc, mid) = self.unsubscribe(filter);
        assert_eq!(rc, 0, "unsubscribe {filter}");
        mid as u16
    }

    /// `mosquitto_subscribe_multiple` of `filters` at `qos` in one
    /// SUBSCRIBE: (rc, mid).
    pub fn subscribe_multiple(&self, filters: &[&str], qos: c_int) -> (c_int, c_int) {
        let owned: Vec<CString> = filters.iter().map(|f| cstr(f)).collect();
        let ptrs: Vec<*mut c_char> = owned.iter().map(|c| c.as_ptr() as *mut c_char).collect();
        let mut mid = 0;
        // SAFETY: live handle; `ptrs` holds `filters.len()` NUL-terminated
        // strings that outlive the call.
        let rc = unsafe {
            mosquitto_subscribe_multiple(
                self.m,
                &mut mid,
                ptrs.len() as c_int,
                ptrs.as_ptr(),
                qos,
                0,
                std::ptr::null(),
            )
        };
        (rc, mid)
    }

    /// One `mosquitto_loop` call; a changed non-zero return code (other
    /// than NO_CONN) is logged as `loop rc=N`, as the probe does.
    pub fn step(&mut self, timeout_ms: c_int) -> c_int {
        let rc = self.loop_once(timeout_ms);
        if rc != self.last_rc && rc != MOSQ_ERR_NO_CONN {
            self.log.push(format!("loop rc={rc}"));
        }
        self.last_rc = rc;
        rc
    }

    pub fn lines(&self) -> Vec<String> {
        self.log.lines.lock().unwrap().clone()
    }

    /// Takes the lines seen so far.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.log.lines.lock().unwrap())
    }

    /// Loops until `line` has been logged; panics after [`WAIT`].
    pub fn wait_line(&mut self, line: &str) {
        let deadline = Instant::now() + WAIT;
        while !self.lines().iter().any(|l| l == line) {
            assert!(
                Instant::now() < deadline,
                "no `{line}` within {WAIT:?}; lines: {:?}",
                self.lines()
            );
            self.step(10);
        }
    }

    /// Loops for `d`.
    pub fn pump_for(&mut self, d: Duration) {
        let end = Instant::now() + d;
        while Instant::now() < end {
            self.step(5);
        }
    }

    /// Loops until the fake broker receives a whole packet.
    pub fn recv(&mut self, fake: &mut FakeBroker) -> RawPacket {
        let deadline = Instant::now() + WAIT;
        loop {
            self.step(2);
            match fake.recv_timeout(Duration::from_millis(3)) {
                Ok(p) => return p,
                Err(RecvError::Timeout(_)) if Instant::now() < deadline => {}
                Err(e) => panic!(
                    "no packet from the client: {e:?}; lines: {:?}",
                    self.lines()
                ),
            }
        }
    }

    /// Loops until the fake broker receives a packet; asserts its bytes.
    pub fn expect(&mut self, fake: &mut FakeBroker, bytes: &[u8]) {
        let p = self.recv(fake);
        assert_eq!(hex(&p.bytes), hex(bytes), "unexpected packet {p:?}");
    }

    /// Loops for `d`, asserting the client sends nothing.
    pub fn expect_quiet(&mut self, fake: &mut FakeBroker, d: Duration) {
        let end = Instant::now() + d;
        while Instant::now() < end {
            self.step(2);
            match fake.recv_timeout(Duration::from_millis(3)) {
                Ok(p) => panic!("unexpected packet {p:?}"),
                Err(RecvError::Timeout(b)) => {
                    assert!(b.is_empty(), "unexpected bytes {}", hex(&b))
                }
                Err(e) => panic!("connection failed: {e:?}"),
            }
        }
    }

    /// `mosquitto_publish`: (rc, mid).
    pub fn publish(
        &mut self,
        topic: &str,
        payload: &[u8],
        qos: c_int,
        retain: bool,
    ) -> (c_int, c_int) {
        self.publish_v5(topic, payload, qos, retain, &PropList::default())
    }

    /// `mosquitto_publish_v5`: (rc, mid).
    pub fn publish_v5(
        &mut self,
        topic: &str,
        payload: &[u8],
        qos: c_int,
        retain: bool,
        props: &PropList,
    ) -> (c_int, c_int) {
        if props.0.is_null() {
            return Ptr(self.m).publish(topic, payload, qos, retain);
        }
        let t = cstr(topic);
        let mut mid = -1;
        // SAFETY: live handle; valid pointers for the stated lengths; a
        // valid property list.
        let rc = unsafe {
            mosquitto_publish_v5(
                self.m,
                &mut mid,
                t.as_ptr(),
                payload.len() as c_int,
                payload.as_ptr() as *const c_void,
                qos,
                retain,
                props.0,
            )
        };
        (rc, mid)
    }

    /// Publishes and asserts success; returns the mid.
    pub fn publish_ok(&mut self, topic: &str, payload: &[u8], qos: c_int, retain: bool) -> u16 {
        let (rc, mid) = self.publish(topic, payload, qos, retain);
        assert_eq!(rc, 0, "publish {topic} qos {qos}");
        mid as u16
    }

    /// Registers the v5 callbacks too.
    pub fn v5_callbacks(&mut self) {
        // SAFETY: live handle; matching signatures.
        unsafe {
            mosquitto_publish_v5_callback_set(self.m, Some(on_publish_v5));
            mosquitto_disconnect_v5_callback_set(self.m, Some(on_disconnect_v5));
            mosquitto_unsubscribe_v5_callback_set(self.m, Some(on_unsubscribe_v5));
            mosquitto_unsubscribe2_v5_callback_set(self.m, Some(on_unsubscribe2_v5));
        }
    }
}

/// An owned C property list (NULL when empty).
pub struct PropList(pub *mut mosquitto_property);

impl Default for PropList {
    fn default() -> Self {
        PropList(std::ptr::null_mut())
    }
}

impl Drop for PropList {
    fn drop(&mut self) {
        // SAFETY: a list built by the add functions, freed once.
        unsafe { mosquitto_property_free_all(&mut self.0) };
    }
}

impl PropList {
    pub fn byte(mut self, id: c_int, v: u8) -> Self {
        // SAFETY: valid list pointer.
        assert_eq!(
            unsafe { mosquitto_property_add_byte(&mut self.0, id, v) },
            0
        );
        self
    }
    pub fn int16(mut self, id: c_int, v: u16) -> Self {
        // SAFETY: valid list pointer.
        assert_eq!(
            unsafe { mosquitto_property_add_int16(&mut self.0, id, v) },
            0
        );
        self
    }
    pub fn int32(mut self, id: c_int, v: u32) -> Self {
        // SAFETY: valid list pointer.
        assert_eq!(
            unsafe { mosquitto_property_add_int32(&mut self.0, id, v) },
            0
        );
        self
    }
    pub fn varint(mut self, id: c_int, v: u32) -> Self {
        // SAFETY: valid list pointer.
        assert_eq!(
            unsafe { mosquitto_property_add_varint(&mut self.0, id, v) },
            0
        );
        self
    }
    pub fn string(mut self, id: c_int, v: &str) -> Self {
        let c = cstr(v);
        // SAFETY: valid list pointer; NUL-terminated value.
        assert_eq!(
            unsafe { mosquitto_property_add_string(&mut self.0, id, c.as_ptr()) },
            0
        );
        self
    }
}

/// A fake broker and a client of `version` connected to it (CONNECT
/// received, CONNACK `connack` sent and reported). Returns the CONNECT.
pub fn session(
    version: c_int,
    id: Option<&str>,
    clean: bool,
    connack: &[u8],
) -> (FakeBroker, Mosq, RawPacket) {
    let mut fake = FakeBroker::new();
    let mut c = Mosq::new(id, clean, version);
    assert_eq!(c.connect(&fake, 60), 0);
    fake.accept();
    let connect = fake.expect_type(PacketType::Connect);
    fake.send(connack);
    c.wait_line(&format!("connect rc=0 flags={}", connack[2] & 1));
    c.take();
    (fake, c, connect)
}

/// A connected client with a successful CONNACK.
pub fn connected(version: c_int) -> (FakeBroker, Mosq) {
    let v = match version {
        MQTT_PROTOCOL_V5 => V5,
        MQTT_PROTOCOL_V31 => packets::V31,
        _ => V311,
    };
    let (fake, c, _) = session(version, Some("pl"), true, &packets::connack_ok(v));
    (fake, c)
}

pub fn version_of(opt: c_int) -> ::mosquitto::protocol::packet::ProtocolVersion {
    match opt {
        MQTT_PROTOCOL_V5 => V5,
        MQTT_PROTOCOL_V31 => packets::V31,
        _ => V311,
    }
}

/// The v5 property-length byte(s) of an empty list, or nothing before v5.
pub fn no_props(version: c_int) -> &'static [u8] {
    if version == MQTT_PROTOCOL_V5 {
        &[0]
    } else {
        &[]
    }
}

pub const ALL: [c_int; 3] = [MQTT_PROTOCOL_V31, MQTT_PROTOCOL_V311, MQTT_PROTOCOL_V5];
