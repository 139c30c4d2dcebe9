//! Outgoing QoS 1 and 2 messages: one ordered list holding both the
//! messages in flight (the window) and those queued behind it, as
//! libmosquitto keeps them.
//!
//! Each message is stored once, as its encoded PUBLISH (DUP clear); the
//! DUP bit is patched in the copy written out. A message that this
//! connection cannot take (RETAIN without Retain Available, above the
//! broker's Maximum Packet Size) is never written: it is dropped and
//! reported (see [`Outgoing::take_dropped`]).

use std::collections::VecDeque;

use super::alias::{AliasForm, OutAliases};
use super::error::SessionError;
use super::queue::Extensions;
use crate::protocol::packet::{decode, Ack, AckKind, Packet, Properties, ProtocolVersion};
use crate::protocol::property::{Identifier, Property};

/// v5 reason code "Packet too large": reported for a message dropped
/// because it exceeds the broker's Maximum Packet Size.
pub const RC_PACKET_TOO_LARGE: u8 = 0x95;
/// v5 reason code "Retain not supported": reported for a retained message
/// dropped because the broker has no Retain Available.
pub const RC_RETAIN_NOT_SUPPORTED: u8 = 0x9A;

/// Where a message is in its flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Waiting for room in the window.
    Queued,
    /// In the window; its PUBLISH is resent (DUP set) once CONNACK arrives.
    Resend,
    /// PUBLISH sent (or attempted while offline); awaiting PUBACK/PUBREC.
    AwaitAck,
    /// In the window; its PUBREL is resent once CONNACK arrives.
    Pubrel,
    /// PUBREL sent; awaiting PUBCOMP.
    AwaitComp,
}

/// One outgoing message.
#[derive(Clone, Debug)]
struct OutMsg {
    mid: u16,
    qos: u8,
    stage: Stage,
    /// Whether the next PUBLISH of it carries DUP.
    dup: bool,
    /// Whether its PUBLISH was ever written for the network (an offline
    /// attempt does not count).
    sent: bool,
    /// Whether it was sent before the current connection's CONNECT: then
    /// it is session state that the connection resumes, or discards when
    /// the broker has no session. (A PUBLISH sent before CONNACK belongs to
    /// the new connection's session.)
    earlier: bool,
    /// The encoded PUBLISH, DUP clear.
    packet: Vec<u8>,
    /// Its topic and payload bytes (what the queue byte limit counts).
    size: u32,
    /// Its place among all messages published (QoS 0 held ones too), for
    /// the bounded queue's "oldest".
    seq: u64,
    /// Its Topic Alias, when it has one.
    alias: Option<Box<Aliased>>,
}

/// The Topic Alias of a message, kept to choose how it goes out on the
/// connection that writes it (see [`AliasForm`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Aliased {
    /// The alias.
    pub alias: u16,
    /// The full topic it stands for.
    pub topic: Vec<u8>,
    /// Whether the application gave the alias without the topic.
    pub alias_only: bool,
}

/// What writing a packet needs to know about the connection.
#[derive(Clone, Copy, Debug)]
pub struct Link {
    /// Protocol version.
    pub version: ProtocolVersion,
    /// The broker's Retain Available (retained messages are not sent
    /// when false).
    pub retain_available: bool,
    /// The broker's Maximum Packet Size (0 = none); larger PUBLISHes are
    /// not sent.
    pub max_packet_size: u32,
}

impl Link {
    /// Whether a packet of `len` bytes exceeds the broker's maximum.
    pub fn oversize(&self, len: usize) -> bool {
        self.max_packet_size != 0 && len as u64 > u64::from(self.max_packet_size)
    }
}

/// The outgoing list.
#[derive(Clone, Debug, Default)]
pub struct Outgoing {
    msgs: VecDeque<OutMsg>,
    /// Messages in any stage but `Queued`.
    inflight: usize,
    /// What few connections use, allocated on first use (an idle client
    /// stays small).
    extras: Option<Box<Extras>>,
}

