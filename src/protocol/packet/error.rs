//! Why a packet could not be framed or decoded.

use crate::protocol::property::PropertyError;

/// A decoding failure, classified the way libmosquitto reports it.
///
/// Mapping to `MOSQ_ERR_*` (done at the FFI edge, not here):
///
/// | variant             | `mosq_err_t`                  |
/// |---------------------|-------------------------------|
/// | `Malformed`         | `MOSQ_ERR_MALFORMED_PACKET`   |
/// | `Protocol`          | `MOSQ_ERR_PROTOCOL`           |
/// | `MalformedUtf8`     | `MOSQ_ERR_MALFORMED_UTF8`     |
/// | `Oversize`          | `MOSQ_ERR_OVERSIZE_PACKET`    |
/// | `DuplicateProperty` | `MOSQ_ERR_DUPLICATE_PROPERTY` |
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// The bytes do not form a packet: bad remaining length, truncated or
    /// trailing data, invalid fixed-header flags, QoS 3, DUP on QoS 0,
    /// reserved bits set, unknown property identifier or one not valid for
    /// the packet type, wildcard in a PUBLISH topic.
    Malformed,
    /// A well-formed packet the protocol forbids here: reserved packet type,
    /// AUTH before v5, packet identifier 0, empty topic without an alias,
    /// empty SUBSCRIBE/UNSUBSCRIBE/SUBACK lists, a property value the rules
    /// forbid (e.g. a Receive Maximum of 0, as `mosquitto_property_check_all`
    /// says `MOSQ_ERR_PROTOCOL`), an unknown protocol name or level in
    /// CONNECT.
    Protocol,
    /// A string field is not valid MQTT UTF-8.
    MalformedUtf8,
    /// The packet is larger than the negotiated maximum packet size.
    Oversize,
    /// A property that may appear once appears more than once.
    DuplicateProperty,
    /// A PUBLISH with Topic Alias 0 [MQTT-3.3.2-8].
    TopicAliasZero,
}

impl From<PropertyError> for DecodeError {
    #[allow(unreachable_patterns)]
    fn from(e: PropertyError) -> Self {
        match e {
            PropertyError::Malformed => DecodeError::Malformed,
            PropertyError::Duplicate => DecodeError::DuplicateProperty,
            // An identifier not valid for the packet type makes it a
            // Malformed Packet (MQTT 5, 2.2.2.2).
            PropertyError::NotAllowed => DecodeError::Malformed,
            PropertyError::InvalidValue => DecodeError::Protocol,
            PropertyError::MalformedUtf8 => DecodeError::MalformedUtf8,
            PropertyError::ZeroTopicAlias => DecodeError::TopicAliasZero,
            _ => DecodeError::Malformed,
        }
    }
}

impl core::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            DecodeError::Malformed => "malformed packet",
            DecodeError::Protocol => "protocol error",
            DecodeError::MalformedUtf8 => "malformed UTF-8",
            DecodeError::Oversize => "packet too large",
            DecodeError::DuplicateProperty => "duplicate property",
            DecodeError::TopicAliasZero => "topic alias 0",
        })
    }
}

impl std::error::Error for DecodeError {}
