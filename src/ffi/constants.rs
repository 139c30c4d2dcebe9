//! Constants and enums of `mosquitto.h`: error codes, options, log levels and
//! version numbers. cbindgen turns this file into the matching parts of the
//! generated header, so names and values here are the C API.
//!
//! Unsigned macros of the original (`0x80000000U`) carry a `u32` literal
//! suffix, which cbindgen turns into a `u` suffix so the C types match too.
//!
//! Values follow libmosquitto 2.0 (the ABI deployed programs were compiled
//! against); the 2.1 additions are included where they do not collide.

#![allow(non_camel_case_types)]

use std::ffi::c_int;

/// Major version of the libmosquitto API this library implements.
pub const LIBMOSQUITTO_MAJOR: c_int = 2;
/// Minor version of the libmosquitto API this library implements.
pub const LIBMOSQUITTO_MINOR: c_int = 1;
/// Revision of the libmosquitto API this library implements.
pub const LIBMOSQUITTO_REVISION: c_int = 0;
/// `major*1000000 + minor*1000 + revision`, as `mosquitto_lib_version` returns.
pub const LIBMOSQUITTO_VERSION_NUMBER: c_int =
    LIBMOSQUITTO_MAJOR * 1000000 + LIBMOSQUITTO_MINOR * 1000 + LIBMOSQUITTO_REVISION;

/// Log level: nothing.
pub const MOSQ_LOG_NONE: c_int = 0;
/// Log level: informational.
pub const MOSQ_LOG_INFO: c_int = 1 << 0;
/// Log level: notice.
pub const MOSQ_LOG_NOTICE: c_int = 1 << 1;
/// Log level: warning.
pub const MOSQ_LOG_WARNING: c_int = 1 << 2;
/// Log level: error.
pub const MOSQ_LOG_ERR: c_int = 1 << 3;
/// Log level: debug (packet traces).
pub const MOSQ_LOG_DEBUG: c_int = 1 << 4;
/// Log level: subscriptions (broker only).
pub const MOSQ_LOG_SUBSCRIBE: c_int = 1 << 5;
/// Log level: unsubscriptions (broker only).
pub const MOSQ_LOG_UNSUBSCRIBE: c_int = 1 << 6;
/// Log level: websockets.
pub const MOSQ_LOG_WEBSOCKETS: c_int = 1 << 7;
/// Log level: internal.
pub const MOSQ_LOG_INTERNAL: u32 = 0x8000_0000_u32;
/// All log levels.
pub const MOSQ_LOG_ALL: u32 = 0xFFFF_FFFF_u32;

/// The MQTT 3.1 limit on client id length.
pub const MOSQ_MQTT_ID_MAX_LENGTH: c_int = 23;

/// `MOSQ_OPT_PROTOCOL_VERSION` value for MQTT 3.1.
pub const MQTT_PROTOCOL_V31: c_int = 3;
/// `MOSQ_OPT_PROTOCOL_VERSION` value for MQTT 3.1.1.
pub const MQTT_PROTOCOL_V311: c_int = 4;
/// `MOSQ_OPT_PROTOCOL_VERSION` value for MQTT 5.0.
pub const MQTT_PROTOCOL_V5: c_int = 5;

