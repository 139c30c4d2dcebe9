//! MQTT v5 properties: identifiers, typed values, and the wire block codec.
// STAND-IN: replaced at merge. Only what the packet codec needs, with the
// agreed signatures; the real module is written by another helper.

/// The MQTT v5 property identifiers.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Identifier {
    PayloadFormatIndicator = 1,
    MessageExpiryInterval = 2,
    ContentType = 3,
    ResponseTopic = 8,
    CorrelationData = 9,
    SubscriptionIdentifier = 11,
    SessionExpiryInterval = 17,
    AssignedClientIdentifier = 18,
    ServerKeepAlive = 19,
    AuthenticationMethod = 21,
    AuthenticationData = 22,
    RequestProblemInformation = 23,
    WillDelayInterval = 24,
    RequestResponseInformation = 25,
    ResponseInformation = 26,
    ServerReference = 28,
    ReasonString = 31,
    ReceiveMaximum = 33,
    TopicAliasMaximum = 34,
    TopicAlias = 35,
    MaximumQos = 36,
    RetainAvailable = 37,
    UserProperty = 38,
    MaximumPacketSize = 39,
    WildcardSubscriptionAvailable = 40,
    SubscriptionIdentifiersAvailable = 41,
    SharedSubscriptionAvailable = 42,
}

/// The wire type of a property value.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum PropertyType {
    Byte = 1,
    Int16,
    Int32,
    VarInt,
    Binary,
    String,
    StringPair,
}

const CONNECT: u32 = 0x10;
const CONNACK: u32 = 0x20;
const PUBLISH: u32 = 0x30;
const PUBACK: u32 = 0x40;
const PUBREC: u32 = 0x50;
const PUBREL: u32 = 0x60;
const PUBCOMP: u32 = 0x70;
const SUBSCRIBE: u32 = 0x80;
const SUBACK: u32 = 0x90;
const UNSUBSCRIBE: u32 = 0xA0;
const UNSUBACK: u32 = 0xB0;
const DISCONNECT: u32 = 0xE0;
const AUTH: u32 = 0xF0;
const WILL: u32 = 0x100;

impl Identifier {
    /// The identifier for a wire byte, if it names a property.
    pub fn from_u8(b: u8) -> Option<Identifier> {
        use Identifier::*;
        Some(match b {
            1 => PayloadFormatIndicator,
            2 => MessageExpiryInterval,
            3 => ContentType,
            8 => ResponseTopic,
            9 => CorrelationData,
            11 => SubscriptionIdentifier,
            17 => SessionExpiryInterval,
            18 => AssignedClientIdentifier,
            19 => ServerKeepAlive,
            21 => AuthenticationMethod,
            22 => AuthenticationData,
            23 => RequestProblemInformation,
            24 => WillDelayInterval,
            25 => RequestResponseInformation,
            26 => ResponseInformation,
            28 => ServerReference,
            31 => ReasonString,
            33 => ReceiveMaximum,
            34 => TopicAliasMaximum,
            35 => TopicAlias,
            36 => MaximumQos,
            37 => RetainAvailable,
            38 => UserProperty,
            39 => MaximumPacketSize,
            40 => WildcardSubscriptionAvailable,
            41 => SubscriptionIdentifiersAvailable,
            42 => SharedSubscriptionAvailable,
            _ => return None,
        })
    }

    /// The wire type of this property's value.
    pub fn property_type(self) -> PropertyType {
        use Identifier::*;
        match self {
            PayloadFormatIndicator
            | RequestProblemInformation
            | RequestResponseInformation
            | MaximumQos
            | RetainAvailable
            | WildcardSubscriptionAvailable
            | SubscriptionIdentifiersAvailable
            | SharedSubscriptionAvailable => PropertyType::Byte,
            ServerKeepAlive | ReceiveMaximum | TopicAliasMaximum | TopicAlias => {
                PropertyType::Int16
            }
            MessageExpiryInterval
            | SessionExpiryInterval
            | WillDelayInterval
            | MaximumPacketSize => PropertyType::Int32,
            SubscriptionIdentifier => PropertyType::VarInt,
            CorrelationData | AuthenticationData => PropertyType::Binary,
            ContentType
            | ResponseTopic
            | AssignedClientIdentifier
            | AuthenticationMethod
            | ResponseInformation
            | ServerReference
            | ReasonString => PropertyType::String,
            UserProperty => PropertyType::StringPair,
        }
    }

