//! Delivery under network faults (issue 6, item 3): our client, driven
//! in-process through its C API, publishes or receives 10,000 QoS 1 or
//! QoS 2 messages through a fault-injecting proxy (tests/support/proxy.rs)
//! to a real mosquitto broker. The proxy splits and delays the traffic and
//! kills connections at chosen MQTT points: mid-packet, between PUBLISH
//! and PUBACK, between PUBREC and PUBREL, during CONNECT, and so on.
//!
//! Both clients keep a persistent session (clean session false, fixed
//! client ids) and reconnect by themselves (`mosquitto_loop_forever` or
//! `mosquitto_loop_start` with a 1 s reconnect delay, or an application
//! loop calling `mosquitto_reconnect` at once). The checks:
//!
//! - QoS 1: every payload `0..N` arrives at least once, and the first
//!   occurrences come in publishing order (a resent duplicate may come
//!   later, nothing may overtake);
//! - QoS 2: every payload arrives exactly once, in order, except where the
//!   broker broke the exchange: mosquitto 2.0.11, when its write of a
//!   re-sent PUBREL fails, later re-sends the PUBLISH (DUP) of a message
//!   whose PUBREL the client already received and completed; no receiver
//!   can tell that from a new message. The proxy sees every such re-send
//!   (a [`Violation`]), and only a redelivery that comes after the first
//!   delivery and is matched by one is excused (and reported); our own
//!   client re-sending a PUBLISH after its PUBREL fails the test;
//! - every publish is completed (`on_publish`) exactly once per mid;
//! - after `mosquitto_destroy` no connection through the proxy stays open.
//!
//! The seed of the proxy's choices is printed; `FAULT_SEED=<n>` replays
//! every scenario with another seed.

mod support;
use support::common;
use support::consts::*;

use std::ffi::{c_int, c_void};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use ::mosquitto::ffi::callbacks::*;
use ::mosquitto::ffi::client::mosquitto_reconnect_delay_set;
use ::mosquitto::ffi::connect::{mosquitto_disconnect, mosquitto_reconnect};
use ::mosquitto::ffi::loops::{
    mosquitto_loop, mosquitto_loop_forever, mosquitto_loop_start, mosquitto_loop_stop,
};
use ::mosquitto::ffi::types::{mosquitto as Handle, mosquitto_message};
use ::mosquitto::protocol::packet::PacketType::{self, *};
use support::inproc::Ptr;
use support::proxy::{Cut, Dir, FaultProxy, FaultSpec, ProxyPlan, Violation};
use support::{Broker, BrokerOptions};

/// Messages per scenario (the number).
const N: usize = 10_000;
/// How many messages the publisher may have outstanding (published but
/// not yet completed) before it waits.
const WINDOW: usize = 1_000;
/// How long a whole scenario's traffic may take.
const SCENARIO_LIMIT: Duration = Duration::from_secs(75);
/// How long a client has to connect and subscribe, or to shut down.
const STEP: Duration = Duration::from_secs(15);
/// How long stray duplicates are waited for after delivery completed.
const GRACE: Duration = Duration::from_millis(300);

// ---- what the callbacks see ---------------------------------------------------

/// The messages one subscriber received.
#[derive(Default)]
struct Received {
    /// Payloads in order of arrival, duplicates included.
    order: Vec<usize>,
    /// The message id each of them came with.
    mids: Vec<c_int>,
    /// When each of them arrived.
    times: Vec<Instant>,
    /// How often each payload arrived.
    count: Vec<u32>,
    /// How many payloads arrived at least once.
    distinct: usize,
}

/// What one client's callbacks share with the test (its `obj`).
struct Peer {
    /// The filter subscribed on every successful connect (subscribers).
    filter: Option<String>,
    /// The QoS messages are expected at, and subscribed with.
    qos: c_int,
    connects: AtomicUsize,
    disconnects: AtomicUsize,
    subacks: AtomicUsize,
    received: Mutex<Received>,
    /// Mids reported by `on_publish`, in order.
    completed: Mutex<Vec<c_int>>,
    /// Anything unexpected seen by a callback.
    problems: Mutex<Vec<String>>,
    destroyed: AtomicBool,
}

impl Peer {
    fn new(filter: Option<&str>, qos: c_int) -> Arc<Peer> {
        Arc::new(Peer {
            filter: filter.map(str::to_owned),
            qos,
            connects: AtomicUsize::new(0),
            disconnects: AtomicUsize::new(0),
            subacks: AtomicUsize::new(0),
            received: Mutex::new(Received {
                count: vec![0; N],
                ..Received::default()
            }),
            completed: Mutex::new(Vec::new()),
            problems: Mutex::new(Vec::new()),
            destroyed: AtomicBool::new(false),
        })
    }

    fn problem(&self, what: String) {
        self.problems.lock().unwrap().push(what);
    }

    /// Notes a callback that runs after `mosquitto_destroy` returned.
    fn check_alive(&self, which: &str) {
        if self.destroyed.load(Ordering::SeqCst) {
            self.problem(format!("{which} after mosquitto_destroy"));
        }
    }

