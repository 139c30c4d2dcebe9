//! The extensions of issue 15, through the C API against a real broker:
//! the bounded outgoing queue (`MOSQ_OPT_RS_QUEUE_*`, or the
//! `MOSQUITTO_RS_QUEUE_*` environment variables) and the disconnect that
//! first delivers what is queued (`MOSQ_OPT_RS_DISCONNECT_FLUSH_MS`), in
//! every loop mode.

mod support;
use support::common;

use std::ffi::{c_int, c_void, CString};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ::mosquitto::ffi::callbacks::*;
use ::mosquitto::ffi::client::{mosquitto_destroy, mosquitto_new};
use ::mosquitto::ffi::connect::{mosquitto_connect, mosquitto_disconnect, mosquitto_reconnect};
use ::mosquitto::ffi::extensions::*;
use ::mosquitto::ffi::library::mosquitto_lib_init;
use ::mosquitto::ffi::loops::*;
use ::mosquitto::ffi::options::mosquitto_int_option;
use ::mosquitto::ffi::pubsub::{mosquitto_publish, mosquitto_subscribe};
use ::mosquitto::ffi::types::{mosquitto as Handle, mosquitto_message};
use support::{Broker, BrokerOptions};

const ERR_NOMEM: c_int = 1;
const ERR_INVAL: c_int = 3;
const ERR_NO_CONN: c_int = 4;
const QUOTA_EXCEEDED: c_int = 0x97;
const WAIT: Duration = Duration::from_secs(20);

/// What one client's callbacks saw.
#[derive(Default)]
struct Seen {
    connected: AtomicUsize,
    disconnected: AtomicUsize,
    /// `on_publish_v5` with reason code 0 and 0x97.
    completed: AtomicUsize,
    quota: AtomicUsize,
    other_rc: AtomicUsize,
    subscribed: AtomicUsize,
    /// Payloads received, in order.
    messages: Mutex<Vec<Vec<u8>>>,
}

/// # Safety
/// `obj` is the client's `Seen`, alive for the client's life.
unsafe fn seen<'a>(obj: *mut c_void) -> &'a Seen {
    // SAFETY: see the function's contract.
    unsafe { &*(obj as *const Seen) }
}

unsafe extern "C" fn on_connect(_: *mut Handle, obj: *mut c_void, _: c_int) {
    // SAFETY: obj is our Seen.
    unsafe { seen(obj) }
        .connected
        .fetch_add(1, Ordering::SeqCst);
}

unsafe extern "C" fn on_disconnect(_: *mut Handle, obj: *mut c_void, _: c_int) {
    // SAFETY: obj is our Seen.
    unsafe { seen(obj) }
        .disconnected
        .fetch_add(1, Ordering::SeqCst);
}

unsafe extern "C" fn on_publish_v5(
    _: *mut Handle,
    obj: *mut c_void,
    _: c_int,
    rc: c_int,
    _: *const ::mosquitto::ffi::types::mosquitto_property,
) {
    // SAFETY: obj is our Seen.
    let s = unsafe { seen(obj) };
    match rc {
        0 => &s.completed,
        QUOTA_EXCEEDED => &s.quota,
        _ => &s.other_rc,
    }
    .fetch_add(1, Ordering::SeqCst);
}

unsafe extern "C" fn on_subscribe(
    _: *mut Handle,
    obj: *mut c_void,
    _: c_int,
    _: c_int,
    _: *const c_int,
) {
    // SAFETY: obj is our Seen.
    unsafe { seen(obj) }
        .subscribed
        .fetch_add(1, Ordering::SeqCst);
}

unsafe extern "C" fn on_message(_: *mut Handle, obj: *mut c_void, m: *const mosquitto_message) {
    // SAFETY: obj is our Seen; the message is valid during the call.
    unsafe {
        let m = &*m;
        let p = std::slice::from_raw_parts(m.payload as *const u8, m.payloadlen as usize);
        seen(obj).messages.lock().unwrap().push(p.to_vec());
    }
}

/// A client handle with counting callbacks; destroyed on drop.
struct Client {
    m: *mut Handle,
    seen: Box<Seen>,
}

impl Client {
    fn new(id: &str) -> Client {
        mosquitto_lib_init();
        let seen = Box::<Seen>::default();
        let id = CString::new(id).unwrap();
        let obj = &*seen as *const Seen as *mut c_void;
        // SAFETY: NUL-terminated id; `obj` outlives the handle (see Drop).
        let m = unsafe { mosquitto_new(id.as_ptr(), true, obj) };
        assert!(!m.is_null());
        // SAFETY: live handle; matching callback signatures.
        unsafe {
            mosquitto_connect_callback_set(m, Some(on_connect));
            mosquitto_disconnect_callback_set(m, Some(on_disconnect));
            mosquitto_publish_v5_callback_set(m, Some(on_publish_v5));
            mosquitto_subscribe_callback_set(m, Some(on_subscribe));
            mosquitto_message_callback_set(m, Some(on_message));
        }
        Client { m, seen }
    }