/// The outgoing state few connections need.
#[derive(Clone, Debug, Default)]
struct Extras {
    /// The Topic Aliases of this connection.
    aliases: OutAliases,
    /// Messages dropped at write time, with the reason code to report.
    dropped: Vec<(u16, u8)>,
    /// The extensions' settings and state.
    ext: Extensions,
    /// Topic and payload bytes of the messages held, counted once a byte
    /// limit first asks.
    bytes: Option<u64>,
    /// The place of the last message published since this part exists
    /// (those before it all have 0: older).
    seq: u64,
}

/// No Topic Alias allowed, no mapping.
static NO_ALIASES: OutAliases = OutAliases::new();

/// Result of an acknowledgement for an outgoing message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AckResult {
    /// No message with that id: ignored, as the original does.
    Unknown,
    /// The flow moved on (PUBREC: PUBREL to send).
    Progressed,
    /// The message is complete and was removed.
    Completed,
}

impl Outgoing {
    /// Number of messages held (in flight and queued).
    pub fn len(&self) -> usize {
        self.msgs.len()
    }

    /// Number of messages in the window.
    pub fn inflight(&self) -> usize {
        self.inflight
    }

    /// The stage of `mid` (for tests and diagnostics).
    pub fn stage(&self, mid: u16) -> Option<Stage> {
        self.msgs.iter().find(|m| m.mid == mid).map(|m| m.stage)
    }

    fn set_stage(&mut self, i: usize, stage: Stage) {
        let m = &mut self.msgs[i];
        match (m.stage == Stage::Queued, stage == Stage::Queued) {
            (true, false) => self.inflight += 1,
            (false, true) => self.inflight -= 1,
            _ => {}
        }
        m.stage = stage;
    }

    /// Topic and payload bytes of the messages held (counted from now on
    /// once asked).
    pub fn bytes(&mut self) -> u64 {
        let msgs = &self.msgs;
        let extras = self.extras.get_or_insert_with(Box::default);
        *extras
            .bytes
            .get_or_insert_with(|| msgs.iter().map(|m| u64::from(m.size)).sum())
    }

    /// Changes the byte count, when it is kept.
    fn count_bytes(&mut self, add: u64, sub: u64) {
        if let Some(b) = self.extras.as_mut().and_then(|r| r.bytes.as_mut()) {
            *b = *b + add - sub;
        }
    }

    /// The extensions' settings and state, when any was set.
    pub(super) fn ext(&self) -> Option<&Extensions> {
        self.extras.as_ref().map(|r| &r.ext)
    }

    /// The extensions' settings and state, to change (allocated).
    pub(super) fn ext_mut(&mut self) -> &mut Extensions {
        &mut self.extras.get_or_insert_with(Box::default).ext
    }

    /// The extensions' state, to change when it exists.
    pub(super) fn ext_if_any(&mut self) -> Option<&mut Extensions> {
        self.extras.as_mut().map(|r| &mut r.ext)
    }

    /// Whether a queue limit is set (one branch when none is).
    #[inline]
    pub(super) fn limited(&self) -> bool {
        self.extras.as_ref().is_some_and(|r| r.ext.limits.is_set())
    }

    /// The place of the next message published (QoS 0 held ones take
    /// one too); 0 until the rarely used part exists, which a queue limit
    /// makes.
    pub(super) fn next_seq(&mut self) -> u64 {
        self.extras.as_mut().map_or(0, |r| {
            r.seq += 1;
            r.seq
        })
    }

    /// The place of the oldest message never written for the network.
    pub(super) fn oldest_unsent_seq(&self) -> Option<u64> {
        self.msgs.iter().find(|m| !m.sent).map(|m| m.seq)
    }