    fn distinct(&self) -> usize {
        self.received.lock().unwrap().distinct
    }

    fn completed(&self) -> usize {
        self.completed.lock().unwrap().len()
    }
}

/// The `Peer` behind a callback's `obj`.
///
/// # Safety
/// `obj` is the `Peer` given to `mosquitto_new`, which the test keeps
/// alive until after `mosquitto_destroy`.
unsafe fn peer<'a>(obj: *mut c_void) -> &'a Peer {
    // SAFETY: see the function's contract.
    unsafe { &*(obj as *const Peer) }
}

unsafe extern "C" fn on_connect(m: *mut Handle, obj: *mut c_void, rc: c_int) {
    // SAFETY: obj is our Peer.
    let p = unsafe { peer(obj) };
    p.check_alive("on_connect");
    if rc != 0 {
        p.problem(format!("on_connect rc={rc}"));
        return;
    }
    p.connects.fetch_add(1, Ordering::SeqCst);
    if let Some(filter) = &p.filter {
        let (rc, _) = Ptr(m).subscribe(filter, p.qos);
        // The connection may already be gone again: that is retried on the
        // next connect.
        if rc != 0 && rc != MOSQ_ERR_NO_CONN {
            p.problem(format!("mosquitto_subscribe rc={rc}"));
        }
    }
}

unsafe extern "C" fn on_disconnect(_: *mut Handle, obj: *mut c_void, _: c_int) {
    // SAFETY: obj is our Peer.
    let p = unsafe { peer(obj) };
    p.check_alive("on_disconnect");
    p.disconnects.fetch_add(1, Ordering::SeqCst);
}

unsafe extern "C" fn on_subscribe(
    _: *mut Handle,
    obj: *mut c_void,
    _: c_int,
    count: c_int,
    granted: *const c_int,
) {
    // SAFETY: obj is our Peer.
    let p = unsafe { peer(obj) };
    p.check_alive("on_subscribe");
    // SAFETY: the library passes `count` granted QoS values.
    let granted = unsafe { std::slice::from_raw_parts(granted, count.max(0) as usize) };
    if granted != [p.qos] {
        p.problem(format!("SUBACK granted {granted:?}"));
    }
    p.subacks.fetch_add(1, Ordering::SeqCst);
}

unsafe extern "C" fn on_publish(_: *mut Handle, obj: *mut c_void, mid: c_int) {
    // SAFETY: obj is our Peer.
    let p = unsafe { peer(obj) };
    p.check_alive("on_publish");
    p.completed.lock().unwrap().push(mid);
}

unsafe extern "C" fn on_message(_: *mut Handle, obj: *mut c_void, msg: *const mosquitto_message) {
    // SAFETY: obj is our Peer.
    let p = unsafe { peer(obj) };
    p.check_alive("on_message");
    // SAFETY: the library passes a valid message for the callback's span.
    let msg = unsafe { &*msg };
    // SAFETY: payload points to payloadlen bytes.
    let payload = unsafe {
        std::slice::from_raw_parts(msg.payload as *const u8, msg.payloadlen.max(0) as usize)
    };
    let index = std::str::from_utf8(payload)
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
        .filter(|&i| i < N);
    let Some(i) = index else {
        p.problem(format!("unexpected payload {payload:?}"));
        return;
    };
    if msg.qos != p.qos {
        p.problem(format!("message {i} arrived at QoS {}", msg.qos));
    }
    let mut r = p.received.lock().unwrap();
    r.order.push(i);
    r.mids.push(msg.mid);
    r.times.push(Instant::now());
    r.count[i] += 1;
    if r.count[i] == 1 {
        r.distinct += 1;
    }
}

// ---- our client, in-process -----------------------------------------------------

/// How a client's network loop runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Driver {
    /// `mosquitto_loop_start`: the library's thread, which reconnects.
    LoopStart,
    /// `mosquitto_loop_forever` on a thread of ours.
    LoopForever,
    /// `mosquitto_loop` on a thread of ours, with `mosquitto_reconnect`
    /// right after every error (no reconnect delay).
    Manual,
}

/// One of our clients, connected to `port` and running under a driver.
struct Client {
    m: Ptr,
    peer: Arc<Peer>,
    driver: Driver,
    stop: Arc<AtomicBool>,
    /// The return code of our loop thread (`LoopForever`, `Manual`).
    done: Option<mpsc::Receiver<c_int>>,
}

