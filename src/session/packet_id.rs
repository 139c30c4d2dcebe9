//! Message identifiers: one 16-bit counter per client, shared by PUBLISH
//! (every QoS, as the original allocates one even for QoS 0), SUBSCRIBE and
//! UNSUBSCRIBE. It skips 0 and, like the original, does not look for ids
//! still in use.

/// The per-client message id counter.
#[derive(Clone, Debug, Default)]
pub struct PacketIds {
    last: u16,
}

impl PacketIds {
    /// The next id: 1, 2, ... 65535, 1, ...
    pub fn next_id(&mut self) -> u16 {
        self.last = self.last.wrapping_add(1);
        if self.last == 0 {
            self.last = 1;
        }
        self.last
    }
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
}