    /// Whether this property may appear in a packet of `command`.
    pub fn allowed_in(self, command: u32) -> bool {
        use Identifier::*;
        let c = command;
        match self {
            PayloadFormatIndicator
            | MessageExpiryInterval
            | ContentType
            | ResponseTopic
            | CorrelationData => c == PUBLISH || c == WILL,
            SubscriptionIdentifier => c == PUBLISH || c == SUBSCRIBE,
            SessionExpiryInterval => c == CONNECT || c == CONNACK || c == DISCONNECT,
            AssignedClientIdentifier
            | ServerKeepAlive
            | ResponseInformation
            | MaximumQos
            | RetainAvailable
            | WildcardSubscriptionAvailable
            | SubscriptionIdentifiersAvailable
            | SharedSubscriptionAvailable => c == CONNACK,
            AuthenticationMethod | AuthenticationData => c == CONNECT || c == CONNACK || c == AUTH,
            RequestProblemInformation | RequestResponseInformation => c == CONNECT,
            WillDelayInterval => c == WILL,
            ServerReference => c == CONNACK || c == DISCONNECT,
            ReasonString => matches!(
                c,
                CONNACK
                    | PUBACK
                    | PUBREC
                    | PUBREL
                    | PUBCOMP
                    | SUBACK
                    | UNSUBACK
                    | DISCONNECT
                    | AUTH
            ),
            ReceiveMaximum | TopicAliasMaximum | MaximumPacketSize => c == CONNECT || c == CONNACK,
            TopicAlias => c == PUBLISH,
            UserProperty => matches!(
                c,
                CONNECT
                    | CONNACK
                    | PUBLISH
                    | PUBACK
                    | PUBREC
                    | PUBREL
                    | PUBCOMP
                    | SUBSCRIBE
                    | SUBACK
                    | UNSUBSCRIBE
                    | UNSUBACK
                    | DISCONNECT
                    | AUTH
                    | WILL
            ),
        }
    }
}

/// A property value, borrowing strings and binary data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Value<'a> {
    Byte(u8),
    Int16(u16),
    Int32(u32),
    VarInt(u32),
    Binary(&'a [u8]),
    String(&'a [u8]),
    StringPair(&'a [u8], &'a [u8]),
}

/// One property.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Property<'a> {
    /// Which property.
    pub id: Identifier,
    /// Its value.
    pub value: Value<'a>,
}

/// Why a property block was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PropertyError {
    /// Truncated, unknown identifier or bad value.
    Malformed,
    /// A property that may appear once appeared twice.
    Duplicate,
    /// The property is not allowed in this packet.
    NotAllowed,
    /// A string is not valid MQTT UTF-8.
    MalformedUtf8,
}

fn varint_len(v: u32) -> usize {
    match v {
        0..=127 => 1,
        128..=16_383 => 2,
        16_384..=2_097_151 => 3,
        _ => 4,
    }
}

fn value_len(v: &Value<'_>) -> usize {
    match v {
        Value::Byte(_) => 1,
        Value::Int16(_) => 2,
        Value::Int32(_) => 4,
        Value::VarInt(x) => varint_len(*x),
        Value::Binary(b) | Value::String(b) => 2 + b.len(),
        Value::StringPair(k, v) => 4 + k.len() + v.len(),
    }
}