impl Client {
    /// Creates a persistent-session client `id`, connects it to `port` on
    /// 127.0.0.1 and starts its loop.
    fn start(id: &str, port: u16, peer: Arc<Peer>, driver: Driver) -> Client {
        let obj = Arc::as_ptr(&peer) as *mut c_void;
        // `obj` outlives the client: the Arc is kept in `Client`, dropped
        // after destroy.
        let m = Ptr::new(Some(id), false, obj);
        // SAFETY: a live handle, callbacks of the right types.
        unsafe {
            mosquitto_connect_callback_set(m.0, Some(on_connect));
            mosquitto_disconnect_callback_set(m.0, Some(on_disconnect));
            mosquitto_subscribe_callback_set(m.0, Some(on_subscribe));
            mosquitto_publish_callback_set(m.0, Some(on_publish));
            mosquitto_message_callback_set(m.0, Some(on_message));
            assert_eq!(mosquitto_reconnect_delay_set(m.0, 1, 1, false), 0);
        }
        assert_eq!(m.connect(port, 60), 0, "mosquitto_connect to port {port}");
        let stop = Arc::new(AtomicBool::new(false));
        let done = match driver {
            Driver::LoopStart => {
                // SAFETY: a live handle.
                assert_eq!(unsafe { mosquitto_loop_start(m.0) }, 0);
                None
            }
            Driver::LoopForever => {
                let (tx, rx) = mpsc::channel();
                let h = m;
                thread::spawn(move || {
                    let h = h;
                    // SAFETY: the handle outlives this thread (its end is
                    // awaited before destroy).
                    let _ = tx.send(unsafe { mosquitto_loop_forever(h.0, 100, 1) });
                });
                Some(rx)
            }
            Driver::Manual => {
                let (tx, rx) = mpsc::channel();
                let (h, stop) = (m, Arc::clone(&stop));
                thread::spawn(move || {
                    let h = h;
                    let mut rc = 0;
                    while !stop.load(Ordering::SeqCst) {
                        // SAFETY: as above.
                        rc = unsafe { mosquitto_loop(h.0, 10, 1) };
                        if rc != 0 && !stop.load(Ordering::SeqCst) {
                            thread::sleep(Duration::from_millis(1));
                            // SAFETY: as above.
                            unsafe { mosquitto_reconnect(h.0) };
                        }
                    }
                    let _ = tx.send(rc);
                });
                Some(rx)
            }
        };
        Client {
            m,
            peer,
            driver,
            stop,
            done,
        }
    }

    /// Waits until the broker acknowledged a subscription.
    fn wait_subscribed(&self) {
        let ok = wait_until(Instant::now() + STEP, || {
            self.peer.subacks.load(Ordering::SeqCst) > 0
        });
        assert!(ok, "no SUBACK within {STEP:?}");
    }

    /// Disconnects, stops the loop and destroys the client, each step
    /// bounded; returns the `Peer` for the final checks.
    fn finish(self) -> Arc<Peer> {
        let (m, driver, stop, done) = (self.m, self.driver, self.stop, self.done);
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let m = m;
            // Our own loop must not reconnect after the disconnect.
            stop.store(true, Ordering::SeqCst);
            // SAFETY: a live handle, only used by the loop thread besides.
            let rc = unsafe { mosquitto_disconnect(m.0) };
            let _ = tx.send(("disconnect", rc));
            let rc = match driver {
                // SAFETY: as above.
                Driver::LoopStart => unsafe { mosquitto_loop_stop(m.0, false) },
                _ => done
                    .expect("a loop thread")
                    .recv_timeout(STEP)
                    .unwrap_or(-1000),
            };
            let _ = tx.send(("loop end", rc));
            // SAFETY: nothing uses the handle any more.
            unsafe { m.destroy() };
            let _ = tx.send(("destroy", 0));
        });
        let mut steps = Vec::new();
        while steps.last().map(|(s, _)| *s) != Some("destroy") {
            match rx.recv_timeout(STEP) {
                Ok(step) => steps.push(step),
                Err(_) => panic!("{driver:?} client shutdown hangs after {steps:?}"),
            }
        }
        // The disconnect may find the link down (between two faults).
        assert!(
            matches!(steps[0].1, 0 | MOSQ_ERR_NO_CONN),
            "{driver:?}: {steps:?}"
        );
        // `mosquitto_loop` may have run once more after the disconnect,
        // which it reports as MOSQ_ERR_NO_CONN.
        let loop_end_ok =
            steps[1].1 == 0 || (driver == Driver::Manual && steps[1].1 == MOSQ_ERR_NO_CONN);
        assert!(loop_end_ok, "{driver:?} loop ended with {steps:?}");
        self.peer.destroyed.store(true, Ordering::SeqCst);
        self.peer
    }
}

/// Publishes payloads `0..N` to `topic` at `qos` with client `m`, keeping
/// at most [`WINDOW`] uncompleted (per `peer`); returns the mids.
/// Publishing while the connection is down returns `MOSQ_ERR_NO_CONN`,
/// and without a loop thread (the `Manual` driver) a publish that writes
/// into a connection the proxy just cut returns `MOSQ_ERR_ERRNO` or
/// `MOSQ_ERR_CONN_LOST`, as the original's `packet__write` does; in each
/// case the message is kept for the next connection (which the checks
/// on delivery prove).
fn publish_all(m: Ptr, peer: &Peer, topic: &str, qos: c_int, deadline: Instant) -> Vec<c_int> {
    let mut mids = Vec::with_capacity(N);
    for i in 0..N {
        while i - peer.completed() >= WINDOW {
            assert!(
                Instant::now() < deadline,
                "publishing stalled at {i}: {} completed",
                peer.completed()
            );
            thread::sleep(Duration::from_millis(1));
        }
        let (rc, mid) = m.publish(topic, i.to_string().as_bytes(), qos, false);
        assert!(
            matches!(
                rc,
                0 | MOSQ_ERR_NO_CONN | MOSQ_ERR_CONN_LOST | MOSQ_ERR_ERRNO
            ),
            "mosquitto_publish({i}) returned {rc}"
        );
        mids.push(mid);
    }
    mids
}