    fn option(&self, option: c_int, value: c_int) -> c_int {
        // SAFETY: live handle; C passes any int as the option.
        unsafe { mosquitto_int_option(self.m, option, value) }
    }

    fn connect(&self, broker: &Broker) {
        self.start_connect(broker);
        self.loop_until(|s| s.connected.load(Ordering::SeqCst) > 0);
    }

    /// `mosquitto_connect`, without waiting for CONNACK.
    fn start_connect(&self, broker: &Broker) {
        let host = CString::new("127.0.0.1").unwrap();
        // SAFETY: live handle, NUL-terminated host.
        let rc = unsafe { mosquitto_connect(self.m, host.as_ptr(), broker.port().into(), 60) };
        assert_eq!(rc, 0);
    }

    fn subscribe(&self, filter: &str) {
        let f = CString::new(filter).unwrap();
        // SAFETY: live handle, NUL-terminated filter.
        assert_eq!(
            unsafe { mosquitto_subscribe(self.m, std::ptr::null_mut(), f.as_ptr(), 1) },
            0
        );
        self.loop_until(|s| s.subscribed.load(Ordering::SeqCst) > 0);
    }

    /// `mosquitto_publish` QoS 1 on "q": its return code.
    fn publish(&self, payload: &[u8]) -> c_int {
        let t = CString::new("q").unwrap();
        // SAFETY: live handle; valid pointers for the given lengths.
        unsafe {
            mosquitto_publish(
                self.m,
                std::ptr::null_mut(),
                t.as_ptr(),
                payload.len() as c_int,
                payload.as_ptr() as *const c_void,
                1,
                false,
            )
        }
    }

    /// Runs `mosquitto_loop` until `done`; panics after [`WAIT`].
    fn loop_until(&self, done: impl Fn(&Seen) -> bool) {
        let deadline = Instant::now() + WAIT;
        while !done(&self.seen) {
            assert!(Instant::now() < deadline, "timed out");
            // SAFETY: live handle.
            unsafe { mosquitto_loop(self.m, 10, 1) };
        }
    }

    fn received(&self) -> Vec<Vec<u8>> {
        self.seen.messages.lock().unwrap().clone()
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // SAFETY: live handle owned by this value.
        unsafe { mosquitto_destroy(self.m) };
    }
}

fn broker() -> Broker {
    Broker::start(BrokerOptions::default().max_queued(100_000))
}

#[test]
fn options_are_accepted_and_checked() {
    let c = Client::new("opts");
    for opt in [
        MOSQ_OPT_RS_QUEUE_MAX_MSGS,
        MOSQ_OPT_RS_QUEUE_MAX_KB,
        MOSQ_OPT_RS_QUEUE_POLICY,
        MOSQ_OPT_RS_DISCONNECT_FLUSH_MS,
    ] {
        assert_eq!(c.option(opt, 1), 0, "{opt:#x}");
        assert_eq!(c.option(opt, 0), 0, "{opt:#x}");
        assert_eq!(c.option(opt, -1), ERR_INVAL, "{opt:#x}");
    }
    assert_eq!(c.option(MOSQ_OPT_RS_QUEUE_POLICY, 2), ERR_INVAL);
    // Next to our block, nothing is accepted (as in the original).
    assert_eq!(c.option(0x4D52_0000, 1), ERR_INVAL);
    assert_eq!(c.option(0x4D52_0005, 1), ERR_INVAL);
}

/// Connects `c`, stops the broker and waits for the lost connection.
fn offline(c: &Client, broker: &mut Broker) {
    c.connect(broker);
    broker.stop();
    c.loop_until(|s| s.disconnected.load(Ordering::SeqCst) > 0);
}

/// Restarts the broker with a subscriber on "q", then reconnects `c` and
/// loops both until the subscriber has `n` messages (and a little more,
/// to catch extras).
fn deliver(c: &Client, broker: &mut Broker, n: usize) -> Vec<Vec<u8>> {
    broker.start_again();
    let sub = Client::new("sub");
    sub.connect(broker);
    sub.subscribe("q");
    // SAFETY: live handle.
    assert_eq!(unsafe { mosquitto_reconnect(c.m) }, 0);
    let deadline = Instant::now() + WAIT;
    let mut settle = None;
    loop {
        // SAFETY: live handles.
        unsafe {
            mosquitto_loop(c.m, 1, 1);
            mosquitto_loop(sub.m, 1, 1);
        }
        let got = sub.seen.messages.lock().unwrap().len();
        if got >= n && settle.is_none() {
            settle = Some(Instant::now() + Duration::from_millis(300));
        }
        if settle.is_some_and(|t| Instant::now() >= t) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "only {got} of {n} messages arrived"
        );
    }
    sub.received()
}

