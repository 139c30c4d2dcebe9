//! `session`: a connected [`Session`] driven by arbitrary input — frames
//! from the "broker" interleaved with API calls, clock ticks and
//! reconnections. It must never panic, and every byte it writes must
//! decode as a packet a client may send.
//!
//! Each connection's CONNACK sets limits that change from one connection to
//! the next (the broker's Topic Alias Maximum, Receive Maximum, Retain
//! Available and Maximum Packet Size), and ours are small (Receive Maximum
//! 2, Topic Alias Maximum 4, sometimes Request Problem Information 0), so
//! that aliases per connection and the inbound quota meet every state;
//! whatever the session writes must respect the limits in force.
//!
//! Input: one configuration byte, then operations. An operation is one
//! byte; the frame operations are followed by one MQTT packet, framed by
//! its own fixed header (so a seed reads as opcodes between real
//! packets); the others take at most one argument byte.

use mosquitto::protocol::packet::{decode, frame, Packet, PacketType, ProtocolVersion};
use mosquitto::protocol::property::{Identifier, Property, Value, CMD_CONNECT};
use mosquitto::session::{Config, Event, OwnedProperties, Session, WillConfig};

/// Opcodes (the operation byte modulo 10); 0 to 3 are all "a frame".
const OP_FRAME_LAST: u8 = 3;
const OP_PUBLISH: u8 = 4;
const OP_SUBSCRIBE: u8 = 5;
const OP_UNSUBSCRIBE: u8 = 6;
const OP_TICK: u8 = 7;
const OP_DISCONNECT: u8 = 8;
const OP_RECONNECT: u8 = 9;

/// Topics the publish operation picks from.
const TOPICS: [&[u8]; 4] = [b"a/b", b"t", b"$SYS/x", b"a/b/c"];

/// Runs the session over `data`.
pub fn session(data: &[u8]) {
    let Some((&cfg, mut rest)) = data.split_first() else {
        return;
    };
    let mut d = Driver::new(cfg);
    while let Some((&op, tail)) = rest.split_first() {
        rest = tail;
        let op = op % 10;
        if op <= OP_FRAME_LAST {
            rest = d.frame(rest);
            continue;
        }
        let arg = match rest.split_first() {
            Some((&a, tail)) => {
                rest = tail;
                a
            }
            None => 0,
        };
        d.op(op, arg);
    }
}

struct Driver {
    s: Session,
    v: ProtocolVersion,
    session_present: bool,
    now: u64,
    out: Vec<u8>,
    /// Connections made so far (picks each CONNACK's limits).
    connects: u32,
    /// The limits of the connection in force (v5).
    limits: Limits,
}

/// What the broker's CONNACK allowed on the current connection.
#[derive(Clone, Copy, Default)]
struct Limits {
    /// Topic Alias Maximum (0: none).
    alias_max: u16,
    /// Retain Available.
    retain: bool,
    /// Maximum Packet Size (0: none).
    max_packet: u32,
}

impl Driver {
    /// Configuration byte: bits 0-1 the version (V31, V311, V5, V5), bit 2
    /// the CONNACK's session present flag (with Clean Start 0 only), bit 3
    /// clean start, bit 4 a will, bits 5-7 the send maximum (1 to 8; 0 keeps
    /// the default).
    fn new(cfg: u8) -> Self {
        let v = match cfg & 3 {
            0 => ProtocolVersion::V31,
            1 => ProtocolVersion::V311,
            _ => ProtocolVersion::V5,
        };
        let mut c = Config::new(Some(b"fuzz"), cfg & 8 != 0);
        c.version = v;
        c.keepalive = 5;
        if v.is_v5() {
            let mut props = vec![Property {
                id: Identifier::TopicAliasMaximum,
                value: Value::Int16(4),
            }];
            if cfg.count_ones() % 2 == 1 {
                props.push(Property {
                    id: Identifier::RequestProblemInformation,
                    value: Value::Byte(0),
                });
            }
            c.connect_properties =
                OwnedProperties::new(CMD_CONNECT, &props).expect("valid CONNECT properties");
        }
        if cfg & 0x10 != 0 {
            let will = WillConfig::new(v, b"will/t", b"bye", 1, true, &[]).expect("valid will");
            c.will = Some(Box::new(will));
        }
        let mut s = Session::new(c);
        if cfg >> 5 != 0 {
            s.set_send_maximum(u16::from(cfg >> 5));
        }
        // Our inbound quota: two QoS 2 messages awaiting PUBREL.
        s.set_receive_maximum(2);
        let mut d = Driver {
            s,
            v,
            // A broker may not claim a session after Clean Start 1
            // [MQTT-3.2.2-4] (the session closes on that).
            session_present: cfg & 4 != 0 && cfg & 8 == 0,
            now: 0,
            out: Vec::new(),
            connects: 0,
            limits: Limits::default(),
        };
        d.connect();
        d
    }