/// Return values of the library's functions.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mosq_err_t {
    MOSQ_ERR_QUOTA_EXCEEDED = -6,
    MOSQ_ERR_AUTH_DELAYED = -5,
    MOSQ_ERR_AUTH_CONTINUE = -4,
    MOSQ_ERR_NO_SUBSCRIBERS = -3,
    MOSQ_ERR_SUB_EXISTS = -2,
    MOSQ_ERR_CONN_PENDING = -1,
    MOSQ_ERR_SUCCESS = 0,
    MOSQ_ERR_NOMEM = 1,
    MOSQ_ERR_PROTOCOL = 2,
    MOSQ_ERR_INVAL = 3,
    MOSQ_ERR_NO_CONN = 4,
    MOSQ_ERR_CONN_REFUSED = 5,
    MOSQ_ERR_NOT_FOUND = 6,
    MOSQ_ERR_CONN_LOST = 7,
    MOSQ_ERR_TLS = 8,
    MOSQ_ERR_PAYLOAD_SIZE = 9,
    MOSQ_ERR_NOT_SUPPORTED = 10,
    MOSQ_ERR_AUTH = 11,
    MOSQ_ERR_ACL_DENIED = 12,
    MOSQ_ERR_UNKNOWN = 13,
    MOSQ_ERR_ERRNO = 14,
    MOSQ_ERR_EAI = 15,
    MOSQ_ERR_PROXY = 16,
    MOSQ_ERR_PLUGIN_DEFER = 17,
    MOSQ_ERR_MALFORMED_UTF8 = 18,
    MOSQ_ERR_KEEPALIVE = 19,
    MOSQ_ERR_LOOKUP = 20,
    MOSQ_ERR_MALFORMED_PACKET = 21,
    MOSQ_ERR_DUPLICATE_PROPERTY = 22,
    MOSQ_ERR_TLS_HANDSHAKE = 23,
    MOSQ_ERR_QOS_NOT_SUPPORTED = 24,
    MOSQ_ERR_OVERSIZE_PACKET = 25,
    MOSQ_ERR_OCSP = 26,
    MOSQ_ERR_TIMEOUT = 27,
    /// 2.0's value; 2.1 renumbered it to 154 (`mosquitto_strerror` knows both).
    MOSQ_ERR_RETAIN_NOT_SUPPORTED = 28,
    /// 2.0's value; 2.1 renumbered it to 148 (`mosquitto_strerror` knows both).
    MOSQ_ERR_TOPIC_ALIAS_INVALID = 29,
    /// 2.0's value; 2.1 renumbered it to 152 (`mosquitto_strerror` knows both).
    MOSQ_ERR_ADMINISTRATIVE_ACTION = 30,
    MOSQ_ERR_ALREADY_EXISTS = 31,
    MOSQ_ERR_PLUGIN_IGNORE = 32,
    MOSQ_ERR_HTTP_BAD_ORIGIN = 33,
    MOSQ_ERR_AUTH_DENIED = 34,
    MOSQ_ERR_UNSPECIFIED = 128,
    MOSQ_ERR_IMPLEMENTATION_SPECIFIC = 131,
    MOSQ_ERR_UNSUPPORTED_PROTOCOL_VERSION = 132,
    MOSQ_ERR_CLIENT_IDENTIFIER_NOT_VALID = 133,
    MOSQ_ERR_BAD_USERNAME_OR_PASSWORD = 134,
    MOSQ_ERR_SERVER_UNAVAILABLE = 136,
    MOSQ_ERR_SERVER_BUSY = 137,
    MOSQ_ERR_BANNED = 138,
    MOSQ_ERR_SERVER_SHUTTING_DOWN = 139,
    MOSQ_ERR_BAD_AUTHENTICATION_METHOD = 140,
    MOSQ_ERR_SESSION_TAKEN_OVER = 142,
    MOSQ_ERR_TOPIC_FILTER_INVALID = 143,
    MOSQ_ERR_TOPIC_NAME_INVALID = 144,
    MOSQ_ERR_PACKET_ID_IN_USE = 145,
    MOSQ_ERR_PACKET_ID_NOT_FOUND = 146,
    MOSQ_ERR_RECEIVE_MAXIMUM_EXCEEDED = 147,
    MOSQ_ERR_MESSAGE_RATE_TOO_HIGH = 150,
    MOSQ_ERR_PAYLOAD_FORMAT_INVALID = 153,
    MOSQ_ERR_USE_ANOTHER_SERVER = 156,
    MOSQ_ERR_SERVER_MOVED = 157,
    MOSQ_ERR_SHARED_SUBS_NOT_SUPPORTED = 158,
    MOSQ_ERR_CONNECTION_RATE_EXCEEDED = 159,
    MOSQ_ERR_MAXIMUM_CONNECT_TIME = 160,
    MOSQ_ERR_SUBSCRIPTION_IDS_NOT_SUPPORTED = 161,
    MOSQ_ERR_WILDCARD_SUBS_NOT_SUPPORTED = 162,
}

