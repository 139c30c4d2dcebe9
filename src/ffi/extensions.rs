//! Extensions of this library beyond libmosquitto: option values for
//! `mosquitto_int_option`, in a block far from the original's (1-17), so
//! that a program can detect support: the original answers them with
//! `MOSQ_ERR_INVAL`. Off by default; see README.md "Extensions".

use std::ffi::c_int;

use super::constants::mosq_err_t;
use crate::client::State;
use crate::session::QueuePolicy;

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

/// `mosquitto_int_option` for an extension option; `None` when `option`
/// is none of them.
pub(super) fn set_extension_option(
    st: &mut State,
    option: c_int,
    value: c_int,
) -> Option<Result<(), mosq_err_t>> {
    let n = u32::try_from(value).map_err(|_| mosq_err_t::MOSQ_ERR_INVAL);
    let mut limits = st.session.queue_limits();
    let r = match option {
        MOSQ_OPT_RS_QUEUE_MAX_MSGS => n.map(|n| limits.max_msgs = n),
        MOSQ_OPT_RS_QUEUE_MAX_KB => n.map(|n| limits.max_kib = n),
        MOSQ_OPT_RS_QUEUE_POLICY => match value {
            0 => Ok(QueuePolicy::Reject),
            1 => Ok(QueuePolicy::DropOldest),
            _ => Err(mosq_err_t::MOSQ_ERR_INVAL),
        }
        .map(|p| limits.policy = p),
        MOSQ_OPT_RS_DISCONNECT_FLUSH_MS => {
            return Some(n.map(|n| st.session.set_disconnect_flush_ms(n)))
        }
        _ => return None,
    };
    st.session.set_queue_limits(limits);
    Some(r)
}
