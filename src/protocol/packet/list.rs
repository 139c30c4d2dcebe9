//! The topic lists of SUBSCRIBE and UNSUBSCRIBE, read lazily from the
//! packet bytes or given as slices to encode.

use super::writer::{binary_len, put_binary};

/// One SUBSCRIBE entry: a topic filter and its options byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Subscription<'a> {
    /// The topic filter (MQTT UTF-8, not NUL-terminated).
    pub filter: &'a [u8],
    /// The options byte. v3: just the QoS. v5: QoS (bits 0-1), no local
    /// (bit 2), retain as published (bit 3), retain handling (bits 4-5).
    pub options: u8,
}

impl Subscription<'_> {
    /// Requested maximum QoS.
    #[inline]
    pub fn qos(&self) -> u8 {
        self.options & 0x03
    }

    /// v5 No Local option.
    #[inline]
    pub fn no_local(&self) -> bool {
        self.options & 0x04 != 0
    }

    /// v5 Retain As Published option.
    #[inline]
    pub fn retain_as_published(&self) -> bool {
        self.options & 0x08 != 0
    }

    /// v5 Retain Handling option (0, 1 or 2).
    #[inline]
    pub fn retain_handling(&self) -> u8 {
        (self.options >> 4) & 0x03
    }
}

/// Reads one length-prefixed field from a list already validated by the
/// decoder; returns `None` only at the end of the list.
#[inline]
fn next_field<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
    if rest.len() < 2 {
        return None;
    }
    let n = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
    let field = rest.get(2..2 + n)?;
    *rest = &rest[2 + n..];
    Some(field)
}

/// The subscriptions of a SUBSCRIBE packet.
#[derive(Clone, Copy, Debug)]
pub enum SubscriptionList<'a> {
    /// Validated wire bytes of the payload (decoded packets).
    Wire(&'a [u8]),
    /// Entries to encode.
    List(&'a [Subscription<'a>]),
}

impl<'a> SubscriptionList<'a> {
    /// Iterates the entries in order.
    #[inline]
    pub fn iter(&self) -> SubscriptionIter<'a> {
        match *self {
            SubscriptionList::Wire(b) => SubscriptionIter::Wire(b),
            SubscriptionList::List(l) => SubscriptionIter::List(l.iter()),
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        match self {
            SubscriptionList::Wire(_) => self.iter().count(),
            SubscriptionList::List(l) => l.len(),
        }
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        match self {
            SubscriptionList::Wire(b) => b.is_empty(),
            SubscriptionList::List(l) => l.is_empty(),
        }
    }

    /// Encoded size of the entries.
    pub(crate) fn encoded_len(&self) -> usize {
        match self {
            SubscriptionList::Wire(b) => b.len(),
            SubscriptionList::List(l) => l.iter().map(|s| binary_len(s.filter) + 1).sum(),
        }
    }

    /// Appends the entries; v3 options are masked to the QoS bits.
    pub(crate) fn write(&self, v5: bool, out: &mut Vec<u8>) {
        let mask = if v5 { 0xFF } else { 0x03 };
        for s in self.iter() {
            put_binary(out, s.filter);
            out.push(s.options & mask);
        }
    }
}

impl PartialEq for SubscriptionList<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for SubscriptionList<'_> {}

/// Iterator over a [`SubscriptionList`].
#[derive(Clone, Debug)]
pub enum SubscriptionIter<'a> {
    /// Over wire bytes.
    Wire(&'a [u8]),
    /// Over a slice.
    List(core::slice::Iter<'a, Subscription<'a>>),
}

impl<'a> Iterator for SubscriptionIter<'a> {
    type Item = Subscription<'a>;

    #[inline]
    fn next(&mut self) -> Option<Subscription<'a>> {
        match self {
            SubscriptionIter::Wire(rest) => {
                let filter = next_field(rest)?;
                let (&options, tail) = rest.split_first()?;
                *rest = tail;
                Some(Subscription { filter, options })
            }
            SubscriptionIter::List(it) => it.next().copied(),
        }
    }
}

/// The topic filters of an UNSUBSCRIBE packet.
#[derive(Clone, Copy, Debug)]
pub enum TopicList<'a> {
    /// Validated wire bytes of the payload (decoded packets).
    Wire(&'a [u8]),
    /// Filters to encode.
    List(&'a [&'a [u8]]),
}

impl<'a> TopicList<'a> {
    /// Iterates the filters in order.
    #[inline]
    pub fn iter(&self) -> TopicIter<'a> {
        match *self {
            TopicList::Wire(b) => TopicIter::Wire(b),
            TopicList::List(l) => TopicIter::List(l.iter()),
        }
    }

    /// Number of filters.
    pub fn len(&self) -> usize {
        match self {
            TopicList::Wire(_) => self.iter().count(),
            TopicList::List(l) => l.len(),
        }
    }

    /// Whether there are no filters.
    pub fn is_empty(&self) -> bool {
        match self {
            TopicList::Wire(b) => b.is_empty(),
            TopicList::List(l) => l.is_empty(),
        }
    }

    /// Encoded size of the filters.
    pub(crate) fn encoded_len(&self) -> usize {
        match self {
            TopicList::Wire(b) => b.len(),
            TopicList::List(l) => l.iter().map(|t| binary_len(t)).sum(),
        }
    }

    /// Appends the filters.
    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        for t in self.iter() {
            put_binary(out, t);
        }
    }
}

impl PartialEq for TopicList<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for TopicList<'_> {}

/// Iterator over a [`TopicList`].
#[derive(Clone, Debug)]
pub enum TopicIter<'a> {
    /// Over wire bytes.
    Wire(&'a [u8]),
    /// Over a slice.
    List(core::slice::Iter<'a, &'a [u8]>),
}

impl<'a> Iterator for TopicIter<'a> {
    type Item = &'a [u8];

    #[inline]
    fn next(&mut self) -> Option<&'a [u8]> {
        match self {
            TopicIter::Wire(rest) => next_field(rest),
            TopicIter::List(it) => it.next().copied(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_and_list_subscriptions_agree() {
        let wire = [0, 1, b'a', 0x01, 0, 3, b'b', b'/', b'#', 0x2E];
        let list = [
            Subscription {
                filter: b"a",
                options: 0x01,
            },
            Subscription {
                filter: b"b/#",
                options: 0x2E,
            },
        ];
        let w = SubscriptionList::Wire(&wire);
        let l = SubscriptionList::List(&list);
        assert_eq!(w, l);
        assert_eq!(w.len(), 2);
        assert_eq!(l.encoded_len(), wire.len());
        let mut out = Vec::new();
        l.write(true, &mut out);
        assert_eq!(out, wire);
        let s = w.iter().nth(1).unwrap();
        assert_eq!(s.qos(), 2);
        assert!(s.no_local());
        assert!(s.retain_as_published());
        assert_eq!(s.retain_handling(), 2);
        // v3 writes only the QoS bits.
        out.clear();
        l.write(false, &mut out);
        assert_eq!(out[out.len() - 1], 0x02);
    }

    #[test]
    fn topic_list() {
        let wire = [0, 1, b'a', 0, 2, b'b', b'c'];
        let list: [&[u8]; 2] = [b"a", b"bc"];
        assert_eq!(TopicList::Wire(&wire), TopicList::List(&list));
        assert_eq!(TopicList::Wire(&wire).len(), 2);
        assert_eq!(TopicList::List(&list).encoded_len(), 7);
        assert!(TopicList::Wire(&[]).is_empty());
    }
}
