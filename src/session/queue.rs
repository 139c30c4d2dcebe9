//! Extensions beyond the original, all off by default: a bounded outgoing
//! queue (a most number of messages and of payload+topic bytes, with a
//! policy for a full queue) and a disconnect that first lets queued
//! messages be sent and acknowledged.
//!
//! With nothing set the session behaves exactly as libmosquitto: the
//! publish path pays one branch on [`QueueLimits::is_set`] (QoS 0 only
//! when the runtime's write buffer is not empty).
//!
//! QoS 0 messages have no window: the original appends them to its write
//! buffer at once, where nothing bounds them. With a limit set, a QoS 0
//! PUBLISH made while the runtime's write buffer still holds bytes (the
//! socket did not take the previous write) is held here instead, counted
//! against the limits with the QoS 1/2 messages, and handed to the runtime
//! once its buffer has emptied ([`Held::release`]). So QoS 0 bytes waiting
//! for the socket never exceed the limits plus the one batch the runtime
//! is writing.

use std::collections::VecDeque;

use super::config::OwnedProperties;

/// v5 reason code "Quota exceeded": reported in `on_publish` for a message
/// the bounded queue dropped.
pub const RC_QUOTA_EXCEEDED: u8 = 0x97;

/// What a full queue does with a new message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum QueuePolicy {
    /// The new message is refused (`NoMem`), nothing is queued.
    #[default]
    Reject,
    /// The oldest queued message not yet written for the network is
    /// dropped (reported with 0x97) to make room.
    DropOldest,
}

/// Limits on the outgoing messages held: QoS 0 not yet handed to the
/// socket, QoS 1/2 queued or awaiting acknowledgement. 0 = no limit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueLimits {
    /// Most messages held.
    pub max_msgs: u32,
    /// Most KiB (1024 bytes) of payload and topic held.
    pub max_kib: u32,
    /// What a full queue does.
    pub policy: QueuePolicy,
}

impl QueueLimits {
    /// Whether any limit is set.
    #[inline]
    pub fn is_set(&self) -> bool {
        self.max_msgs != 0 || self.max_kib != 0
    }

    /// The byte limit (0 = none).
    pub fn max_bytes(&self) -> u64 {
        u64::from(self.max_kib) * 1024
    }
}

/// The extension settings and state, kept in the outgoing list's rarely
/// allocated part (an idle client stays small).
#[derive(Clone, Debug, Default)]
pub(super) struct Extensions {
    /// Limits on the outgoing queue.
    pub limits: QueueLimits,
    /// How long a disconnect may wait for queued messages, in ms (0: it
    /// does not wait, as the original).
    pub flush_ms: u32,
    /// A disconnect waiting for queued messages.
    pub flush: Option<Flush>,
    /// QoS 0 messages waiting for the runtime's write buffer to empty.
    pub held: Held,
}

/// A QoS 0 PUBLISH held while the runtime's write buffer is busy.
#[derive(Clone, Debug)]
struct HeldMsg {
    /// Its place among all messages published (see `Outgoing::seq`).
    seq: u64,
    mid: u16,
    /// The encoded PUBLISH.
    packet: Vec<u8>,
    /// Its topic and payload bytes.
    size: u32,
}

/// The QoS 0 messages held, oldest first.
#[derive(Clone, Debug, Default)]
pub(super) struct Held {
    msgs: VecDeque<HeldMsg>,
    /// Topic and payload bytes of `msgs`.
    bytes: u64,
    /// `(mid, end)` of each message released since the runtime last
    /// asked: its PUBLISH ends at `end` in the runtime's buffer.
    released: Vec<(u16, usize)>,
}

impl Held {
    /// Number of messages held.
    pub fn len(&self) -> usize {
        self.msgs.len()
    }

    /// Whether nothing is held and nothing released waits to be asked for.
    pub fn is_idle(&self) -> bool {
        self.msgs.is_empty() && self.released.is_empty()
    }

    /// Topic and payload bytes held.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Whether `mid` is the newest message held.
    pub fn is_newest(&self, mid: u16) -> bool {
        self.msgs.back().is_some_and(|m| m.mid == mid)
    }

    /// The place of the oldest message held.
    pub fn oldest_seq(&self) -> Option<u64> {
        self.msgs.front().map(|m| m.seq)
    }

    /// Holds an encoded QoS 0 PUBLISH.
    pub fn push(&mut self, seq: u64, mid: u16, packet: Vec<u8>, size: u32) {
        self.bytes += u64::from(size);
        self.msgs.push_back(HeldMsg {
            seq,
            mid,
            packet,
            size,
        });
    }

    /// Forgets the oldest message; returns its id.
    pub fn pop_oldest(&mut self) -> Option<u16> {
        let m = self.msgs.pop_front()?;
        self.bytes -= u64::from(m.size);
        Some(m.mid)
    }

    /// Appends every message held to `out`, in order, noting where each
    /// ends (see [`Self::take_released`]). Returns whether any was.
    pub fn release(&mut self, out: &mut Vec<u8>) -> bool {
        let any = !self.msgs.is_empty();
        for m in self.msgs.drain(..) {
            out.extend_from_slice(&m.packet);
            self.released.push((m.mid, out.len()));
        }
        self.bytes = 0;
        any
    }

    /// The messages released since the last call, with where each ends.
    pub fn take_released(&mut self) -> Vec<(u16, usize)> {
        std::mem::take(&mut self.released)
    }

    /// The connection is gone: what is held goes with the write buffer
    /// (as the original's queued QoS 0 packets do).
    pub fn clear(&mut self) {
        self.msgs.clear();
        self.bytes = 0;
        self.released.clear();
    }
}

/// A DISCONNECT the application asked for, held back while queued
/// messages are flushed.
#[derive(Clone, Debug)]
pub(super) struct Flush {
    /// Its reason code.
    pub reason_code: u8,
    /// Its properties (checked when it was asked for).
    pub properties: OwnedProperties,
    /// When it goes out even with messages still unacknowledged.
    pub deadline: u64,
}
