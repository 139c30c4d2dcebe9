//! Stress: our client, driven in-process through its C API against a real
//! broker, with `mosquitto_loop_start`'s thread running, 8 threads
//! publishing at QoS 0, 1 and 2 at once, callbacks calling back into the
//! API (subscribe from on_connect, publish from on_message), and then
//! `mosquitto_destroy` while traffic is still flowing. Repeated for 20
//! rounds; every round must finish within a deadline (no deadlock), no call
//! may return MOSQ_ERR_UNKNOWN (a caught panic), and no callback may run
//! after `mosquitto_destroy` returned.

mod support;

use std::collections::BTreeMap;
use std::ffi::{c_int, c_void};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use ::mosquitto::ffi::callbacks::*;
use ::mosquitto::ffi::loops::mosquitto_loop_start;
use ::mosquitto::ffi::types::{mosquitto as Handle, mosquitto_message};
use support::consts::*;
use support::inproc::Ptr;
use support::Broker;

const ROUNDS: usize = 20;
const THREADS: usize = 8;
const PER_THREAD: usize = 300;
const MIN_PER_THREAD: usize = 20;
/// How long one round may take before it counts as a deadlock.
const ROUND_LIMIT: Duration = Duration::from_secs(20);

/// What the callbacks of one round share with the test.
#[derive(Default)]
struct Shared {
    /// The round's topic filter.
    filter: String,
    reply_topic: String,
    connects: AtomicUsize,
    messages: AtomicUsize,
    published: AtomicUsize,
    /// Set once mosquitto_destroy has returned.
    destroyed: AtomicBool,
    /// Callbacks that ran after that.
    late_callbacks: AtomicUsize,
    /// Return codes of the calls made from callbacks.
    callback_rcs: Mutex<BTreeMap<c_int, usize>>,
}

