//! MQTT v5 properties as pure data: identifiers, their wire types, the
//! packets each may appear in, the validity rules libmosquitto enforces, and
//! the wire encoding of a property block.
//!
//! Values borrow their bytes ([`Value`], [`Property`]), so encoding a list or
//! walking a received block never allocates. [`parse_properties`] validates a
//! whole block once; its [`PropertyIter`] then decodes without re-checking.

use std::fmt;

/// The CONNECT packet type (`CMD_CONNECT`).
pub const CMD_CONNECT: u32 = 0x10;
/// The CONNACK packet type (`CMD_CONNACK`).
pub const CMD_CONNACK: u32 = 0x20;
/// The PUBLISH packet type (`CMD_PUBLISH`).
pub const CMD_PUBLISH: u32 = 0x30;
/// The SUBSCRIBE packet type (`CMD_SUBSCRIBE`).
pub const CMD_SUBSCRIBE: u32 = 0x80;
/// The UNSUBSCRIBE packet type (`CMD_UNSUBSCRIBE`).
pub const CMD_UNSUBSCRIBE: u32 = 0xA0;
/// The DISCONNECT packet type (`CMD_DISCONNECT`).
pub const CMD_DISCONNECT: u32 = 0xE0;
/// The AUTH packet type (`CMD_AUTH`).
pub const CMD_AUTH: u32 = 0xF0;
/// Pseudo command for the will properties inside CONNECT (`CMD_WILL`).
pub const CMD_WILL: u32 = 0x100;

/// The largest value a variable byte integer can carry (four bytes).
pub const VARINT_MAX: u32 = 268_435_455;

/// An MQTT v5 property identifier (`MQTT_PROP_*` of `mqtt_protocol.h`).
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
    SubscriptionIdentifierAvailable = 41,
    SharedSubscriptionAvailable = 42,
}

/// The wire type of a property value (`MQTT_PROP_TYPE_*`).
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PropertyType {
    Byte = 1,
    Int16 = 2,
    Int32 = 3,
    VarInt = 4,
    Binary = 5,
    String = 6,
    StringPair = 7,
}

impl Identifier {
    /// Every identifier, in numeric order.
    pub const ALL: [Identifier; 27] = [
        Identifier::PayloadFormatIndicator,
        Identifier::MessageExpiryInterval,
        Identifier::ContentType,
        Identifier::ResponseTopic,
        Identifier::CorrelationData,
        Identifier::SubscriptionIdentifier,
        Identifier::SessionExpiryInterval,
        Identifier::AssignedClientIdentifier,
        Identifier::ServerKeepAlive,
        Identifier::AuthenticationMethod,
        Identifier::AuthenticationData,
        Identifier::RequestProblemInformation,
        Identifier::WillDelayInterval,
        Identifier::RequestResponseInformation,
        Identifier::ResponseInformation,
        Identifier::ServerReference,
        Identifier::ReasonString,
        Identifier::ReceiveMaximum,
        Identifier::TopicAliasMaximum,
        Identifier::TopicAlias,
        Identifier::MaximumQos,
        Identifier::RetainAvailable,
        Identifier::UserProperty,
        Identifier::MaximumPacketSize,
        Identifier::WildcardSubscriptionAvailable,
        Identifier::SubscriptionIdentifierAvailable,
        Identifier::SharedSubscriptionAvailable,
    ];

    /// The identifier with this number, if MQTT v5 defines one.
    pub fn from_u8(value: u8) -> Option<Identifier> {
        Self::ALL.iter().copied().find(|id| *id as u8 == value)
    }

