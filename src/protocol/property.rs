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
mod tests {
    use super::*;
    use Identifier as I;

    /// Identifiers each `mosquitto_property_check_command` accepted per
    /// command in the reference library (probed with Debian's 2.0.11).
    const ALLOWED: &[(u32, &[u8])] = &[
        (0x00, &[31, 38]),
        (0x10, &[17, 21, 22, 23, 25, 33, 34, 38, 39]),
        (
            0x20,
            &[
                17, 18, 19, 21, 22, 26, 28, 31, 33, 34, 36, 37, 38, 39, 40, 41, 42,
            ],
        ),
        (0x30, &[1, 2, 3, 8, 9, 11, 35, 38]),
        (0x31, &[31, 38]),
        (0x40, &[31, 38]),
        (0x50, &[31, 38]),
        (0x60, &[31, 38]),
        (0x62, &[31, 38]),
        (0x70, &[31, 38]),
        (0x80, &[11, 38]),
        (0x82, &[31, 38]),
        (0x90, &[31, 38]),
        (0xA0, &[38]),
        (0xB0, &[31, 38]),
        (0xC0, &[31, 38]),
        (0xD0, &[31, 38]),
        (0xE0, &[17, 28, 31, 38]),
        (0xF0, &[21, 22, 31, 38]),
        (0x100, &[1, 2, 3, 8, 9, 24, 31, 38]),
        (0x101, &[31, 38]),
        (0xFFFF_FFFF, &[31, 38]),
    ];

    fn block(props: &[Property<'_>]) -> Vec<u8> {
        let mut out = Vec::new();
        for p in props {
            write_property(&mut out, p);
        }
        out
    }

    fn parse(bytes: &[u8], command: u32) -> Result<Vec<Property<'_>>, PropertyError> {
        parse_properties(bytes, command).map(|it| it.collect())
    }