/// Polls `ok` every millisecond until it holds (true) or `deadline`
/// passes (false).
fn wait_until(deadline: Instant, mut ok: impl FnMut() -> bool) -> bool {
    loop {
        if ok() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        thread::sleep(Duration::from_millis(1));
    }
}

// ---- the fault menus ----------------------------------------------------------------

const fn f(dir: Dir, packet: PacketType, cut: Cut, max_nth: usize) -> FaultSpec {
    FaultSpec::new(dir, packet, cut, max_nth)
}

use Dir::{ToBroker as Up, ToClient as Down};

/// During CONNECT: the CONNECT cut or lost, or the CONNACK lost.
const CONNECT_FAULTS: [FaultSpec; 4] = [
    f(Up, Connect, Cut::Before, 0),
    f(Up, Connect, Cut::Inside, 0),
    f(Up, Connect, Cut::After, 0),
    f(Down, Connack, Cut::Before, 0),
];

/// A QoS 1 publisher's link: PUBLISH cut or lost after reaching the
/// broker, PUBACK lost or cut.
fn publisher_qos1(max_nth: usize) -> Vec<FaultSpec> {
    let mut v = CONNECT_FAULTS.to_vec();
    v.extend([
        f(Up, Publish, Cut::Inside, max_nth),
        f(Up, Publish, Cut::After, max_nth),
        f(Down, Puback, Cut::Before, max_nth),
        f(Down, Puback, Cut::Before, max_nth),
        f(Down, Puback, Cut::Inside, max_nth),
    ]);
    v
}

/// A QoS 2 publisher's link: every step of the four-packet exchange.
fn publisher_qos2(max_nth: usize) -> Vec<FaultSpec> {
    let mut v = CONNECT_FAULTS.to_vec();
    v.extend([
        f(Up, Publish, Cut::Inside, max_nth),
        f(Up, Publish, Cut::After, max_nth),
        f(Down, Pubrec, Cut::Before, max_nth),
        f(Down, Pubrec, Cut::Inside, max_nth),
        f(Down, Pubrec, Cut::After, max_nth),
        f(Up, Pubrel, Cut::Before, max_nth),
        f(Up, Pubrel, Cut::Inside, max_nth),
        f(Up, Pubrel, Cut::After, max_nth),
        f(Down, Pubcomp, Cut::Before, max_nth),
        f(Down, Pubcomp, Cut::Inside, max_nth),
    ]);
    v
}

/// A QoS 1 subscriber's link: SUBSCRIBE/SUBACK, PUBLISH cut or lost,
/// PUBACK lost.
fn subscriber_qos1(max_nth: usize) -> Vec<FaultSpec> {
    let mut v = CONNECT_FAULTS.to_vec();
    v.extend([
        f(Up, Subscribe, Cut::Inside, 0),
        f(Down, Suback, Cut::Before, 0),
        f(Down, Publish, Cut::Before, max_nth),
        f(Down, Publish, Cut::Inside, max_nth),
        f(Down, Publish, Cut::After, max_nth),
        f(Up, Puback, Cut::Before, max_nth),
        f(Up, Puback, Cut::Inside, max_nth),
        f(Up, Puback, Cut::After, max_nth),
    ]);
    v
}

/// A QoS 2 subscriber's link: every step of the exchange, the other way.
fn subscriber_qos2(max_nth: usize) -> Vec<FaultSpec> {
    let mut v = CONNECT_FAULTS.to_vec();
    v.extend([
        f(Down, Suback, Cut::Before, 0),
        f(Down, Publish, Cut::Inside, max_nth),
        f(Down, Publish, Cut::After, max_nth),
        f(Up, Pubrec, Cut::Before, max_nth),
        f(Up, Pubrec, Cut::After, max_nth),
        f(Down, Pubrel, Cut::Before, max_nth),
        f(Down, Pubrel, Cut::Inside, max_nth),
        f(Down, Pubrel, Cut::After, max_nth),
        f(Up, Pubcomp, Cut::Before, max_nth),
        f(Up, Pubcomp, Cut::After, max_nth),
    ]);
    v
}

// ---- scenarios ------------------------------------------------------------------------

/// Which side goes through a faulty proxy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Behind {
    Publisher,
    Subscriber,
    Both,
}