fn numbered(i: usize, len: usize) -> Vec<u8> {
    let mut p = format!("{i:08}").into_bytes();
    p.resize(len.max(8), b'.');
    p
}

#[test]
fn reject_refuses_the_message_past_the_limit() {
    let mut broker = broker();
    let c = Client::new("reject");
    assert_eq!(c.option(MOSQ_OPT_RS_QUEUE_MAX_MSGS, 1000), 0);
    offline(&c, &mut broker);
    for i in 0..1000 {
        let rc = c.publish(&numbered(i, 1024));
        assert!(rc == 0 || rc == ERR_NO_CONN, "publish {i}: {rc}");
    }
    assert_eq!(c.publish(&numbered(1000, 1024)), ERR_NOMEM);
    assert_eq!(c.seen.quota.load(Ordering::SeqCst), 0);
    let got = deliver(&c, &mut broker, 1000);
    let want: Vec<Vec<u8>> = (0..1000).map(|i| numbered(i, 1024)).collect();
    assert_eq!(got, want);
}

#[test]
fn drop_oldest_delivers_the_newest_and_reports_each_drop() {
    let mut broker = broker();
    let c = Client::new("drop");
    assert_eq!(c.option(MOSQ_OPT_RS_QUEUE_MAX_MSGS, 100), 0);
    assert_eq!(c.option(MOSQ_OPT_RS_QUEUE_POLICY, 1), 0);
    offline(&c, &mut broker);
    for i in 0..1000 {
        let rc = c.publish(&numbered(i, 64));
        assert!(rc == 0 || rc == ERR_NO_CONN, "publish {i}: {rc}");
    }
    assert_eq!(c.seen.quota.load(Ordering::SeqCst), 900);
    let got = deliver(&c, &mut broker, 100);
    let want: Vec<Vec<u8>> = (900..1000).map(|i| numbered(i, 64)).collect();
    assert_eq!(got, want);
    assert_eq!(c.seen.completed.load(Ordering::SeqCst), 100);
    assert_eq!(c.seen.other_rc.load(Ordering::SeqCst), 0);
}

/// How the #722 program runs its network loop.
#[derive(Clone, Copy, Debug)]
enum LoopMode {
    /// `mosquitto_loop_start`, then `mosquitto_loop_stop(false)`.
    Thread,
    /// `mosquitto_loop_forever` after the disconnect.
    Forever,
    /// `mosquitto_loop` until it fails.
    Own,
    /// poll(2) on `mosquitto_socket` with `mosquitto_want_write`, and
    /// `mosquitto_loop_read` / `_write` / `_misc`.
    External,
}

/// The program of upstream issue #722: publish `n` QoS 1 messages, call
/// `mosquitto_disconnect` at once, run the loop until it ends. Returns
/// what a subscriber received.
fn publish_then_disconnect(mode: LoopMode, flush_ms: c_int, n: usize) -> Vec<Vec<u8>> {
    let broker = broker();
    let sub = Client::new("sub");
    sub.connect(&broker);
    sub.subscribe("q");
    // SAFETY: live handle.
    assert_eq!(unsafe { mosquitto_loop_start(sub.m) }, 0);
    let c = Client::new("pub722");
    assert_eq!(c.option(MOSQ_OPT_RS_DISCONNECT_FLUSH_MS, flush_ms), 0);
    c.start_connect(&broker);
    if let LoopMode::Thread = mode {
        // SAFETY: live handle.
        assert_eq!(unsafe { mosquitto_loop_start(c.m) }, 0);
    }
    for i in 0..n {
        assert_eq!(c.publish(&numbered(i, 16)), 0, "publish {i}");
    }
    // SAFETY: live handle.
    assert_eq!(unsafe { mosquitto_disconnect(c.m) }, 0);
    let start = Instant::now();
    // SAFETY (all calls below): live handle.
    match mode {
        LoopMode::Thread => assert_eq!(unsafe { mosquitto_loop_stop(c.m, false) }, 0),
        LoopMode::Forever => assert_eq!(unsafe { mosquitto_loop_forever(c.m, 100, 1) }, 0),
        LoopMode::Own => while unsafe { mosquitto_loop(c.m, 100, 1) } == 0 {},
        LoopMode::External => loop {
            let fd = unsafe { mosquitto_socket(c.m) };
            if fd < 0 {
                break;
            }
            let mut events = libc::POLLIN;
            if unsafe { mosquitto_want_write(c.m) } {
                events |= libc::POLLOUT;
            }
            let mut p = libc::pollfd {
                fd,
                events,
                revents: 0,
            };
            // SAFETY: one valid pollfd.
            unsafe { libc::poll(&mut p, 1, 100) };
            if p.revents & libc::POLLIN != 0 && unsafe { mosquitto_loop_read(c.m, 1) } != 0 {
                continue;
            }
            if p.revents & libc::POLLOUT != 0 && unsafe { mosquitto_loop_write(c.m, 1) } != 0 {
                continue;
            }
            unsafe { mosquitto_loop_misc(c.m) };
        },
    }
    assert!(start.elapsed() < WAIT, "{mode:?}: the loop did not end");
    // Whatever reached the broker reaches the subscriber within moments.
    let deadline = Instant::now() + Duration::from_secs(3);
    while sub.seen.messages.lock().unwrap().len() < n && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    // SAFETY: live handle.
    unsafe { mosquitto_loop_stop(sub.m, true) };
    assert_eq!(c.seen.disconnected.load(Ordering::SeqCst), 1, "{mode:?}");
    sub.received()
}

