//! A fault-injecting TCP proxy for delivery tests: it sits on 127.0.0.1
//! between a client and a broker, relays MQTT packets both ways split into
//! random chunks with small random pauses, and kills connections at chosen
//! points of the MQTT exchange.
//!
//! Each direction is framed with the library's codec
//! ([`mosquitto::protocol::packet::frame`]), so a fault can name a packet:
//! "the 7th PUBACK going to the client is not forwarded", "the CONNECT is
//! cut after some of its bytes", "the 3rd PUBREC reaches the client, then
//! nothing more". When a fault fires, the proxy forwards nothing more in
//! either direction and shuts both sockets: each side has received an
//! exact prefix of what the other sent, as with a real network failure.
//!
//! The proxy also watches the QoS 2 rule that a sender which has sent a
//! PUBREL never re-sends the PUBLISH of that packet id: a breach is
//! recorded as a [`Violation`], with the side that committed it, so a test
//! can tell the broker's mistakes from the client's.
//!
//! Every choice comes from a seeded PRNG (one stream per connection,
//! derived from the seed and the connection's number), so a failing run
//! can be replayed with its seed (thread timing aside).

use std::collections::HashSet;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use ::mosquitto::protocol::packet::{frame, PacketType};

/// How long the proxy waits for the upstream broker to accept.
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(2);

/// A small deterministic PRNG (SplitMix64).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `per_mille`/1000.
    pub fn chance(&mut self, per_mille: u32) -> bool {
        self.below(1000) < per_mille as usize
    }

    /// An independent generator derived from this one and `salt`.
    pub fn fork(&mut self, salt: u64) -> Rng {
        Rng::new(self.next_u64() ^ salt.wrapping_mul(0xD6E8_FEB8_6659_FD93))
    }
}

/// Which way bytes flow through the proxy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    /// From the client to the broker.
    ToBroker,
    /// From the broker to the client.
    ToClient,
}

/// Where a fault cuts the stream, relative to its trigger packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cut {
    /// The packet is not forwarded at all.
    Before,
    /// Some of the packet's bytes are forwarded (at least one, not all).
    Inside,
    /// The whole packet is forwarded, and nothing after it.
    After,
}

/// A kind of fault the proxy may pick for a connection: cut `dir`'s
/// stream at a `packet` whose number (counting from 0 on the connection)
/// is drawn from `0..=max_nth`.
#[derive(Clone, Copy, Debug)]
pub struct FaultSpec {
    /// The direction watched.
    pub dir: Dir,
    /// The packet type that triggers the fault.
    pub packet: PacketType,
    /// Where the stream is cut.
    pub cut: Cut,
    /// The largest occurrence number drawn.
    pub max_nth: usize,
}

impl FaultSpec {
    /// A fault at one of the first `max_nth + 1` `packet`s going `dir`.
    pub const fn new(dir: Dir, packet: PacketType, cut: Cut, max_nth: usize) -> FaultSpec {
        FaultSpec {
            dir,
            packet,
            cut,
            max_nth,
        }
    }
}

/// The fault chosen for one connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault {
    /// The direction watched.
    pub dir: Dir,
    /// The packet type that triggers the fault.
    pub packet: PacketType,
    /// Where the stream is cut.
    pub cut: Cut,
    /// Which occurrence of `packet` (from 0) triggers it.
    pub nth: usize,
}

/// What the proxy does: which faults, how many, how traffic is split.
#[derive(Clone, Debug)]
pub struct ProxyPlan {
    /// The seed of every random choice.
    pub seed: u64,
    /// How many faults fire in all; connections made after that are only
    /// split and delayed.
    pub faults: usize,
    /// The faults to choose from (uniformly), one per connection.
    pub menu: Vec<FaultSpec>,
    /// The largest chunk written at once.
    pub max_chunk: usize,
    /// The chance, per mille, of a pause after a chunk.
    pub pause_per_mille: u32,
    /// The longest pause.
    pub max_pause: Duration,
}

impl ProxyPlan {
    /// `faults` faults drawn from `menu`, with chunks of 1 to 64 bytes and
    /// a pause of up to 300 µs after 2% of them.
    pub fn new(seed: u64, faults: usize, menu: &[FaultSpec]) -> ProxyPlan {
        ProxyPlan {
            seed,
            faults,
            menu: menu.to_vec(),
            max_chunk: 64,
            pause_per_mille: 20,
            max_pause: Duration::from_micros(300),
        }
    }
}

