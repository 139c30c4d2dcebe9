//! Our client against a hostile (buggy or malicious) broker: every
//! malformation a server can send, one case per test, plus volume, slow
//! delivery, resets and a seeded random-mutation mode.
//!
//! The client is our library driven in-process through its C API on a
//! thread (`mosquitto_loop` in a loop bounded by a deadline); the fake
//! broker runs on the test thread. Every session must end in a defined
//! way: one `on_disconnect` with the expected code, never
//! `MOSQ_ERR_UNKNOWN` (13, what the FFI boundary returns for a caught
//! panic), within a deadline (a hung client fails the test), without
//! allocating what a broker merely claims.
//!
//! Where the probe (tests/c/packet_probe.c) can replay a case against
//! Debian's libmosquitto 2.0.11, the case states the reference's code too
//! and checks it, so the table documents 2.0.11's behaviour.
//! `HOSTILE_DISCOVER=1` prints both codes instead of asserting.

mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::ffi::c_int;
use std::io::Read;
use std::net::Shutdown;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, RwLock, RwLockReadGuard};
use std::thread;
use std::time::{Duration, Instant};

use ::mosquitto::protocol::packet::PacketType;
use support::consts::*;
use support::inproc::*;
use support::packets::{self, connack5_raw, hex, publish5_raw, sb, V311};
use support::{probe, FakeBroker};

// ---- allocation tracking --------------------------------------------------------

/// The system allocator, recording the largest single request.
struct Tracking;

/// The largest allocation (or reallocation target) since the last reset.
static LARGEST: AtomicUsize = AtomicUsize::new(0);

fn note(size: usize) {
    LARGEST.fetch_max(size, Ordering::Relaxed);
}

// SAFETY: every call is forwarded unchanged to the system allocator; the
// bookkeeping only reads the requested size.
unsafe impl GlobalAlloc for Tracking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: forwarded contract.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: forwarded contract.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded contract.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        // SAFETY: forwarded contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Tracking = Tracking;

/// Tests share this lock; the memory test takes it alone so that no other
/// test's allocations blur its measurements.
static MEMORY: RwLock<()> = RwLock::new(());

fn shared() -> RwLockReadGuard<'static, ()> {
    MEMORY.read().unwrap_or_else(|e| e.into_inner())
}

/// Resident set size of this process, in bytes (/proc/self/statm).
fn rss() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("read /proc/self/statm");
    let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

/// Peak resident set size (VmHWM), in bytes; [`reset_peak_rss`] restarts
/// it from the current size.
fn peak_rss() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    let kb: usize = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("VmHWM in /proc/self/status");
    kb * 1024
}

fn reset_peak_rss() {
    // Linux >= 4.0: "5" resets the peak RSS to the current RSS.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

// ---- limits -----------------------------------------------------------------------

/// How long a client session may run.
const CLIENT_LIMIT: Duration = Duration::from_secs(4);
/// How long the test waits for the client thread beyond its own limit
/// before declaring it hung.
const HANG_MARGIN: Duration = Duration::from_secs(6);
const WAIT: Duration = Duration::from_secs(5);

// ---- running a session ------------------------------------------------------------------

/// How our client is set up.
#[derive(Clone, Copy)]
struct Setup {
    opt: c_int,
    /// Topic Alias Maximum announced in CONNECT (0: none).
    alias_max: u16,
    /// Called once, on the client thread, after a successful CONNACK.
    action: Option<fn(&mut Mosq)>,
    limit: Duration,
}

impl Setup {
    fn v(opt: c_int) -> Setup {
        Setup {
            opt,
            alias_max: 0,
            action: None,
            limit: CLIENT_LIMIT,
        }
    }
}

/// How a session of our client went.
#[derive(Debug)]
struct Outcome {
    lines: Vec<String>,
    /// Every distinct return code of consecutive `mosquitto_loop` calls.
    loop_rcs: Vec<c_int>,
    messages: usize,
    disconnects: usize,
    connect_rc: c_int,
}

impl Outcome {
    /// The code of the first `on_disconnect`.
    fn end_rc(&self) -> Option<c_int> {
        self.lines
            .iter()
            .find_map(|l| l.strip_prefix("disconnect rc="))
            .map(|rc| rc.parse().unwrap())
    }

    /// The error the session ended with. On MQTT 5 a violation by the
    /// broker makes ours send DISCONNECT with the reason code the
    /// specification names, and `on_disconnect` reports that reason code
    /// (0x81 and up); the error code is then the one the loop call
    /// returned (what `on_disconnect` reports in the original).
    fn end_error(&self) -> Option<c_int> {
        let failed = self.loop_rcs.iter().copied().find(|&rc| rc != 0);
        match (self.end_rc(), failed) {
            // A broker's own DISCONNECT ends the loop with NO_CONN after a
            // successful read; our violation DISCONNECT with the error.
            (Some(reason), Some(rc)) if reason >= 0x80 && rc != MOSQ_ERR_NO_CONN => {
                assert!(
                    [0x81, 0x82, 0x93, 0x94, 0x95].contains(&reason),
                    "on_disconnect with reason {reason:#x}: {self:?}"
                );
                Some(rc)
            }
            (rc, _) => rc,
        }
    }

    /// Asserts the session ended in a defined way: connected, exactly one
    /// `on_disconnect`, no `MOSQ_ERR_UNKNOWN` anywhere.
    fn assert_defined(&self, what: &str) {
        assert_eq!(self.connect_rc, 0, "{what}: connect() failed: {self:?}");
        assert!(
            !self.loop_rcs.contains(&MOSQ_ERR_UNKNOWN) && self.end_rc() != Some(MOSQ_ERR_UNKNOWN),
            "{what}: MOSQ_ERR_UNKNOWN (a panic caught at the FFI boundary?): {self:?}"
        );
        assert_eq!(
            self.disconnects, 1,
            "{what}: expected exactly one on_disconnect: {self:?}"
        );
    }
}

/// Runs our client (on a thread) against a fake broker; after the CONNECT
/// arrives, `script` plays the broker. Panics if the client thread does not
/// finish in time (a hang).
fn ours(setup: Setup, script: impl FnOnce(&mut FakeBroker)) -> Outcome {
    let _guard = shared();
    ours_unguarded(setup, script)
}

fn ours_unguarded(setup: Setup, script: impl FnOnce(&mut FakeBroker)) -> Outcome {
    let mut fake = FakeBroker::new();
    let port = fake.port();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(drive(setup, port));
    });
    if !fake.try_accept(WAIT) {
        let client = rx.recv_timeout(setup.limit + HANG_MARGIN);
        panic!("the client did not connect: {client:?}");
    }
    fake.expect_type(PacketType::Connect);
    assert_eq!(fake.version(), version_of(setup.opt));
    script(&mut fake);
    let out = rx
        .recv_timeout(setup.limit + HANG_MARGIN)
        .unwrap_or_else(|_| panic!("the client hung (no end within {:?})", setup.limit));
    drop(fake);
    out
}