/// One delivery scenario.
struct Scenario {
    name: &'static str,
    qos: c_int,
    behind: Behind,
    /// The publisher's and the subscriber's drivers.
    drivers: (Driver, Driver),
    /// Faults per proxy, and the largest occurrence number drawn.
    faults: usize,
    max_nth: usize,
    /// Restart the broker once half the messages arrived.
    restart: bool,
    seed: u64,
}

/// The seed: `FAULT_SEED` if set (decimal or 0x-hex), else the scenario's.
fn seed(default: u64) -> u64 {
    match std::env::var("FAULT_SEED") {
        Ok(s) if !s.trim().is_empty() => {
            let s = s.trim();
            let parsed = match s.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => s.parse(),
            };
            parsed.unwrap_or_else(|_| panic!("FAULT_SEED={s:?} is not a number"))
        }
        _ => default,
    }
}

impl Scenario {
    fn run(&self) {
        let started = Instant::now();
        let seed = seed(self.seed);
        eprintln!("{}: seed {seed:#x}", self.name);
        let mut broker = Broker::start(
            BrokerOptions::default()
                .name(self.name)
                .persistence()
                .max_queued(0),
        );
        let menu = |publisher: bool| match (publisher, self.qos) {
            (true, 1) => publisher_qos1(self.max_nth),
            (true, _) => publisher_qos2(self.max_nth),
            (false, 1) => subscriber_qos1(self.max_nth),
            (false, _) => subscriber_qos2(self.max_nth),
        };
        let proxy = |publisher: bool, salt: u64| {
            FaultProxy::start(
                broker.addr(),
                ProxyPlan::new(seed ^ salt, self.faults, &menu(publisher)),
            )
        };
        let pub_proxy =
            matches!(self.behind, Behind::Publisher | Behind::Both).then(|| proxy(true, 0));
        let sub_proxy =
            matches!(self.behind, Behind::Subscriber | Behind::Both).then(|| proxy(false, 0x5b));
        let port = |p: &Option<FaultProxy>| p.as_ref().map_or(broker.port(), FaultProxy::port);
        let topic = format!("faults/{}", self.name);
        let pid = std::process::id();

        let sub = Client::start(
            &format!("{}-sub-{pid}", self.name),
            port(&sub_proxy),
            Peer::new(Some(&topic), self.qos),
            self.drivers.1,
        );
        sub.wait_subscribed();
        let publisher = Client::start(
            &format!("{}-pub-{pid}", self.name),
            port(&pub_proxy),
            Peer::new(None, self.qos),
            self.drivers.0,
        );
        let deadline = started + SCENARIO_LIMIT;
        let (pub_peer, sub_peer) = (Arc::clone(&publisher.peer), Arc::clone(&sub.peer));
        let describe = |what: &str| {
            let r = sub_peer.received.lock().unwrap();
            let missing: Vec<usize> = (0..N).filter(|&i| r.count[i] == 0).take(20).collect();
            format!(
                "{}: {what} after {:?}\n  received {} distinct of {N} ({} deliveries), first missing {missing:?}\n  \
                 publisher: {} completed, {} connects, {} disconnects\n  subscriber: {} connects, {} disconnects, {} SUBACKs\n  \
                 publisher proxy: {}\n  subscriber proxy: {}\n  problems: {:?} {:?}",
                self.name,
                started.elapsed(),
                r.distinct,
                r.order.len(),
                pub_peer.completed(),
                pub_peer.connects.load(Ordering::SeqCst),
                pub_peer.disconnects.load(Ordering::SeqCst),
                sub_peer.connects.load(Ordering::SeqCst),
                sub_peer.disconnects.load(Ordering::SeqCst),
                sub_peer.subacks.load(Ordering::SeqCst),
                pub_proxy.as_ref().map_or("-".into(), FaultProxy::summary),
                sub_proxy.as_ref().map_or("-".into(), FaultProxy::summary),
                pub_peer.problems.lock().unwrap(),
                sub_peer.problems.lock().unwrap(),
            )
        };

        let mids = thread::scope(|s| {
            let (m, peer, topic, qos) = (publisher.m, &*pub_peer, &topic, self.qos);
            let publishing = s.spawn(move || publish_all(m, peer, topic, qos, deadline));
            if self.restart {
                let half = wait_until(deadline, || sub_peer.distinct() >= N / 2);
                assert!(half, "{}", describe("half the messages never arrived"));
                broker.restart();
                eprintln!("{}: broker restarted at {:?}", self.name, started.elapsed());
            }
            let mids = publishing.join().expect("the publishing thread panicked");
            let all = wait_until(deadline, || {
                sub_peer.distinct() == N && pub_peer.completed() == N
            });
            assert!(all, "{}", describe("delivery incomplete"));
            mids
        });
        // Stray duplicates would arrive now.
        thread::sleep(GRACE);
        let summary = describe("done");
        eprintln!("{summary}");

        // Every publish completed exactly once.
        let mut completed = pub_peer.completed.lock().unwrap().clone();
        completed.sort_unstable();
        let mut sorted_mids = mids.clone();
        sorted_mids.sort_unstable();
        assert_eq!(completed, sorted_mids, "on_publish mids: {summary}");

        let received = std::mem::take(&mut *sub_peer.received.lock().unwrap());
        // A QoS 2 sender never re-sends a PUBLISH after its PUBREL: our
        // client must not, and when the broker does, a receiver cannot
        // tell it from a new message.
        let ours = [&pub_proxy, &sub_proxy]
            .into_iter()
            .flatten()
            .flat_map(FaultProxy::violations)
            .filter(|v| v.dir == Dir::ToBroker)
            .collect::<Vec<_>>();
        assert!(
            ours.is_empty(),
            "our client re-sent a PUBLISH after its PUBREL: {ours:?}: {summary}"
        );
        let broker_violations: Vec<Violation> = sub_proxy
            .as_ref()
            .map(|p| {
                p.violations()
                    .into_iter()
                    .filter(|v| v.dir == Dir::ToClient)
                    .collect()
            })
            .unwrap_or_default();
        check_delivery(self.qos, &received, &broker_violations, &summary);

        // The faults really happened, and the clients came back each time.
        for (p, peer) in [(&pub_proxy, &pub_peer), (&sub_proxy, &sub_peer)] {
            if let Some(p) = p {
                let fired = p.fired().len();
                assert!(
                    fired * 4 >= self.faults * 3,
                    "only {fired} of {} faults fired: {summary}",
                    self.faults
                );
                // A fault on a packet the broker sent after its CONNACK
                // cuts a connection that had been made: each is followed
                // by a successful reconnection.
                let after_connack = p
                    .fired()
                    .iter()
                    .filter(|f| f.dir == Dir::ToClient && f.packet != Connack)
                    .count();
                let connects = peer.connects.load(Ordering::SeqCst);
                assert!(
                    connects > after_connack && connects <= p.records().len(),
                    "{connects} connects for {after_connack} faults after CONNACK: {summary}"
                );
            }
        }

        let sub_peer2 = sub.finish();
        let pub_peer2 = publisher.finish();
        thread::sleep(Duration::from_millis(50));
        for peer in [&pub_peer2, &sub_peer2] {
            let problems = peer.problems.lock().unwrap();
            // on_connect failures after a cut CONNECT are not possible
            // (the broker never answered), so every problem is real.
            assert!(problems.is_empty(), "{problems:?}: {summary}");
        }
        // Destroying the clients closed their sockets.
        for p in [&pub_proxy, &sub_proxy].into_iter().flatten() {
            assert!(
                p.wait_idle(Duration::from_secs(5)),
                "a connection stays open after mosquitto_destroy: {}",
                p.summary()
            );
        }
        drop(broker);
        eprintln!("{}: finished in {:?}", self.name, started.elapsed());
    }
}