fn flush_delivers_everything(mode: LoopMode) {
    let got = publish_then_disconnect(mode, 5000, 1000);
    let want: Vec<Vec<u8>> = (0..1000).map(|i| numbered(i, 16)).collect();
    assert!(got == want, "{mode:?}: {} of 1000 arrived", got.len());
}

#[test]
fn flush_delivers_everything_with_loop_start() {
    flush_delivers_everything(LoopMode::Thread);
}

#[test]
fn flush_delivers_everything_with_loop_forever() {
    flush_delivers_everything(LoopMode::Forever);
}

#[test]
fn flush_delivers_everything_with_mosquitto_loop() {
    flush_delivers_everything(LoopMode::Own);
}

#[test]
fn flush_delivers_everything_with_an_external_loop() {
    flush_delivers_everything(LoopMode::External);
}

#[test]
fn without_flush_disconnect_drops_what_is_queued_as_the_original() {
    // The window (20) goes out before the DISCONNECT; the rest is lost.
    let got = publish_then_disconnect(LoopMode::Own, 0, 1000);
    assert!(got.len() <= 20, "{} arrived", got.len());
}

/// The #722 program (`tests/c/disconnect_722.c`: 1,000 QoS 1 publishes,
/// `mosquitto_disconnect` at once, then the loop in `mode`) with none of
/// the options, on the reference library and on ours:
///
/// - against a real broker, the same return codes and callbacks in the
///   same order; what a subscriber receives is, on both, the first
///   messages in order, at most the window of 20 (how many of those the
///   broker handles before the connection's reset arrives varies from run
///   to run: the broker drops a connection on a reset without reading
///   what it still holds);
/// - against a fake broker that reads everything and answers nothing (an
///   unanswered CONNECT: the client closes with nothing unread, so no
///   reset loses what it wrote), the same packets, byte for byte, and the
///   same return codes and callbacks.
///
/// (With `loop_start` the outcome depends on when the loop thread reads
/// the acknowledgements that free the window, on either library: not
/// compared.)
fn the_722_program_behaves_as_the_original(mode: &str) {
    use support::diff::{assert_same_lines, compile_trace, trace_on};
    use support::fake::{FakeBroker, RecvError};
    let scratch = format!("queue_ext-722-{mode}");
    let exe = compile_trace("disconnect_722", &scratch);
    let args = |port: u16| -> Vec<String> {
        vec![
            "127.0.0.1".into(),
            port.to_string(),
            mode.into(),
            "1000".into(),
        ]
    };
    let broker = broker();
    let sub = Client::new(&format!("sub722-{mode}"));
    sub.connect(&broker);
    sub.subscribe("q722");
    // SAFETY: live handle.
    assert_eq!(unsafe { mosquitto_loop_start(sub.m) }, 0);
    let on_broker = |lib| {
        let out = trace_on(lib, &exe, &args(broker.port()));
        // Whatever reached the broker reaches the subscriber within
        // moments: wait until nothing more comes for 500 ms.
        let mut count = usize::MAX;
        let deadline = Instant::now() + WAIT;
        loop {
            std::thread::sleep(Duration::from_millis(500));
            let now = sub.seen.messages.lock().unwrap().len();
            if now == count || Instant::now() > deadline {
                break;
            }
            count = now;
        }
        let got = std::mem::take(&mut *sub.seen.messages.lock().unwrap());
        let want: Vec<Vec<u8>> = (0..got.len()).map(|i| numbered(i, 8)).collect();
        assert!(got.len() <= 20 && got == want, "{lib:?} {mode}: {got:?}");
        out
    };
    let ref_out = on_broker(common::Lib::Reference);
    let our_out = on_broker(common::Lib::Ours);
    // SAFETY: live handle.
    unsafe { mosquitto_loop_stop(sub.m, true) };
    assert_same_lines(&scratch, "disconnect_722", &ref_out, &our_out);
    let on_fake = |lib| {
        let mut fake = FakeBroker::new();
        let port_args = args(fake.port());
        std::thread::scope(|scope| {
            let program = scope.spawn(|| trace_on(lib, &exe, &port_args));
            fake.accept();
            let mut packets = Vec::new();
            loop {
                match fake.recv_timeout(WAIT) {
                    Ok(p) => packets.push(p.bytes),
                    Err(RecvError::Closed(rest)) => {
                        assert!(rest.is_empty(), "{lib:?} {mode}: a partial packet");
                        break;
                    }
                    Err(e) => panic!("{lib:?} {mode}: {e:?}"),
                }
            }
            (program.join().unwrap(), packets)
        })
    };
    let (ref_out, ref_packets) = on_fake(common::Lib::Reference);
    let (our_out, our_packets) = on_fake(common::Lib::Ours);
    assert_same_lines(&scratch, "disconnect_722-fake", &ref_out, &our_out);
    // CONNECT, the window of 20 PUBLISHes, DISCONNECT.
    assert_eq!(ref_packets.len(), 22, "{mode}: {ref_packets:?}");
    assert!(our_packets == ref_packets, "{mode}: {our_packets:?}");
}