    /// Appends a message (queued) with its encoded PUBLISH and its topic
    /// and payload size.
    pub fn push(&mut self, mid: u16, qos: u8, packet: Vec<u8>, size: u32, alias: Option<Aliased>) {
        self.count_bytes(u64::from(size), 0);
        let seq = self.next_seq();
        self.msgs.push_back(OutMsg {
            mid,
            qos,
            stage: Stage::Queued,
            dup: false,
            sent: false,
            earlier: false,
            packet,
            size,
            seq,
            alias: alias.map(Box::new),
        });
    }

    /// Drops the oldest message never written for the network, to be
    /// reported with `rc` by [`Self::take_dropped`]; returns its id, or
    /// `None` when every message held has gone out.
    pub fn drop_oldest_unsent(&mut self, rc: u8) -> Option<u16> {
        let i = self.msgs.iter().position(|m| !m.sent)?;
        let mid = self.msgs[i].mid;
        self.note_dropped(mid, rc);
        self.remove(i);
        Some(mid)
    }

    /// Records a message dropped, to be reported with `rc` by
    /// [`Self::take_dropped`].
    pub(super) fn note_dropped(&mut self, mid: u16, rc: u8) {
        self.extras
            .get_or_insert_with(Box::default)
            .dropped
            .push((mid, rc));
    }

    /// Messages this connection could not take, dropped when they were
    /// due to be written, with the v5 reason code to report in
    /// `on_publish` (0x95 packet too large, 0x9A retain not supported).
    pub fn take_dropped(&mut self) -> Vec<(u16, u8)> {
        match &mut self.extras {
            Some(r) => std::mem::take(&mut r.dropped),
            None => Vec::new(),
        }
    }

    /// The Topic Aliases of this connection.
    pub fn aliases(&self) -> &OutAliases {
        self.extras.as_ref().map_or(&NO_ALIASES, |r| &r.aliases)
    }

    /// The Topic Aliases of this connection, to change.
    pub fn aliases_mut(&mut self) -> &mut OutAliases {
        &mut self.extras.get_or_insert_with(Box::default).aliases
    }

    /// A new connection: no Topic Alias until CONNACK allows some.
    pub fn reset_aliases(&mut self) {
        if let Some(r) = &mut self.extras {
            r.aliases.reset();
        }
    }

    /// Writes message `i` (DUP as `dup`), or drops it when this connection
    /// cannot take it. Returns whether it was written; when not, the
    /// message is gone and the next one is at `i`.
    fn write_or_drop(&mut self, i: usize, dup: bool, link: &Link, out: &mut Vec<u8>) -> bool {
        let m = &self.msgs[i];
        let alias = match m.alias.as_deref() {
            Some(a) => Some((a, &mut self.extras.get_or_insert_with(Box::default).aliases)),
            None => None,
        };
        match emit(&m.packet, alias, Some(dup), link, out) {
            Ok(()) => {
                self.msgs[i].sent = true;
                true
            }
            Err(rc) => {
                let mid = m.mid;
                let extras = self.extras.get_or_insert_with(Box::default);
                extras.dropped.push((mid, rc));
                self.remove(i);
                false
            }
        }
    }

    /// Offline publish with room in the window: the original marks the
    /// first queued message as sent even though sending failed, so it is
    /// resent (with DUP) after the next connect.
    pub fn mark_first_queued_attempted(&mut self) {
        if let Some(i) = self.msgs.iter().position(|m| m.stage == Stage::Queued) {
            self.set_stage(i, Stage::AwaitAck);
        }
    }

    /// Moves queued messages into the window, in order, while it has room,
    /// writing their PUBLISH. Returns whether anything was written.
    pub fn release(&mut self, max: usize, link: &Link, out: &mut Vec<u8>) -> bool {
        let mut wrote = false;
        let mut i = 0;
        while self.inflight < max && i < self.msgs.len() {
            if self.msgs[i].stage == Stage::Queued {
                self.set_stage(i, Stage::AwaitAck);
                if !self.write_or_drop(i, self.msgs[i].dup, link, out) {
                    continue;
                }
                wrote = true;
            }
            i += 1;
        }
        wrote
    }

