//! Extensions beyond the original, all off by default: a bounded outgoing
//! queue (a most number of messages and of payload+topic bytes, with a
//! policy for a full queue) and a disconnect that first lets queued
//! messages be sent and acknowledged.
//!
//! With nothing set the session behaves exactly as libmosquitto: the
//! publish path pays one branch on [`QueueLimits::is_set`], QoS 0 none.

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

/// Limits on the outgoing QoS 1/2 messages held (queued and awaiting
/// acknowledgement). 0 = no limit.
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
