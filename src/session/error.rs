//! Why a session operation failed or why the connection must end.

use crate::protocol::packet::DecodeError;
use crate::protocol::property::PropertyError;

/// A session failure. Each variant maps to exactly one `MOSQ_ERR_*` code
/// (the mapping is done at the FFI edge; see [`SessionError::mosq_err`]).
///
/// | variant             | `mosq_err_t`                    |
/// |---------------------|---------------------------------|
/// | `Inval`             | `MOSQ_ERR_INVAL` (3)            |
/// | `NoConn`            | `MOSQ_ERR_NO_CONN` (4)          |
/// | `ConnRefused`       | `MOSQ_ERR_CONN_REFUSED` (5)     |
/// | `Protocol`          | `MOSQ_ERR_PROTOCOL` (2)         |
/// | `PayloadSize`       | `MOSQ_ERR_PAYLOAD_SIZE` (9)     |
/// | `NotSupported`      | `MOSQ_ERR_NOT_SUPPORTED` (10)   |
/// | `MalformedUtf8`     | `MOSQ_ERR_MALFORMED_UTF8` (18)  |
/// | `Keepalive`         | `MOSQ_ERR_KEEPALIVE` (19)       |
/// | `MalformedPacket`   | `MOSQ_ERR_MALFORMED_PACKET` (21)|
/// | `DuplicateProperty` | `MOSQ_ERR_DUPLICATE_PROPERTY` (22)|
/// | `QosNotSupported`   | `MOSQ_ERR_QOS_NOT_SUPPORTED` (24)|
/// | `OversizePacket`    | `MOSQ_ERR_OVERSIZE_PACKET` (25) |
/// | `NoMem`             | `MOSQ_ERR_NOMEM` (1)            |
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionError {
    /// An argument is invalid (bad QoS, bad topic, bad options...).
    Inval,
    /// There is no connection (the transport is not open).
    NoConn,
    /// The broker refused the connection (v3 CONNACK codes 1 to 5).
    ConnRefused,
    /// The broker violated the protocol (unexpected packet, bad reason
    /// code, unknown topic alias...), or a v5 CONNACK refused us.
    Protocol,
    /// A payload is larger than the protocol allows.
    PayloadSize,
    /// Properties given while not speaking MQTT v5, or AUTH before v5.
    NotSupported,
    /// A topic or string is not valid MQTT UTF-8.
    MalformedUtf8,
    /// The broker did not answer within the keep alive interval.
    Keepalive,
    /// A received packet is malformed.
    MalformedPacket,
    /// A property that may appear once appears twice.
    DuplicateProperty,
    /// The QoS is above the broker's Maximum QoS.
    QosNotSupported,
    /// The packet would exceed the broker's Maximum Packet Size.
    OversizePacket,
    /// No packet identifier is free: all 65535 are held by messages and
    /// requests awaiting their acknowledgement [MQTT-2.2.1-3].
    NoMem,
}

impl SessionError {
    /// The `MOSQ_ERR_*` value of this error.
    pub fn mosq_err(self) -> i32 {
        match self {
            SessionError::Protocol => 2,
            SessionError::Inval => 3,
            SessionError::NoConn => 4,
            SessionError::ConnRefused => 5,
            SessionError::PayloadSize => 9,
            SessionError::NotSupported => 10,
            SessionError::MalformedUtf8 => 18,
            SessionError::Keepalive => 19,
            SessionError::MalformedPacket => 21,
            SessionError::DuplicateProperty => 22,
            SessionError::QosNotSupported => 24,
            SessionError::OversizePacket => 25,
            SessionError::NoMem => 1,
        }
    }
}

impl From<DecodeError> for SessionError {
    fn from(e: DecodeError) -> Self {
        match e {
            // libmosquitto 2.0 reports a malformed packet from the broker
            // as a protocol error.
            DecodeError::Malformed => SessionError::Protocol,
            DecodeError::Protocol => SessionError::Protocol,
            DecodeError::MalformedUtf8 => SessionError::MalformedUtf8,
            DecodeError::Oversize => SessionError::OversizePacket,
            DecodeError::DuplicateProperty => SessionError::DuplicateProperty,
        }
    }
}

impl From<PropertyError> for SessionError {
    /// As `mosquitto_property_check_all` reports a caller's list:
    /// duplicates are `MOSQ_ERR_DUPLICATE_PROPERTY`, every other rule
    /// `MOSQ_ERR_PROTOCOL`.
    #[allow(unreachable_patterns)]
    fn from(e: PropertyError) -> Self {
        match e {
            PropertyError::Duplicate => SessionError::DuplicateProperty,
            PropertyError::MalformedUtf8 => SessionError::MalformedUtf8,
            PropertyError::Malformed => SessionError::MalformedPacket,
            _ => SessionError::Protocol,
        }
    }
}

impl core::fmt::Display for SessionError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            SessionError::Inval => "invalid argument",
            SessionError::NoConn => "not connected",
            SessionError::ConnRefused => "connection refused",
            SessionError::Protocol => "protocol error",
            SessionError::PayloadSize => "payload too large",
            SessionError::NotSupported => "not supported",
            SessionError::MalformedUtf8 => "malformed UTF-8",
            SessionError::Keepalive => "keepalive timeout",
            SessionError::MalformedPacket => "malformed packet",
            SessionError::DuplicateProperty => "duplicate property",
            SessionError::QosNotSupported => "QoS not supported",
            SessionError::OversizePacket => "packet too large",
            SessionError::NoMem => "no packet identifier free",
        })
    }
}

impl std::error::Error for SessionError {}