    /// The identifier with this number, for the `int` identifiers of the C API.
    pub fn from_i32(value: i32) -> Option<Identifier> {
        u8::try_from(value).ok().and_then(Self::from_u8)
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
            | SubscriptionIdentifierAvailable
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

    /// The name `mosquitto_property_identifier_to_string` gives (the
    /// specification's name, lower case, words joined by `-`).
    pub fn name(self) -> &'static str {
        use Identifier::*;
        match self {
            PayloadFormatIndicator => "payload-format-indicator",
            MessageExpiryInterval => "message-expiry-interval",
            ContentType => "content-type",
            ResponseTopic => "response-topic",
            CorrelationData => "correlation-data",
            SubscriptionIdentifier => "subscription-identifier",
            SessionExpiryInterval => "session-expiry-interval",
            AssignedClientIdentifier => "assigned-client-identifier",
            ServerKeepAlive => "server-keep-alive",
            AuthenticationMethod => "authentication-method",
            AuthenticationData => "authentication-data",
            RequestProblemInformation => "request-problem-information",
            WillDelayInterval => "will-delay-interval",
            RequestResponseInformation => "request-response-information",
            ResponseInformation => "response-information",
            ServerReference => "server-reference",
            ReasonString => "reason-string",
            ReceiveMaximum => "receive-maximum",
            TopicAliasMaximum => "topic-alias-maximum",
            TopicAlias => "topic-alias",
            MaximumQos => "maximum-qos",
            RetainAvailable => "retain-available",
            UserProperty => "user-property",
            MaximumPacketSize => "maximum-packet-size",
            WildcardSubscriptionAvailable => "wildcard-subscription-available",
            SubscriptionIdentifierAvailable => "subscription-identifier-available",
            SharedSubscriptionAvailable => "shared-subscription-available",
        }
    }

    /// The identifier named `name`, compared ASCII case-insensitively as
    /// `mosquitto_string_to_property_info` does.
    pub fn from_name(name: &str) -> Option<Identifier> {
        Self::from_name_bytes(name.as_bytes())
    }

    /// [`Identifier::from_name`] for names that may not be UTF-8.
    pub fn from_name_bytes(name: &[u8]) -> Option<Identifier> {
        Self::ALL
            .iter()
            .copied()
            .find(|id| id.name().as_bytes().eq_ignore_ascii_case(name))
    }

    /// Whether this property may appear in packets of type `command` (a
    /// `CMD_*` value, `CMD_WILL` for will properties). Unknown commands allow
    /// only the reason string and user properties, as the original does.
    pub fn allowed_in(self, command: u32) -> bool {
        use Identifier::*;
        match self {
            PayloadFormatIndicator
            | MessageExpiryInterval
            | ContentType
            | ResponseTopic
            | CorrelationData => command == CMD_PUBLISH || command == CMD_WILL,
            SubscriptionIdentifier => command == CMD_PUBLISH || command == CMD_SUBSCRIBE,
            SessionExpiryInterval => {
                command == CMD_CONNECT || command == CMD_CONNACK || command == CMD_DISCONNECT
            }
            AuthenticationMethod | AuthenticationData => {
                command == CMD_CONNECT || command == CMD_CONNACK || command == CMD_AUTH
            }
            AssignedClientIdentifier
            | ServerKeepAlive
            | ResponseInformation
            | MaximumQos
            | RetainAvailable
            | WildcardSubscriptionAvailable
            | SubscriptionIdentifierAvailable
            | SharedSubscriptionAvailable => command == CMD_CONNACK,
            WillDelayInterval => command == CMD_WILL,
            RequestProblemInformation | RequestResponseInformation => command == CMD_CONNECT,
            ServerReference => command == CMD_CONNACK || command == CMD_DISCONNECT,
            ReasonString => !matches!(
                command,
                CMD_CONNECT | CMD_PUBLISH | CMD_SUBSCRIBE | CMD_UNSUBSCRIBE
            ),
            ReceiveMaximum | TopicAliasMaximum | MaximumPacketSize => {
                command == CMD_CONNECT || command == CMD_CONNACK
            }
            TopicAlias => command == CMD_PUBLISH,
            UserProperty => true,
        }
    }

    /// Whether more than one property with this identifier may be in a list
    /// (the original allows only user properties to repeat).
    pub fn may_repeat(self) -> bool {
        self == Identifier::UserProperty
    }
}