/// QoS 1: all of `0..N` at least once, first occurrences in order.
/// QoS 2: exactly `0..N`, in order, except for redeliveries the broker
/// caused (see [`broker_caused`]), which are reported.
fn check_delivery(qos: c_int, r: &Received, broker_violations: &[Violation], summary: &str) {
    let missing: Vec<usize> = (0..N).filter(|&i| r.count[i] == 0).collect();
    assert!(
        missing.is_empty(),
        "{} messages lost, first {:?}: {summary}",
        missing.len(),
        &missing[..missing.len().min(20)]
    );
    check_order_and_duplicates(qos, r, broker_violations, summary);
}

/// First occurrences in order; at QoS 2 no duplicates but those the
/// broker caused.
fn check_order_and_duplicates(
    qos: c_int,
    r: &Received,
    broker_violations: &[Violation],
    summary: &str,
) {
    let mut firsts = Vec::with_capacity(N);
    let mut seen = vec![false; N];
    for &i in &r.order {
        if !std::mem::replace(&mut seen[i], true) {
            firsts.push(i);
        }
    }
    if let Some(w) = firsts.windows(2).find(|w| w[0] > w[1]) {
        panic!("message {} arrived before {}: {summary}", w[0], w[1]);
    }
    let dups: Vec<usize> = (0..N).filter(|&i| r.count[i] > 1).collect();
    if qos == 1 {
        eprintln!("QoS 1 duplicates: {} messages", dups.len());
        return;
    }
    let (excused, ours): (Vec<usize>, Vec<usize>) = dups
        .iter()
        .partition(|&&d| broker_caused(r, d, broker_violations));
    // Where the first unexplained duplicates arrived, with which mids.
    let arrivals: Vec<String> = ours
        .iter()
        .take(5)
        .map(|&d| {
            let at: Vec<String> = (0..r.order.len())
                .filter(|&k| r.order[k] == d)
                .map(|k| format!("#{k} mid {}", r.mids[k]))
                .collect();
            format!("{d}: {}", at.join(", "))
        })
        .collect();
    assert!(
        ours.is_empty(),
        "QoS 2 duplicates ({} messages), first {:?}, arrivals {arrivals:?}: {summary}",
        ours.len(),
        &ours[..ours.len().min(20)]
    );
    if !excused.is_empty() {
        eprintln!(
            "QoS 2: {} messages delivered twice because the broker re-sent their PUBLISH \
             after its PUBREL (mosquitto broker bug, not the client's), first {:?}",
            excused.len(),
            &excused[..excused.len().min(10)]
        );
    }
    let extra: usize = excused.iter().map(|&d| r.count[d] as usize - 1).sum();
    assert_eq!(r.order.len(), r.distinct + extra);
}