/// A breach of the QoS 2 exchange seen by the proxy: a re-sent PUBLISH
/// (DUP set) with a packet id whose PUBREL its sender had already sent
/// (MQTT 3.1.1 section 4.3.3: after sending a PUBREL the sender must not
/// re-send the PUBLISH). A fresh PUBLISH (DUP clear) with that id starts a
/// new exchange and clears the id. Whether a PUBCOMP reached the sender is
/// not considered: the proxy cannot know whether the sender read it before
/// the connection died; with ids that are not reused within a test, a
/// re-sent PUBLISH after a PUBREL is a breach either way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The direction of the offending PUBLISH (`ToClient`: the broker sent
    /// it; `ToBroker`: the client did).
    pub dir: Dir,
    /// The packet id.
    pub mid: u16,
    /// The connection it happened on.
    pub connection: usize,
    /// When the proxy read it.
    pub at: Instant,
}

/// What happened to one proxied connection.
#[derive(Clone, Debug, Default)]
pub struct ConnRecord {
    /// The fault planned for it, if any.
    pub fault: Option<Fault>,
    /// Whether that fault fired.
    pub fired: bool,
    /// Whether the broker refused the upstream connection.
    pub refused: bool,
    /// Whole packets forwarded, to the broker and to the client.
    pub packets: [usize; 2],
}

/// One proxied connection: both sockets, closed together.
struct Link {
    client: TcpStream,
    upstream: TcpStream,
    killed: AtomicBool,
}

impl Link {
    /// Shuts both sockets (once); the pumps then end.
    fn kill(&self) {
        if !self.killed.swap(true, Ordering::SeqCst) {
            let _ = self.client.shutdown(Shutdown::Both);
            let _ = self.upstream.shutdown(Shutdown::Both);
        }
    }

    fn is_killed(&self) -> bool {
        self.killed.load(Ordering::SeqCst)
    }
}

/// State shared by the accepting thread, the pumps and the test.
struct Shared {
    upstream: SocketAddr,
    plan: ProxyPlan,
    stop: AtomicBool,
    faults_left: AtomicUsize,
    records: Mutex<Vec<ConnRecord>>,
    links: Mutex<Vec<Arc<Link>>>,
    /// Per direction, the packet ids whose PUBREL went that way and that
    /// no fresh PUBLISH reused since.
    released: Mutex<[HashSet<u16>; 2]>,
    violations: Mutex<Vec<Violation>>,
}

/// A running fault-injecting proxy; dropping it stops it and closes every
/// connection through it.
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

impl FaultProxy {
    /// Starts a proxy on a free 127.0.0.1 port that relays to `upstream`
    /// under `plan`.
    pub fn start(upstream: SocketAddr, plan: ProxyPlan) -> FaultProxy {
        assert!(upstream.ip().is_loopback(), "the proxy is loopback only");
        assert!(
            plan.faults == 0 || !plan.menu.is_empty(),
            "faults without a menu"
        );
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind the proxy");
        let addr = listener.local_addr().unwrap();
        listener.set_nonblocking(true).unwrap();
        let shared = Arc::new(Shared {
            upstream,
            faults_left: AtomicUsize::new(plan.faults),
            plan,
            stop: AtomicBool::new(false),
            records: Mutex::new(Vec::new()),
            links: Mutex::new(Vec::new()),
            released: Mutex::new([HashSet::new(), HashSet::new()]),
            violations: Mutex::new(Vec::new()),
        });
        let s = Arc::clone(&shared);
        thread::spawn(move || accept_loop(&listener, &s));
        FaultProxy { addr, shared }
    }

    /// The proxy's port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Every connection so far, in order of arrival.
    pub fn records(&self) -> Vec<ConnRecord> {
        self.shared.records.lock().unwrap().clone()
    }

    /// The faults that fired, in order of connection.
    pub fn fired(&self) -> Vec<Fault> {
        self.records()
            .iter()
            .filter(|r| r.fired)
            .filter_map(|r| r.fault)
            .collect()
    }

    /// Every breach of the QoS 2 exchange seen so far.
    pub fn violations(&self) -> Vec<Violation> {
        self.shared.violations.lock().unwrap().clone()
    }