    /// Writes CONNECT and answers with an accepting CONNACK whose limits
    /// depend on how many connections came before.
    fn connect(&mut self) {
        self.s
            .start_connect(self.now, &mut self.out)
            .expect("the configuration is valid");
        self.check_out();
        self.connects += 1;
        let n = self.connects;
        let mut connack = vec![0x20, 2, u8::from(self.session_present), 0];
        self.limits = Limits {
            alias_max: 0,
            retain: true,
            max_packet: 0,
        };
        if self.v.is_v5() {
            self.limits = Limits {
                alias_max: [0, 2, 1][(n % 3) as usize],
                retain: n % 4 != 3,
                max_packet: if n % 5 == 4 { 40 } else { 0 },
            };
            let mut props = Vec::new();
            if self.limits.alias_max > 0 {
                props.extend_from_slice(&[0x22, 0, self.limits.alias_max as u8]);
            }
            if !self.limits.retain {
                props.extend_from_slice(&[0x25, 0]);
            }
            if self.limits.max_packet > 0 {
                props.push(0x27);
                props.extend_from_slice(&self.limits.max_packet.to_be_bytes());
            }
            if n.is_multiple_of(2) {
                // Receive Maximum 1.
                props.extend_from_slice(&[0x21, 0, 1]);
            }
            connack.push(props.len() as u8);
            connack.extend_from_slice(&props);
            connack[1] = (connack.len() - 2) as u8;
        }
        let h = self.s.handle_packet(&connack, self.now, &mut self.out);
        assert_eq!(h.close, None, "CONNACK refused");
        assert!(
            matches!(h.event, Some(Event::Connected { rc: 0, .. })),
            "{:?}",
            h.event
        );
        assert!(self.s.is_connected());
        self.check_out();
    }