/// A property value; strings and binaries borrow their bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value<'a> {
    /// A one byte integer.
    Byte(u8),
    /// A two byte integer.
    Int16(u16),
    /// A four byte integer.
    Int32(u32),
    /// A variable byte integer (at most [`VARINT_MAX`] on the wire).
    VarInt(u32),
    /// Binary data.
    Binary(&'a [u8]),
    /// A UTF-8 string (bytes as on the wire, without a NUL).
    String(&'a [u8]),
    /// A string pair: name, then value.
    StringPair(&'a [u8], &'a [u8]),
}

impl Value<'_> {
    /// The wire type this value has.
    pub fn property_type(&self) -> PropertyType {
        match self {
            Value::Byte(_) => PropertyType::Byte,
            Value::Int16(_) => PropertyType::Int16,
            Value::Int32(_) => PropertyType::Int32,
            Value::VarInt(_) => PropertyType::VarInt,
            Value::Binary(_) => PropertyType::Binary,
            Value::String(_) => PropertyType::String,
            Value::StringPair(..) => PropertyType::StringPair,
        }
    }

    /// The integer behind a numeric value (0 for strings and binaries).
    pub fn number(&self) -> u32 {
        match *self {
            Value::Byte(v) => u32::from(v),
            Value::Int16(v) => u32::from(v),
            Value::Int32(v) | Value::VarInt(v) => v,
            Value::Binary(_) | Value::String(_) | Value::StringPair(..) => 0,
        }
    }
}

/// One property: an identifier and a value of that identifier's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Property<'a> {
    /// Which property this is.
    pub id: Identifier,
    /// Its value; its variant should match `id.property_type()`.
    pub value: Value<'a>,
}

impl Property<'_> {
    /// Whether the value's variant is the identifier's type.
    pub fn is_well_typed(&self) -> bool {
        self.value.property_type() == self.id.property_type()
    }
}

/// Why a property block or list was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PropertyError {
    /// Bad wire encoding: truncated value, bad or overlong varint, unknown
    /// identifier (`MOSQ_ERR_MALFORMED_PACKET`).
    Malformed,
    /// A string that is not valid MQTT UTF-8 (`MOSQ_ERR_MALFORMED_UTF8`).
    MalformedUtf8,
    /// A property that may appear once appears twice
    /// (`MOSQ_ERR_DUPLICATE_PROPERTY`).
    Duplicate,
    /// A property (or an unknown identifier) not allowed in this command
    /// (`MOSQ_ERR_PROTOCOL`).
    NotAllowed,
    /// A value the specification forbids, e.g. a receive maximum of 0
    /// (`MOSQ_ERR_PROTOCOL`).
    InvalidValue,
    /// A received PUBLISH carries Topic Alias 0 [MQTT-3.3.2-8]: an invalid
    /// alias for the receiver (MQTT 5 reason 0x94), not just a bad value.
    ZeroTopicAlias,
}

impl fmt::Display for PropertyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PropertyError::Malformed => "malformed property",
            PropertyError::MalformedUtf8 => "malformed UTF-8 in property",
            PropertyError::Duplicate => "duplicate property",
            PropertyError::NotAllowed => "property not allowed in this packet",
            PropertyError::InvalidValue => "invalid property value",
            PropertyError::ZeroTopicAlias => "topic alias 0",
        })
    }
}

impl std::error::Error for PropertyError {}

/// The value rule `mosquitto_property_check_all` applies to one property,
/// given its raw identifier and its integer value.
fn check_value_raw(identifier: i32, number: u32) -> Result<(), PropertyError> {
    use Identifier::*;
    let Some(id) = Identifier::from_i32(identifier) else {
        return Ok(());
    };
    let bad = match id {
        RequestProblemInformation
        | RequestResponseInformation
        | MaximumQos
        | RetainAvailable
        | WildcardSubscriptionAvailable
        | SubscriptionIdentifierAvailable
        | SharedSubscriptionAvailable => number > 1,
        MaximumPacketSize | ReceiveMaximum | TopicAlias => number == 0,
        _ => false,
    };
    if bad {
        Err(PropertyError::InvalidValue)
    } else {
        Ok(())
    }
}

/// `mosquitto_property_check_all` over raw `(identifier, integer value)`
/// entries, in list order: for each entry its value rule, then whether it
/// is allowed in `command` (unknown identifiers never are), then whether a
/// later entry repeats it. The first failure wins.
///
/// The integer value only matters for byte, int16 and int32 properties.
pub fn check_raw<I>(command: u32, items: I) -> Result<(), PropertyError>
where
    I: Iterator<Item = (i32, u32)> + Clone,
{
    // Index of the last entry carrying each known identifier (all below
    // 43), so the "a later entry repeats it" test is O(1) instead of a scan.
    let mut last = [usize::MAX; 43];
    let mut any = false;
    for (index, (identifier, _)) in items.clone().enumerate() {
        any = true;
        if let Some(id) = Identifier::from_i32(identifier) {
            last[id as usize] = index;
        }
    }
    if !any {
        return Ok(());
    }
    for (index, (identifier, number)) in items.enumerate() {
        check_value_raw(identifier, number)?;
        let id = Identifier::from_i32(identifier).ok_or(PropertyError::NotAllowed)?;
        if !id.allowed_in(command) {
            return Err(PropertyError::NotAllowed);
        }
        if !id.may_repeat() && last[id as usize] != index {
            return Err(PropertyError::Duplicate);
        }
    }
    Ok(())
}

