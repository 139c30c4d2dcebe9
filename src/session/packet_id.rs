//! Message identifiers: one 16-bit counter per client, shared by PUBLISH
//! (every QoS, as the original allocates one even for QoS 0), SUBSCRIBE and
//! UNSUBSCRIBE.
//!
//! Unlike the original, which just counts and wraps, the counter skips ids
//! still in use [MQTT-2.2.1-3]: those of QoS 1/2 messages not yet
//! completed (in flight or queued) and of SUBSCRIBE/UNSUBSCRIBE packets
//! awaiting their acknowledgement. A bitmap of the ids in use (allocated
//! with the first one) makes that check one bit test, so ids stay O(1)
//! amortised; a client with no id in use pays one comparison.

/// Words of the in-use bitmap: one bit per id, 0 included (always set).
const WORDS: usize = 65536 / 64;

/// Ids there are (0 is not one).
const IDS: u16 = 65535;

/// The per-client message id counter and the ids in use.
#[derive(Clone, Debug, Default)]
pub struct PacketIds {
    last: u16,
    /// How many ids are in use.
    count: u16,
    /// Allocated with the first id reserved (an idle client stays small).
    used: Option<Box<InUse>>,
}

/// The ids in use, and what became of some.
#[derive(Clone, Debug)]
struct InUse {
    /// Bit `id` set: `id` is in use. Bit 0 is always set.
    words: [u64; WORDS],
    /// Ids of SUBSCRIBE/UNSUBSCRIBE packets awaiting SUBACK/UNSUBACK.
    requests: Vec<u16>,
    /// Ids of messages dropped with a discarded session, to report.
    dropped: Vec<u16>,
}

impl PacketIds {
    /// The id after the last one, skipping ids in use when one is free:
    /// for QoS 0 messages, whose id never goes on the wire but is how the
    /// application tells its messages apart (`*mid`, `on_publish`).
    #[inline]
    pub fn next_id(&mut self) -> u16 {
        self.last = following(self.last);
        if self.count != 0 && self.count < IDS {
            if let Some(used) = &self.used {
                self.last = first_free(&used.words, self.last).unwrap_or(self.last);
            }
        }
        self.last
    }

    /// A fresh id for a packet that needs its acknowledgement (QoS 1/2
    /// PUBLISH, SUBSCRIBE, UNSUBSCRIBE), now in use until
    /// [`Self::release`]; `None` when all 65535 are in use.
    pub fn reserve(&mut self) -> Option<u16> {
        if self.count == IDS {
            return None;
        }
        let used = self.used.get_or_insert_with(|| {
            let mut used = Box::new(InUse {
                words: [0; WORDS],
                requests: Vec::new(),
                dropped: Vec::new(),
            });
            used.words[0] = 1;
            used
        });
        let id = first_free(&used.words, following(self.last))?;
        used.words[usize::from(id) / 64] |= 1 << (id % 64);
        self.count += 1;
        self.last = id;
        Some(id)
    }

    /// `id` is free again (its flow completed or was discarded).
    pub fn release(&mut self, id: u16) {
        if id == 0 {
            return;
        }
        if let Some(used) = &mut self.used {
            let (word, bit) = (usize::from(id) / 64, 1u64 << (id % 64));
            if used.words[word] & bit != 0 {
                used.words[word] &= !bit;
                self.count -= 1;
            }
        }
    }

    /// Whether `id` is in use.
    #[cfg(test)]
    pub fn in_use(&self, id: u16) -> bool {
        id != 0
            && self
                .used
                .as_ref()
                .is_some_and(|u| u.words[usize::from(id) / 64] & (1 << (id % 64)) != 0)
    }

    /// [`Self::reserve`] for a SUBSCRIBE or UNSUBSCRIBE, remembered until
    /// its acknowledgement ([`Self::acknowledged`]) or the connection's end.
    pub fn reserve_request(&mut self) -> Option<u16> {
        let id = self.reserve()?;
        if let Some(used) = &mut self.used {
            used.requests.push(id);
        }
        Some(id)
    }

