//! The C API's numbers, by the names of the reference's headers
//! (`mosquitto.h`, `mqtt_protocol.h`): return values, options, protocol
//! versions and v5 property identifiers. Tests use these names, never the
//! bare numbers; `harness_selftest`'s `consts_match_the_reference_headers`
//! checks every value against Debian's installed headers.

use std::ffi::c_int;

// ---- enum mosq_err_t ----------------------------------------------------------
pub const MOSQ_ERR_AUTH_CONTINUE: c_int = -4;
pub const MOSQ_ERR_NO_SUBSCRIBERS: c_int = -3;
pub const MOSQ_ERR_SUB_EXISTS: c_int = -2;
pub const MOSQ_ERR_CONN_PENDING: c_int = -1;
pub const MOSQ_ERR_SUCCESS: c_int = 0;
pub const MOSQ_ERR_NOMEM: c_int = 1;
pub const MOSQ_ERR_PROTOCOL: c_int = 2;
pub const MOSQ_ERR_INVAL: c_int = 3;
pub const MOSQ_ERR_NO_CONN: c_int = 4;
pub const MOSQ_ERR_CONN_REFUSED: c_int = 5;
pub const MOSQ_ERR_NOT_FOUND: c_int = 6;
pub const MOSQ_ERR_CONN_LOST: c_int = 7;
pub const MOSQ_ERR_TLS: c_int = 8;
pub const MOSQ_ERR_PAYLOAD_SIZE: c_int = 9;
pub const MOSQ_ERR_NOT_SUPPORTED: c_int = 10;
pub const MOSQ_ERR_AUTH: c_int = 11;
pub const MOSQ_ERR_ACL_DENIED: c_int = 12;
pub const MOSQ_ERR_UNKNOWN: c_int = 13;
pub const MOSQ_ERR_ERRNO: c_int = 14;
pub const MOSQ_ERR_EAI: c_int = 15;
pub const MOSQ_ERR_PROXY: c_int = 16;
pub const MOSQ_ERR_PLUGIN_DEFER: c_int = 17;
pub const MOSQ_ERR_MALFORMED_UTF8: c_int = 18;
pub const MOSQ_ERR_KEEPALIVE: c_int = 19;
pub const MOSQ_ERR_LOOKUP: c_int = 20;
pub const MOSQ_ERR_MALFORMED_PACKET: c_int = 21;
pub const MOSQ_ERR_DUPLICATE_PROPERTY: c_int = 22;
pub const MOSQ_ERR_TLS_HANDSHAKE: c_int = 23;
pub const MOSQ_ERR_QOS_NOT_SUPPORTED: c_int = 24;
pub const MOSQ_ERR_OVERSIZE_PACKET: c_int = 25;
pub const MOSQ_ERR_OCSP: c_int = 26;
pub const MOSQ_ERR_TIMEOUT: c_int = 27;
pub const MOSQ_ERR_RETAIN_NOT_SUPPORTED: c_int = 28;
pub const MOSQ_ERR_TOPIC_ALIAS_INVALID: c_int = 29;
pub const MOSQ_ERR_ADMINISTRATIVE_ACTION: c_int = 30;
pub const MOSQ_ERR_ALREADY_EXISTS: c_int = 31;

// ---- enum mosq_opt_t ----------------------------------------------------------
pub const MOSQ_OPT_PROTOCOL_VERSION: c_int = 1;
pub const MOSQ_OPT_SSL_CTX: c_int = 2;
pub const MOSQ_OPT_SSL_CTX_WITH_DEFAULTS: c_int = 3;
pub const MOSQ_OPT_RECEIVE_MAXIMUM: c_int = 4;
pub const MOSQ_OPT_SEND_MAXIMUM: c_int = 5;
pub const MOSQ_OPT_TLS_KEYFORM: c_int = 6;
pub const MOSQ_OPT_TLS_ENGINE: c_int = 7;
pub const MOSQ_OPT_TLS_ENGINE_KPASS_SHA1: c_int = 8;
pub const MOSQ_OPT_TLS_OCSP_REQUIRED: c_int = 9;
pub const MOSQ_OPT_TLS_ALPN: c_int = 10;
pub const MOSQ_OPT_TCP_NODELAY: c_int = 11;
pub const MOSQ_OPT_BIND_ADDRESS: c_int = 12;
pub const MOSQ_OPT_TLS_USE_OS_CERTS: c_int = 13;