/// Option identifiers for `mosquitto_opts_set` and the `*_option` functions.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mosq_opt_t {
    /// Option: MQTT version (`int`: 3, 4 or 5). Status: supported.
    MOSQ_OPT_PROTOCOL_VERSION = 1,
    /// Option: the caller's OpenSSL `SSL_CTX`. Status: not supported (TLS is rustls): a non-NULL context gives MOSQ_ERR_NOT_SUPPORTED; NULL is accepted.
    MOSQ_OPT_SSL_CTX = 2,
    /// Option: apply default settings to the caller's `SSL_CTX`. Status: accepted; without a caller's `SSL_CTX` (never accepted) it has no effect.
    MOSQ_OPT_SSL_CTX_WITH_DEFAULTS = 3,
    /// Option: MQTT 5 Receive Maximum sent in CONNECT. Status: supported.
    MOSQ_OPT_RECEIVE_MAXIMUM = 4,
    /// Option: outgoing inflight window. Status: supported.
    MOSQ_OPT_SEND_MAXIMUM = 5,
    /// Option: client key format. Status: "pem" supported; "engine" gives MOSQ_ERR_NOT_SUPPORTED.
    MOSQ_OPT_TLS_KEYFORM = 6,
    /// Option: OpenSSL engine. Status: not supported (MOSQ_ERR_NOT_SUPPORTED).
    MOSQ_OPT_TLS_ENGINE = 7,
    /// Option: engine key password. Status: not supported (MOSQ_ERR_NOT_SUPPORTED).
    MOSQ_OPT_TLS_ENGINE_KPASS_SHA1 = 8,
    /// Option: require a stapled OCSP response. Status: not supported: 1 gives MOSQ_ERR_NOT_SUPPORTED, 0 is accepted.
    MOSQ_OPT_TLS_OCSP_REQUIRED = 9,
    /// Option: TLS ALPN protocol. Status: supported.
    MOSQ_OPT_TLS_ALPN = 10,
    /// Option: disable Nagle's algorithm. Status: supported.
    MOSQ_OPT_TCP_NODELAY = 11,
    /// Option: local address to bind to. Status: supported.
    MOSQ_OPT_BIND_ADDRESS = 12,
    /// Option: trust the system's CA store. Status: supported.
    MOSQ_OPT_TLS_USE_OS_CERTS = 13,
    /// Option (2.1): no wake-up socket pair. Status: supported.
    MOSQ_OPT_DISABLE_SOCKETPAIR = 14,
    /// Option (2.1): TCP or WebSockets. Status: supported (MOSQ_T_TCP, MOSQ_T_WEBSOCKETS, over TCP or TLS).
    MOSQ_OPT_TRANSPORT = 15,
    /// Option (2.1): WebSockets HTTP path (default "/mqtt"). Status: supported.
    MOSQ_OPT_HTTP_PATH = 16,
    /// Option (2.1): largest HTTP response header accepted (default 4096, at least 100). Status: supported.
    MOSQ_OPT_HTTP_HEADER_SIZE = 17,
}

/// Values of `MOSQ_OPT_TRANSPORT` (2.1).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mosq_transport_t {
    MOSQ_T_TCP = 1,
    MOSQ_T_WEBSOCKETS = 2,
}

/// Shorthand for returning an error code from an `int` entry point.
pub const fn rc(e: mosq_err_t) -> c_int {
    e as c_int
}
