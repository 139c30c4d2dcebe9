//! Connection settings and owned copies of caller-supplied properties.

use super::error::SessionError;
use crate::protocol::packet::{Properties, ProtocolVersion};
use crate::protocol::property::{check_all, write_property, Identifier, Property, Value, CMD_WILL};
use crate::protocol::{topic, utf8};

/// libmosquitto's default for both the send and the receive maximum.
pub const DEFAULT_INFLIGHT: u16 = 20;

/// The largest will payload CONNECT can carry (a two-byte length).
const MAX_WILL_PAYLOAD: usize = 65535;

/// Maps an inflight option value as `mosquitto_int_option` does:
/// 0 means "no limit", stored as 65535.
pub fn inflight_option(value: u16) -> u16 {
    if value == 0 {
        u16::MAX
    } else {
        value
    }
}

/// Checks a caller's property list for `command` as the original does
/// before sending (`mosquitto_property_check_all`), plus what the typed
/// model cannot rule out: values of the wrong type and strings too long
/// to encode (`Inval`).
pub fn check_properties(command: u32, props: &[Property<'_>]) -> Result<(), SessionError> {
    if props.is_empty() {
        return Ok(());
    }
    let too_long = |b: &[u8]| b.len() > usize::from(u16::MAX);
    for p in props {
        let long = match p.value {
            Value::Binary(b) | Value::String(b) => too_long(b),
            Value::StringPair(n, v) => too_long(n) || too_long(v),
            _ => false,
        };
        if !p.is_well_typed() || long {
            return Err(SessionError::Inval);
        }
    }
    check_all(command, props)?;
    Ok(())
}

/// An owned, validated v5 property list, kept as its encoded block
/// (without the length prefix): one allocation however many properties.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OwnedProperties {
    block: Vec<u8>,
    command: u32,
}

impl OwnedProperties {
    /// Validates `props` for `command` (a `CMD_*` value) and encodes them.
    pub fn new(command: u32, props: &[Property<'_>]) -> Result<Self, SessionError> {
        check_properties(command, props)?;
        let mut block = Vec::new();
        for p in props {
            write_property(&mut block, p);
        }
        Ok(OwnedProperties { block, command })
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.block.is_empty()
    }

    /// The encoded block, without its length prefix.
    pub fn block(&self) -> &[u8] {
        &self.block
    }

    /// The list as codec properties, borrowing the block.
    pub fn as_properties(&self) -> Properties<'_> {
        if self.block.is_empty() {
            Properties::EMPTY
        } else {
            Properties::wire(&self.block, self.command)
        }
    }

    /// The value of the first property with this identifier.
    pub fn find(&self, id: Identifier) -> Option<Value<'_>> {
        self.as_properties().find(id)
    }
}

/// The will message sent in CONNECT (owned).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WillConfig {
    /// Will topic.
    pub topic: Vec<u8>,
    /// Will payload (at most 65,535 bytes).
    pub payload: Vec<u8>,
    /// Will QoS.
    pub qos: u8,
    /// Will retain flag (sent only while the broker has retain available).
    pub retain: bool,
    /// v5 will properties.
    pub properties: OwnedProperties,
}

impl WillConfig {
    /// Validates and copies a will as `mosquitto_will_set_v5` does: QoS
    /// 0..2 and a publishable topic (`Inval`), UTF-8 topic
    /// (`MalformedUtf8`), payload size (`PayloadSize`), properties only in
    /// v5 (`NotSupported`) and allowed in a will.
    pub fn new(
        version: ProtocolVersion,
        topic_name: &[u8],
        payload: &[u8],
        qos: u8,
        retain: bool,
        props: &[Property<'_>],
    ) -> Result<Self, SessionError> {
        if qos > 2 {
            return Err(SessionError::Inval);
        }
        if payload.len() > MAX_WILL_PAYLOAD {
            return Err(SessionError::PayloadSize);
        }
        topic::check_publish_topic(topic_name).map_err(|_| SessionError::Inval)?;
        utf8::validate(topic_name).map_err(|_| SessionError::MalformedUtf8)?;
        if !props.is_empty() && !version.is_v5() {
            return Err(SessionError::NotSupported);
        }
        Ok(WillConfig {
            topic: topic_name.to_vec(),
            payload: payload.to_vec(),
            qos,
            retain,
            properties: OwnedProperties::new(CMD_WILL, props)?,
        })
    }
}

/// What CONNECT announces. Changes take effect at the next
/// [`super::Session::start_connect`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Protocol version (default 3.1.1, as `mosquitto_new`).
    pub version: ProtocolVersion,
    /// Client identifier; `None` sends an empty one (the broker may then
    /// assign one in a v5 CONNACK). MQTT 3.1 requires one.
    pub client_id: Option<Vec<u8>>,
    /// Keep alive in seconds (0 = off), as given to `mosquitto_connect`.
    pub keepalive: u16,
    /// Clean session (v3) / clean start (v5).
    pub clean_start: bool,
    /// User name.
    pub username: Option<Vec<u8>>,
    /// Password (v3 requires a user name with it).
    pub password: Option<Vec<u8>>,
    /// The will, if any.
    pub will: Option<Box<WillConfig>>,
    /// v5 CONNECT properties (validated with
    /// [`OwnedProperties::new`]`(CMD_CONNECT, ..)`).
    pub connect_properties: OwnedProperties,
}

impl Config {
    /// Settings as `mosquitto_new(id, clean_session, ..)` leaves them:
    /// MQTT 3.1.1, keep alive 60, no credentials, no will.
    pub fn new(client_id: Option<&[u8]>, clean_start: bool) -> Self {
        Config {
            version: ProtocolVersion::V311,
            client_id: client_id.map(<[u8]>::to_vec),
            keepalive: 60,
            clean_start,
            username: None,
            password: None,
            will: None,
            connect_properties: OwnedProperties::default(),
        }
    }
}
