//! Values of `mqtt_protocol.h`: protocol names and levels, packet types,
//! MQTT 3.1.1 CONNACK codes, MQTT 5 reason codes, property identifiers and
//! types, and subscription options. cbindgen turns this file alone into
//! `include/mqtt_protocol.h` (see `cbindgen-mqtt_protocol.toml`, which also
//! holds the string and function-like macros cbindgen cannot express).
//!
//! Integer macros that the original declares unsigned (`0x10U`) carry a
//! `u32` literal suffix here, which cbindgen renders as a `u` suffix, so the C
//! type of every macro matches the original's.

#![allow(non_camel_case_types, non_upper_case_globals)]

use std::ffi::c_int;

/// Protocol name of MQTT 3.1 (written by the header config as a macro).
/// cbindgen:ignore
pub const PROTOCOL_NAME_v31: &str = "MQIsdp";
/// Protocol level of MQTT 3.1.
pub const PROTOCOL_VERSION_v31: c_int = 3;
/// Protocol name of MQTT 3.1.1 and 5 (written by the header config as a macro).
/// cbindgen:ignore
pub const PROTOCOL_NAME: &str = "MQTT";
/// Protocol level of MQTT 3.1.1.
pub const PROTOCOL_VERSION_v311: c_int = 4;
/// Protocol level of MQTT 5.
pub const PROTOCOL_VERSION_v5: c_int = 5;

/// Packet type 0, reserved by the specification (2.1).
pub const CMD_RESERVED: u32 = 0x00_u32;
/// CONNECT packet type (high nibble of the fixed header).
pub const CMD_CONNECT: u32 = 0x10_u32;
/// CONNACK packet type.
pub const CMD_CONNACK: u32 = 0x20_u32;
/// PUBLISH packet type.
pub const CMD_PUBLISH: u32 = 0x30_u32;
/// PUBACK packet type.
pub const CMD_PUBACK: u32 = 0x40_u32;
/// PUBREC packet type.
pub const CMD_PUBREC: u32 = 0x50_u32;
/// PUBREL packet type.
pub const CMD_PUBREL: u32 = 0x60_u32;
/// PUBCOMP packet type.
pub const CMD_PUBCOMP: u32 = 0x70_u32;
/// SUBSCRIBE packet type.
pub const CMD_SUBSCRIBE: u32 = 0x80_u32;
/// SUBACK packet type.
pub const CMD_SUBACK: u32 = 0x90_u32;
/// UNSUBSCRIBE packet type.
pub const CMD_UNSUBSCRIBE: u32 = 0xA0_u32;
/// UNSUBACK packet type.
pub const CMD_UNSUBACK: u32 = 0xB0_u32;
/// PINGREQ packet type.
pub const CMD_PINGREQ: u32 = 0xC0_u32;
/// PINGRESP packet type.
pub const CMD_PINGRESP: u32 = 0xD0_u32;
/// DISCONNECT packet type.
pub const CMD_DISCONNECT: u32 = 0xE0_u32;
/// AUTH packet type (MQTT 5).
pub const CMD_AUTH: u32 = 0xF0_u32;
/// Not a packet type: tells property checks apart for will properties.
pub const CMD_WILL: c_int = 0x100;

/// Alias of `MQTT_RC_SUCCESS` used in DISCONNECT.
pub const MQTT_RC_NORMAL_DISCONNECTION: c_int = 0;
/// Alias of `MQTT_RC_SUCCESS` used in SUBACK.
pub const MQTT_RC_GRANTED_QOS0: c_int = 0;

/// The largest remaining length an MQTT packet can announce.
pub const MQTT_MAX_PAYLOAD: u32 = 268435455_u32;

/// CONNACK return codes of MQTT 3.1 and 3.1.1.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mqtt311_connack_codes {
    CONNACK_ACCEPTED = 0,
    CONNACK_REFUSED_PROTOCOL_VERSION = 1,
    CONNACK_REFUSED_IDENTIFIER_REJECTED = 2,
    CONNACK_REFUSED_SERVER_UNAVAILABLE = 3,
    CONNACK_REFUSED_BAD_USERNAME_PASSWORD = 4,
    CONNACK_REFUSED_NOT_AUTHORIZED = 5,
}