/// Whether every redelivery of payload `d` is explained by the broker
/// breaking the QoS 2 exchange: all its arrivals came with one mid, and
/// after the first (which means the client had received the PUBREL and
/// released the id), the broker sent a PUBLISH with that mid again at
/// least as many times as there were redeliveries. A receiver cannot tell
/// such a PUBLISH from a new message (MQTT 3.1.1 section 4.3.3).
fn broker_caused(r: &Received, d: usize, broker_violations: &[Violation]) -> bool {
    let arrivals: Vec<usize> = (0..r.order.len()).filter(|&k| r.order[k] == d).collect();
    let mid = r.mids[arrivals[0]];
    if arrivals.iter().any(|&k| r.mids[k] != mid) {
        return false;
    }
    let first = r.times[arrivals[0]];
    let resent = broker_violations
        .iter()
        .filter(|v| c_int::from(v.mid) == mid && v.at > first)
        .count();
    resent >= arrivals.len() - 1
}

// Each fault costs a client on `loop_forever`/`loop_start` up to its
// 1 s reconnect delay, so those scenarios have few faults; the
// `Driver::Manual` ones reconnect at once and have many.

#[test]
fn qos1_publisher_behind_faults_loop_forever() {
    Scenario {
        name: "pub-q1",
        qos: 1,
        behind: Behind::Publisher,
        drivers: (Driver::LoopForever, Driver::LoopStart),
        faults: 8,
        max_nth: 2_000,
        restart: false,
        seed: 0x0f1,
    }
    .run();
}

#[test]
fn qos2_publisher_behind_faults_loop_start() {
    Scenario {
        name: "pub-q2",
        qos: 2,
        behind: Behind::Publisher,
        drivers: (Driver::LoopStart, Driver::LoopStart),
        faults: 8,
        max_nth: 2_000,
        restart: false,
        seed: 0x0f2,
    }
    .run();
}

#[test]
fn qos1_publisher_behind_faults_with_broker_restart() {
    Scenario {
        name: "restart-q1",
        qos: 1,
        behind: Behind::Publisher,
        drivers: (Driver::LoopStart, Driver::LoopForever),
        faults: 5,
        max_nth: 2_000,
        restart: true,
        seed: 0x0f3,
    }
    .run();
}

#[test]
fn qos2_publisher_behind_faults_with_broker_restart() {
    Scenario {
        name: "restart-q2",
        qos: 2,
        behind: Behind::Publisher,
        drivers: (Driver::LoopForever, Driver::LoopStart),
        faults: 5,
        max_nth: 2_000,
        restart: true,
        seed: 0x0f4,
    }
    .run();
}

#[test]
fn qos1_subscriber_behind_faults_loop_forever() {
    Scenario {
        name: "sub-q1",
        qos: 1,
        behind: Behind::Subscriber,
        drivers: (Driver::LoopStart, Driver::LoopForever),
        faults: 8,
        max_nth: 2_000,
        restart: false,
        seed: 0x0f5,
    }
    .run();
}

#[test]
fn qos2_subscriber_behind_faults_loop_start() {
    Scenario {
        name: "sub-q2",
        qos: 2,
        behind: Behind::Subscriber,
        drivers: (Driver::LoopStart, Driver::LoopStart),
        faults: 8,
        max_nth: 2_000,
        restart: false,
        seed: 0x0f6,
    }
    .run();
}

#[test]
fn qos1_both_behind_faults_fast_reconnect() {
    Scenario {
        name: "both-q1",
        qos: 1,
        behind: Behind::Both,
        drivers: (Driver::Manual, Driver::Manual),
        faults: 100,
        max_nth: 200,
        restart: false,
        seed: 0x0f7,
    }
    .run();
}

#[test]
fn qos2_both_behind_faults_fast_reconnect() {
    Scenario {
        name: "both-q2",
        qos: 2,
        behind: Behind::Both,
        drivers: (Driver::Manual, Driver::Manual),
        faults: 100,
        max_nth: 200,
        restart: false,
        seed: 0x0f8,
    }
    .run();
}

// ---- the reference library behind the same faults ----------------------------------

