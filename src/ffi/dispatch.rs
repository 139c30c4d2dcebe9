//! Turning client events into calls of the application's C callbacks.
//!
//! The runtime calls these with no internal lock held. Each takes a copy
//! of the callback table, marks the client as "in a callback" (so API calls
//! made from the callback leave writing to the loop, as the original does),
//! and builds the C views the callback needs: a `struct mosquitto_message`
//! over reused scratch space, property lists only when a v5 callback wants
//! them.

use std::ffi::{c_char, c_int, c_void};
use std::ptr;

use super::boundary::around_callback;
use super::property::{build_list, free_list};
use super::types::{mosquitto_message, mosquitto_property};
use crate::client::Client;
use crate::protocol::packet::Properties;
use crate::session::{Event, Message};

/// A C property list built for one callback and freed after it.
struct CList(*mut mosquitto_property);

impl CList {
    /// Builds the list when `wanted` and there are properties.
    fn new(wanted: bool, props: Properties<'_>) -> CList {
        if !wanted || props.is_empty() {
            return CList(ptr::null_mut());
        }
        CList(build_list(props.iter()).unwrap_or(ptr::null_mut()))
    }

    fn as_ptr(&self) -> *const mosquitto_property {
        self.0
    }
}

impl Drop for CList {
    fn drop(&mut self) {
        // SAFETY: the list was built by `build_list` for this callback only
        // and nobody else holds it (callbacks must not keep it).
        unsafe { free_list(self.0) };
    }
}

/// Runs `f` marked as a callback of `client`.
fn in_callback(client: &Client, f: impl FnOnce()) {
    let was = client.enter_callback();
    around_callback(f);
    client.leave_callback(was);
}

/// `on_log(level, text)`.
pub fn log(client: &Client, level: c_int, text: &str) {
    let cb = client.callbacks();
    let Some(f) = cb.log else { return };
    let Ok(text) = std::ffi::CString::new(text) else {
        return;
    };
    // SAFETY: a callback registered with this signature; `text` outlives
    // the call.
    in_callback(client, || unsafe {
        f(client.handle(), client.userdata(), level, text.as_ptr())
    });
}

/// `on_pre_connect` (2.1).
pub fn pre_connect(client: &Client) {
    let cb = client.callbacks();
    if let Some(f) = cb.pre_connect {
        // SAFETY: the application registered `f` with this signature; the
        // handle and userdata are what it expects.
        in_callback(client, || unsafe { f(client.handle(), client.userdata()) });
    }
}

/// `on_publish` / `on_publish_v5`.
pub fn published(client: &Client, mid: u16, rc: u8, props: Properties<'_>) {
    let cb = client.callbacks();
    let (mosq, obj) = (client.handle(), client.userdata());
    in_callback(client, || {
        if let Some(f) = cb.publish {
            // SAFETY: a callback registered with this signature.
            unsafe { f(mosq, obj, c_int::from(mid)) };
        }
        if let Some(f) = cb.publish_v5 {
            let list = CList::new(true, props);
            // SAFETY: as above; the list lives until after the call.
            unsafe { f(mosq, obj, c_int::from(mid), c_int::from(rc), list.as_ptr()) };
        }
    });
}

/// The reason code reported for a message dropped with the session state
/// (MQTT 5 "unspecified error").
pub const RC_SESSION_DROPPED: u8 = 0x80;

/// Messages dropped because the broker had no session for them
/// [MQTT-3.2.2-5]: a warning in the log, then `on_publish(mid)` /
/// `on_publish_v5(mid, 0x80)` for each, as for a message the broker
/// refused.
pub fn dropped(client: &Client, mids: &[u16]) {
    for &mid in mids {
        log(
            client,
            super::constants::MOSQ_LOG_WARNING,
            &format!("Message {mid} dropped: the broker has no session for it (session present 0)"),
        );
        published(client, mid, RC_SESSION_DROPPED, Properties::EMPTY);
    }
}