/// The client side of [`ours`]: connect, then loop until `on_disconnect`
/// or the limit.
fn drive(setup: Setup, port: u16) -> Outcome {
    let mut c = Mosq::new(Some("hostile"), true, setup.opt);
    c.log_messages_up_to(20);
    let props = match setup.alias_max {
        0 => PropList::default(),
        max => PropList::default().int16(MQTT_PROP_TOPIC_ALIAS_MAXIMUM, max),
    };
    let connect_rc = c.connect_port_v5(port, 60, &props);
    let mut loop_rcs = Vec::new();
    if connect_rc == 0 {
        let deadline = Instant::now() + setup.limit;
        let mut acted = setup.action.is_none();
        while Instant::now() < deadline {
            let rc = c.loop_once(10);
            if loop_rcs.last() != Some(&rc) {
                loop_rcs.push(rc);
            }
            if c.log.disconnects.load(Ordering::SeqCst) > 0 {
                break;
            }
            if !acted && c.connected() {
                acted = true;
                (setup.action.unwrap())(&mut c);
            }
        }
        // One more call after the end: must not crash or reconnect.
        let rc = c.loop_once(1);
        if loop_rcs.last() != Some(&rc) {
            loop_rcs.push(rc);
        }
    }
    Outcome {
        lines: c.lines(),
        loop_rcs,
        messages: c.log.messages.load(Ordering::SeqCst),
        disconnects: c.log.disconnects.load(Ordering::SeqCst),
        connect_rc,
    }
}

// ---- the reference (Debian's libmosquitto 2.0.11) ------------------------------------------

/// Runs `script` against the probe on Debian's library; its lines.
fn reference(setup: Setup, script: impl FnOnce(&mut FakeBroker)) -> Vec<String> {
    let args = [setup.opt.to_string(), setup.alias_max.to_string()];
    let out = probe::run_on_reference(&args, &[], script);
    let mut lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    if !out.status.success() {
        lines.push(format!("exit: {}", out.status));
    }
    lines
}

fn first_disconnect(lines: &[String]) -> Option<c_int> {
    lines
        .iter()
        .find_map(|l| l.strip_prefix("disconnect rc="))
        .map(|rc| rc.parse().unwrap())
}

// ---- table-driven malformations ------------------------------------------------------------

/// What happens before the hostile bytes.
#[derive(Clone, Copy, PartialEq)]
enum Before {
    /// A successful CONNACK first.
    Connack,
    /// The hostile bytes take the CONNACK's place.
    Nothing,
}

/// What the fake broker does after the hostile bytes.
#[derive(Clone, Copy, PartialEq)]
enum After {
    /// Waits 150 ms, then closes (a client that ignored the bytes ends
    /// with CONN_LOST).
    Close,
    /// Waits 150 ms, then resets the connection.
    Reset,
    /// Keeps the connection open: the client must end it itself.
    Open,
}

/// The broker side of a table case.
fn play(f: &mut FakeBroker, before: Before, bytes: &[u8], after: After) {
    if before == Before::Connack {
        let v = f.version();
        f.send(&packets::connack_ok(v));
    }
    // The client may already have closed (e.g. on the CONNACK): ignore.
    let _ = f.try_send(bytes);
    match after {
        After::Close => {
            thread::sleep(Duration::from_millis(150));
            f.close();
        }
        After::Reset => {
            thread::sleep(Duration::from_millis(150));
            f.reset();
        }
        After::Open => {}
    }
}

/// Runs one table case against our client and (when `reference` is
/// `Some`) the probe on Debian's library; asserts both codes.
fn check(
    what: &str,
    setup: Setup,
    before: Before,
    bytes: &[u8],
    after: After,
    expected: c_int,
    reference_rc: Ref,
) -> Outcome {
    let out = ours(setup, |f| play(f, before, bytes, after));
    let discover = std::env::var_os("HOSTILE_DISCOVER").is_some();
    if discover {
        let r = reference(setup, |f| play(f, before, bytes, after));
        eprintln!(
            "DISCOVER {what} v{}: ours {:?} reference {:?}\n  ours {:?}\n  ref  {:?}",
            setup.opt,
            out.end_rc(),
            first_disconnect(&r),
            out.lines,
            r
        );
        return out;
    }
    out.assert_defined(what);
    assert_eq!(
        out.end_error(),
        Some(expected),
        "{what} v{} [{}]: {out:?}",
        setup.opt,
        hex(bytes)
    );
    let (after, rc) = match reference_rc {
        Ref::Same => (after, expected),
        Ref::Gives(rc) => (after, rc),
        Ref::Ignores => (After::Close, MOSQ_ERR_CONN_LOST),
        Ref::Skip => return out,
    };
    let r = reference(setup, |f| play(f, before, bytes, after));
    assert_eq!(
        first_disconnect(&r),
        Some(rc),
        "{what} v{}: the reference's behaviour changed: {r:?}",
        setup.opt
    );
    out
}