/// Diagnostic: Debian's libmosquitto as the QoS 2 subscriber behind the
/// same faults (tests/c/fault_subscriber.c, reconnecting at once), our
/// client publishing directly. Prints what the reference delivered: with
/// the default seed it loses a few QoS 2 messages, delivers some out of
/// order, and shows the broker-caused duplicates our client shows
/// (`cargo test --test delivery_faults -- --ignored --nocapture`). Asserts
/// only that the run completes and our publisher's side is whole; the
/// reference's own losses are reported, not asserted, as they depend on
/// timing.
#[ignore = "diagnostic comparison with the reference library (which loses QoS 2 messages here)"]
#[test]
fn reference_qos2_subscriber_behind_faults() {
    let started = Instant::now();
    let name = "ref-q2";
    let seed = seed(0x0f9);
    let src = common::root().join("tests/c/fault_subscriber.c");
    let exe = common::scratch("delivery_faults").join("fault_subscriber");
    common::compile(
        &[&src],
        &exe,
        &["-O1", "-Wall", "-Wextra", "-Werror", "-lmosquitto"],
        false,
    );
    let broker = Broker::start(
        BrokerOptions::default()
            .name(name)
            .persistence()
            .max_queued(0),
    );
    let proxy = FaultProxy::start(
        broker.addr(),
        ProxyPlan::new(seed, 100, &subscriber_qos2(200)),
    );
    let topic = format!("faults/{name}");
    let pid = std::process::id();
    let mut sub = support::run::LineProcess::spawn(
        common::command_with(common::Lib::Reference, &exe).args([
            "127.0.0.1".to_string(),
            proxy.port().to_string(),
            format!("{name}-sub-{pid}"),
            topic.clone(),
            "2".into(),
            N.to_string(),
        ]),
    );
    let first = sub.next_line(STEP);
    assert_eq!(first.as_deref(), Some("subscribed"), "{}", sub.describe());
    let publisher = Client::start(
        &format!("{name}-pub-{pid}"),
        broker.port(),
        Peer::new(None, 2),
        Driver::LoopStart,
    );
    let deadline = started + SCENARIO_LIMIT;
    let (m, peer) = (publisher.m, Arc::clone(&publisher.peer));
    let mids = thread::scope(|s| {
        let (peer, topic) = (&*peer, &topic);
        let publishing = s.spawn(move || publish_all(m, peer, topic, 2, deadline));
        let mut r = Received {
            count: vec![0; N],
            ..Received::default()
        };
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Some(line) = sub.next_line(left) else {
                panic!(
                    "the reference subscriber stopped early ({} distinct): {}\n{}",
                    r.distinct,
                    proxy.summary(),
                    sub.stderr()
                );
            };
            if line == "done" {
                break;
            }
            if line == "subscribed" {
                continue;
            }
            let fields: Vec<&str> = line.split(' ').collect();
            let parsed = match fields[..] {
                ["m", mid, payload] => mid.parse::<c_int>().ok().zip(payload.parse::<usize>().ok()),
                _ => None,
            };
            let Some((mid, i)) = parsed.filter(|&(_, i)| i < N) else {
                panic!("unexpected line {line:?}");
            };
            r.order.push(i);
            r.mids.push(mid);
            r.times.push(Instant::now());
            r.count[i] += 1;
            if r.count[i] == 1 {
                r.distinct += 1;
            }
        }
        let mids = publishing.join().expect("the publishing thread panicked");
        let summary = format!("{name} on the reference library: {}", proxy.summary());
        eprintln!("{summary}");
        let broker_violations: Vec<Violation> = proxy
            .violations()
            .into_iter()
            .filter(|v| v.dir == Dir::ToClient)
            .collect();
        // The reference library loses QoS 2 messages under these faults
        // (see the report); our client does not (the scenarios above).
        let lost: Vec<usize> = (0..N).filter(|&i| r.count[i] == 0).collect();
        let mut seen = vec![false; N];
        let firsts: Vec<usize> = r
            .order
            .iter()
            .copied()
            .filter(|&i| !std::mem::replace(&mut seen[i], true))
            .collect();
        let overtaken = firsts.windows(2).filter(|w| w[0] > w[1]).count();
        let dups: Vec<usize> = (0..N).filter(|&i| r.count[i] > 1).collect();
        let explained = dups
            .iter()
            .filter(|&&d| broker_caused(&r, d, &broker_violations))
            .count();
        eprintln!(
            "reference library: {} lost {lost:?}, {overtaken} out of order, {} duplicated \
             ({explained} after a broker re-send of PUBLISH after PUBREL)",
            lost.len(),
            dups.len()
        );
        assert!(r.distinct > 0, "{summary}");
        assert!(proxy.fired().len() >= 75, "{summary}");
        mids
    });
    let status = sub.wait_timeout(STEP);
    assert!(status.is_some_and(|s| s.success()), "{}", sub.describe());
    let all = wait_until(deadline, || peer.completed() == N);
    assert!(all, "{} of {N} publishes completed", peer.completed());
    let mut completed = peer.completed.lock().unwrap().clone();
    completed.sort_unstable();
    let mut mids = mids;
    mids.sort_unstable();
    assert_eq!(completed, mids);
    let peer = publisher.finish();
    assert!(peer.problems.lock().unwrap().is_empty());
    assert!(
        proxy.wait_idle(Duration::from_secs(5)),
        "{}",
        proxy.summary()
    );
    eprintln!("{name}: finished in {:?}", started.elapsed());
}
