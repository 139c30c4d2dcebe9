//! The protocol versions the codec speaks.

/// An MQTT protocol version, numbered as the CONNECT protocol level.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProtocolVersion {
    /// MQTT 3.1 (protocol name "MQIsdp").
    V31 = 3,
    /// MQTT 3.1.1 (protocol name "MQTT").
    V311 = 4,
    /// MQTT 5.0 (protocol name "MQTT").
    V5 = 5,
}

impl ProtocolVersion {
    /// The version for a protocol level (`MQTT_PROTOCOL_V31` etc.).
    pub fn from_level(level: u8) -> Option<ProtocolVersion> {
        match level {
            3 => Some(ProtocolVersion::V31),
            4 => Some(ProtocolVersion::V311),
            5 => Some(ProtocolVersion::V5),
            _ => None,
        }
    }

    /// The protocol name sent in CONNECT.
    pub fn protocol_name(self) -> &'static [u8] {
        match self {
            ProtocolVersion::V31 => b"MQIsdp",
            ProtocolVersion::V311 | ProtocolVersion::V5 => b"MQTT",
        }
    }

    /// Whether packets carry v5 reason codes and properties.
    #[inline]
    pub fn is_v5(self) -> bool {
        self == ProtocolVersion::V5
    }
}
