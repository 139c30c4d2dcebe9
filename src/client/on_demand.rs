//! Settings blocks most clients never set, kept out of line.

/// A settings block behind a pointer that stays null until the first
/// setter runs: an idle client that never uses TLS or WebSockets pays
/// 8 bytes for the block instead of its whole size (which matters to a
/// process holding thousands of clients).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OnDemand<T>(Option<Box<T>>);

impl<T: Default> OnDemand<T> {
    /// The settings, `None` while none was ever set (all at defaults).
    pub fn get(&self) -> Option<&T> {
        self.0.as_deref()
    }

    /// The settings, for changing; made with their defaults on first use.
    pub fn get_mut(&mut self) -> &mut T {
        self.0.get_or_insert_with(Box::default)
    }
}

#[cfg(test)]
mod tests {
    use super::OnDemand;

    #[test]
    fn unset_until_first_change() {
        let mut r: OnDemand<Vec<u8>> = OnDemand::default();
        assert_eq!(r.get(), None);
        r.get_mut().push(7);
        assert_eq!(r.get(), Some(&vec![7]));
        assert_eq!(std::mem::size_of::<OnDemand<[u64; 20]>>(), 8);
    }
}
