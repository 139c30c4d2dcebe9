//! Why a session operation failed or why the connection must end.

use crate::protocol::packet::DecodeError;
use crate::protocol::property::PropertyError;

/// A session failure. The client turns each into its error kind (the C
/// API's return code: see `ErrorKind` in `src/client/error.rs`); the
/// faults of the broker's packets (`BrokerMalformed`,
/// `ReceiveMaximumExceeded`, `BrokerTopicAliasInvalid`) are reported as a
/// protocol error, as 2.0 does.
///
/// When the broker's packet is at fault, [`SessionError::disconnect_reason`]
/// names the reason code an MQTT 5 client sends in its DISCONNECT.
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
    /// The packet would exceed the broker's Maximum Packet Size (or a
    /// received one exceeds ours).
    OversizePacket,
    /// A packet from the broker is malformed. Reported as
    /// `MOSQ_ERR_PROTOCOL`, as 2.0 does; MQTT 5 answers with reason 0x81.
    BrokerMalformed,
    /// The broker sent more unacknowledged QoS 1 and 2 PUBLISHes than the
    /// Receive Maximum we announced (MQTT 5 reason 0x93).
    ReceiveMaximumExceeded,
    /// The broker used a topic alias it may not use (MQTT 5 reason 0x94).
    BrokerTopicAliasInvalid,
    /// A retained message while the broker has no Retain Available.
    RetainNotSupported,
    /// A Topic Alias the broker does not allow (0, above its Topic Alias
    /// Maximum) or, with an empty topic, one not set on this connection.
    TopicAliasInvalid,
    /// No packet identifier is free: all 65535 are held by messages and
    /// requests awaiting their acknowledgement [MQTT-2.2.1-3].
    NoMem,
}

impl SessionError {
    /// The reason code of the DISCONNECT an MQTT 5 client sends when a
    /// packet from the broker fails this way [MQTT-4.13.1-1]; `None` for
    /// errors that are not the broker's packet's fault.
    pub fn disconnect_reason(self) -> Option<u8> {
        match self {
            SessionError::BrokerMalformed
            | SessionError::MalformedPacket
            | SessionError::MalformedUtf8 => Some(0x81),
            // "It is a Protocol Error to include the ... more than once."
            SessionError::Protocol | SessionError::DuplicateProperty => Some(0x82),
            SessionError::ReceiveMaximumExceeded => Some(0x93),
            SessionError::BrokerTopicAliasInvalid => Some(0x94),
            SessionError::OversizePacket => Some(0x95),
            SessionError::Inval
            | SessionError::NoConn
            | SessionError::ConnRefused
            | SessionError::PayloadSize
            | SessionError::NotSupported
            | SessionError::Keepalive
            | SessionError::QosNotSupported
            | SessionError::RetainNotSupported
            | SessionError::TopicAliasInvalid
            | SessionError::NoMem => None,
        }
    }
}

impl From<DecodeError> for SessionError {
    fn from(e: DecodeError) -> Self {
        match e {
            // libmosquitto 2.0 reports a malformed packet from the broker
            // as a protocol error.
            DecodeError::Malformed => SessionError::BrokerMalformed,
            DecodeError::Protocol => SessionError::Protocol,
            DecodeError::MalformedUtf8 => SessionError::MalformedUtf8,
            DecodeError::Oversize => SessionError::OversizePacket,
            DecodeError::DuplicateProperty => SessionError::DuplicateProperty,
            DecodeError::TopicAliasZero => SessionError::BrokerTopicAliasInvalid,
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
            SessionError::BrokerMalformed => "malformed packet from the broker",
            SessionError::ReceiveMaximumExceeded => "receive maximum exceeded",
            SessionError::BrokerTopicAliasInvalid => "invalid topic alias from the broker",
            SessionError::RetainNotSupported => "retain not supported",
            SessionError::TopicAliasInvalid => "topic alias invalid",
            SessionError::NoMem => "no packet identifier free",
        })
    }
}

impl std::error::Error for SessionError {}