/// MQTT 5 reason codes. The specification gives 0 three names; the two
/// aliases are the `MQTT_RC_NORMAL_DISCONNECTION` and `MQTT_RC_GRANTED_QOS0`
/// constants, since an enum cannot repeat a value.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mqtt5_return_codes {
    MQTT_RC_SUCCESS = 0,
    MQTT_RC_GRANTED_QOS1 = 1,
    MQTT_RC_GRANTED_QOS2 = 2,
    MQTT_RC_DISCONNECT_WITH_WILL_MSG = 4,
    MQTT_RC_NO_MATCHING_SUBSCRIBERS = 16,
    MQTT_RC_NO_SUBSCRIPTION_EXISTED = 17,
    MQTT_RC_CONTINUE_AUTHENTICATION = 24,
    MQTT_RC_REAUTHENTICATE = 25,
    MQTT_RC_UNSPECIFIED = 128,
    MQTT_RC_MALFORMED_PACKET = 129,
    MQTT_RC_PROTOCOL_ERROR = 130,
    MQTT_RC_IMPLEMENTATION_SPECIFIC = 131,
    MQTT_RC_UNSUPPORTED_PROTOCOL_VERSION = 132,
    MQTT_RC_CLIENTID_NOT_VALID = 133,
    MQTT_RC_BAD_USERNAME_OR_PASSWORD = 134,
    MQTT_RC_NOT_AUTHORIZED = 135,
    MQTT_RC_SERVER_UNAVAILABLE = 136,
    MQTT_RC_SERVER_BUSY = 137,
    MQTT_RC_BANNED = 138,
    MQTT_RC_SERVER_SHUTTING_DOWN = 139,
    MQTT_RC_BAD_AUTHENTICATION_METHOD = 140,
    MQTT_RC_KEEP_ALIVE_TIMEOUT = 141,
    MQTT_RC_SESSION_TAKEN_OVER = 142,
    MQTT_RC_TOPIC_FILTER_INVALID = 143,
    MQTT_RC_TOPIC_NAME_INVALID = 144,
    MQTT_RC_PACKET_ID_IN_USE = 145,
    MQTT_RC_PACKET_ID_NOT_FOUND = 146,
    MQTT_RC_RECEIVE_MAXIMUM_EXCEEDED = 147,
    MQTT_RC_TOPIC_ALIAS_INVALID = 148,
    MQTT_RC_PACKET_TOO_LARGE = 149,
    MQTT_RC_MESSAGE_RATE_TOO_HIGH = 150,
    MQTT_RC_QUOTA_EXCEEDED = 151,
    MQTT_RC_ADMINISTRATIVE_ACTION = 152,
    MQTT_RC_PAYLOAD_FORMAT_INVALID = 153,
    MQTT_RC_RETAIN_NOT_SUPPORTED = 154,
    MQTT_RC_QOS_NOT_SUPPORTED = 155,
    MQTT_RC_USE_ANOTHER_SERVER = 156,
    MQTT_RC_SERVER_MOVED = 157,
    MQTT_RC_SHARED_SUBS_NOT_SUPPORTED = 158,
    MQTT_RC_CONNECTION_RATE_EXCEEDED = 159,
    MQTT_RC_MAXIMUM_CONNECT_TIME = 160,
    MQTT_RC_SUBSCRIPTION_IDS_NOT_SUPPORTED = 161,
    MQTT_RC_WILDCARD_SUBS_NOT_SUPPORTED = 162,
}

/// MQTT 5 property identifiers.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mqtt5_property {
    MQTT_PROP_PAYLOAD_FORMAT_INDICATOR = 1,
    MQTT_PROP_MESSAGE_EXPIRY_INTERVAL = 2,
    MQTT_PROP_CONTENT_TYPE = 3,
    MQTT_PROP_RESPONSE_TOPIC = 8,
    MQTT_PROP_CORRELATION_DATA = 9,
    MQTT_PROP_SUBSCRIPTION_IDENTIFIER = 11,
    MQTT_PROP_SESSION_EXPIRY_INTERVAL = 17,
    MQTT_PROP_ASSIGNED_CLIENT_IDENTIFIER = 18,
    MQTT_PROP_SERVER_KEEP_ALIVE = 19,
    MQTT_PROP_AUTHENTICATION_METHOD = 21,
    MQTT_PROP_AUTHENTICATION_DATA = 22,
    MQTT_PROP_REQUEST_PROBLEM_INFORMATION = 23,
    MQTT_PROP_WILL_DELAY_INTERVAL = 24,
    MQTT_PROP_REQUEST_RESPONSE_INFORMATION = 25,
    MQTT_PROP_RESPONSE_INFORMATION = 26,
    MQTT_PROP_SERVER_REFERENCE = 28,
    MQTT_PROP_REASON_STRING = 31,
    MQTT_PROP_RECEIVE_MAXIMUM = 33,
    MQTT_PROP_TOPIC_ALIAS_MAXIMUM = 34,
    MQTT_PROP_TOPIC_ALIAS = 35,
    MQTT_PROP_MAXIMUM_QOS = 36,
    MQTT_PROP_RETAIN_AVAILABLE = 37,
    MQTT_PROP_USER_PROPERTY = 38,
    MQTT_PROP_MAXIMUM_PACKET_SIZE = 39,
    MQTT_PROP_WILDCARD_SUB_AVAILABLE = 40,
    MQTT_PROP_SUBSCRIPTION_ID_AVAILABLE = 41,
    MQTT_PROP_SHARED_SUB_AVAILABLE = 42,
}

/// The wire type of an MQTT 5 property's value.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mqtt5_property_type {
    MQTT_PROP_TYPE_BYTE = 1,
    MQTT_PROP_TYPE_INT16 = 2,
    MQTT_PROP_TYPE_INT32 = 3,
    MQTT_PROP_TYPE_VARINT = 4,
    MQTT_PROP_TYPE_BINARY = 5,
    MQTT_PROP_TYPE_STRING = 6,
    MQTT_PROP_TYPE_STRING_PAIR = 7,
}

/// MQTT 5 subscription option bits (OR them with the QoS).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mqtt5_sub_options {
    MQTT_SUB_OPT_NO_LOCAL = 0x04,
    MQTT_SUB_OPT_RETAIN_AS_PUBLISHED = 0x08,
    MQTT_SUB_OPT_SEND_RETAIN_ALWAYS = 0x00,
    MQTT_SUB_OPT_SEND_RETAIN_NEW = 0x10,
    MQTT_SUB_OPT_SEND_RETAIN_NEVER = 0x20,
}