// ---- MQTT_PROTOCOL_* (values of MOSQ_OPT_PROTOCOL_VERSION) ----------------------
pub const MQTT_PROTOCOL_V31: c_int = 3;
pub const MQTT_PROTOCOL_V311: c_int = 4;
pub const MQTT_PROTOCOL_V5: c_int = 5;

// ---- enum mqtt5_property --------------------------------------------------------
pub const MQTT_PROP_PAYLOAD_FORMAT_INDICATOR: c_int = 1;
pub const MQTT_PROP_MESSAGE_EXPIRY_INTERVAL: c_int = 2;
pub const MQTT_PROP_CONTENT_TYPE: c_int = 3;
pub const MQTT_PROP_RESPONSE_TOPIC: c_int = 8;
pub const MQTT_PROP_CORRELATION_DATA: c_int = 9;
pub const MQTT_PROP_SUBSCRIPTION_IDENTIFIER: c_int = 11;
pub const MQTT_PROP_SESSION_EXPIRY_INTERVAL: c_int = 17;
pub const MQTT_PROP_ASSIGNED_CLIENT_IDENTIFIER: c_int = 18;
pub const MQTT_PROP_SERVER_KEEP_ALIVE: c_int = 19;
pub const MQTT_PROP_AUTHENTICATION_METHOD: c_int = 21;
pub const MQTT_PROP_AUTHENTICATION_DATA: c_int = 22;
pub const MQTT_PROP_REQUEST_PROBLEM_INFORMATION: c_int = 23;
pub const MQTT_PROP_WILL_DELAY_INTERVAL: c_int = 24;
pub const MQTT_PROP_REQUEST_RESPONSE_INFORMATION: c_int = 25;
pub const MQTT_PROP_RESPONSE_INFORMATION: c_int = 26;
pub const MQTT_PROP_SERVER_REFERENCE: c_int = 28;
pub const MQTT_PROP_REASON_STRING: c_int = 31;
pub const MQTT_PROP_RECEIVE_MAXIMUM: c_int = 33;
pub const MQTT_PROP_TOPIC_ALIAS_MAXIMUM: c_int = 34;
pub const MQTT_PROP_TOPIC_ALIAS: c_int = 35;
pub const MQTT_PROP_MAXIMUM_QOS: c_int = 36;
pub const MQTT_PROP_RETAIN_AVAILABLE: c_int = 37;
pub const MQTT_PROP_USER_PROPERTY: c_int = 38;
pub const MQTT_PROP_MAXIMUM_PACKET_SIZE: c_int = 39;
pub const MQTT_PROP_WILDCARD_SUB_AVAILABLE: c_int = 40;
pub const MQTT_PROP_SUBSCRIPTION_ID_AVAILABLE: c_int = 41;
pub const MQTT_PROP_SHARED_SUB_AVAILABLE: c_int = 42;

// ---- 2.1 additions (absent from Debian's 2.0.11 headers; checked against
// ---- the 2.1 values in our include/mosquitto.h) ------------------------------
pub const MOSQ_OPT_DISABLE_SOCKETPAIR: c_int = 14;
pub const MOSQ_OPT_TRANSPORT: c_int = 15;
pub const MOSQ_OPT_HTTP_PATH: c_int = 16;
pub const MOSQ_OPT_HTTP_HEADER_SIZE: c_int = 17;
pub const MOSQ_T_TCP: c_int = 1;
pub const MOSQ_T_WEBSOCKETS: c_int = 2;