/// `on_publish` / `on_publish_v5` for QoS 0 messages the socket has taken
/// (reason code 0, no properties), with one look at the callback table.
pub fn published_qos0(client: &Client, mids: &[u16]) {
    let cb = client.callbacks();
    let (mosq, obj) = (client.handle(), client.userdata());
    in_callback(client, || {
        for &mid in mids {
            if let Some(f) = cb.publish {
                // SAFETY: a callback registered with this signature.
                unsafe { f(mosq, obj, c_int::from(mid)) };
            }
            if let Some(f) = cb.publish_v5 {
                // SAFETY: as above; no properties.
                unsafe { f(mosq, obj, c_int::from(mid), 0, ptr::null()) };
            }
        }
    });
}

/// `on_disconnect` / `on_disconnect_v5`.
pub fn disconnected(client: &Client, rc: i32, props: Properties<'_>) {
    let cb = client.callbacks();
    let (mosq, obj) = (client.handle(), client.userdata());
    in_callback(client, || {
        if let Some(f) = cb.disconnect {
            // SAFETY: a callback registered with this signature.
            unsafe { f(mosq, obj, rc) };
        }
        if let Some(f) = cb.disconnect_v5 {
            let list = CList::new(true, props);
            // SAFETY: as above; the list lives until after the call.
            unsafe { f(mosq, obj, rc, list.as_ptr()) };
        }
    });
}

/// Delivers one session event. `Err(rc)` when the application refused
/// it: an `on_ext_auth` callback returned `rc` (not 0), and the client
/// drops the connection with that code, as libmosquitto 2.1 does.
pub fn event(client: &Client, event: &Event<'_>, scratch: &mut Vec<u8>) -> Result<(), c_int> {
    let cb = client.callbacks();
    let (mosq, obj) = (client.handle(), client.userdata());
    match event {
        Event::Connected {
            rc,
            flags,
            properties,
        } => in_callback(client, || {
            let (rc, flags) = (c_int::from(*rc), c_int::from(*flags));
            if let Some(f) = cb.connect {
                // SAFETY: a callback registered with this signature.
                unsafe { f(mosq, obj, rc) };
            }
            if let Some(f) = cb.connect_with_flags {
                // SAFETY: as above.
                unsafe { f(mosq, obj, rc, flags) };
            }
            if let Some(f) = cb.connect_v5 {
                let list = CList::new(true, *properties);
                // SAFETY: as above; the list lives until after the call.
                unsafe { f(mosq, obj, rc, flags, list.as_ptr()) };
            }
        }),
        Event::Disconnected { rc, properties } => disconnected(client, i32::from(*rc), *properties),
        Event::Published {
            mid,
            rc,
            properties,
        } => published(client, *mid, *rc, *properties),
        Event::Message(m) => {
            if cb.message.is_none() && cb.message_v5.is_none() {
                return Ok(());
            }
            let msg = c_message(m, scratch);
            in_callback(client, || {
                if let Some(f) = cb.message {
                    // SAFETY: a callback registered with this signature;
                    // `msg` and the scratch it points into outlive the call.
                    unsafe { f(mosq, obj, &msg) };
                }
                if let Some(f) = cb.message_v5 {
                    let list = CList::new(true, m.properties());
                    // SAFETY: as above.
                    unsafe { f(mosq, obj, &msg, list.as_ptr()) };
                }
            });
        }
        Event::Subscribed {
            mid,
            codes,
            properties,
        } => in_callback(client, || {
            let granted: Vec<c_int> = codes.iter().map(|&c| c_int::from(c)).collect();
            let (mid, n) = (c_int::from(*mid), granted.len() as c_int);
            if let Some(f) = cb.subscribe {
                // SAFETY: a callback registered with this signature; the
                // array lives until after the call.
                unsafe { f(mosq, obj, mid, n, granted.as_ptr()) };
            }
            if let Some(f) = cb.subscribe_v5 {
                let list = CList::new(true, *properties);
                // SAFETY: as above.
                unsafe { f(mosq, obj, mid, n, granted.as_ptr(), list.as_ptr()) };
            }
        }),
        Event::Unsubscribed {
            mid,
            codes,
            properties,
        } => in_callback(client, || {
            let mid = c_int::from(*mid);
            if let Some(f) = cb.unsubscribe {
                // SAFETY: a callback registered with this signature.
                unsafe { f(mosq, obj, mid) };
            }
            let wants_props = cb.unsubscribe_v5.is_some() || cb.unsubscribe2_v5.is_some();
            let list = CList::new(wants_props, *properties);
            if let Some(f) = cb.unsubscribe_v5 {
                // SAFETY: as above; the list lives until after the call.
                unsafe { f(mosq, obj, mid, list.as_ptr()) };
            }
            if let Some(f) = cb.unsubscribe2_v5 {
                let reasons: Vec<c_int> = codes.iter().map(|&c| c_int::from(c)).collect();
                // SAFETY: as above; the array lives until after the call.
                unsafe {
                    f(
                        mosq,
                        obj,
                        mid,
                        reasons.len() as c_int,
                        reasons.as_ptr(),
                        list.as_ptr(),
                    )
                };
            }
        }),
        Event::Auth { properties, .. } => return ext_auth(client, properties),
    }
    Ok(())
}

