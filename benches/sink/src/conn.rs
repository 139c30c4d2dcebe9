//! One client connection of the sink: MQTT framing, replies, counters and
//! the optional PUBLISH flood, as buffers that the server's task reads
//! into and writes from (no I/O here).

/// Initial size of a connection's read buffer (grown for larger packets).
const READ_BUF: usize = 256 * 1024;
/// Stop generating flood packets once this many bytes wait to be written.
const WRITE_HIGH: usize = 256 * 1024;
/// Topic of the message a client sends after its last counted PUBLISH.
pub const DONE_TOPIC: &[u8] = b"bench/done";
/// Topic of the sink's answer to [`DONE_TOPIC`]: payload `"<msgs> <bytes>"`.
pub const REPORT_TOPIC: &[u8] = b"bench/report";
/// Topic of every flooded PUBLISH.
const FLOOD_TOPIC: &[u8] = b"flood";

/// A flood requested by subscribing to `flood/<qos>/<count>/<size>/<window>`.
struct Flood {
    qos: u8,
    remaining: u64,
    /// Packets sent but not yet completely acknowledged (QoS 1 and 2).
    inflight: u32,
    window: u32,
    next_id: u16,
    /// One encoded PUBLISH; for QoS > 0 the packet id sits at `id_at`.
    packet: Vec<u8>,
    id_at: usize,
}

impl Flood {
    /// Parses the subscription topic `flood/<qos>/<count>/<size>[/<window>]`.
    fn parse(topic: &[u8], v5: bool) -> Option<Flood> {
        let text = std::str::from_utf8(topic).ok()?;
        let mut parts = text.strip_prefix("flood/")?.split('/');
        let qos: u8 = parts.next()?.parse().ok()?;
        let count: u64 = parts.next()?.parse().ok()?;
        let size: usize = parts.next()?.parse().ok()?;
        let window: u32 = parts.next().unwrap_or("100").parse().ok()?;
        if qos > 2 || window == 0 || window > 60_000 {
            return None;
        }
        let mut rem = 2 + FLOOD_TOPIC.len() + size;
        if qos > 0 {
            rem += 2;
        }
        if v5 {
            rem += 1;
        }
        let mut packet = vec![0x30 | (qos << 1)];
        push_varint(&mut packet, rem);
        packet.extend_from_slice(&(FLOOD_TOPIC.len() as u16).to_be_bytes());
        packet.extend_from_slice(FLOOD_TOPIC);
        let id_at = packet.len();
        if qos > 0 {
            packet.extend_from_slice(&[0, 0]);
        }
        if v5 {
            packet.push(0);
        }
        packet.extend((0..size).map(|i| b'a' + (i % 26) as u8));
        Some(Flood {
            qos,
            remaining: count,
            inflight: 0,
            window,
            next_id: 0,
            packet,
            id_at,
        })
    }

    /// Appends flood packets to `out` until the window or buffer is full.
    fn fill(&mut self, out: &mut Vec<u8>) {
        while self.remaining > 0 && out.len() < WRITE_HIGH {
            if self.qos > 0 {
                if self.inflight >= self.window {
                    return;
                }
                self.next_id = if self.next_id == u16::MAX {
                    1
                } else {
                    self.next_id + 1
                };
                let at = self.id_at;
                self.packet[at..at + 2].copy_from_slice(&self.next_id.to_be_bytes());
                self.inflight += 1;
            }
            out.extend_from_slice(&self.packet);
            self.remaining -= 1;
        }
    }

    /// Whether every packet was sent and acknowledged.
    fn finished(&self) -> bool {
        self.remaining == 0 && self.inflight == 0
    }
}

/// Appends an MQTT variable byte integer.
pub fn push_varint(out: &mut Vec<u8>, mut n: usize) {
    loop {
        let mut b = (n % 128) as u8;
        n /= 128;
        if n > 0 {
            b |= 0x80;
        }
        out.push(b);
        if n == 0 {
            return;
        }
    }
}

/// Reads a big-endian u16 at `at`, if present.
fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

/// Skips an MQTT 5 property block starting at `at`; returns the offset after it.
fn skip_props(b: &[u8], at: usize) -> Option<usize> {
    let (len, used) = read_varint(b.get(at..)?)?;
    Some(at + used + len)
}