    /// A new network connection starts (CONNECT about to be sent): within
    /// the window of `max` messages, QoS 1 messages and QoS 2 messages
    /// awaiting PUBREC are to be resent, QoS 2 messages past PUBREC get
    /// their PUBREL resent; everything past the window is queued again
    /// (`message__reconnect_reset`). PUBREL stages are never put back in
    /// the queue, which would publish them again.
    pub fn reconnect_reset(&mut self, max: usize) {
        let mut count = 0;
        for i in 0..self.msgs.len() {
            let m = &mut self.msgs[i];
            m.earlier = m.sent;
            let stage = match (m.qos, m.stage) {
                (_, Stage::Pubrel | Stage::AwaitComp) => Stage::Pubrel,
                // A QoS 2 message never sent stays queued (the original
                // leaves it unsent until some later release; it is
                // released right after CONNACK here instead).
                (2, Stage::Queued) => Stage::Queued,
                _ if count < max => Stage::Resend,
                _ => Stage::Queued,
            };
            if stage != Stage::Queued {
                count += 1;
            }
            self.set_stage(i, stage);
        }
    }

    /// CONNACK arrived with the window `max` (the broker's Receive
    /// Maximum): messages past it are queued again, then every `Resend`
    /// PUBLISH (DUP set) and `Pubrel` PUBREL is written, then queued
    /// messages are released into the remaining room. Returns whether
    /// anything was written.
    pub fn connack_reset(&mut self, max: usize, link: &Link, out: &mut Vec<u8>) -> bool {
        let mut count = 0;
        for i in 0..self.msgs.len() {
            match self.msgs[i].stage {
                Stage::Pubrel | Stage::AwaitComp => count += 1,
                Stage::Resend | Stage::AwaitAck if count < max => count += 1,
                Stage::Resend | Stage::AwaitAck => self.set_stage(i, Stage::Queued),
                Stage::Queued => {}
            }
        }
        let mut wrote = false;
        let mut i = 0;
        while i < self.msgs.len() {
            match self.msgs[i].stage {
                Stage::Resend => {
                    self.set_stage(i, Stage::AwaitAck);
                    self.msgs[i].dup = true;
                    if !self.write_or_drop(i, true, link, out) {
                        continue;
                    }
                    wrote = true;
                }
                Stage::Pubrel => {
                    self.set_stage(i, Stage::AwaitComp);
                    write_pubrel(self.msgs[i].mid, link.version, out);
                    wrote = true;
                }
                _ => {}
            }
            i += 1;
        }
        wrote | self.release(max, link, out)
    }

    /// The session is not present on the broker [MQTT-3.2.2-5]: removes
    /// every message whose PUBLISH went out on an earlier connection (its
    /// flow cannot go on in a new session) and returns their ids, in
    /// order. Messages never sent stay, to be sent in the new session, as
    /// do those sent on this connection before its CONNACK.
    pub fn discard_sent(&mut self) -> Vec<u16> {
        let mut dropped = Vec::new();
        let mut inflight = 0;
        let mut bytes = 0;
        self.msgs.retain(|m| {
            if m.earlier {
                dropped.push(m.mid);
                inflight += usize::from(m.stage != Stage::Queued);
                bytes += u64::from(m.size);
            }
            !m.earlier
        });
        self.inflight -= inflight;
        self.count_bytes(0, bytes);
        dropped
    }

    fn find(&self, mid: u16) -> Option<usize> {
        self.msgs.iter().position(|m| m.mid == mid)
    }

    fn remove(&mut self, i: usize) {
        self.set_stage(i, Stage::Queued);
        self.count_bytes(0, u64::from(self.msgs[i].size));
        self.msgs.remove(i);
    }