    /// A SUBACK or UNSUBACK for `id` arrived: frees it if a SUBSCRIBE or
    /// UNSUBSCRIBE was waiting for it (an id held by a PUBLISH stays).
    pub fn acknowledged(&mut self, id: u16) {
        let Some(used) = &mut self.used else { return };
        if let Some(i) = used.requests.iter().position(|&r| r == id) {
            used.requests.swap_remove(i);
            self.release(id);
        }
    }

    /// The connection ended: acknowledgements of SUBSCRIBE and UNSUBSCRIBE
    /// will not come (they are not part of the session), so their ids are
    /// free.
    pub fn connection_ended(&mut self) {
        let Some(used) = &mut self.used else { return };
        for id in std::mem::take(&mut used.requests) {
            self.release(id);
        }
    }

    /// The message `id` was dropped with a discarded session: its id is
    /// free, and kept for [`Self::take_dropped`].
    pub fn dropped(&mut self, id: u16) {
        self.release(id);
        if let Some(used) = &mut self.used {
            used.dropped.push(id);
        }
    }

    /// The ids given to [`Self::dropped`] since the last call, in order.
    pub fn take_dropped(&mut self) -> Vec<u16> {
        match &mut self.used {
            Some(used) => std::mem::take(&mut used.dropped),
            None => Vec::new(),
        }
    }
}

/// 1, 2, ... 65535, 1, ...
#[inline]
fn following(id: u16) -> u16 {
    if id == u16::MAX {
        1
    } else {
        id + 1
    }
}

/// The first id not in use from `from` on, wrapping (id 0's bit is set).
fn first_free(used: &[u64; WORDS], from: u16) -> Option<u16> {
    let mut word = usize::from(from) / 64;
    let mut mask = !0u64 << (from % 64);
    // One more word than there are: the first word's low bits come last.
    for _ in 0..=WORDS {
        let free = !used[word] & mask;
        if free != 0 {
            return Some((word * 64) as u16 + free.trailing_zeros() as u16);
        }
        word = (word + 1) % WORDS;
        mask = !0;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_from_one_and_skips_zero() {
        let mut ids = PacketIds::default();
        assert_eq!(ids.next_id(), 1);
        assert_eq!(ids.next_id(), 2);
        ids.last = u16::MAX - 1;
        assert_eq!(ids.next_id(), u16::MAX);
        assert_eq!(ids.next_id(), 1);
    }

    #[test]
    fn reserved_ids_are_skipped_after_the_wrap() {
        let mut ids = PacketIds::default();
        let held: Vec<u16> = (0..3).map(|_| ids.reserve().unwrap()).collect();
        assert_eq!(held, [1, 2, 3]);
        ids.last = u16::MAX - 1;
        assert_eq!(ids.reserve(), Some(u16::MAX));
        // 1..=3 are in use: the next reservation and QoS 0 id skip them.
        assert_eq!(ids.next_id(), 4);
        assert_eq!(ids.reserve(), Some(5));
        ids.release(2);
        ids.last = u16::MAX;
        assert_eq!(ids.reserve(), Some(2));
        assert!(ids.in_use(2) && !ids.in_use(4));
    }

    #[test]
    fn all_ids_in_use_refuses_and_qos0_still_counts() {
        let mut ids = PacketIds::default();
        for n in 1..=u16::MAX {
            assert_eq!(ids.reserve(), Some(n));
        }
        assert_eq!(ids.reserve(), None);
        assert_eq!(ids.next_id(), 1);
        ids.release(40_000);
        assert_eq!(ids.reserve(), Some(40_000));
        assert_eq!(ids.reserve(), None);
    }

    #[test]
    fn requests_are_freed_by_their_ack_or_the_connection_end() {
        let mut ids = PacketIds::default();
        let a = ids.reserve_request().unwrap();
        let b = ids.reserve_request().unwrap();
        let p = ids.reserve().unwrap();
        ids.acknowledged(a);
        ids.acknowledged(p);
        assert!(!ids.in_use(a) && ids.in_use(b) && ids.in_use(p));
        ids.connection_ended();
        assert!(!ids.in_use(b) && ids.in_use(p));
    }
}