    /// Connections still open.
    pub fn live(&self) -> usize {
        self.shared
            .links
            .lock()
            .unwrap()
            .iter()
            .filter(|l| !l.is_killed())
            .count()
    }

    /// Waits until no connection is open; false if one still is after
    /// `timeout`.
    pub fn wait_idle(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while self.live() > 0 {
            if Instant::now() >= deadline {
                return false;
            }
            thread::sleep(Duration::from_millis(5));
        }
        true
    }

    /// Closes every open connection at once (a fault outside the plan).
    pub fn kill_all(&self) {
        for l in self.shared.links.lock().unwrap().iter() {
            l.kill();
        }
    }

    /// A one-line account: connections, faults fired, packets relayed.
    pub fn summary(&self) -> String {
        let records = self.records();
        let fired = records.iter().filter(|r| r.fired).count();
        let refused = records.iter().filter(|r| r.refused).count();
        let up: usize = records.iter().map(|r| r.packets[0]).sum();
        let down: usize = records.iter().map(|r| r.packets[1]).sum();
        let mut kinds = std::collections::BTreeMap::<String, usize>::new();
        for f in records.iter().filter(|r| r.fired).filter_map(|r| r.fault) {
            *kinds
                .entry(format!("{:?}/{:?}/{:?}", f.dir, f.packet, f.cut))
                .or_default() += 1;
        }
        format!(
            "seed {:#x}: {} connections ({refused} refused upstream), {fired} faults fired {kinds:?}, \
             {up} packets to the broker, {down} to the client, {} QoS 2 violations",
            self.shared.plan.seed,
            records.len(),
            self.violations().len()
        )
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.kill_all();
    }
}

/// Accepts clients until stopped, starting two pumps for each.
fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    let mut rng = Rng::new(shared.plan.seed);
    while !shared.stop.load(Ordering::SeqCst) {
        let client = match listener.accept() {
            Ok((c, _)) => c,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                thread::sleep(Duration::from_millis(2));
                continue;
            }
            Err(_) => break,
        };
        let index = shared.records.lock().unwrap().len();
        let mut conn_rng = rng.fork(index as u64);
        let mut record = ConnRecord::default();
        if shared.faults_left.load(Ordering::SeqCst) > 0 {
            let spec = shared.plan.menu[conn_rng.below(shared.plan.menu.len())];
            record.fault = Some(Fault {
                dir: spec.dir,
                packet: spec.packet,
                cut: spec.cut,
                nth: conn_rng.below(spec.max_nth + 1),
            });
        }
        let _ = client.set_nonblocking(false);
        let _ = client.set_nodelay(true);
        let upstream = match TcpStream::connect_timeout(&shared.upstream, UPSTREAM_TIMEOUT) {
            Ok(u) => u,
            Err(_) => {
                record.refused = true;
                record.fault = None;
                shared.records.lock().unwrap().push(record);
                let _ = client.shutdown(Shutdown::Both);
                continue;
            }
        };
        let _ = upstream.set_nodelay(true);
        let fault = record.fault;
        shared.records.lock().unwrap().push(record);
        let (Ok(c2), Ok(u2)) = (client.try_clone(), upstream.try_clone()) else {
            let _ = client.shutdown(Shutdown::Both);
            continue;
        };
        let link = Arc::new(Link {
            client,
            upstream,
            killed: AtomicBool::new(false),
        });
        shared.links.lock().unwrap().push(Arc::clone(&link));
        let ends = [(c2, Dir::ToBroker), (u2, Dir::ToClient)];
        for (from, dir) in ends {
            let to = match dir {
                Dir::ToBroker => link.upstream.try_clone(),
                Dir::ToClient => link.client.try_clone(),
            };
            let Ok(to) = to else {
                link.kill();
                break;
            };
            let pump = Pump {
                dir,
                index,
                fault: fault.filter(|f| f.dir == dir),
                rng: conn_rng.fork(dir as u64 + 1),
                link: Arc::clone(&link),
                shared: Arc::clone(shared),
            };
            thread::spawn(move || pump.run(from, to));
        }
    }
}

/// One direction of one connection.
struct Pump {
    dir: Dir,
    index: usize,
    fault: Option<Fault>,
    rng: Rng,
    link: Arc<Link>,
    shared: Arc<Shared>,
}