/// Length of the encoded block, without its length prefix.
pub fn encoded_len(props: &[Property<'_>]) -> usize {
    props.iter().map(|p| 1 + value_len(&p.value)).sum()
}

fn put_varint(out: &mut Vec<u8>, mut v: u32) {
    loop {
        let mut b = (v % 128) as u8;
        v /= 128;
        if v > 0 {
            b |= 0x80;
        }
        out.push(b);
        if v == 0 {
            break;
        }
    }
}

fn put_bin(out: &mut Vec<u8>, b: &[u8]) {
    out.extend_from_slice(&(b.len() as u16).to_be_bytes());
    out.extend_from_slice(b);
}

/// Writes the varint length prefix and then the property block.
pub fn write_properties(out: &mut Vec<u8>, props: &[Property<'_>]) {
    put_varint(out, encoded_len(props) as u32);
    for p in props {
        out.push(p.id as u8);
        match p.value {
            Value::Byte(b) => out.push(b),
            Value::Int16(x) => out.extend_from_slice(&x.to_be_bytes()),
            Value::Int32(x) => out.extend_from_slice(&x.to_be_bytes()),
            Value::VarInt(x) => put_varint(out, x),
            Value::Binary(b) | Value::String(b) => put_bin(out, b),
            Value::StringPair(k, v) => {
                put_bin(out, k);
                put_bin(out, v);
            }
        }
    }
}

/// Iterator over a validated property block.
#[derive(Clone, Debug)]
pub struct PropertyIter<'a> {
    rest: &'a [u8],
}

fn take<'a>(b: &mut &'a [u8], n: usize) -> Result<&'a [u8], PropertyError> {
    if b.len() < n {
        return Err(PropertyError::Malformed);
    }
    let (h, t) = b.split_at(n);
    *b = t;
    Ok(h)
}

fn take_bin<'a>(b: &mut &'a [u8]) -> Result<&'a [u8], PropertyError> {
    let l = take(b, 2)?;
    take(b, usize::from(u16::from_be_bytes([l[0], l[1]])))
}

fn take_str<'a>(b: &mut &'a [u8]) -> Result<&'a [u8], PropertyError> {
    let s = take_bin(b)?;
    match core::str::from_utf8(s) {
        Ok(t) if !t.contains('\0') => Ok(s),
        _ => Err(PropertyError::MalformedUtf8),
    }
}

fn next_prop<'a>(b: &mut &'a [u8]) -> Result<Property<'a>, PropertyError> {
    let id = Identifier::from_u8(take(b, 1)?[0]).ok_or(PropertyError::Malformed)?;
    let value = match id.property_type() {
        PropertyType::Byte => Value::Byte(take(b, 1)?[0]),
        PropertyType::Int16 => {
            let x = take(b, 2)?;
            Value::Int16(u16::from_be_bytes([x[0], x[1]]))
        }
        PropertyType::Int32 => {
            let x = take(b, 4)?;
            Value::Int32(u32::from_be_bytes([x[0], x[1], x[2], x[3]]))
        }
        PropertyType::VarInt => {
            let mut v = 0u32;
            let mut i = 0;
            loop {
                if i == 4 {
                    return Err(PropertyError::Malformed);
                }
                let x = take(b, 1)?[0];
                v |= u32::from(x & 0x7F) << (7 * i);
                i += 1;
                if x & 0x80 == 0 {
                    break;
                }
            }
            Value::VarInt(v)
        }
        PropertyType::Binary => Value::Binary(take_bin(b)?),
        PropertyType::String => Value::String(take_str(b)?),
        PropertyType::StringPair => Value::StringPair(take_str(b)?, take_str(b)?),
    };
    Ok(Property { id, value })
}

impl<'a> Iterator for PropertyIter<'a> {
    type Item = Property<'a>;
    fn next(&mut self) -> Option<Property<'a>> {
        if self.rest.is_empty() {
            return None;
        }
        next_prop(&mut self.rest).ok()
    }
}

/// Validates a whole block (without its length prefix) for `command`.
pub fn parse_properties<'a>(
    block: &'a [u8],
    command: u32,
) -> Result<PropertyIter<'a>, PropertyError> {
    let mut rest = block;
    let mut seen = 0u64;
    while !rest.is_empty() {
        let p = next_prop(&mut rest)?;
        if !p.id.allowed_in(command) {
            return Err(PropertyError::NotAllowed);
        }
        let bit = 1u64 << (p.id as u8);
        let repeatable = p.id == Identifier::UserProperty
            || (p.id == Identifier::SubscriptionIdentifier && command == PUBLISH);
        if seen & bit != 0 && !repeatable {
            return Err(PropertyError::Duplicate);
        }
        seen |= bit;
    }
    Ok(PropertyIter { rest: block })
}