/// Checks a list as `mosquitto_property_check_all` does: value rules,
/// identifiers allowed in `command`, no repeated identifier except user
/// properties.
pub fn check_all(command: u32, props: &[Property<'_>]) -> Result<(), PropertyError> {
    check_raw(
        command,
        props
            .iter()
            .map(|p| (i32::from(p.id as u8), p.value.number())),
    )
}

/// Number of bytes `value` takes as a variable byte integer.
pub fn varint_len(value: u32) -> usize {
    match value {
        0..=127 => 1,
        128..=16_383 => 2,
        16_384..=2_097_151 => 3,
        2_097_152..=VARINT_MAX => 4,
        _ => 5,
    }
}

/// Appends `value` as a variable byte integer.
pub fn write_varint(out: &mut Vec<u8>, mut value: u32) {
    loop {
        let mut byte = (value % 128) as u8;
        value /= 128;
        if value > 0 {
            byte |= 0x80;
        }
        out.push(byte);
        if value == 0 {
            break;
        }
    }
}

/// Reads a variable byte integer from the start of `bytes`: the value and
/// the number of bytes used. At most four bytes; a multi-byte form ending
/// in a zero byte (overlong) is malformed, as in the original.
pub fn read_varint(bytes: &[u8]) -> Result<(u32, usize), PropertyError> {
    let mut value: u32 = 0;
    for (index, &byte) in bytes.iter().take(4).enumerate() {
        value += u32::from(byte & 0x7F) << (7 * index);
        if byte & 0x80 == 0 {
            if index > 0 && byte == 0 {
                return Err(PropertyError::Malformed);
            }
            return Ok((value, index + 1));
        }
    }
    Err(PropertyError::Malformed)
}

/// Length a string or binary is written with: lengths above 65535 cannot
/// be represented and are cut to 65535 bytes.
fn wire_len(bytes: &[u8]) -> usize {
    bytes.len().min(usize::from(u16::MAX))
}

/// Encoded size of one property, identifier included.
fn property_len(prop: &Property<'_>) -> usize {
    varint_len(u32::from(prop.id as u8))
        + match prop.value {
            Value::Byte(_) => 1,
            Value::Int16(_) => 2,
            Value::Int32(_) => 4,
            Value::VarInt(v) => varint_len(v),
            Value::Binary(b) | Value::String(b) => 2 + wire_len(b),
            Value::StringPair(n, v) => 4 + wire_len(n) + wire_len(v),
        }
}

/// Size of the encoded properties, WITHOUT the block's own length prefix.
pub fn encoded_len(props: &[Property<'_>]) -> usize {
    props.iter().map(property_len).sum()
}

/// Size of the whole block: length prefix plus properties.
pub fn encoded_len_with_prefix(props: &[Property<'_>]) -> usize {
    let len = encoded_len(props);
    varint_len(u32::try_from(len).unwrap_or(u32::MAX)) + len
}

fn write_prefixed(out: &mut Vec<u8>, bytes: &[u8]) {
    let len = wire_len(bytes);
    out.extend_from_slice(&(len as u16).to_be_bytes());
    out.extend_from_slice(&bytes[..len]);
}

/// Appends one property (identifier then value) without a length prefix.
pub fn write_property(out: &mut Vec<u8>, prop: &Property<'_>) {
    write_varint(out, u32::from(prop.id as u8));
    match prop.value {
        Value::Byte(v) => out.push(v),
        Value::Int16(v) => out.extend_from_slice(&v.to_be_bytes()),
        Value::Int32(v) => out.extend_from_slice(&v.to_be_bytes()),
        Value::VarInt(v) => write_varint(out, v),
        Value::Binary(b) | Value::String(b) => write_prefixed(out, b),
        Value::StringPair(n, v) => {
            write_prefixed(out, n);
            write_prefixed(out, v);
        }
    }
}

/// Appends a property block: the varint length prefix, then each property
/// in order. Values are written as given (callers check them first).
pub fn write_properties(out: &mut Vec<u8>, props: &[Property<'_>]) {
    let len = encoded_len(props);
    out.reserve(varint_len(len as u32) + len);
    write_varint(out, u32::try_from(len).unwrap_or(u32::MAX));
    for prop in props {
        write_property(out, prop);
    }
}

/// A cursor over the bytes of a property block.
#[derive(Clone, Debug)]
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], PropertyError> {
        if self.rest.len() < n {
            return Err(PropertyError::Malformed);
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    fn varint(&mut self) -> Result<u32, PropertyError> {
        let (value, used) = read_varint(self.rest)?;
        self.rest = &self.rest[used..];
        Ok(value)
    }

    fn prefixed(&mut self) -> Result<&'a [u8], PropertyError> {
        let len = self.take(2)?;
        let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
        self.take(len)
    }

    fn string(&mut self) -> Result<&'a [u8], PropertyError> {
        let s = self.prefixed()?;
        validate_utf8(s)?;
        Ok(s)
    }

    /// Decodes the next property, checking everything about its encoding.
    fn property(&mut self) -> Result<Property<'a>, PropertyError> {
        let raw = self.varint()?;
        let id = u8::try_from(raw)
            .ok()
            .and_then(Identifier::from_u8)
            .ok_or(PropertyError::Malformed)?;
        let value = match id.property_type() {
            PropertyType::Byte => Value::Byte(self.take(1)?[0]),
            PropertyType::Int16 => {
                let b = self.take(2)?;
                Value::Int16(u16::from_be_bytes([b[0], b[1]]))
            }
            PropertyType::Int32 => {
                let b = self.take(4)?;
                Value::Int32(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
            }
            PropertyType::VarInt => Value::VarInt(self.varint()?),
            PropertyType::Binary => Value::Binary(self.prefixed()?),
            PropertyType::String => Value::String(self.string()?),
            PropertyType::StringPair => {
                let name = self.string()?;
                Value::StringPair(name, self.string()?)
            }
        };
        Ok(Property { id, value })
    }
}

/// Validates a whole property block (without its length prefix) received
/// in a packet of type `command`, as the original does on receipt: first
/// every property's encoding (identifier known, sizes, varints, UTF-8),
/// then [`check_all`]'s rules. Returns an iterator over the properties.
pub fn parse_properties(block: &[u8], command: u32) -> Result<PropertyIter<'_>, PropertyError> {
    let mut reader = Reader { rest: block };
    while !reader.rest.is_empty() {
        reader.property()?;
    }
    let iter = PropertyIter {
        reader: Reader { rest: block },
    };
    if command == CMD_PUBLISH
        && iter
            .clone()
            .any(|p| p.id == Identifier::TopicAlias && p.value.number() == 0)
    {
        return Err(PropertyError::ZeroTopicAlias);
    }
    check_raw(
        command,
        iter.clone()
            .map(|p| (i32::from(p.id as u8), p.value.number())),
    )?;
    Ok(iter)
}

/// Iterator over a block already validated by [`parse_properties`].
#[derive(Clone, Debug)]
pub struct PropertyIter<'a> {
    reader: Reader<'a>,
}

impl<'a> PropertyIter<'a> {
    /// The undecoded rest of the block.
    pub fn remaining(&self) -> &'a [u8] {
        self.reader.rest
    }
}

impl<'a> Iterator for PropertyIter<'a> {
    type Item = Property<'a>;

    fn next(&mut self) -> Option<Property<'a>> {
        if self.reader.rest.is_empty() {
            return None;
        }
        // The block was fully validated by parse_properties; a failure here
        // cannot happen, but would end the iteration rather than panic.
        self.reader.property().ok()
    }
}

/// Checks `bytes` as an MQTT UTF-8 string with the rules of
/// [`crate::protocol::utf8::validate`] (the one validator of the crate),
/// reporting failure as a property error.
pub fn validate_utf8(bytes: &[u8]) -> Result<(), PropertyError> {
    crate::protocol::utf8::validate(bytes).map_err(|_| PropertyError::MalformedUtf8)
}

#[cfg(test)]
mod tests;