    #[test]
    fn identifiers_round_trip_through_numbers_and_names() {
        let known: Vec<u8> = (0..=255u8)
            .filter(|n| Identifier::from_u8(*n).is_some())
            .collect();
        assert_eq!(
            known,
            [
                1, 2, 3, 8, 9, 11, 17, 18, 19, 21, 22, 23, 24, 25, 26, 28, 31, 33, 34, 35, 36, 37,
                38, 39, 40, 41, 42
            ]
        );
        for id in Identifier::ALL {
            assert_eq!(Identifier::from_u8(id as u8), Some(id));
            assert_eq!(Identifier::from_name(id.name()), Some(id));
            assert_eq!(Identifier::from_name(&id.name().to_uppercase()), Some(id));
        }
        assert_eq!(Identifier::from_i32(-1), None);
        assert_eq!(Identifier::from_i32(256 + 1), None);
        assert_eq!(
            I::WildcardSubscriptionAvailable.name(),
            "wildcard-subscription-available"
        );
        assert_eq!(Identifier::from_name("Maximum-QoS"), Some(I::MaximumQos));
        for bad in [
            "",
            "content_type",
            "content-type ",
            "wildcard-sub-available",
            "x",
        ] {
            assert_eq!(Identifier::from_name(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn types_match_the_reference_add_functions() {
        let of = |t: PropertyType| -> Vec<u8> {
            Identifier::ALL
                .iter()
                .filter(|i| i.property_type() == t)
                .map(|i| *i as u8)
                .collect()
        };
        assert_eq!(of(PropertyType::Byte), [1, 23, 25, 36, 37, 40, 41, 42]);
        assert_eq!(of(PropertyType::Int16), [19, 33, 34, 35]);
        assert_eq!(of(PropertyType::Int32), [2, 17, 24, 39]);
        assert_eq!(of(PropertyType::VarInt), [11]);
        assert_eq!(of(PropertyType::Binary), [9, 22]);
        assert_eq!(of(PropertyType::String), [3, 8, 18, 21, 26, 28, 31]);
        assert_eq!(of(PropertyType::StringPair), [38]);
    }

    #[test]
    fn allowed_in_matches_the_reference_table() {
        for (command, ids) in ALLOWED {
            let got: Vec<u8> = Identifier::ALL
                .iter()
                .filter(|i| i.allowed_in(*command))
                .map(|i| *i as u8)
                .collect();
            assert_eq!(&got, ids, "command {command:#x}");
        }
    }

    #[test]
    fn varints_encode_minimally_and_decode_strictly() {
        for (value, bytes) in [
            (0u32, &[0x00][..]),
            (127, &[0x7F]),
            (128, &[0x80, 0x01]),
            (16_383, &[0xFF, 0x7F]),
            (16_384, &[0x80, 0x80, 0x01]),
            (2_097_151, &[0xFF, 0xFF, 0x7F]),
            (2_097_152, &[0x80, 0x80, 0x80, 0x01]),
            (VARINT_MAX, &[0xFF, 0xFF, 0xFF, 0x7F]),
        ] {
            let mut out = Vec::new();
            write_varint(&mut out, value);
            assert_eq!(out, bytes);
            assert_eq!(varint_len(value), bytes.len());
            assert_eq!(read_varint(bytes), Ok((value, bytes.len())));
        }
        assert_eq!(varint_len(VARINT_MAX + 1), 5);
        for bad in [
            &[][..],
            &[0x80],
            &[0x80, 0x00],
            &[0xFF, 0x80, 0x00],
            &[0x81, 0x80, 0x80, 0x80, 0x01],
            &[0xFF; 4],
        ] {
            assert_eq!(read_varint(bad), Err(PropertyError::Malformed), "{bad:?}");
        }
    }

    fn sample() -> Vec<Property<'static>> {
        vec![
            Property {
                id: I::PayloadFormatIndicator,
                value: Value::Byte(1),
            },
            Property {
                id: I::MessageExpiryInterval,
                value: Value::Int32(0xDEAD_BEEF),
            },
            Property {
                id: I::ContentType,
                value: Value::String(b"text/plain"),
            },
            Property {
                id: I::ResponseTopic,
                value: Value::String(b""),
            },
            Property {
                id: I::CorrelationData,
                value: Value::Binary(b"\x00\xFF\x00"),
            },
            Property {
                id: I::SubscriptionIdentifier,
                value: Value::VarInt(VARINT_MAX),
            },
            Property {
                id: I::TopicAlias,
                value: Value::Int16(0x1234),
            },
            Property {
                id: I::UserProperty,
                value: Value::StringPair(b"k", b"v\xC3\xA9"),
            },
            Property {
                id: I::UserProperty,
                value: Value::StringPair(b"", b""),
            },
        ]
    }

    #[test]
    fn blocks_round_trip() {
        let props = sample();
        let mut out = Vec::new();
        write_properties(&mut out, &props);
        let body = block(&props);
        assert_eq!(encoded_len(&props), body.len());
        assert_eq!(encoded_len_with_prefix(&props), out.len());
        let (len, used) = read_varint(&out).unwrap();
        assert_eq!(len as usize, body.len());
        assert_eq!(&out[used..], &body[..]);
        assert_eq!(parse(&body, CMD_PUBLISH).unwrap(), props);
        assert_eq!(parse(&[], CMD_CONNECT).unwrap(), []);
        let mut empty = Vec::new();
        write_properties(&mut empty, &[]);
        assert_eq!(empty, [0]);
    }

    #[test]
    fn exact_wire_bytes() {
        let props = [
            Property {
                id: I::ReceiveMaximum,
                value: Value::Int16(20),
            },
            Property {
                id: I::SessionExpiryInterval,
                value: Value::Int32(60),
            },
            Property {
                id: I::AuthenticationMethod,
                value: Value::String(b"ab"),
            },
            Property {
                id: I::UserProperty,
                value: Value::StringPair(b"n", b"v"),
            },
        ];
        let mut out = Vec::new();
        write_properties(&mut out, &props);
        assert_eq!(
            out,
            [20, 33, 0, 20, 17, 0, 0, 0, 60, 21, 0, 2, b'a', b'b', 38, 0, 1, b'n', 0, 1, b'v']
        );
        // A long block gets a two byte length prefix.
        let big = [0u8; 200];
        let mut out = Vec::new();
        write_properties(
            &mut out,
            &[Property {
                id: I::CorrelationData,
                value: Value::Binary(&big),
            }],
        );
        assert_eq!(&out[..5], &[0xCB, 0x01, 9, 0, 200]);
        assert_eq!(out.len(), 2 + 203);
    }

    #[test]
    fn every_property_round_trips_on_an_allowed_command() {
        for id in Identifier::ALL {
            let value = match id.property_type() {
                PropertyType::Byte => Value::Byte(1),
                PropertyType::Int16 => Value::Int16(7),
                PropertyType::Int32 => Value::Int32(7),
                PropertyType::VarInt => Value::VarInt(300),
                PropertyType::Binary => Value::Binary(b"bin"),
                PropertyType::String => Value::String(b"str"),
                PropertyType::StringPair => Value::StringPair(b"a", b"b"),
            };
            let prop = Property { id, value };
            assert!(prop.is_well_typed());
            let command = [
                CMD_CONNECT,
                CMD_CONNACK,
                CMD_PUBLISH,
                CMD_SUBSCRIBE,
                CMD_WILL,
            ]
            .into_iter()
            .find(|c| id.allowed_in(*c))
            .unwrap();
            let bytes = block(&[prop]);
            assert_eq!(parse(&bytes, command).unwrap(), [prop], "{id:?}");
        }
    }

    #[test]
    fn truncated_values_are_malformed() {
        for prop in sample() {
            let bytes = block(&[prop]);
            for cut in 0..bytes.len() {
                if cut == 0 {
                    continue;
                }
                assert_eq!(
                    parse(&bytes[..cut], CMD_PUBLISH),
                    Err(PropertyError::Malformed),
                    "{prop:?} cut {cut}"
                );
            }
        }
    }

    #[test]
    fn encoding_errors_are_malformed() {
        let cases: &[&[u8]] = &[
            &[0],                             // identifier 0
            &[4, 0],                          // unknown identifier
            &[43, 0],                         // unknown identifier
            &[0x81, 0x00, 0],                 // overlong identifier (1)
            &[0x80, 0x01, 0],                 // identifier 128
            &[11, 0x80, 0x00],                // overlong subscription identifier
            &[11, 0xFF, 0xFF, 0xFF, 0xFF, 1], // five byte varint
            &[11, 0x80],                      // varint cut short
            &[3, 0, 5, b'a'],                 // string longer than block
            &[9, 0],                          // binary length cut
        ];
        for bytes in cases {
            assert_eq!(
                parse(bytes, CMD_PUBLISH),
                Err(PropertyError::Malformed),
                "{bytes:?}"
            );
        }
    }

    #[test]
    fn bad_utf8_is_reported_for_strings_and_both_halves_of_pairs() {
        let bad_strings: &[&[u8]] = &[
            b"\xFF",
            b"a\x00b",
            b"\x01",
            b"\x7F",
            b"\xC2\x80",
            b"\xED\xA0\x80",
            b"\xEF\xBF\xBF",
            b"\xEF\xB7\x90",
            b"\xF0\x9F\xBF\xBE",
            b"\xC0\x80",
            b"\xC3",
        ];
        for s in bad_strings {
            for prop in [
                Property {
                    id: I::ContentType,
                    value: Value::String(s),
                },
                Property {
                    id: I::UserProperty,
                    value: Value::StringPair(s, b"v"),
                },
                Property {
                    id: I::UserProperty,
                    value: Value::StringPair(b"n", s),
                },
            ] {
                assert_eq!(
                    parse(&block(&[prop]), CMD_PUBLISH),
                    Err(PropertyError::MalformedUtf8),
                    "{prop:?}"
                );
            }
        }
        // Binary data is not UTF-8 checked.
        let prop = Property {
            id: I::CorrelationData,
            value: Value::Binary(b"\xFF\x00"),
        };
        assert_eq!(parse(&block(&[prop]), CMD_PUBLISH).unwrap(), [prop]);
    }

    #[test]
    fn utf8_rules_match_mosquitto_validate_utf8() {
        let ok: &[&[u8]] = &[
            b"",
            b" ",
            b"\xC3\xA9",
            b"\xC2\xA0",
            b"\xEF\xB7\xB0",
            b"\xEF\xB7\x8F",
            b"\xF0\x9F\x98\x80",
            b"\xF4\x8F\xBF\xBD",
        ];
        for s in ok {
            assert_eq!(validate_utf8(s), Ok(()), "{s:?}");
        }
        let bad: &[&[u8]] = &[
            b"\x1F",
            b"\x7F",
            b"\xC2\x9F",
            b"\xEF\xBF\xBE",
            b"\xEF\xB7\xAF",
            b"\xF0\x9F\xBF\xBF",
            b"\xF4\x8F\xBF\xBF",
            b"\xF4\x90\x80\x80",
            b"\xE0\x80\x80",
            b"\xC1\xBF",
            b"\xE2\x82",
            b"\x80",
            b"\xF8\x88\x80\x80\x80",
        ];
        for s in bad {
            assert_eq!(validate_utf8(s), Err(PropertyError::MalformedUtf8), "{s:?}");
        }
        assert_eq!(validate_utf8(&[b'a'; 65536]), Ok(()));
        assert_eq!(
            validate_utf8(&[b'a'; 65537]),
            Err(PropertyError::MalformedUtf8)
        );
    }

    #[test]
    fn check_all_value_rules_follow_the_reference() {
        let one = |id: Identifier, value: Value<'static>, command: u32| {
            check_all(command, &[Property { id, value }])
        };
        // Byte flags above 1 are protocol errors, except the payload format
        // indicator, which the original does not check.
        for id in [
            I::MaximumQos,
            I::RetainAvailable,
            I::WildcardSubscriptionAvailable,
            I::SubscriptionIdentifierAvailable,
            I::SharedSubscriptionAvailable,
        ] {
            assert_eq!(one(id, Value::Byte(1), CMD_CONNACK), Ok(()));
            assert_eq!(
                one(id, Value::Byte(2), CMD_CONNACK),
                Err(PropertyError::InvalidValue)
            );
        }
        for id in [I::RequestProblemInformation, I::RequestResponseInformation] {
            assert_eq!(one(id, Value::Byte(0), CMD_CONNECT), Ok(()));
            assert_eq!(
                one(id, Value::Byte(2), CMD_CONNECT),
                Err(PropertyError::InvalidValue)
            );
        }
        assert_eq!(
            one(I::PayloadFormatIndicator, Value::Byte(255), CMD_PUBLISH),
            Ok(())
        );
        assert_eq!(
            one(I::ReceiveMaximum, Value::Int16(0), CMD_CONNECT),
            Err(PropertyError::InvalidValue)
        );
        assert_eq!(
            one(I::TopicAlias, Value::Int16(0), CMD_PUBLISH),
            Err(PropertyError::InvalidValue)
        );
        assert_eq!(
            one(I::TopicAliasMaximum, Value::Int16(0), CMD_CONNECT),
            Ok(())
        );
        assert_eq!(
            one(I::ServerKeepAlive, Value::Int16(0), CMD_CONNACK),
            Ok(())
        );
        assert_eq!(
            one(I::MaximumPacketSize, Value::Int32(0), CMD_CONNECT),
            Err(PropertyError::InvalidValue)
        );
        assert_eq!(
            one(I::MessageExpiryInterval, Value::Int32(0), CMD_PUBLISH),
            Ok(())
        );
        assert_eq!(
            one(I::SubscriptionIdentifier, Value::VarInt(0), CMD_SUBSCRIBE),
            Ok(())
        );
        // The value rule is applied before the command rule.
        assert_eq!(
            one(I::MaximumPacketSize, Value::Int32(0), CMD_PUBLISH),
            Err(PropertyError::InvalidValue)
        );
        assert_eq!(
            one(I::PayloadFormatIndicator, Value::Byte(2), CMD_CONNECT),
            Err(PropertyError::NotAllowed)
        );
        assert_eq!(check_all(0x1234, &[]), Ok(()));
    }

    #[test]
    fn check_all_duplicates_and_ordering_follow_the_reference() {
        let p = |id, value| Property { id, value };
        let pfi = p(I::PayloadFormatIndicator, Value::Byte(1));
        let user = p(I::UserProperty, Value::StringPair(b"a", b"b"));
        let sid = p(I::SubscriptionIdentifier, Value::VarInt(1));
        let ct = p(I::ContentType, Value::String(b"a"));
        let recv_max = p(I::ReceiveMaximum, Value::Int16(1));
        let alias0 = p(I::TopicAlias, Value::Int16(0));
        let reason = p(I::ReasonString, Value::String(b"r"));
        assert_eq!(
            check_all(CMD_PUBLISH, &[pfi, pfi]),
            Err(PropertyError::Duplicate)
        );
        assert_eq!(check_all(CMD_PUBLISH, &[user, user, user]), Ok(()));
        // Only user properties may repeat: even subscription identifiers.
        assert_eq!(
            check_all(CMD_PUBLISH, &[sid, sid]),
            Err(PropertyError::Duplicate)
        );
        assert_eq!(
            check_all(CMD_SUBSCRIBE, &[sid, sid]),
            Err(PropertyError::Duplicate)
        );
        // Errors are found entry by entry: the first entry's duplicate wins
        // over a later entry's bad command, and the other way round.
        assert_eq!(
            check_all(CMD_PUBLISH, &[ct, ct, recv_max]),
            Err(PropertyError::Duplicate)
        );
        assert_eq!(
            check_all(CMD_PUBLISH, &[recv_max, ct, ct]),
            Err(PropertyError::NotAllowed)
        );
        assert_eq!(
            check_all(CMD_PUBLISH, &[ct, ct, alias0]),
            Err(PropertyError::Duplicate)
        );
        assert_eq!(
            check_all(CMD_PUBLISH, &[alias0, alias0]),
            Err(PropertyError::InvalidValue)
        );
        assert_eq!(
            check_all(0x40, &[user, reason, reason]),
            Err(PropertyError::Duplicate)
        );
        // Unknown raw identifiers are protocol errors.
        assert_eq!(
            check_raw(CMD_PUBLISH, [(99, 0)].into_iter()),
            Err(PropertyError::NotAllowed)
        );
        assert_eq!(
            check_raw(CMD_PUBLISH, [(1, 1), (99, 0), (1, 1)].into_iter()),
            Err(PropertyError::Duplicate)
        );
    }

    #[test]
    fn parse_applies_check_all_after_the_encoding_checks() {
        let pfi = Property {
            id: I::PayloadFormatIndicator,
            value: Value::Byte(1),
        };
        let twice = block(&[pfi, pfi]);
        assert_eq!(parse(&twice, CMD_PUBLISH), Err(PropertyError::Duplicate));
        assert_eq!(
            parse(&block(&[pfi]), CMD_CONNECT),
            Err(PropertyError::NotAllowed)
        );
        let zero = block(&[Property {
            id: I::ReceiveMaximum,
            value: Value::Int16(0),
        }]);
        assert_eq!(parse(&zero, CMD_CONNACK), Err(PropertyError::InvalidValue));
        // A later encoding error wins over an earlier duplicate.
        let mut bad = twice.clone();
        bad.push(3);
        assert_eq!(parse(&bad, CMD_PUBLISH), Err(PropertyError::Malformed));
        let mut bad_utf8 = twice;
        bad_utf8.extend_from_slice(&[3, 0, 1, 0xFF]);
        assert_eq!(
            parse(&bad_utf8, CMD_PUBLISH),
            Err(PropertyError::MalformedUtf8)
        );
    }

    #[test]
    fn iterator_exposes_the_rest_of_the_block() {
        let props = sample();
        let bytes = block(&props);
        let mut it = parse_properties(&bytes, CMD_PUBLISH).unwrap();
        assert_eq!(it.remaining(), &bytes[..]);
        assert_eq!(it.next(), Some(props[0]));
        assert_eq!(it.remaining(), &bytes[2..]);
        assert_eq!(it.count(), props.len() - 1);
    }

    #[test]
    fn oversized_strings_are_cut_to_the_wire_limit() {
        let long = vec![b'a'; 70_000];
        let prop = Property {
            id: I::ContentType,
            value: Value::String(&long),
        };
        let bytes = block(&[prop]);
        assert_eq!(bytes.len(), 3 + 65535);
        assert_eq!(encoded_len(&[prop]), bytes.len());
        assert_eq!(&bytes[..3], &[3, 0xFF, 0xFF]);
    }
}