/// Calls `on_ext_auth` (2.1) with the AUTH's method, data and properties;
/// `Err(rc)` when it returns `rc` other than 0. Without a callback the
/// AUTH is ignored, as in 2.0 (whose programs cannot set one).
fn ext_auth(client: &Client, properties: &Properties<'_>) -> Result<(), c_int> {
    let Some(f) = client.callbacks().ext_auth else {
        return Ok(());
    };
    let (mosq, obj) = (client.handle(), client.userdata());
    use crate::protocol::property::{Identifier, Value};
    let mut method = Vec::new();
    let mut data: &[u8] = &[];
    if let Some(Value::String(m)) = properties.find(Identifier::AuthenticationMethod) {
        method.extend_from_slice(m);
    }
    method.push(0);
    if let Some(Value::Binary(d)) = properties.find(Identifier::AuthenticationData) {
        data = d;
    }
    let list = CList::new(true, *properties);
    let mut rc = 0;
    in_callback(client, || {
        // SAFETY: a callback registered with this signature; the method
        // string, data and list outlive the call.
        rc = unsafe {
            f(
                mosq,
                obj,
                method.as_ptr() as *const c_char,
                data.len() as u16,
                data.as_ptr() as *const c_void,
                list.as_ptr(),
            )
        };
    });
    if rc == 0 {
        Ok(())
    } else {
        Err(rc)
    }
}

/// A `struct mosquitto_message` over NUL-terminated copies of the topic and
/// payload in `scratch` (reused between messages: no allocation once it has
/// grown). An empty payload is NULL, as in the original.
fn c_message(m: &Message<'_>, scratch: &mut Vec<u8>) -> mosquitto_message {
    let (topic, payload) = (m.topic(), m.payload());
    scratch.clear();
    scratch.reserve(topic.len() + payload.len() + 2);
    scratch.extend_from_slice(topic);
    scratch.push(0);
    let payload_at = scratch.len();
    scratch.extend_from_slice(payload);
    scratch.push(0);
    let base = scratch.as_mut_ptr();
    mosquitto_message {
        mid: c_int::from(m.mid),
        topic: base as *mut c_char,
        payload: if payload.is_empty() {
            ptr::null_mut()
        } else {
            // SAFETY: `payload_at` is within `scratch`.
            unsafe { base.add(payload_at) as *mut c_void }
        },
        payloadlen: payload.len() as c_int,
        qos: c_int::from(m.qos),
        retain: m.retain,
    }
}
