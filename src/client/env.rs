//! Extension settings from the environment, read when a client is made,
//! so that even unchanged programs can ask for them (a program's own
//! `mosquitto_int_option` call comes later, so it wins). A malformed
//! value is ignored with one line on standard error.

use crate::session::{QueuePolicy, Session};

/// Most messages in the outgoing queue (a number; 0 = unlimited).
const QUEUE_MAX_MSGS: &str = "MOSQUITTO_RS_QUEUE_MAX_MSGS";
/// Most KiB of payload and topic in the outgoing queue.
const QUEUE_MAX_KB: &str = "MOSQUITTO_RS_QUEUE_MAX_KB";
/// `reject` or `drop-oldest`.
const QUEUE_POLICY: &str = "MOSQUITTO_RS_QUEUE_POLICY";
/// How long a disconnect may wait for queued messages, in ms.
const DISCONNECT_FLUSH_MS: &str = "MOSQUITTO_RS_DISCONNECT_FLUSH_MS";

/// Applies the extension variables that are set to `session`.
pub(super) fn apply(session: &mut Session) {
    let mut limits = session.queue_limits();
    if let Some(n) = number(QUEUE_MAX_MSGS) {
        limits.max_msgs = n;
    }
    if let Some(n) = number(QUEUE_MAX_KB) {
        limits.max_kib = n;
    }
    if let Some(v) = var(QUEUE_POLICY) {
        match v.as_str() {
            "reject" => limits.policy = QueuePolicy::Reject,
            "drop-oldest" => limits.policy = QueuePolicy::DropOldest,
            _ => ignored(QUEUE_POLICY, &v, "expected reject or drop-oldest"),
        }
    }
    session.set_queue_limits(limits);
    if let Some(n) = number(DISCONNECT_FLUSH_MS) {
        session.set_disconnect_flush_ms(n);
    }
}

/// The variable's value, when set (a value that is not UTF-8 is reported
/// and ignored).
fn var(name: &str) -> Option<String> {
    match std::env::var(name) {
        Ok(v) => Some(v),
        Err(std::env::VarError::NotPresent) => None,
        Err(std::env::VarError::NotUnicode(v)) => {
            ignored(name, &v.to_string_lossy(), "not UTF-8");
            None
        }
    }
}

/// The variable as a number from 0 to 4294967295, when set and valid.
fn number(name: &str) -> Option<u32> {
    let v = var(name)?;
    match v.trim().parse::<u32>() {
        Ok(n) => Some(n),
        Err(_) => {
            ignored(name, &v, "expected a number from 0 to 4294967295");
            None
        }
    }
}

/// The one line a malformed value earns.
fn ignored(name: &str, value: &str, why: &str) {
    eprintln!("libmosquitto (mosquitto-rs): ignoring {name}={value:?}: {why}");
}
