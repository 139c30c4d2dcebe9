//! The v5 property block of a packet: either the validated bytes of a
//! decoded packet (borrowed, never copied) or a caller's list to encode.

use super::varint::{varint_len, write_varint};
use crate::protocol::property::{
    encoded_len, parse_properties, write_properties, Identifier, Property, PropertyIter, Value,
};

/// The properties of a packet. Ignored (neither written nor read) for
/// MQTT 3.1 and 3.1.1.
#[derive(Clone, Copy, Debug)]
pub enum Properties<'a> {
    /// A block as received, already validated for `command` by the decoder
    /// (without its length prefix).
    Wire {
        /// The property bytes.
        block: &'a [u8],
        /// The `CMD_*` value the block was validated for.
        command: u32,
    },
    /// Typed properties to encode.
    List(&'a [Property<'a>]),
}

impl Default for Properties<'_> {
    fn default() -> Self {
        Properties::EMPTY
    }
}

impl<'a> Properties<'a> {
    /// No properties.
    pub const EMPTY: Properties<'static> = Properties::List(&[]);

    /// Wraps a validated wire block.
    #[inline]
    pub(crate) fn wire(block: &'a [u8], command: u32) -> Self {
        Properties::Wire { block, command }
    }

    /// Length of the block without its length prefix.
    #[inline]
    pub fn wire_len(&self) -> usize {
        match self {
            Properties::Wire { block, .. } => block.len(),
            Properties::List(list) => encoded_len(list),
        }
    }

    /// Whether there are no properties.
    #[inline]
    pub fn is_empty(&self) -> bool {
        match self {
            Properties::Wire { block, .. } => block.is_empty(),
            Properties::List(list) => list.is_empty(),
        }
    }

    /// Encoded length including the variable byte integer prefix.
    #[inline]
    pub fn encoded_len(&self) -> usize {
        let n = self.wire_len();
        varint_len(n as u32) + n
    }

    /// Appends the length prefix and the block.
    #[inline]
    pub fn write(&self, out: &mut Vec<u8>) {
        match self {
            Properties::Wire { block, .. } => {
                write_varint(out, block.len() as u32);
                out.extend_from_slice(block);
            }
            Properties::List(list) => write_properties(out, list),
        }
    }

    /// Iterates the properties in order.
    #[inline]
    pub fn iter(&self) -> PropIter<'a> {
        match *self {
            Properties::Wire { block, command } => PropIter::Wire(if block.is_empty() {
                None
            } else {
                parse_properties(block, command).ok()
            }),
            Properties::List(list) => PropIter::List(list.iter()),
        }
    }

    /// The value of the first property with this identifier.
    #[inline]
    pub fn find(&self, id: Identifier) -> Option<Value<'a>> {
        self.iter().find(|p| p.id == id).map(|p| p.value)
    }

    /// The Topic Alias property, if present.
    #[inline]
    pub fn topic_alias(&self) -> Option<u16> {
        match self.find(Identifier::TopicAlias) {
            Some(Value::Int16(a)) => Some(a),
            _ => None,
        }
    }

    fn to_block(self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.encoded_len());
        self.write(&mut v);
        v
    }
}

/// Compares the encoded blocks, so a decoded packet equals the list it was
/// encoded from.
impl PartialEq for Properties<'_> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Properties::Wire { block: a, .. }, Properties::Wire { block: b, .. }) => a == b,
            _ => self.to_block() == other.to_block(),
        }
    }
}

impl Eq for Properties<'_> {}

/// Iterator over [`Properties`].
#[derive(Debug)]
pub enum PropIter<'a> {
    /// Over a validated wire block.
    Wire(Option<PropertyIter<'a>>),
    /// Over a caller's list.
    List(core::slice::Iter<'a, Property<'a>>),
}

impl<'a> Iterator for PropIter<'a> {
    type Item = Property<'a>;

    #[inline]
    fn next(&mut self) -> Option<Property<'a>> {
        match self {
            PropIter::Wire(it) => it.as_mut()?.next(),
            PropIter::List(it) => it.next().cloned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: [Property<'static>; 2] = [
        Property {
            id: Identifier::TopicAlias,
            value: Value::Int16(7),
        },
        Property {
            id: Identifier::UserProperty,
            value: Value::StringPair(b"k", b"v"),
        },
    ];

    #[test]
    fn list_and_wire_agree() {
        let p = Properties::List(&LIST);
        let mut out = Vec::new();
        p.write(&mut out);
        assert_eq!(
            out,
            [0x0A, 0x23, 0x00, 0x07, 0x26, 0x00, 0x01, b'k', 0x00, 0x01, b'v']
        );
        assert_eq!(p.encoded_len(), out.len());
        let w = Properties::wire(&out[1..], 0x30);
        assert_eq!(w, p);
        assert_eq!(w.topic_alias(), Some(7));
        assert_eq!(w.iter().count(), 2);
        assert_eq!(
            w.find(Identifier::UserProperty),
            Some(Value::StringPair(b"k", b"v"))
        );
        assert_eq!(w.find(Identifier::ContentType), None);
    }

    #[test]
    fn empty_forms() {
        assert!(Properties::EMPTY.is_empty());
        assert_eq!(Properties::EMPTY.encoded_len(), 1);
        assert_eq!(Properties::EMPTY, Properties::wire(&[], 0x40));
        assert_ne!(Properties::EMPTY, Properties::List(&LIST));
        assert_eq!(Properties::EMPTY.iter().count(), 0);
    }
}