impl Shared {
    fn note_rc(&self, rc: c_int) {
        *self.callback_rcs.lock().unwrap().entry(rc).or_default() += 1;
    }
    fn check_alive(&self) {
        if self.destroyed.load(Ordering::SeqCst) {
            self.late_callbacks.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// # Safety
/// `obj` is the round's `Shared`, kept alive by the test beyond the
/// client's destruction.
unsafe fn shared<'a>(obj: *mut c_void) -> &'a Shared {
    // SAFETY: see the function's contract.
    unsafe { &*(obj as *const Shared) }
}

unsafe extern "C" fn on_connect(m: *mut Handle, obj: *mut c_void, rc: c_int) {
    // SAFETY: obj is the round's Shared.
    let s = unsafe { shared(obj) };
    s.check_alive();
    s.connects.fetch_add(1, Ordering::SeqCst);
    if rc == 0 {
        let (rc, _) = Ptr(m).subscribe(&s.filter, 1);
        s.note_rc(rc);
    }
}

unsafe extern "C" fn on_message(m: *mut Handle, obj: *mut c_void, _: *const mosquitto_message) {
    // SAFETY: obj is the round's Shared.
    let s = unsafe { shared(obj) };
    s.check_alive();
    let n = s.messages.fetch_add(1, Ordering::SeqCst);
    if n % 10 == 0 {
        let (rc, _) = Ptr(m).publish(&s.reply_topic, b"re", (n % 3) as c_int, false);
        s.note_rc(rc);
    }
}

unsafe extern "C" fn on_publish(_: *mut Handle, obj: *mut c_void, _: c_int) {
    // SAFETY: obj is the round's Shared.
    let s = unsafe { shared(obj) };
    s.check_alive();
    s.published.fetch_add(1, Ordering::SeqCst);
}

unsafe extern "C" fn on_disconnect(_: *mut Handle, obj: *mut c_void, _: c_int) {
    // SAFETY: obj is the round's Shared.
    unsafe { shared(obj) }.check_alive();
}

/// What one round saw.
#[derive(Debug)]
struct RoundReport {
    publish_rcs: BTreeMap<c_int, usize>,
    callback_rcs: BTreeMap<c_int, usize>,
    connects: usize,
    messages: usize,
    published: usize,
    late_callbacks: usize,
}

fn round(port: u16, n: usize) -> RoundReport {
    let s = Arc::new(Shared {
        filter: format!("stress/{n}/#"),
        reply_topic: format!("stress-reply/{n}"),
        ..Shared::default()
    });
    let id = format!("stress-{}-{n}", std::process::id());
    let obj = Arc::as_ptr(&s) as *mut c_void;
    // `obj` stays alive (the Arc) past destroy.
    let m = Ptr::new(Some(&id), true, obj);
    // SAFETY: live handle; matching callback signatures.
    unsafe {
        mosquitto_connect_callback_set(m.0, Some(on_connect));
        mosquitto_message_callback_set(m.0, Some(on_message));
        mosquitto_publish_callback_set(m.0, Some(on_publish));
        mosquitto_disconnect_callback_set(m.0, Some(on_disconnect));
    }
    assert_eq!(m.connect(port, 30), 0);
    // SAFETY: live handle.
    assert_eq!(unsafe { mosquitto_loop_start(m.0) }, 0);
    // Half the rounds publish before the CONNACK has arrived.
    if n % 2 == 0 {
        let deadline = Instant::now() + Duration::from_secs(5);
        while s.connects.load(Ordering::SeqCst) == 0 && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(1));
        }
    }
    let stop = Arc::new(AtomicBool::new(false));
    let publishers: Vec<_> = (0..THREADS)
        .map(|t| {
            let h = m;
            let stop = stop.clone();
            thread::spawn(move || {
                let h = h;
                let topic = format!("stress/{n}/t{t}");
                let mut rcs: BTreeMap<c_int, usize> = BTreeMap::new();
                for i in 0..PER_THREAD {
                    // At least MIN_PER_THREAD each, then until told to stop.
                    if i >= MIN_PER_THREAD && stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let payload = format!("{t}-{i}");
                    let qos = ((t + i) % 3) as c_int;
                    let (rc, _) = h.publish(&topic, payload.as_bytes(), qos, false);
                    *rcs.entry(rc).or_default() += 1;
                    if i % 16 == 0 {
                        thread::yield_now();
                    }
                }
                rcs
            })
        })
        .collect();
    // Let traffic build up for a varying time, then stop the publishers and
    // destroy the client while messages are in flight both ways.
    thread::sleep(Duration::from_millis(5 * (n % 5) as u64));
    stop.store(true, Ordering::SeqCst);
    let mut publish_rcs = BTreeMap::new();
    for p in publishers {
        for (rc, k) in p.join().expect("a publisher thread panicked") {
            *publish_rcs.entry(rc).or_default() += k;
        }
    }
    // SAFETY: no other thread of ours uses the handle any more (the
    // publishers are joined); the library stops its own network thread.
    unsafe { m.destroy() };
    s.destroyed.store(true, Ordering::SeqCst);
    // A callback still running would show up here.
    thread::sleep(Duration::from_millis(20));
    let report = RoundReport {
        publish_rcs,
        callback_rcs: s.callback_rcs.lock().unwrap().clone(),
        connects: s.connects.load(Ordering::SeqCst),
        messages: s.messages.load(Ordering::SeqCst),
        published: s.published.load(Ordering::SeqCst),
        late_callbacks: s.late_callbacks.load(Ordering::SeqCst),
    };
    report
}

#[test]
fn publish_from_many_threads_with_reentrant_callbacks_then_destroy() {
    let broker = Broker::plain();
    let port = broker.port();
    let started = Instant::now();
    let mut total_messages = 0;
    for n in 0..ROUNDS {
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let _ = tx.send(round(port, n));
        });
        let report = match rx.recv_timeout(ROUND_LIMIT) {
            Ok(r) => r,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                panic!("round {n} did not finish within {ROUND_LIMIT:?}: deadlock")
            }
            Err(e) => panic!("round {n} panicked: {e}"),
        };
        let what = format!("round {n}: {report:?}");
        assert_eq!(report.late_callbacks, 0, "callbacks after destroy: {what}");
        assert!(
            !report.publish_rcs.contains_key(&MOSQ_ERR_UNKNOWN)
                && !report.callback_rcs.contains_key(&MOSQ_ERR_UNKNOWN),
            "MOSQ_ERR_UNKNOWN: {what}"
        );
        // Publishing while connecting or connected only ever succeeds.
        assert_eq!(
            report.publish_rcs.keys().collect::<Vec<_>>(),
            [&0],
            "publish failed: {what}"
        );
        let accepted: usize = report.publish_rcs.values().sum();
        assert!(accepted > 0, "{what}");
        let replies = report.callback_rcs.values().sum::<usize>();
        assert!(
            report.published <= accepted + replies,
            "more on_publish than publishes: {what}"
        );
        assert!(report.connects <= 1, "{what}");
        total_messages += report.messages;
    }
    eprintln!(
        "{ROUNDS} rounds in {:?}, {total_messages} messages received",
        started.elapsed()
    );
    assert!(total_messages > 0, "no message came back in any round");
}