    /// PUBACK (`qos` 1) or PUBCOMP (`qos` 2) for `mid`: completes the
    /// message; an id held with the other QoS is a protocol error.
    pub fn complete(&mut self, mid: u16, qos: u8) -> Result<AckResult, SessionError> {
        let Some(i) = self.find(mid) else {
            return Ok(AckResult::Unknown);
        };
        if self.msgs[i].qos != qos {
            return Err(SessionError::Protocol);
        }
        self.remove(i);
        Ok(AckResult::Completed)
    }

    /// PUBREC for `mid`: a failure code (v5, >= 0x80) completes the
    /// message, success moves it to PUBREL. A QoS 1 id is a protocol error.
    pub fn pubrec(&mut self, mid: u16, failed: bool) -> Result<AckResult, SessionError> {
        let Some(i) = self.find(mid) else {
            return Ok(AckResult::Unknown);
        };
        if self.msgs[i].qos != 2 {
            return Err(SessionError::Protocol);
        }
        if failed {
            self.remove(i);
            Ok(AckResult::Completed)
        } else {
            self.set_stage(i, Stage::AwaitComp);
            Ok(AckResult::Progressed)
        }
    }
}

/// Writes an encoded PUBLISH as this connection needs it: DUP set as
/// `dup` says (`None`: as encoded), a Topic Alias in the form the
/// connection allows ([`OutAliases::form`]). Nothing is written, and the
/// v5 reason code to report is returned, when the connection cannot take
/// it: RETAIN without Retain Available (0x9A) or above the broker's
/// Maximum Packet Size (0x95). Nothing is ever rewritten but the alias.
pub(super) fn emit(
    packet: &[u8],
    alias: Option<(&Aliased, &mut OutAliases)>,
    dup: Option<bool>,
    link: &Link,
    out: &mut Vec<u8>,
) -> Result<(), u8> {
    if packet[0] & 0x01 != 0 && !link.retain_available {
        return Err(RC_RETAIN_NOT_SUPPORTED);
    }
    let start = out.len();
    let form = alias.as_ref().map_or(AliasForm::AsGiven, |(a, aliases)| {
        aliases.form(a.alias, &a.topic, a.alias_only)
    });
    match (&alias, form) {
        (Some((a, _)), AliasForm::TopicAndAlias | AliasForm::TopicOnly) => {
            rewrite(packet, a, form == AliasForm::TopicOnly, link.version, out)
        }
        _ => out.extend_from_slice(packet),
    }
    if let Some(dup) = dup {
        out[start] = (out[start] & !0x08) | (u8::from(dup) << 3);
    }
    if link.oversize(out.len() - start) {
        out.truncate(start);
        return Err(RC_PACKET_TOO_LARGE);
    }
    if let Some((a, aliases)) = alias.filter(|_| form != AliasForm::TopicOnly) {
        aliases.note_sent(a.alias, &a.topic);
    }
    Ok(())
}

/// Writes `packet` again with the full topic of `a` and, when
/// `drop_alias`, without its Topic Alias property.
fn rewrite(packet: &[u8], a: &Aliased, drop_alias: bool, v: ProtocolVersion, out: &mut Vec<u8>) {
    let Ok(Packet::Publish(mut p)) = decode(packet, v) else {
        unreachable!("a stored PUBLISH decodes");
    };
    let props: Vec<Property<'_>> = p
        .properties
        .iter()
        .filter(|q| !(drop_alias && q.id == Identifier::TopicAlias))
        .collect();
    p.topic = &a.topic;
    p.properties = Properties::List(&props);
    p.write(v, out);
}

/// Writes PUBREL for `mid`.
pub fn write_pubrel(mid: u16, version: ProtocolVersion, out: &mut Vec<u8>) {
    Ack {
        kind: AckKind::Pubrel,
        packet_id: mid,
        reason_code: 0,
        properties: Properties::EMPTY,
    }
    .write(version, out);
}
