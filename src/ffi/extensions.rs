//! Extensions of this library beyond libmosquitto: option values for
//! `mosquitto_int_option`, in a block far from the original's (1-17), so
//! that a program can detect support: the original answers them with
//! `MOSQ_ERR_INVAL`. Off by default; see README.md "Extensions" and docs/extensions.md.

use std::ffi::c_int;

use crate::client::options::QueueOption;

/// ==== Extensions of mosquitto-rs, not in libmosquitto ====
///
/// Option values for `mosquitto_int_option`, far from the original's
/// (1-17). The original answers them with `MOSQ_ERR_INVAL`: a program can
/// detect support and fall back. All off (0) by default.
///
/// `MOSQ_OPT_RS_QUEUE_MAX_MSGS` (0x4D520001): most outgoing messages
/// waiting to be sent or acknowledged (QoS 0 not yet taken by the socket,
/// QoS 1/2 not yet acknowledged); 0 = unlimited (default).
pub const MOSQ_OPT_RS_QUEUE_MAX_MSGS: c_int = 0x4D52_0001;
/// Extension `MOSQ_OPT_RS_QUEUE_MAX_KB` (0x4D520002): most KiB of
/// payload and topic those messages may hold; 0 = unlimited (default).
pub const MOSQ_OPT_RS_QUEUE_MAX_KB: c_int = 0x4D52_0002;
/// Extension `MOSQ_OPT_RS_QUEUE_POLICY` (0x4D520003): what a full
/// queue does with a new message: 0 = refuse it (`mosquitto_publish*`
/// returns `MOSQ_ERR_NOMEM`), 1 = drop the oldest queued message not yet
/// on the wire (reported through `on_publish`/`on_publish_v5` with reason
/// code 0x97).
pub const MOSQ_OPT_RS_QUEUE_POLICY: c_int = 0x4D52_0003;
/// Extension `MOSQ_OPT_RS_DISCONNECT_FLUSH_MS` (0x4D520004): 0 =
/// `mosquitto_disconnect*` sends DISCONNECT at once (the original's
/// behaviour); N > 0 = it first lets queued messages be sent and
/// acknowledged, for up to N ms.
pub const MOSQ_OPT_RS_DISCONNECT_FLUSH_MS: c_int = 0x4D52_0004;

/// The client's queue option an extension option number names, if any.
pub(super) fn queue_option(option: c_int) -> Option<QueueOption> {
    Some(match option {
        MOSQ_OPT_RS_QUEUE_MAX_MSGS => QueueOption::MaxMessages,
        MOSQ_OPT_RS_QUEUE_MAX_KB => QueueOption::MaxKib,
        MOSQ_OPT_RS_QUEUE_POLICY => QueueOption::Policy,
        MOSQ_OPT_RS_DISCONNECT_FLUSH_MS => QueueOption::DisconnectFlushMs,
        _ => return None,
    })
}
