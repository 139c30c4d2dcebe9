//! The C API's [`Handler`]: a table of the application's C callbacks,
//! called with the client's handle and userdata.
//!
//! The client calls the handler with no internal lock held. Each call marks
//! the client as "in a callback" around the C call (so API calls made from
//! the callback leave writing to the loop, as the original does), and builds
//! the C views the callback needs: a `struct mosquitto_message` over reused
//! scratch space, property lists only when a v5 callback wants them.

use std::any::Any;
use std::ffi::{c_char, c_int, c_void};
use std::ptr;

use super::boundary::around_callback;
use super::callbacks::Callbacks;
use super::constants::{
    MOSQ_LOG_DEBUG, MOSQ_LOG_ERR, MOSQ_LOG_INFO, MOSQ_LOG_NOTICE, MOSQ_LOG_WARNING,
};
use super::error::{kind_rc, rc_kind};
use super::property::{build_list, free_list};
use super::types::{mosquitto, mosquitto_message, mosquitto_property};
use crate::client::{Client, Disconnection, ErrorKind, Handler, LogLevel};
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

/// The handle C code knows `client` by (`Arc::into_raw` of it).
fn handle(client: &Client) -> *mut mosquitto {
    client as *const Client as *mut mosquitto
}

/// Runs `f` marked as a callback of `client`, with `errno` as the
/// original shows it to callbacks.
fn in_callback(client: &Client, f: impl FnOnce()) {
    client.run_callback(|| around_callback(f));
}

/// The `MOSQ_LOG_*` value of `level`.
pub fn log_level(level: LogLevel) -> c_int {
    match level {
        LogLevel::Info => MOSQ_LOG_INFO,
        LogLevel::Notice => MOSQ_LOG_NOTICE,
        LogLevel::Warning => MOSQ_LOG_WARNING,
        LogLevel::Error => MOSQ_LOG_ERR,
        LogLevel::Debug => MOSQ_LOG_DEBUG,
    }
}

/// The `rc` `on_disconnect` receives for `how`.
fn disconnect_rc(how: Disconnection<'_>) -> c_int {
    match how {
        Disconnection::Requested => 0,
        Disconnection::Failed(e) => kind_rc(e.kind()),
        Disconnection::Reason(rc) => c_int::from(rc),
    }
}

impl Handler for Callbacks {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn wants_published(&self) -> bool {
        self.publish.is_some() || self.publish_v5.is_some()
    }

    fn wants_log(&self) -> bool {
        self.log.is_some()
    }

    /// `on_log(level, text)`.
    fn log(&self, client: &Client, level: LogLevel, text: &str) {
        let Some(f) = self.log else { return };
        let Ok(text) = std::ffi::CString::new(text) else {
            return;
        };
        // SAFETY: a callback registered with this signature; `text` outlives
        // the call.
        in_callback(client, || unsafe {
            f(
                handle(client),
                client.userdata(),
                log_level(level),
                text.as_ptr(),
            )
        });
    }

    /// `on_pre_connect` (2.1).
    fn pre_connect(&self, client: &Client) {
        if let Some(f) = self.pre_connect {
            // SAFETY: the application registered `f` with this signature; the
            // handle and userdata are what it expects.
            in_callback(client, || unsafe { f(handle(client), client.userdata()) });
        }
    }

    /// `on_publish` / `on_publish_v5`.
    fn published(&self, client: &Client, mid: u16, rc: u8, props: Properties<'_>) {
        let (mosq, obj) = (handle(client), client.userdata());
        in_callback(client, || {
            if let Some(f) = self.publish {
                // SAFETY: a callback registered with this signature.
                unsafe { f(mosq, obj, c_int::from(mid)) };
            }
            if let Some(f) = self.publish_v5 {
                let list = CList::new(true, props);
                // SAFETY: as above; the list lives until after the call.
                unsafe { f(mosq, obj, c_int::from(mid), c_int::from(rc), list.as_ptr()) };
            }
        });
    }

    /// `on_publish` / `on_publish_v5` for QoS 0 messages the socket has
    /// taken (reason code 0, no properties).
    fn published_qos0(&self, client: &Client, mids: &[u16]) {
        let (mosq, obj) = (handle(client), client.userdata());
        in_callback(client, || {
            for &mid in mids {
                if let Some(f) = self.publish {
                    // SAFETY: a callback registered with this signature.
                    unsafe { f(mosq, obj, c_int::from(mid)) };
                }
                if let Some(f) = self.publish_v5 {
                    // SAFETY: as above; no properties.
                    unsafe { f(mosq, obj, c_int::from(mid), 0, ptr::null()) };
                }
            }
        });
    }

    /// `on_disconnect` / `on_disconnect_v5`.
    fn disconnected(&self, client: &Client, how: Disconnection<'_>, props: Properties<'_>) {
        let rc = disconnect_rc(how);
        let (mosq, obj) = (handle(client), client.userdata());
        in_callback(client, || {
            if let Some(f) = self.disconnect {
                // SAFETY: a callback registered with this signature.
                unsafe { f(mosq, obj, rc) };
            }
            if let Some(f) = self.disconnect_v5 {
                let list = CList::new(true, props);
                // SAFETY: as above; the list lives until after the call.
                unsafe { f(mosq, obj, rc, list.as_ptr()) };
            }
        });
    }