impl Pump {
    /// Relays whole packets from `from` to `to` until either side closes
    /// or the fault fires; then kills the link.
    fn run(mut self, mut from: TcpStream, mut to: TcpStream) {
        let _ = self.relay(&mut from, &mut to);
        self.link.kill();
    }

    fn relay(&mut self, from: &mut TcpStream, to: &mut TcpStream) -> io::Result<()> {
        let mut buf: Vec<u8> = Vec::with_capacity(8192);
        let mut tmp = [0u8; 8192];
        let mut seen = [0usize; 16];
        loop {
            let n = from.read(&mut tmp)?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&tmp[..n]);
            let mut start = 0;
            while let Some(f) = frame(&buf[start..], 0).map_err(io::Error::other)? {
                let total = f.total_len();
                if buf.len() - start < total {
                    break;
                }
                let packet = &buf[start..start + total];
                let ty = usize::from(f.header >> 4);
                self.watch_qos2(f.header, &packet[f.header_len..]);
                let nth = seen[ty];
                seen[ty] += 1;
                if let Some(fault) = self
                    .fault
                    .filter(|x| x.packet as usize == ty && x.nth == nth)
                {
                    let keep = match fault.cut {
                        Cut::Before => 0,
                        Cut::Inside => 1 + self.rng.below(total - 1),
                        Cut::After => total,
                    };
                    let _ = self.send(to, &packet[..keep]);
                    self.fire();
                    return Ok(());
                }
                self.send(to, packet)?;
                self.count_packet();
                start += total;
            }
            buf.drain(..start);
        }
    }

    /// Writes `bytes` in random chunks with occasional short pauses;
    /// fails once the link is dead (nothing is written after a fault).
    fn send(&mut self, to: &mut TcpStream, mut bytes: &[u8]) -> io::Result<()> {
        let plan = &self.shared.plan;
        while !bytes.is_empty() {
            if self.link.is_killed() {
                return Err(io::ErrorKind::BrokenPipe.into());
            }
            // Half the chunks are tiny, so packet headers get split too.
            let limit = if self.rng.chance(500) {
                8
            } else {
                plan.max_chunk
            };
            let n = (1 + self.rng.below(limit)).min(bytes.len());
            to.write_all(&bytes[..n])?;
            bytes = &bytes[n..];
            if self.rng.chance(plan.pause_per_mille) {
                let us = self.rng.below(plan.max_pause.as_micros() as usize + 1);
                thread::sleep(Duration::from_micros(us as u64));
            }
        }
        Ok(())
    }

    /// Notes a PUBREL sent this way, and a QoS 2 PUBLISH that breaks the
    /// rule (see [`Violation`]).
    fn watch_qos2(&self, header: u8, body: &[u8]) {
        let ty = header >> 4;
        let d = self.dir as usize;
        if ty == PacketType::Pubrel as u8 {
            if let Some(mid) = body_id(body) {
                self.shared.released.lock().unwrap()[d].insert(mid);
            }
        } else if ty == PacketType::Publish as u8 && (header >> 1) & 3 == 2 {
            // The packet id follows the topic name.
            let mid = body_id(body)
                .and_then(|topic_len| body.get(2 + usize::from(topic_len)..))
                .and_then(body_id);
            let dup = header & 0x08 != 0;
            if let Some(mid) = mid {
                let mut released = self.shared.released.lock().unwrap();
                if !dup {
                    released[d].remove(&mid);
                } else if released[d].contains(&mid) {
                    self.shared.violations.lock().unwrap().push(Violation {
                        dir: self.dir,
                        mid,
                        connection: self.index,
                        at: Instant::now(),
                    });
                }
            }
        }
    }

    fn count_packet(&self) {
        let mut records = self.shared.records.lock().unwrap();
        records[self.index].packets[self.dir as usize] += 1;
    }

    /// Records that this connection's fault fired and kills the link.
    fn fire(&self) {
        self.link.kill();
        let mut records = self.shared.records.lock().unwrap();
        records[self.index].fired = true;
        drop(records);
        let _ = self
            .shared
            .faults_left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
    }
}

/// The big-endian 16-bit number at the start of `body` (a packet id, or a
/// string's length).
fn body_id(body: &[u8]) -> Option<u16> {
    Some(u16::from_be_bytes([*body.first()?, *body.get(1)?]))
}
