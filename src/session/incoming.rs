//! Incoming QoS 2 messages held between PUBLISH (answered with PUBREC) and
//! PUBREL (answered with PUBCOMP, then delivered), as libmosquitto 2.0
//! does. They survive reconnection while the session does, and their number is what the v5
//! Receive Maximum limits.

use super::events::StoredMessage;

/// The held messages, in arrival order (at most the receive maximum).
#[derive(Clone, Debug, Default)]
pub struct Incoming {
    held: Vec<StoredMessage>,
}

impl Incoming {
    /// Number of messages awaiting PUBREL.
    pub fn len(&self) -> usize {
        self.held.len()
    }

    /// Whether `mid` is held (a redelivered PUBLISH).
    pub fn contains(&self, mid: u16) -> bool {
        self.held.iter().any(|m| m.mid == mid)
    }

    /// Holds a message until its PUBREL.
    pub fn hold(&mut self, m: StoredMessage) {
        self.held.push(m);
    }

    /// Releases `mid` (PUBREL), if held.
    pub fn release(&mut self, mid: u16) -> Option<StoredMessage> {
        let i = self.held.iter().position(|m| m.mid == mid)?;
        Some(self.held.remove(i))
    }

    /// Forgets every held message (the session state is discarded).
    pub fn clear(&mut self) {
        self.held.clear();
    }
}