/// What Debian's libmosquitto 2.0.11 does with a table case.
#[derive(Clone, Copy)]
enum Ref {
    /// Ends with the same code as ours.
    Same,
    /// Ends with this (different) code.
    Gives(c_int),
    /// Accepts or ignores the bytes: replayed with the broker closing
    /// afterwards, it ends with CONN_LOST.
    Ignores,
    /// Not run (see the case's comment).
    Skip,
}

/// Declares one `#[test]` per case:
/// `name: versions, before, bytes, after => OUR_CODE, REFERENCE;`
/// (`REFERENCE` is a [`Ref`]).
macro_rules! cases {
    ($($(#[$attr:meta])* $name:ident: $opts:expr, $before:expr, $bytes:expr, $after:expr
        => $ours:expr, $reference:expr;)*) => {
        $(
            $(#[$attr])*
            #[test]
            fn $name() {
                for opt in $opts {
                    #[allow(clippy::redundant_closure_call)]
                    let bytes: Vec<u8> = ($bytes)(opt);
                    check(
                        stringify!($name),
                        Setup::v(opt),
                        $before,
                        &bytes,
                        $after,
                        $ours,
                        $reference,
                    );
                }
            }
        )*
    };
}

use After::{Close, Open, Reset};
use Before::{Connack, Nothing};
use Ref::{Gives, Ignores, Same, Skip};

const V3: [c_int; 2] = [MQTT_PROTOCOL_V31, MQTT_PROTOCOL_V311];
const ONLY5: [c_int; 1] = [MQTT_PROTOCOL_V5];

cases! {
    // -- remaining length --
    remaining_length_five_bytes_publish: ALL, Connack,
        |_| vec![0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], Open => MOSQ_ERR_PROTOCOL, Same;
    remaining_length_five_bytes_pingresp: ALL, Connack,
        |_| vec![0xD0, 0x80, 0x80, 0x80, 0x80, 0x00], Open => MOSQ_ERR_PROTOCOL, Same;
    remaining_length_five_bytes_instead_of_connack: ALL, Nothing,
        |_| vec![0x20, 0x80, 0x80, 0x80, 0x80, 0x01], Open => MOSQ_ERR_PROTOCOL, Same;
    truncated_remaining_length_then_close: ALL, Connack,
        |_| vec![0x30, 0x80, 0x80], Close => MOSQ_ERR_CONN_LOST, Same;
    // 2.0.11 reports MOSQ_ERR_ERRNO when the connection ends inside a
    // packet's body (a read of 0 bytes with a stale errno); CONN_LOST is
    // the code it gives everywhere else for a closed connection.
    truncated_connack_then_close: ALL, Nothing,
        |_| vec![0x20, 0x02, 0x00], Close => MOSQ_ERR_CONN_LOST, Gives(MOSQ_ERR_ERRNO);
    truncated_publish_then_close: ALL, Connack,
        |opt| pkt(0x30, &[&s("topic"), no_props(opt), b"payload"])[..6].to_vec(), Close => MOSQ_ERR_CONN_LOST, Gives(MOSQ_ERR_ERRNO);
    non_minimal_remaining_length_accepted: ALL, Connack,
        |_| vec![0xD0, 0x80, 0x00], Close => MOSQ_ERR_CONN_LOST, Same;
    publish_shorter_than_its_topic: ALL, Connack,
        |_| vec![0x30, 0x03, 0x00, 0x05, b't'], Open => MOSQ_ERR_PROTOCOL, Same;
    publish_qos1_without_packet_id: ALL, Connack,
        |_| vec![0x32, 0x03, 0x00, 0x01, b't'], Open => MOSQ_ERR_PROTOCOL, Same;

    // -- fixed-header flags --
    pubrel_flags_0: [MQTT_PROTOCOL_V311, MQTT_PROTOCOL_V5], Connack,
        |_| vec![0x60, 0x02, 0x00, 0x01], Open => MOSQ_ERR_PROTOCOL, Same;
    // 2.0.11 checks the flags of PUBREL (above), SUBSCRIBE, UNSUBSCRIBE
    // and DISCONNECT only; other server packets with wrong flags are
    // handled as if the flags were right. Ours does that in MQTT 3.1, and
    // from 3.1.1 on follows the specification: reserved flags set make a
    // malformed packet that ends the connection ([MQTT-2.2.2-2],
    // [MQTT-2.1.3-1]; tests/conformance/).
    suback_flags_1_v31: [MQTT_PROTOCOL_V31], Connack,
        |opt| pkt(0x91, &[&be16(1), no_props(opt), &[0]]), Close => MOSQ_ERR_CONN_LOST, Same;
    suback_flags_1: [MQTT_PROTOCOL_V311, MQTT_PROTOCOL_V5], Connack,
        |opt| pkt(0x91, &[&be16(1), no_props(opt), &[0]]), Open => MOSQ_ERR_PROTOCOL, Ignores;
    pingresp_flags_1_v31: [MQTT_PROTOCOL_V31], Connack,
        |_| vec![0xD1, 0x00], Close => MOSQ_ERR_CONN_LOST, Same;
    pingresp_flags_1: [MQTT_PROTOCOL_V311, MQTT_PROTOCOL_V5], Connack,
        |_| vec![0xD1, 0x00], Open => MOSQ_ERR_PROTOCOL, Ignores;
    connack_flags_1_v31: [MQTT_PROTOCOL_V31], Nothing,
        |opt| pkt(0x21, &[&[0, 0], no_props(opt)]), Close => MOSQ_ERR_CONN_LOST, Same;
    connack_flags_1: [MQTT_PROTOCOL_V311, MQTT_PROTOCOL_V5], Nothing,
        |opt| pkt(0x21, &[&[0, 0], no_props(opt)]), Open => MOSQ_ERR_PROTOCOL, Ignores;
    pubrec_flags_1_v31: [MQTT_PROTOCOL_V31], Connack,
        |_| vec![0x51, 0x02, 0x00, 0x01], Close => MOSQ_ERR_CONN_LOST, Same;
    pubrec_flags_1: [MQTT_PROTOCOL_V311, MQTT_PROTOCOL_V5], Connack,
        |_| vec![0x51, 0x02, 0x00, 0x01], Open => MOSQ_ERR_PROTOCOL, Ignores;
    unsuback_flags_2_v5: ONLY5, Connack,
        |_| vec![0xB2, 0x04, 0x00, 0x01, 0x00, 0x00], Open => MOSQ_ERR_PROTOCOL, Ignores;
    disconnect_flags_1_v5: ONLY5, Connack,
        |_| vec![0xE1, 0x00], Open => MOSQ_ERR_PROTOCOL, Same;
    // Divergence: 2.0.11 delivers a QoS 0 PUBLISH with DUP set.
    publish_qos0_with_dup: ALL, Connack,
        |opt| pkt(0x38, &[&s("t"), no_props(opt), b"x"]), Open => MOSQ_ERR_PROTOCOL, Ignores;

    // -- packet types a broker never sends --
    reserved_type_0: ALL, Connack, |_| vec![0x00, 0x00], Open => MOSQ_ERR_PROTOCOL, Same;
    reserved_type_0_instead_of_connack: ALL, Nothing,
        |_| vec![0x00, 0x00], Open => MOSQ_ERR_PROTOCOL, Same;
    auth_before_v5: V3, Connack, |_| vec![0xF0, 0x00], Open => MOSQ_ERR_PROTOCOL, Same;

    // -- AUTH (v5): flags reserved 0000; remaining length 0, or a reason
    //    code and properties (as 2.1 checks) --
    // Divergence: 2.0.11 ignores AUTH's flags.
    auth_reserved_flags: ONLY5, Connack,
        |_| vec![0xF1, 0x02, 0x18, 0x00], Open => MOSQ_ERR_PROTOCOL, Ignores;
    auth_reason_code_without_properties: ONLY5, Connack,
        |_| vec![0xF0, 0x01, 0x18], Open => MOSQ_ERR_PROTOCOL, Same;
    // Divergence: 2.0.11 ignores bytes after the properties.
    auth_trailing_bytes: ONLY5, Connack,
        |_| vec![0xF0, 0x04, 0x18, 0x00, 0xAA, 0xBB], Open => MOSQ_ERR_PROTOCOL, Ignores;
    auth_properties_overrun: ONLY5, Connack,
        |_| vec![0xF0, 0x02, 0x18, 0x05], Open => MOSQ_ERR_PROTOCOL, Same;
    // Remaining length 0 is a Success reason code without properties:
    // without an ext_auth callback it is ignored. Divergence: 2.0.11 fails
    // to read the reason code and ends with MOSQ_ERR_NOMEM.
    auth_remaining_length_0: ONLY5, Connack,
        |_| vec![0xF0, 0x00], Close => MOSQ_ERR_CONN_LOST, Gives(MOSQ_ERR_NOMEM);

    connect_from_broker: ALL, Connack,
        |opt| packets::connect(version_of(opt), "x", 60, true), Open => MOSQ_ERR_PROTOCOL, Same;
    subscribe_from_broker: ALL, Connack,
        |opt| packets::subscribe(version_of(opt), 1, "a", 0), Open => MOSQ_ERR_PROTOCOL, Same;
    unsubscribe_from_broker: ALL, Connack,
        |opt| pkt(0xA2, &[&be16(1), no_props(opt), &s("a")]), Open => MOSQ_ERR_PROTOCOL, Same;

    // -- CONNACK --
    // Divergence: 2.0.11 ignores bytes after a v3 CONNACK's two.
    connack_too_long_v3: V3, Nothing,
        |_| vec![0x20, 0x03, 0x00, 0x00, 0x00], Open => MOSQ_ERR_PROTOCOL, Ignores;
    connack_too_short: ALL, Nothing,
        |_| vec![0x20, 0x01, 0x00], Open => MOSQ_ERR_PROTOCOL, Same;
    connack_empty: ALL, Nothing, |_| vec![0x20, 0x00], Open => MOSQ_ERR_PROTOCOL, Same;
    connack_unknown_code_v3: V3, Nothing,
        |_| vec![0x20, 0x02, 0x00, 0x80], Open => MOSQ_ERR_PROTOCOL, Same;
    connack_code_255_v3: V3, Nothing,
        |_| vec![0x20, 0x02, 0x00, 0xFF], Open => MOSQ_ERR_PROTOCOL, Same;
    connack_unknown_reason_v5: ONLY5, Nothing,
        |_| vec![0x20, 0x03, 0x00, 0x03, 0x00], Open => MOSQ_ERR_CONN_REFUSED, Same;
    // Divergence: 2.0.11 ignores reserved CONNACK flag bits; we refuse them
    // from 3.1.1 on (3.1 has no flags byte to speak of).
    connack_reserved_flag_bits: [MQTT_PROTOCOL_V311, MQTT_PROTOCOL_V5], Nothing,
        |opt| pkt(0x20, &[&[0x02, 0], no_props(opt)]), Open => MOSQ_ERR_PROTOCOL, Ignores;
    connack_reserved_flag_bits_v31: [MQTT_PROTOCOL_V31], Nothing,
        |_| vec![0x20, 0x02, 0x02, 0x00], Close => MOSQ_ERR_CONN_LOST, Same;

    // -- v5 properties --
    connack_duplicate_property: ONLY5, Nothing,
        |_| connack5_raw(&[0x11, 0, 0, 0, 1, 0x11, 0, 0, 0, 2]), Open => MOSQ_ERR_DUPLICATE_PROPERTY, Same;
    publish_duplicate_property: ONLY5, Connack,
        |_| publish5_raw(b"t", &[0x03, 0, 1, b'a', 0x03, 0, 1, b'b']), Open => MOSQ_ERR_DUPLICATE_PROPERTY, Same;
    // 2.0.11 neither connects nor calls on_disconnect here: its loop
    // keeps returning success until the probe gives up after 4 s.
    connack_unknown_property: ONLY5, Nothing,
        |_| connack5_raw(&[0x7F, 0, 0]), Open => MOSQ_ERR_PROTOCOL, Skip;
    // 2.0.11 often dies of SIGABRT (glibc heap check) on this PUBLISH and
    // the next one: not compared.
    publish_unknown_property: ONLY5, Connack,
        |_| publish5_raw(b"t", &[0x7F, 0]), Open => MOSQ_ERR_PROTOCOL, Skip;
    publish_property_not_for_publish: ONLY5, Connack,
        |_| publish5_raw(b"t", &[0x18, 0, 0, 0, 5]), Open => MOSQ_ERR_PROTOCOL, Same;
    connack_property_length_beyond_packet: ONLY5, Nothing,
        |_| vec![0x20, 0x03, 0x00, 0x00, 0x05], Open => MOSQ_ERR_PROTOCOL, Same;
    publish_property_length_beyond_packet: ONLY5, Connack,
        |_| pkt(0x30, &[&s("t"), &[50], &[0x01, 1], b"x"]), Open => MOSQ_ERR_PROTOCOL, Skip;
    property_value_beyond_its_block: ONLY5, Nothing,
        |_| connack5_raw(&[0x1F, 0, 9, b'a']), Open => MOSQ_ERR_PROTOCOL, Same;
    connack_reason_string_invalid_utf8: ONLY5, Nothing,
        |_| connack5_raw(&[0x1F, 0, 2, 0xC3, 0x28]), Open => MOSQ_ERR_MALFORMED_UTF8, Same;
    publish_content_type_invalid_utf8: ONLY5, Connack,
        |_| publish5_raw(b"t", &[0x03, 0, 2, 0xC3, 0x28]), Open => MOSQ_ERR_MALFORMED_UTF8, Same;
    subscription_identifier_varint_too_long: ONLY5, Connack,
        |_| publish5_raw(b"t", &[0x0B, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]), Open => MOSQ_ERR_PROTOCOL, Same;
    // Subscription identifier 0 is a protocol error for a broker to send,
    // yet both libraries deliver the message.
    subscription_identifier_zero: ONLY5, Connack,
        |_| publish5_raw(b"t", &[0x0B, 0x00]), Close => MOSQ_ERR_CONN_LOST, Same;

    // -- topics and topic aliases --
    topic_alias_zero: ONLY5, Connack,
        |_| publish5_raw(b"t", &[0x23, 0, 0]), Open => MOSQ_ERR_PROTOCOL, Same;
    empty_topic_without_alias: ALL, Connack,
        |opt| pkt(0x30, &[&s(""), no_props(opt), b"x"]), Open => MOSQ_ERR_PROTOCOL, Same;
    topic_invalid_utf8: ALL, Connack,
        |opt| pkt(0x30, &[&sb(&[b'a', 0xC3, 0x28]), no_props(opt), b"x"]), Open => MOSQ_ERR_MALFORMED_UTF8, Same;
    topic_overlong_nul: ALL, Connack,
        |opt| pkt(0x30, &[&sb(&[0xC0, 0x80]), no_props(opt), b"x"]), Open => MOSQ_ERR_MALFORMED_UTF8, Same;
    topic_with_nul: ALL, Connack,
        |opt| pkt(0x30, &[&sb(b"a\0b"), no_props(opt), b"x"]), Open => MOSQ_ERR_MALFORMED_UTF8, Same;
    topic_utf16_surrogate: ALL, Connack,
        |opt| pkt(0x30, &[&sb(&[0xED, 0xA0, 0x80]), no_props(opt), b"x"]), Open => MOSQ_ERR_MALFORMED_UTF8, Same;
    // Divergence: 2.0.11 delivers messages whose topic has wildcards.
    topic_with_plus_wildcard: ALL, Connack,
        |opt| pkt(0x30, &[&s("a/+"), no_props(opt), b"x"]), Open => MOSQ_ERR_PROTOCOL, Ignores;
    topic_with_hash_wildcard: ALL, Connack,
        |opt| pkt(0x30, &[&s("#"), no_props(opt), b"x"]), Open => MOSQ_ERR_PROTOCOL, Ignores;
    publish_qos3: ALL, Connack,
        |opt| pkt(0x36, &[&s("t"), &be16(1), no_props(opt), b"x"]), Open => MOSQ_ERR_PROTOCOL, Same;

    // -- packet identifiers --
    publish_qos1_packet_id_0: ALL, Connack,
        |opt| pkt(0x32, &[&s("t"), &be16(0), no_props(opt), b"x"]), Open => MOSQ_ERR_PROTOCOL, Same;
    publish_qos2_packet_id_0: ALL, Connack,
        |opt| pkt(0x34, &[&s("t"), &be16(0), no_props(opt), b"x"]), Open => MOSQ_ERR_PROTOCOL, Same;
    puback_packet_id_0: ALL, Connack, |_| vec![0x40, 0x02, 0, 0], Open => MOSQ_ERR_PROTOCOL, Same;
    pubrec_packet_id_0: ALL, Connack, |_| vec![0x50, 0x02, 0, 0], Open => MOSQ_ERR_PROTOCOL, Same;
    pubrel_packet_id_0: ALL, Connack, |_| vec![0x62, 0x02, 0, 0], Open => MOSQ_ERR_PROTOCOL, Same;
    pubcomp_packet_id_0: ALL, Connack, |_| vec![0x70, 0x02, 0, 0], Open => MOSQ_ERR_PROTOCOL, Same;
    suback_packet_id_0: ALL, Connack,
        |opt| pkt(0x90, &[&be16(0), no_props(opt), &[0]]), Open => MOSQ_ERR_PROTOCOL, Same;
    unsuback_packet_id_0: ALL, Connack,
        |opt| pkt(0xB0, &[&be16(0), no_props(opt), if opt == MQTT_PROTOCOL_V5 { &[0] } else { &[] }]), Open => MOSQ_ERR_PROTOCOL, Same;
    acks_for_unknown_ids_ignored: ALL, Connack,
        |opt| [packets::puback(version_of(opt), 300), packets::pubcomp(version_of(opt), 301)].concat(),
        Close => MOSQ_ERR_CONN_LOST, Same;
    suback_without_codes: ALL, Connack,
        |opt| pkt(0x90, &[&be16(7), no_props(opt)]), Open => MOSQ_ERR_PROTOCOL, Same;

    // -- wrong lengths of small packets --
    // Divergences: 2.0.11 ignores a PINGRESP's body and a v3 PUBACK's or
    // UNSUBACK's extra bytes.
    pingresp_with_payload: ALL, Connack, |_| vec![0xD0, 0x01, 0x00], Open => MOSQ_ERR_PROTOCOL, Ignores;
    puback_too_long_v3: V3, Connack, |_| vec![0x40, 0x03, 0, 1, 0], Open => MOSQ_ERR_PROTOCOL, Ignores;
    puback_too_short: ALL, Connack, |_| vec![0x40, 0x01, 0], Open => MOSQ_ERR_PROTOCOL, Same;
    unsuback_too_long_v3: V3, Connack, |_| vec![0xB0, 0x03, 0, 1, 0], Open => MOSQ_ERR_PROTOCOL, Ignores;

    // -- resets --
    reset_mid_publish: ALL, Connack,
        |opt| pkt(0x30, &[&s("topic"), no_props(opt), b"payload"])[..6].to_vec(), Reset => MOSQ_ERR_CONN_LOST, Same;
    reset_mid_connack: ALL, Nothing, |_| vec![0x20, 0x02, 0x00], Reset => MOSQ_ERR_CONN_LOST, Same;
    reset_mid_remaining_length: ALL, Connack,
        |_| vec![0x30, 0xFF, 0xFF], Reset => MOSQ_ERR_CONN_LOST, Same;
    reset_right_after_connect: ALL, Nothing, |_| Vec::new(), Reset => MOSQ_ERR_CONN_LOST, Same;
}

// ---- topic alias maximum (needs an announced maximum) -----------------------------------------

#[test]
fn topic_alias_beyond_maximum() {
    // 2.0.11 ignores the maximum it announced and delivers the message
    // (a deliberate difference, see docs/differences.md); we follow the spec.
    let setup = Setup {
        alias_max: 2,
        ..Setup::v(MQTT_PROTOCOL_V5)
    };
    let bytes = publish5_raw(b"t", &[0x23, 0, 3]);
    let out = ours(setup, |f| play(f, Connack, &bytes, Open));
    out.assert_defined("alias beyond max");
    assert_eq!(out.end_error(), Some(MOSQ_ERR_PROTOCOL), "{out:?}");
    assert_eq!(out.messages, 0);
}

#[test]
fn topic_alias_without_announced_maximum() {
    let bytes = publish5_raw(b"t", &[0x23, 0, 1]);
    let out = ours(Setup::v(MQTT_PROTOCOL_V5), |f| {
        play(f, Connack, &bytes, Open)
    });
    out.assert_defined("alias without max");
    assert_eq!(out.end_error(), Some(MOSQ_ERR_PROTOCOL), "{out:?}");
}

// ---- SUBACK with a wrong number of codes --------------------------------------------------

fn subscribe_two(c: &mut Mosq) {
    assert_eq!(c.subscribe_multiple(&["a", "b"], 1), (0, 1));
}

/// The client subscribes to two filters; the broker answers with `codes`.
fn suback_with(opt: c_int, codes: &'static [u8]) -> Outcome {
    let setup = Setup {
        action: Some(subscribe_two),
        ..Setup::v(opt)
    };
    ours(setup, |f| {
        let v = f.version();
        f.send(&packets::connack_ok(v));
        f.expect_type(PacketType::Subscribe);
        f.send(&packets::suback(v, 1, codes));
        thread::sleep(Duration::from_millis(150));
        f.close();
    })
}

#[test]
fn suback_with_too_few_or_too_many_codes_is_delivered_as_is() {
    // 2.0.11 hands on_subscribe whatever codes arrived; so do we (the
    // caller sees the count).
    for opt in ALL {
        for codes in [&[1u8][..], &[0, 1, 2]] {
            let out = suback_with(opt, codes);
            out.assert_defined("suback count");
            let granted: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
            assert!(
                out.lines
                    .contains(&format!("subscribe mid=1 granted={}", granted.join(","))),
                "v{opt}: {out:?}"
            );
            assert_eq!(out.end_rc(), Some(MOSQ_ERR_CONN_LOST), "v{opt}: {out:?}");
        }
    }
}

// ---- claimed sizes, volume, slow delivery ----------------------------------------------------

#[test]
fn huge_claimed_length_is_not_allocated() {
    let _alone = MEMORY.write().unwrap_or_else(|e| e.into_inner());
    // 268,435,455 bytes announced (the largest remaining length), 2 MiB
    // actually sent, then the broker closes.
    let mut head = vec![0x30, 0xFF, 0xFF, 0xFF, 0x7F];
    head.extend_from_slice(&s("big"));
    let chunk = vec![b'z'; 64 * 1024];
    reset_peak_rss();
    let before = rss();
    LARGEST.store(0, Ordering::SeqCst);
    let out = ours_unguarded(Setup::v(MQTT_PROTOCOL_V311), |f| {
        f.send(&packets::connack_ok(V311));
        f.send(&head);
        for _ in 0..32 {
            if f.try_send(&chunk).is_err() {
                break;
            }
        }
        thread::sleep(Duration::from_millis(200));
        f.close();
    });
    let largest = LARGEST.load(Ordering::SeqCst);
    let grown = peak_rss().saturating_sub(before);
    out.assert_defined("huge claimed length");
    assert_eq!(out.end_rc(), Some(MOSQ_ERR_CONN_LOST), "{out:?}");
    assert!(
        largest < 32 << 20 && grown < 32 << 20,
        "for a packet of which 2 MiB arrived: largest allocation {largest} bytes, peak RSS grew by {grown} bytes"
    );
}

/// 100,000 PINGRESPs and 100,000 QoS 0 PUBLISHes in one write.
#[test]
fn hundred_thousand_tiny_packets_in_one_write() {
    const N: usize = 100_000;
    for opt in [MQTT_PROTOCOL_V311, MQTT_PROTOCOL_V5] {
        let v = version_of(opt);
        let mut burst = Vec::with_capacity(N * 9);
        for i in 0..N {
            burst.extend_from_slice(&packets::pingresp());
            burst.extend_from_slice(&packets::publish(
                v,
                "t",
                &[b'a' + (i % 26) as u8],
                0,
                false,
                0,
            ));
        }
        let setup = Setup {
            limit: Duration::from_secs(20),
            ..Setup::v(opt)
        };
        let started = Instant::now();
        let out = ours(setup, |f| {
            f.send(&packets::connack_ok(v));
            f.send(&burst);
            // Half-close, then wait for the client to finish reading and
            // close its side.
            let _ = f.stream().shutdown(Shutdown::Write);
            drain(f.stream(), Duration::from_secs(20));
        });
        out.assert_defined("100k packets");
        assert_eq!(out.messages, N, "v{opt}: {:?}", out.lines);
        assert_eq!(out.end_rc(), Some(MOSQ_ERR_CONN_LOST));
        eprintln!(
            "v{opt}: {N} PINGRESP + {N} PUBLISH in {:?}",
            started.elapsed()
        );
    }
}

/// Reads `stream` until EOF (or an error, or `limit`).
fn drain(stream: &std::net::TcpStream, limit: Duration) {
    let mut s = stream.try_clone().expect("clone the stream");
    let deadline = Instant::now() + limit;
    let mut buf = [0u8; 4096];
    while Instant::now() < deadline {
        let _ = s.set_read_timeout(Some(Duration::from_millis(50)));
        match s.read(&mut buf) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return,
        }
    }
}

#[test]
fn one_byte_every_100ms() {
    let v = V311;
    let mut bytes = packets::connack_ok(v);
    bytes.extend(packets::publish(v, "t", b"x", 0, false, 0));
    assert_eq!(bytes.len(), 10);
    let out = ours(Setup::v(MQTT_PROTOCOL_V311), |f| {
        f.send_split(&bytes, &[1], Duration::from_millis(100));
        thread::sleep(Duration::from_millis(100));
        f.close();
    });
    out.assert_defined("one byte at a time");
    assert_eq!(
        out.lines,
        [
            "connect rc=0 flags=0".to_string(),
            "message mid=0 topic=t len=1 qos=0 retain=0 payload=x".to_string(),
            format!("disconnect rc={MOSQ_ERR_CONN_LOST}"),
        ]
    );
}

// ---- seeded random mutations ----------------------------------------------------------------

/// xorshift64*: a small deterministic generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A valid broker transcript after CONNECT (client alias maximum 5 for v5).
fn transcript(opt: c_int) -> Vec<u8> {
    let v = version_of(opt);
    let mut out = packets::connack_ok(v);
    let five = opt == MQTT_PROTOCOL_V5;
    if five {
        out = connack5_raw(&[0x21, 0, 10, 0x22, 0, 4, 0x27, 0, 0, 1, 0]);
    }
    out.extend(packets::publish(v, "m/0", b"zero", 0, false, 0));
    out.extend(packets::publish(v, "m/1", b"one", 1, true, 1));
    out.extend(packets::publish(v, "m/2", b"two", 2, false, 2));
    out.extend(packets::pubrel(v, 2));
    if five {
        // Alias set, then used; content type, user property, subscription id.
        out.extend(publish5_raw(b"m/a", &[0x23, 0, 1, 0x03, 0, 1, b'c']));
        out.extend(publish5_raw(
            b"",
            &[0x23, 0, 1, 0x26, 0, 1, b'k', 0, 1, b'v', 0x0B, 7],
        ));
    }
    out.extend(packets::suback(v, 1, &[0, 1, 2, 0x80]));
    out.extend(packets::unsuback(v, 2, &[0]));
    out.extend(packets::pingresp());
    out.extend(packets::puback(v, 3));
    out.extend(packets::pubrec(v, 4));
    out.extend(packets::pubcomp(v, 4));
    if five {
        out.extend(packets::disconnect(v, 0x8E));
    }
    out
}

/// Applies 1 to 4 random byte-level mutations.
fn mutate(rng: &mut Rng, bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for _ in 0..1 + rng.below(4) {
        if out.is_empty() {
            out.push(rng.next() as u8);
            continue;
        }
        let at = rng.below(out.len());
        match rng.below(6) {
            0 => out[at] ^= 1 << rng.below(8),
            1 => out[at] = rng.next() as u8,
            2 => out.insert(at, rng.next() as u8),
            3 => {
                out.remove(at);
            }
            4 => out[at] = [0x00, 0x7F, 0x80, 0xFF][rng.below(4)],
            _ => {
                // Duplicate a short run.
                let end = (at + 1 + rng.below(8)).min(out.len());
                let run: Vec<u8> = out[at..end].to_vec();
                out.splice(at..at, run);
            }
        }
    }
    out
}

/// Codes a session may end with: malformed input (PROTOCOL,
/// MALFORMED_UTF8, DUPLICATE_PROPERTY, MALFORMED_PACKET), a refusal or the
/// broker closing (CONN_LOST); with v5, a broker's DISCONNECT hands its
/// reason code (any byte, as 2.0.11 does) to on_disconnect, so any byte is
/// accepted when the stream holds a DISCONNECT's first byte (with any
/// flags: see the BUG of `disconnect_flags_1_v5`).
fn acceptable_end(rc: c_int, opt: c_int, bytes: &[u8]) -> bool {
    matches!(rc, 2 | 5 | 7 | 18 | 21 | 22)
        || (opt == MQTT_PROTOCOL_V5
            && bytes.iter().any(|b| b & 0xF0 == 0xE0)
            && (0..=255).contains(&rc))
}

fn mutation_run(opt: c_int, seed: u64, sessions: usize) {
    let base = transcript(opt);
    let mut rng = Rng(seed);
    let started = Instant::now();
    let mut ends = std::collections::BTreeMap::<String, usize>::new();
    for i in 0..sessions {
        let bytes = mutate(&mut rng, &base);
        let split = rng.below(4) == 0;
        let setup = Setup {
            alias_max: if opt == MQTT_PROTOCOL_V5 { 5 } else { 0 },
            limit: Duration::from_secs(3),
            ..Setup::v(opt)
        };
        let out = ours(setup, |f| {
            if split {
                // In a few pieces, to cross packet boundaries.
                let _ = f.try_send(&bytes[..bytes.len() / 3]);
                thread::sleep(Duration::from_millis(2));
                let _ = f.try_send(&bytes[bytes.len() / 3..]);
            } else {
                let _ = f.try_send(&bytes);
            }
            let _ = f.stream().shutdown(Shutdown::Write);
            drain(f.stream(), Duration::from_secs(3));
        });
        let what = format!("v{opt} seed {seed} session {i} [{}]", hex(&bytes));
        if std::env::var_os("HOSTILE_VERBOSE").is_some() {
            eprintln!("{what}: {out:?}");
        }
        assert_ne!(out.connect_rc, MOSQ_ERR_UNKNOWN, "{what}");
        assert!(
            !out.loop_rcs.contains(&MOSQ_ERR_UNKNOWN),
            "{what}: MOSQ_ERR_UNKNOWN: {out:?}"
        );
        assert_eq!(out.disconnects, 1, "{what}: no defined end: {out:?}");
        let rc = out.end_error().unwrap();
        assert!(
            acceptable_end(rc, opt, &bytes),
            "{what}: ended with {rc}: {out:?}"
        );
        *ends.entry(format!("rc={rc}")).or_default() += 1;
    }
    eprintln!(
        "v{opt}: {sessions} mutated sessions in {:?}; ends: {ends:?}",
        started.elapsed()
    );
}

#[test]
fn mutated_transcripts_v311() {
    mutation_run(MQTT_PROTOCOL_V311, 0x5EED_0001, 1000);
}

#[test]
fn mutated_transcripts_v5() {
    mutation_run(MQTT_PROTOCOL_V5, 0x5EED_0005, 1000);
}

#[test]
fn mutated_transcripts_v31() {
    mutation_run(MQTT_PROTOCOL_V31, 0x5EED_0003, 300);
}

// ---- the client keeps working after hostile input it may ignore ------------------------------

fn publish_qos1(c: &mut Mosq) {
    assert_eq!(c.publish_ok("out", b"p", 1, false), 1);
}

#[test]
fn pubcomp_for_a_pending_qos1_publish_is_a_protocol_error() {
    // As 2.0.11 (its ack handler checks the QoS of the message acked).
    for opt in ALL {
        let setup = Setup {
            action: Some(publish_qos1),
            ..Setup::v(opt)
        };
        let out = ours(setup, |f| {
            let v = f.version();
            f.send(&packets::connack_ok(v));
            f.expect_type(PacketType::Publish);
            f.send(&packets::pubcomp(v, 1));
        });
        out.assert_defined("pubcomp for qos 1");
        assert_eq!(out.end_error(), Some(MOSQ_ERR_PROTOCOL), "v{opt}: {out:?}");
        assert!(!out.lines.contains(&"publish mid=1".to_string()));
    }
}

#[test]
fn duplicate_puback_completes_once() {
    for opt in ALL {
        let setup = Setup {
            action: Some(publish_qos1),
            ..Setup::v(opt)
        };
        let out = ours(setup, |f| {
            let v = f.version();
            f.send(&packets::connack_ok(v));
            f.expect_type(PacketType::Publish);
            f.send(&packets::puback(v, 1));
            f.send(&packets::puback(v, 1));
            thread::sleep(Duration::from_millis(150));
            f.close();
        });
        out.assert_defined("duplicate puback");
        let published = out.lines.iter().filter(|l| *l == "publish mid=1").count();
        assert_eq!(published, 1, "v{opt}: {out:?}");
        assert_eq!(out.end_rc(), Some(MOSQ_ERR_CONN_LOST), "v{opt}: {out:?}");
    }
}

#[test]
fn connack_refusal_ends_with_conn_refused() {
    for opt in V3 {
        let out = ours(Setup::v(opt), |f| {
            let v = f.version();
            f.send(&packets::connack(v, 5, false, &[]));
        });
        out.assert_defined("refusal");
        assert_eq!(out.end_rc(), Some(MOSQ_ERR_CONN_REFUSED));
    }
}