    /// Delivers one session event. `Err(rc)` when an `on_ext_auth`
    /// callback returned `rc` (not 0): the client drops the connection with
    /// that code, as libmosquitto 2.1 does.
    fn event(
        &self,
        client: &Client,
        event: &Event<'_>,
        scratch: &mut Vec<u8>,
    ) -> Result<(), ErrorKind> {
        match event {
            Event::Connected {
                rc,
                flags,
                properties,
            } => self.connected(client, *rc, *flags, *properties),
            Event::Disconnected { rc, properties } => {
                self.disconnected(client, Disconnection::Reason(*rc), *properties)
            }
            Event::Published {
                mid,
                rc,
                properties,
            } => self.published(client, *mid, *rc, *properties),
            Event::Message(m) => self.message(client, m, scratch),
            Event::Subscribed {
                mid,
                codes,
                properties,
            } => self.subscribed(client, *mid, codes, *properties),
            Event::Unsubscribed {
                mid,
                codes,
                properties,
            } => self.unsubscribed(client, *mid, codes, *properties),
            Event::Auth { properties, .. } => return self.ext_auth(client, properties),
        }
        Ok(())
    }
}

impl Callbacks {
    /// `on_connect` / `on_connect_with_flags` / `on_connect_v5`.
    fn connected(&self, client: &Client, rc: u8, flags: u8, props: Properties<'_>) {
        let (mosq, obj) = (handle(client), client.userdata());
        let (rc, flags) = (c_int::from(rc), c_int::from(flags));
        in_callback(client, || {
            if let Some(f) = self.connect {
                // SAFETY: a callback registered with this signature.
                unsafe { f(mosq, obj, rc) };
            }
            if let Some(f) = self.connect_with_flags {
                // SAFETY: as above.
                unsafe { f(mosq, obj, rc, flags) };
            }
            if let Some(f) = self.connect_v5 {
                let list = CList::new(true, props);
                // SAFETY: as above; the list lives until after the call.
                unsafe { f(mosq, obj, rc, flags, list.as_ptr()) };
            }
        });
    }

    /// `on_message` / `on_message_v5`.
    fn message(&self, client: &Client, m: &Message<'_>, scratch: &mut Vec<u8>) {
        if self.message.is_none() && self.message_v5.is_none() {
            return;
        }
        let (mosq, obj) = (handle(client), client.userdata());
        let msg = c_message(m, scratch);
        in_callback(client, || {
            if let Some(f) = self.message {
                // SAFETY: a callback registered with this signature; `msg`
                // and the scratch it points into outlive the call.
                unsafe { f(mosq, obj, &msg) };
            }
            if let Some(f) = self.message_v5 {
                let list = CList::new(true, m.properties());
                // SAFETY: as above.
                unsafe { f(mosq, obj, &msg, list.as_ptr()) };
            }
        });
    }

    /// `on_subscribe` / `on_subscribe_v5`.
    fn subscribed(&self, client: &Client, mid: u16, codes: &[u8], props: Properties<'_>) {
        let (mosq, obj) = (handle(client), client.userdata());
        in_callback(client, || {
            let granted: Vec<c_int> = codes.iter().map(|&c| c_int::from(c)).collect();
            let (mid, n) = (c_int::from(mid), granted.len() as c_int);
            if let Some(f) = self.subscribe {
                // SAFETY: a callback registered with this signature; the
                // array lives until after the call.
                unsafe { f(mosq, obj, mid, n, granted.as_ptr()) };
            }
            if let Some(f) = self.subscribe_v5 {
                let list = CList::new(true, props);
                // SAFETY: as above.
                unsafe { f(mosq, obj, mid, n, granted.as_ptr(), list.as_ptr()) };
            }
        });
    }

    /// `on_unsubscribe` / `on_unsubscribe_v5` / `on_unsubscribe2_v5` (2.1).
    fn unsubscribed(&self, client: &Client, mid: u16, codes: &[u8], props: Properties<'_>) {
        let (mosq, obj) = (handle(client), client.userdata());
        in_callback(client, || {
            let mid = c_int::from(mid);
            if let Some(f) = self.unsubscribe {
                // SAFETY: a callback registered with this signature.
                unsafe { f(mosq, obj, mid) };
            }
            let wants_props = self.unsubscribe_v5.is_some() || self.unsubscribe2_v5.is_some();
            let list = CList::new(wants_props, props);
            if let Some(f) = self.unsubscribe_v5 {
                // SAFETY: as above; the list lives until after the call.
                unsafe { f(mosq, obj, mid, list.as_ptr()) };
            }
            if let Some(f) = self.unsubscribe2_v5 {
                let reasons: Vec<c_int> = codes.iter().map(|&c| c_int::from(c)).collect();
                let n = reasons.len() as c_int;
                // SAFETY: as above; the array lives until after the call.
                unsafe { f(mosq, obj, mid, n, reasons.as_ptr(), list.as_ptr()) };
            }
        });
    }

    /// Calls `on_ext_auth` (2.1) with the AUTH's method, data and properties;
    /// `Err(rc)` when it returns `rc` other than 0. Without a callback the
    /// AUTH is ignored, as in 2.0 (whose programs cannot set one).
    fn ext_auth(&self, client: &Client, properties: &Properties<'_>) -> Result<(), ErrorKind> {
        let Some(f) = self.ext_auth else {
            return Ok(());
        };
        let (mosq, obj) = (handle(client), client.userdata());
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
            Err(rc_kind(rc))
        }
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