#[test]
fn the_722_program_behaves_as_the_original_with_loop_forever() {
    the_722_program_behaves_as_the_original("forever");
}

#[test]
fn the_722_program_behaves_as_the_original_with_mosquitto_loop() {
    the_722_program_behaves_as_the_original("loop");
}

#[test]
fn the_722_program_behaves_as_the_original_with_an_external_loop() {
    the_722_program_behaves_as_the_original("external");
}

/// Held by the tests that measure this process's resident memory and by
/// those that make it grow by many MiB, so that neither runs alongside
/// the other.
static MEMORY: Mutex<()> = Mutex::new(());

/// Takes [`MEMORY`] (a test that failed while holding it does not make the
/// others fail).
fn memory_alone() -> std::sync::MutexGuard<'static, ()> {
    MEMORY.lock().unwrap_or_else(|e| e.into_inner())
}

/// Resident memory of process `pid`, in KiB.
fn vm_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// The example command of README.md's "Extensions" section, exactly as
/// written there (the line that sets `MOSQUITTO_RS_QUEUE_MAX_MSGS` and runs
/// `mosquitto_pub`), and the limit it sets.
fn readme_example_command() -> (String, usize) {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let section = &readme[readme
        .find("\n## Extensions\n")
        .expect("an Extensions section")..];
    let section = &section[..section[1..].find("\n## ").map_or(section.len(), |e| e + 1)];
    let line = section
        .lines()
        .find(|l| l.starts_with("MOSQUITTO_RS_QUEUE_MAX_MSGS=") && l.contains(" mosquitto_pub "))
        .expect("the example command in README.md's Extensions section")
        .to_string();
    let limit = line["MOSQUITTO_RS_QUEUE_MAX_MSGS=".len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .expect("a number of messages");
    (line, limit)
}

/// The process that runs `mosquitto_pub` for the shell `sh` (the shell
/// itself once it has replaced itself, or its child).
fn mosquitto_pub_of(sh: u32) -> u32 {
    let comm = |pid: u32| std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
    let deadline = Instant::now() + WAIT;
    loop {
        if comm(sh).trim() == "mosquitto_pub" {
            return sh;
        }
        let children =
            std::fs::read_to_string(format!("/proc/{sh}/task/{sh}/children")).unwrap_or_default();
        if let Some(pid) = children
            .split_whitespace()
            .map(|p| p.parse::<u32>().unwrap())
            .find(|&p| comm(p).trim() == "mosquitto_pub")
        {
            return pid;
        }
        assert!(Instant::now() < deadline, "no mosquitto_pub under {sh}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Unchanged `mosquitto_pub -l`, run by `sh -c` with the README's example
/// command as written (the broker's address comes from the client's own
/// configuration file, `$XDG_CONFIG_HOME/mosquitto_pub`), against a
/// broker stopped after the first line: resident memory stays within the
/// limit while 100,000 lines of 1 KiB are piped in, and every drop is
/// reported.
#[test]
fn the_readme_example_stays_within_the_limit_from_the_environment() {
    use std::io::Write;
    use std::process::Stdio;
    let (command, limit) = readme_example_command();
    assert!(
        command.contains("MOSQUITTO_RS_QUEUE_POLICY=drop-oldest"),
        "{command}"
    );
    assert!(command.contains(" -l"), "{command}");
    let mut broker = broker();
    let scratch = common::scratch("queue_ext-readme");
    std::fs::write(
        scratch.join("mosquitto_pub"),
        format!("-h 127.0.0.1\n-p {}\n-i pub-l\n", broker.port()),
    )
    .unwrap();
    let stderr_path = scratch.join("pub-l.stderr");
    let mut cmd = common::command_with(common::Lib::Ours, "sh");
    cmd.arg("-c")
        .arg(&command)
        .env("XDG_CONFIG_HOME", &scratch)
        .env_remove("MOSQUITTO_RS_QUEUE_MAX_KB")
        .env_remove("MOSQUITTO_RS_DISCONNECT_FLUSH_MS")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        // A file, not a pipe: nobody reads it while the test writes.
        .stderr(std::fs::File::create(&stderr_path).unwrap());
    let mut child = cmd.spawn().unwrap();
    let pub_pid = mosquitto_pub_of(child.id());
    let mut stdin = child.stdin.take().unwrap();
    let line = [b'x'; 1023];
    stdin.write_all(&line).unwrap();
    stdin.write_all(b"\n").unwrap();
    broker.wait_for_log("pub-l", WAIT);
    broker.stop();
    let base = vm_rss_kib(pub_pid);
    let mut peak = base;
    // 100,000 lines of 1 KiB: about 100 MiB if all were kept.
    for i in 0..100_000 {
        stdin.write_all(&line).unwrap();
        stdin.write_all(b"\n").unwrap();
        if i % 1000 == 0 {
            peak = peak.max(vm_rss_kib(pub_pid));
        }
    }
    stdin.flush().unwrap();
    std::thread::sleep(Duration::from_millis(500));
    peak = peak.max(vm_rss_kib(pub_pid));
    assert!(
        child.try_wait().unwrap().is_none(),
        "mosquitto_pub ended early"
    );
    // SAFETY: kill(2) on the mosquitto_pub this test started (still
    // running: its shell has not been waited for).
    unsafe { libc::kill(pub_pid as libc::pid_t, libc::SIGKILL) };
    let _ = child.kill();
    let _ = child.wait();
    let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    // The limit's messages of 1 KiB, their packets and bookkeeping, plus
    // slack.
    assert!(
        peak - base < (limit as u64 + 15 * 1024),
        "resident memory grew from {base} to {peak} KiB"
    );
    // Every drop reported (mosquitto_pub prints each failed publish): of
    // the 100,001 lines the newest `limit` are kept, and the first too
    // when it went out before the broker stopped.
    let drops = stderr
        .lines()
        .filter(|l| l.ends_with("Quota exceeded."))
        .count();
    let kept = 100_001 - drops;
    assert!(kept == limit || kept == limit + 1, "{drops} drops reported");
}

#[test]
fn a_malformed_environment_value_is_ignored_with_one_line() {
    let broker = broker();
    let sub = Client::new("sub-env");
    sub.connect(&broker);
    sub.subscribe("q");
    let mut cmd = common::command_with(common::Lib::Ours, "mosquitto_pub");
    cmd.args(["-h", "127.0.0.1", "-p", &broker.port().to_string()])
        .args(["-t", "q", "-q", "1", "-m", "hello"])
        .env("MOSQUITTO_RS_QUEUE_POLICY", "newest")
        .env("MOSQUITTO_RS_QUEUE_MAX_MSGS", "-3");
    let out = support::run::run_with_timeout(&mut cmd, WAIT);
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(lines[0].contains("MOSQUITTO_RS_QUEUE_MAX_MSGS"), "{stderr}");
    assert!(lines[1].contains("MOSQUITTO_RS_QUEUE_POLICY"), "{stderr}");
    sub.loop_until(|s| !s.messages.lock().unwrap().is_empty());
    assert_eq!(sub.received(), [b"hello".to_vec()]);
}

/// The figure: with the broker stopped, 1,000,000 QoS 1
/// publishes of 1 KiB under a limit of 1,000 and drop-oldest. Resident
/// memory grows by the limit plus a few MiB at most (the original keeps
/// every message: about a GiB); exactly 999,000 drops are reported with
/// 0x97; once the broker is back a subscriber receives exactly the newest
/// 1,000, in order, none twice.
#[test]
fn a_million_publishes_offline_stay_within_the_limit() {
    const N: usize = 1_000_000;
    const LIMIT: usize = 1000;
    let _alone = memory_alone();
    let mut broker = broker();
    let c = Client::new("million");
    assert_eq!(c.option(MOSQ_OPT_RS_QUEUE_MAX_MSGS, LIMIT as c_int), 0);
    assert_eq!(c.option(MOSQ_OPT_RS_QUEUE_POLICY, 1), 0);
    offline(&c, &mut broker);
    let pid = std::process::id();
    let base = vm_rss_kib(pid);
    let mut peak = base;
    let mut payload = vec![b'.'; 1024];
    for i in 0..N {
        payload[..8].copy_from_slice(format!("{i:08}").as_bytes());
        let rc = c.publish(&payload);
        assert!(rc == 0 || rc == ERR_NO_CONN, "publish {i}: {rc}");
        if i % 10_000 == 0 {
            peak = peak.max(vm_rss_kib(pid));
        }
    }
    peak = peak.max(vm_rss_kib(pid));
    // The figure for docs/extensions.md (shown with --nocapture).
    eprintln!("{N} publishes offline: resident memory {base} -> {peak} KiB");
    assert_eq!(c.seen.quota.load(Ordering::SeqCst), N - LIMIT);
    // The limit's 1,000 KiB of messages plus their packets, and slack for
    // the other tests of this binary running alongside.
    assert!(
        peak - base < 16 * 1024,
        "resident memory grew from {base} to {peak} KiB"
    );
    let got = deliver(&c, &mut broker, LIMIT);
    assert_eq!(got.len(), LIMIT);
    for (k, m) in got.iter().enumerate() {
        let want = format!("{:08}", N - LIMIT + k);
        assert_eq!(&m[..8], want.as_bytes(), "message {k}");
    }
    assert_eq!(c.seen.completed.load(Ordering::SeqCst), LIMIT);
}

/// A broker that never acknowledges: with `loop_start`, the held-back
/// DISCONNECT goes out once the flush time is up, not before.
#[test]
fn flush_ends_at_its_deadline_with_loop_start() {
    use ::mosquitto::protocol::packet::PacketType;
    use support::inproc::{connected, V311_OPT};
    let (mut fake, mut c) = connected(V311_OPT);
    // SAFETY (all calls below): live handle.
    let rc = unsafe { mosquitto_int_option(c.m, MOSQ_OPT_RS_DISCONNECT_FLUSH_MS, 300) };
    assert_eq!(rc, 0);
    c.publish_ok("q", b"unacknowledged", 1, false);
    fake.expect_type(PacketType::Publish);
    assert_eq!(unsafe { mosquitto_loop_start(c.m) }, 0);
    let start = Instant::now();
    assert_eq!(unsafe { mosquitto_disconnect(c.m) }, 0);
    fake.expect_type(PacketType::Disconnect);
    // The library's clock is the coarse monotonic one (a tick of up to
    // 10 ms behind): the deadline may pass that much before 300 ms here.
    assert!(
        start.elapsed() >= Duration::from_millis(290),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(unsafe { mosquitto_loop_stop(c.m, false) }, 0);
}

/// The broker goes away during the flush: the usual disconnect callback,
/// with the error (not 0), and no DISCONNECT.
#[test]
fn a_broker_gone_during_the_flush_ends_it_with_the_error() {
    use ::mosquitto::protocol::packet::PacketType;
    use support::inproc::{connected, ERR_CONN_LOST, V311_OPT};
    let (mut fake, mut c) = connected(V311_OPT);
    // SAFETY (all calls below): live handle.
    let rc = unsafe { mosquitto_int_option(c.m, MOSQ_OPT_RS_DISCONNECT_FLUSH_MS, 5000) };
    assert_eq!(rc, 0);
    c.publish_ok("q", b"unacknowledged", 1, false);
    fake.expect_type(PacketType::Publish);
    assert_eq!(unsafe { mosquitto_disconnect(c.m) }, 0);
    c.step(10);
    fake.close();
    c.wait_line(&format!("disconnect rc={ERR_CONN_LOST}"));
    assert!(
        !c.lines().iter().any(|l| l == "disconnect rc=0"),
        "{:?}",
        c.lines()
    );
}

/// QoS 0 messages count against the limit while the socket does not
/// take them (the issue: "QoS 0 unsent + QoS 1/2 unacknowledged"): a
/// broker that stops reading blocks the socket, then `n` publishes of
/// 32 KiB. Returns each publish's (rc, mid), the ids reported with 0x97,
/// and the payload indices the broker then receives, in order; asserts
/// that each of those was reported to `on_publish` with 0.
/// With `threaded`, the library's loop thread (`loop_start`) does the
/// writing.
fn qos0_against_a_blocked_socket(
    policy: c_int,
    n: usize,
    threaded: bool,
) -> (Vec<(c_int, c_int)>, Vec<c_int>, Vec<usize>) {
    use support::inproc::{connected, V311_OPT};
    const LIMIT: c_int = 8;
    // Some 30 MiB pass through this process (the fake broker keeps them).
    let _alone = memory_alone();
    let (mut fake, mut c) = connected(V311_OPT);
    c.v5_callbacks();
    // SAFETY: live handle.
    unsafe {
        assert_eq!(
            mosquitto_int_option(c.m, MOSQ_OPT_RS_QUEUE_MAX_MSGS, LIMIT),
            0
        );
        assert_eq!(
            mosquitto_int_option(c.m, MOSQ_OPT_RS_QUEUE_POLICY, policy),
            0
        );
    }
    if threaded {
        // SAFETY: live handle.
        assert_eq!(unsafe { mosquitto_loop_start(c.m) }, 0);
    }
    // The fake broker reads nothing until all are published: the
    // kernel's buffers fill (a few MiB), then the client's.
    let results: Vec<(c_int, c_int)> = (0..n)
        .map(|i| c.publish("q", &numbered(i, 32 * 1024), 0, false))
        .collect();
    let accepted = results.iter().filter(|r| r.0 == 0).count();
    let quota = format!("rc={QUOTA_EXCEEDED}");
    let dropped: Vec<c_int> = c
        .lines()
        .iter()
        .filter(|l| l.starts_with("publish_v5 mid=") && l.ends_with(&quota))
        .map(|l| {
            l["publish_v5 mid=".len()..]
                .split(' ')
                .next()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    let mut received = Vec::new();
    while received.len() < accepted - dropped.len() {
        let p = if threaded {
            fake.recv_timeout(WAIT).expect("a packet")
        } else {
            c.recv(&mut fake)
        };
        if let ::mosquitto::protocol::packet::Packet::Publish(p) = p.decode() {
            let i = std::str::from_utf8(&p.payload[..8])
                .unwrap()
                .parse()
                .unwrap();
            received.push(i);
        }
    }
    let completed = |c: &support::inproc::Mosq| {
        c.lines()
            .iter()
            .filter(|l| l.starts_with("publish_v5 mid=") && l.ends_with(" rc=0"))
            .count()
    };
    if threaded {
        let extra = fake.recv_timeout(Duration::from_millis(200));
        assert!(extra.is_err(), "{extra:?}");
        // The loop thread reports each message once it has written it.
        let deadline = Instant::now() + WAIT;
        while completed(&c) < received.len() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        // SAFETY: live handle.
        assert_eq!(unsafe { mosquitto_loop_stop(c.m, true) }, 0);
    } else {
        c.expect_quiet(&mut fake, Duration::from_millis(200));
    }
    assert_eq!(completed(&c), received.len());
    (results, dropped, received)
}

#[test]
fn qos0_is_refused_past_the_limit_while_the_socket_is_blocked() {
    let n = 400;
    let (results, dropped, received) = qos0_against_a_blocked_socket(0, n, false);
    assert!(dropped.is_empty());
    assert!(
        results.iter().all(|r| r.0 == 0 || r.0 == ERR_NOMEM),
        "{results:?}"
    );
    // Without the bounded queue all 400 (13 MiB) would be taken; once it
    // is full, nothing more is, as nothing drains while the broker reads
    // nothing.
    let first = results
        .iter()
        .position(|r| r.0 == ERR_NOMEM)
        .expect("a refusal");
    assert!(results[first..].iter().all(|r| r.0 == ERR_NOMEM));
    // The broker gets every message taken, in order.
    assert_eq!(received, (0..first).collect::<Vec<usize>>());
}

#[test]
fn qos0_drops_the_oldest_waiting_while_the_socket_is_blocked() {
    qos0_drops_the_oldest_waiting(false);
}

#[test]
fn qos0_drops_the_oldest_waiting_with_the_loop_thread() {
    qos0_drops_the_oldest_waiting(true);
}

fn qos0_drops_the_oldest_waiting(threaded: bool) {
    let n = 400;
    let (results, dropped, received) = qos0_against_a_blocked_socket(1, n, threaded);
    assert!(results.iter().all(|r| r.0 == 0), "{results:?}");
    assert!(!dropped.is_empty());
    // Each message is either received or reported dropped, never both;
    // received in order, the newest 8 among them.
    let index_of = |mid: c_int| results.iter().position(|r| r.1 == mid).unwrap();
    let mut seen: Vec<usize> = dropped.iter().map(|&m| index_of(m)).collect();
    seen.extend(&received);
    seen.sort_unstable();
    assert_eq!(seen, (0..n).collect::<Vec<usize>>());
    assert!(received.windows(2).all(|w| w[0] < w[1]), "{received:?}");
    assert!(received.ends_with(&(n - 8..n).collect::<Vec<usize>>()));
}