/// Decodes a variable byte integer: `(value, bytes used)`, `None` if incomplete.
fn read_varint(b: &[u8]) -> Option<(usize, usize)> {
    let mut value = 0usize;
    for (i, &byte) in b.iter().take(4).enumerate() {
        value |= ((byte & 0x7f) as usize) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// The protocol state of a connection, apart from its read buffer.
struct State {
    v5: bool,
    msgs: u64,
    bytes: u64,
    out: Vec<u8>,
    flood: Option<Flood>,
}

impl State {
    /// Handles one complete packet; `false` closes the connection.
    fn handle(&mut self, hdr: u8, body: &[u8]) -> bool {
        match hdr >> 4 {
            1 => self.on_connect(body),
            3 => self.on_publish(hdr, body).is_some(),
            4 | 7 => {
                if let Some(f) = self.flood.as_mut() {
                    f.inflight = f.inflight.saturating_sub(1);
                    if f.finished() {
                        self.flood = None;
                    }
                }
                true
            }
            5 => self.ack(0x62, body),
            6 => self.ack(0x70, body),
            8 => self.on_subscribe(body).is_some(),
            10 => self.on_unsubscribe(body).is_some(),
            12 => {
                self.out.extend_from_slice(&[0xd0, 0]);
                true
            }
            _ => false,
        }
    }

    fn on_connect(&mut self, body: &[u8]) -> bool {
        let Some(name_len) = be16(body, 0) else {
            return false;
        };
        self.v5 = body.get(2 + name_len as usize) == Some(&5);
        if self.v5 {
            self.out.extend_from_slice(&[0x20, 3, 0, 0, 0]);
        } else {
            self.out.extend_from_slice(&[0x20, 2, 0, 0]);
        }
        true
    }

    fn on_publish(&mut self, hdr: u8, body: &[u8]) -> Option<()> {
        let qos = (hdr >> 1) & 3;
        let tlen = be16(body, 0)? as usize;
        let topic = body.get(2..2 + tlen)?;
        let mut at = 2 + tlen;
        let mut id = 0;
        if qos > 0 {
            id = be16(body, at)?;
            at += 2;
        }
        if self.v5 {
            at = skip_props(body, at)?;
        }
        let payload = body.get(at..)?;
        match qos {
            1 => self
                .out
                .extend_from_slice(&[0x40, 2, (id >> 8) as u8, id as u8]),
            2 => self
                .out
                .extend_from_slice(&[0x50, 2, (id >> 8) as u8, id as u8]),
            _ => {}
        }
        if topic == DONE_TOPIC {
            let report = format!("{} {}", self.msgs, self.bytes);
            self.msgs = 0;
            self.bytes = 0;
            let rem = 2 + REPORT_TOPIC.len() + usize::from(self.v5) + report.len();
            self.out.push(0x30);
            push_varint(&mut self.out, rem);
            self.out
                .extend_from_slice(&(REPORT_TOPIC.len() as u16).to_be_bytes());
            self.out.extend_from_slice(REPORT_TOPIC);
            if self.v5 {
                self.out.push(0);
            }
            self.out.extend_from_slice(report.as_bytes());
        } else {
            self.msgs += 1;
            self.bytes += payload.len() as u64;
        }
        Some(())
    }

    /// Answers PUBREC with PUBREL, PUBREL with PUBCOMP (same packet id).
    fn ack(&mut self, first: u8, body: &[u8]) -> bool {
        let Some(id) = be16(body, 0) else {
            return false;
        };
        self.out
            .extend_from_slice(&[first, 2, (id >> 8) as u8, id as u8]);
        true
    }

    fn on_subscribe(&mut self, body: &[u8]) -> Option<()> {
        let id = be16(body, 0)?;
        let mut at = 2;
        if self.v5 {
            at = skip_props(body, at)?;
        }
        let mut granted = Vec::new();
        let mut flood = None;
        while at < body.len() {
            let tlen = be16(body, at)? as usize;
            let topic = body.get(at + 2..at + 2 + tlen)?;
            let opts = *body.get(at + 2 + tlen)?;
            granted.push(opts & 3);
            if flood.is_none() {
                flood = Flood::parse(topic, self.v5);
            }
            at += 3 + tlen;
        }
        self.out.push(0x90);
        push_varint(&mut self.out, 2 + usize::from(self.v5) + granted.len());
        self.out.extend_from_slice(&id.to_be_bytes());
        if self.v5 {
            self.out.push(0);
        }
        self.out.extend_from_slice(&granted);
        if flood.is_some() {
            self.flood = flood;
        }
        Some(())
    }

    fn on_unsubscribe(&mut self, body: &[u8]) -> Option<()> {
        let id = be16(body, 0)?;
        if self.v5 {
            let mut at = skip_props(body, 2)?;
            let mut codes = 0;
            while at < body.len() {
                at += 2 + be16(body, at)? as usize;
                codes += 1;
            }
            self.out.push(0xb0);
            push_varint(&mut self.out, 3 + codes);
            self.out.extend_from_slice(&id.to_be_bytes());
            self.out.push(0);
            self.out.extend(std::iter::repeat_n(0u8, codes));
        } else {
            self.out
                .extend_from_slice(&[0xb0, 2, (id >> 8) as u8, id as u8]);
        }
        Some(())
    }
}

/// Bytes read from the client and not handled yet.
pub struct Input {
    buf: Vec<u8>,
    len: usize,
}

impl Input {
    /// Free space to read into (the buffer doubles when full).
    pub fn space(&mut self) -> &mut [u8] {
        if self.len == self.buf.len() {
            let grown = self.buf.len() * 2;
            self.buf.resize(grown, 0);
        }
        &mut self.buf[self.len..]
    }
}

/// Bytes for the client, sent from `pos`.
pub struct Output {
    bytes: Vec<u8>,
    pos: usize,
}

impl Output {
    /// What still waits for the socket.
    pub fn pending(&self) -> &[u8] {
        &self.bytes[self.pos..]
    }
}

/// One client connection's protocol side, without its socket: the
/// server's task reads into [`Conn::input`] and writes
/// [`Conn::output`]'s pending bytes.
pub struct Conn {
    /// What was read and not handled yet.
    pub input: Input,
    /// What waits to be written.
    pub output: Output,
    state: State,
}

impl Conn {
    /// A fresh connection.
    pub fn new() -> Conn {
        Conn {
            input: Input {
                buf: vec![0; READ_BUF],
                len: 0,
            },
            output: Output {
                bytes: Vec::new(),
                pos: 0,
            },
            state: State {
                v5: false,
                msgs: 0,
                bytes: 0,
                out: Vec::new(),
                flood: None,
            },
        }
    }

    /// Takes `n` more bytes read into [`Input::space`] and handles every
    /// complete packet; `false` closes the connection.
    pub fn on_read(&mut self, n: usize) -> bool {
        self.input.len += n;
        let ok = self.parse();
        self.take_replies();
        ok
    }

    /// Handles every complete packet in the read buffer.
    fn parse(&mut self) -> bool {
        let (buf, len) = (&mut self.input.buf, &mut self.input.len);
        let mut pos = 0;
        while *len - pos >= 2 {
            let avail = &buf[pos..*len];
            let Some((rem, used)) = read_varint(&avail[1..]) else {
                if avail.len() >= 5 {
                    return false;
                }
                break;
            };
            let total = 1 + used + rem;
            if avail.len() < total {
                break;
            }
            if avail[0] >> 4 == 14 {
                return false;
            }
            if !self.state.handle(avail[0], &avail[1 + used..total]) {
                return false;
            }
            pos += total;
        }
        buf.copy_within(pos..*len, 0);
        *len -= pos;
        true
    }

    /// Moves the replies of the packets handled into the output.
    fn take_replies(&mut self) {
        if self.output.pending().is_empty() {
            std::mem::swap(&mut self.output.bytes, &mut self.state.out);
            self.state.out.clear();
            self.output.pos = 0;
        } else {
            self.output.bytes.extend_from_slice(&self.state.out);
            self.state.out.clear();
        }
    }

    /// Adds flood packets to the output while it has room.
    pub fn refill(&mut self) {
        let Some(f) = self.state.flood.as_mut() else {
            return;
        };
        let out = &mut self.output;
        if out.pos > 0 && out.pos == out.bytes.len() {
            out.bytes.clear();
            out.pos = 0;
        }
        f.fill(&mut out.bytes);
        if f.finished() {
            self.state.flood = None;
        }
    }

    /// Marks `n` output bytes as written.
    pub fn wrote(&mut self, n: usize) {
        let out = &mut self.output;
        out.pos += n;
        if out.pos == out.bytes.len() {
            out.bytes.clear();
            out.pos = 0;
        } else if out.pos > WRITE_HIGH {
            out.bytes.drain(..out.pos);
            out.pos = 0;
        }
    }
}
