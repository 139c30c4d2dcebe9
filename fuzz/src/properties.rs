//! `properties`: an arbitrary property block parsed for every command.
//!
//! A small independent reader of the wire format (below) is the oracle:
//! where it can read the block, `parse_properties` must return exactly
//! what `check_all` says of the list it read, and the properties it
//! yields must be that list and re-encode to the same bytes; where it
//! cannot, `parse_properties` must fail with the same encoding error for
//! every command.

use mosquitto::protocol::property::{
    check_all, encoded_len, parse_properties, write_property, Identifier, Property, PropertyError,
    PropertyType, Value, CMD_PUBLISH,
};

/// Every command a property block can be received or checked for, plus
/// one that allows nothing (0).
const COMMANDS: [u32; 16] = [
    0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xA0, 0xB0, 0xC0, 0xE0, 0xF0, 0x100,
];

/// Parses `block` (a property block without its length prefix) for each
/// command and checks the verdicts against the oracle.
pub fn properties(block: &[u8]) {
    let oracle = read_block(block);
    for command in COMMANDS {
        let parsed = parse_properties(block, command);
        match (&oracle, parsed) {
            (Ok(list), Ok(iter)) => {
                assert_eq!(check_all(command, list), Ok(()), "command {command:#x}");
                let got: Vec<Property<'_>> = iter.collect();
                assert_eq!(&got, list, "command {command:#x}");
                assert!(got.iter().all(Property::is_well_typed));
                assert_eq!(encoded_len(&got), block.len());
                let mut bytes = Vec::new();
                for p in &got {
                    write_property(&mut bytes, p);
                }
                assert_eq!(bytes, block, "re-encoding {got:?}");
            }
            // A PUBLISH with Topic Alias 0 is refused as such (the receiver
            // answers "topic alias invalid"), ahead of check_all's verdict,
            // which refuses the list too.
            (Ok(list), Err(PropertyError::ZeroTopicAlias)) => {
                assert_eq!(command, CMD_PUBLISH);
                assert!(check_all(command, list).is_err(), "list {list:?}");
                assert!(
                    list.iter()
                        .any(|p| p.id == Identifier::TopicAlias && p.value == Value::Int16(0)),
                    "list {list:?}"
                );
            }
            (Ok(list), Err(e)) => {
                assert_eq!(
                    check_all(command, list),
                    Err(e),
                    "command {command:#x}, list {list:?}"
                );
            }
            (Err(want), Ok(iter)) => {
                panic!(
                    "command {command:#x}: accepted {:?}, oracle says {want:?}",
                    iter.collect::<Vec<_>>()
                );
            }
            (Err(want), Err(e)) => assert_eq!(e, *want, "command {command:#x}"),
        }
    }
}

/// The oracle's reading of a block: every property in order, or the first
/// encoding error (`Malformed` or `MalformedUtf8`).
fn read_block(mut rest: &[u8]) -> Result<Vec<Property<'_>>, PropertyError> {
    let mut list = Vec::new();
    while !rest.is_empty() {
        let raw = varint(&mut rest)?;
        let id = u8::try_from(raw)
            .ok()
            .and_then(Identifier::from_u8)
            .ok_or(PropertyError::Malformed)?;
        let value = match id.property_type() {
            PropertyType::Byte => Value::Byte(take(&mut rest, 1)?[0]),
            PropertyType::Int16 => Value::Int16(u16::from_be_bytes(
                take(&mut rest, 2)?.try_into().expect("2 bytes"),
            )),
            PropertyType::Int32 => Value::Int32(u32::from_be_bytes(
                take(&mut rest, 4)?.try_into().expect("4 bytes"),
            )),
            PropertyType::VarInt => Value::VarInt(varint(&mut rest)?),
            PropertyType::Binary => Value::Binary(prefixed(&mut rest)?),
            PropertyType::String => Value::String(string(&mut rest)?),
            PropertyType::StringPair => {
                let name = string(&mut rest)?;
                Value::StringPair(name, string(&mut rest)?)
            }
        };
        list.push(Property { id, value });
    }
    Ok(list)
}

fn take<'a>(rest: &mut &'a [u8], n: usize) -> Result<&'a [u8], PropertyError> {
    if rest.len() < n {
        return Err(PropertyError::Malformed);
    }
    let (head, tail) = rest.split_at(n);
    *rest = tail;
    Ok(head)
}

/// A variable byte integer: 1 to 4 bytes, the last without the
/// continuation bit; a multi-byte form whose last byte is 0 is refused
/// (libmosquitto's rule).
fn varint(rest: &mut &[u8]) -> Result<u32, PropertyError> {
    let mut value = 0u32;
    for i in 0..4 {
        let b = take(rest, 1)?[0];
        value |= u32::from(b & 0x7F) << (7 * i);
        if b & 0x80 == 0 {
            if i > 0 && b == 0 {
                return Err(PropertyError::Malformed);
            }
            return Ok(value);
        }
    }
    Err(PropertyError::Malformed)
}

fn prefixed<'a>(rest: &mut &'a [u8]) -> Result<&'a [u8], PropertyError> {
    let len = take(rest, 2)?;
    take(rest, usize::from(u16::from_be_bytes([len[0], len[1]])))
}

fn string<'a>(rest: &mut &'a [u8]) -> Result<&'a [u8], PropertyError> {
    let s = prefixed(rest)?;
    if crate::topic_utf8::mqtt_utf8_ok(s) {
        Ok(s)
    } else {
        Err(PropertyError::MalformedUtf8)
    }
}