    /// Feeds the packet at the start of `data` (or, when its header is
    /// incomplete, invalid or announces more than there is, all of
    /// `data`) as one frame; returns what follows it.
    fn frame<'a>(&mut self, data: &'a [u8]) -> &'a [u8] {
        let n = match frame(data, 0) {
            Ok(Some(f)) if f.total_len() <= data.len() => f.total_len(),
            _ => data.len(),
        };
        let (packet, rest) = data.split_at(n);
        self.now += 10;
        let h = self.s.handle_packet(packet, self.now, &mut self.out);
        let ended = h.close.is_some() || matches!(h.event, Some(Event::Disconnected { .. }));
        if h.close.is_some() {
            assert!(!self.s.is_connected(), "closed but connected: {h:?}");
        }
        if let Some(Event::Message(m)) = &h.event {
            assert!(m.qos <= 2);
            assert!(!m.topic().is_empty(), "message without a topic");
        }
        self.check_out();
        if ended {
            self.s.connection_lost();
            self.connect();
        }
        rest
    }

    /// One API call or clock event.
    fn op(&mut self, op: u8, arg: u8) {
        let props_alias = [Property {
            id: Identifier::TopicAlias,
            value: Value::Int16(1),
        }];
        match op {
            OP_PUBLISH => {
                let mut topic = TOPICS[usize::from(arg >> 2) % TOPICS.len()];
                if self.v.is_v5() && arg & 0x48 == 0x48 {
                    // An alias alone: valid only where it was set on this
                    // connection.
                    topic = b"";
                }
                let props: &[Property<'_>] = if self.v.is_v5() && arg & 0x40 != 0 {
                    &props_alias
                } else {
                    &[]
                };
                let (qos, retain) = (arg % 4, arg & 0x80 != 0);
                let _ = if qos == 0 && props.is_empty() && arg & 0x20 != 0 {
                    // The QoS 0 fast path (unit tests prove it equal to
                    // the full path; here it meets every session state).
                    self.s
                        .publish_qos0(topic, b"payload", retain, &mut self.out)
                } else {
                    self.s.publish(
                        topic,
                        b"payload",
                        qos,
                        retain,
                        props,
                        self.now,
                        &mut self.out,
                    )
                };
            }
            OP_SUBSCRIBE => {
                let filters: [&[u8]; 2] = [b"a/#", b"+/b"];
                let n = 1 + usize::from(arg & 1);
                let _ = self
                    .s
                    .subscribe(&filters[..n], arg % 3, 0, &[], self.now, &mut self.out);
            }
            OP_UNSUBSCRIBE => {
                let _ = self.s.unsubscribe(&[b"a/#"], &[], self.now, &mut self.out);
            }
            OP_TICK => {
                self.now += u64::from(arg) * 100;
                if self.s.tick(self.now, &mut self.out).is_err() {
                    assert!(!self.s.is_connected());
                    self.check_out();
                    self.connect();
                }
            }
            OP_DISCONNECT => {
                let _ = self.s.disconnect(0, &[], self.now, &mut self.out);
                self.check_out();
                self.s.connection_lost();
                self.connect();
            }
            OP_RECONNECT => {
                self.s.connection_lost();
                self.connect();
            }
            _ => unreachable!("opcode {op}"),
        }
        self.check_out();
        assert!(self.s.outgoing_inflight() <= self.s.outgoing_len());
    }

    /// Everything written since the last check must be whole packets that
    /// decode, of the kinds a client sends (PINGRESP included: like
    /// libmosquitto, the session answers a broker's PINGREQ); then it is
    /// dropped.
    fn check_out(&mut self) {
        let mut rest = &self.out[..];
        while !rest.is_empty() {
            let f = frame(rest, 0)
                .unwrap_or_else(|e| panic!("written bytes {rest:02x?} do not frame: {e}"))
                .unwrap_or_else(|| panic!("written bytes {rest:02x?} end mid-header"));
            assert!(
                f.total_len() <= rest.len(),
                "written packet cut short: {rest:02x?}"
            );
            let (packet, tail) = rest.split_at(f.total_len());
            let limits = self.limits;
            if limits.max_packet > 0 && !packet.starts_with(&[0x10]) {
                assert!(
                    packet.len() <= limits.max_packet as usize,
                    "a {}-byte packet above the broker's maximum {}: {packet:02x?}",
                    packet.len(),
                    limits.max_packet
                );
            }
            let p = decode(packet, self.v)
                .unwrap_or_else(|e| panic!("written packet {packet:02x?} does not decode: {e}"));
            if let Packet::Publish(publish) = &p {
                if !limits.retain && !packet.starts_with(&[0x10]) {
                    assert!(!publish.retain, "RETAIN without Retain Available");
                }
                if let Some(alias) = publish.topic_alias() {
                    assert!(
                        alias >= 1 && alias <= limits.alias_max,
                        "alias {alias} with a maximum of {}",
                        limits.alias_max
                    );
                }
            }
            let t = p.packet_type();
            assert!(
                !matches!(
                    t,
                    PacketType::Connack | PacketType::Suback | PacketType::Unsuback
                ),
                "a client never sends {t:?}: {packet:02x?}"
            );
            if let Packet::Connect(c) = p {
                assert_eq!(c.version, self.v);
            }
            if !self.v.is_v5() {
                assert!(!matches!(t, PacketType::Auth));
            }
            rest = tail;
        }
        self.out.clear();
    }
}
