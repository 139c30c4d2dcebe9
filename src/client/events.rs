//! What the client tells the application, as Rust types: log levels, why a
//! connection ended, and the [`Handler`] a front end (the C API) installs
//! to hear about them.
//!
//! The runtime calls the handler with no internal lock held, so a handler
//! may call any client method. A handler marks the span in which it runs
//! application code with [`Client::run_callback`]: API calls made from
//! there leave writing to the loop, as the original's do.

use std::any::Any;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::{lock, Client, ClientError, ErrorKind};
use crate::protocol::packet::Properties;
use crate::session::Event;

/// How important a log line is (the original's `MOSQ_LOG_*` levels the
/// client uses).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogLevel {
    /// Informational.
    Info,
    /// Worth noticing.
    Notice,
    /// Something went wrong but the client carries on.
    Warning,
    /// Something failed.
    Error,
    /// A packet sent or received.
    Debug,
}

/// Why a connection ended, as the disconnect callback reports it.
#[derive(Clone, Copy, Debug)]
pub enum Disconnection<'a> {
    /// The application asked for it: reported as success.
    Requested,
    /// The connection failed with this error.
    Failed(&'a ClientError),
    /// With this MQTT reason code: the broker's DISCONNECT, or ours after
    /// the broker broke the protocol.
    Reason(u8),
}

/// Receives the client's events. The C API's implementation calls the
/// application's function pointers; the client knows nothing of them.
pub trait Handler: Send + Sync {
    /// The handler as `Any`, so that its owner can find its own type again
    /// (to change one callback of a table, say).
    fn as_any(&self) -> &dyn Any;
    /// Whether publish completions are wanted (QoS 0 completions are
    /// tracked only then).
    fn wants_published(&self) -> bool;
    /// Whether log lines are wanted (debug lines are built only then).
    fn wants_log(&self) -> bool;
    /// One log line.
    fn log(&self, client: &Client, level: LogLevel, text: &str);
    /// A connection attempt is about to start.
    fn pre_connect(&self, client: &Client);
    /// Outgoing message `mid` completed (or failed) with reason code `rc`.
    fn published(&self, client: &Client, mid: u16, rc: u8, properties: Properties<'_>);
    /// QoS 0 messages the socket has taken (reason code 0, no properties).
    fn published_qos0(&self, client: &Client, mids: &[u16]);
    /// The connection ended.
    fn disconnected(&self, client: &Client, how: Disconnection<'_>, properties: Properties<'_>);
    /// A session event. `Err(code)` when the application refused it (an
    /// extended authentication callback returned a failure `code`): the
    /// client then drops the connection with that code.
    fn event(
        &self,
        client: &Client,
        event: &Event<'_>,
        scratch: &mut Vec<u8>,
    ) -> Result<(), ErrorKind>;
}

/// The reading thread's copy of the handler, refreshed only when the
/// handler changed: delivering a message then takes no lock and touches
/// no shared counter (see `Client::emit_event`).
#[derive(Default)]
pub struct HandlerCache {
    /// The handler generation the copy belongs to (0: none taken yet).
    generation: u64,
    /// The copy.
    handler: Option<Arc<dyn Handler>>,
}

/// The reason code reported for a message dropped with the session state
/// (MQTT 5 "unspecified error").
pub const RC_SESSION_DROPPED: u8 = 0x80;

impl Client {
    /// Installs a new handler (or none), made by `f` from the current one,
    /// under the handler's lock.
    pub fn update_handler(
        &self,
        f: impl FnOnce(Option<&Arc<dyn Handler>>) -> Option<Arc<dyn Handler>>,
    ) {
        let mut slot = lock(&self.handler);
        *slot = f(slot.as_ref());
        self.handler_generation.fetch_add(1, Ordering::Release);
        let (publish, log) = slot
            .as_ref()
            .map_or((false, false), |h| (h.wants_published(), h.wants_log()));
        self.track_qos0.store(publish, Ordering::Relaxed);
        self.log_enabled.store(log, Ordering::Relaxed);
    }

    /// The current handler, taken without holding any other lock.
    pub fn handler(&self) -> Option<Arc<dyn Handler>> {
        lock(&self.handler).clone()
    }

    /// Runs `f`, application code, marked as a callback of this client.
    #[inline]
    pub fn run_callback<R>(&self, f: impl FnOnce() -> R) -> R {
        let was = self.in_callback.swap(true, Ordering::AcqRel);
        let r = f();
        self.in_callback.store(was, Ordering::Release);
        r
    }

    /// Reports a log line (no lock held).
    pub(super) fn emit_log(&self, level: LogLevel, text: &str) {
        if let Some(h) = self.handler() {
            h.log(self, level, text);
        }
    }

    /// Reports that a connection attempt starts.
    pub(super) fn emit_pre_connect(&self) {
        if let Some(h) = self.handler() {
            h.pre_connect(self);
        }
    }

    /// Reports a completed (or failed) outgoing message.
    pub(super) fn emit_published(&self, mid: u16, rc: u8) {
        if let Some(h) = self.handler() {
            h.published(self, mid, rc, Properties::EMPTY);
        }
    }

    /// Reports QoS 0 messages written.
    pub(super) fn emit_published_qos0(&self, mids: &[u16]) {
        if let Some(h) = self.handler() {
            h.published_qos0(self, mids);
        }
    }

    /// Reports the end of the connection.
    pub(super) fn emit_disconnected(&self, how: Disconnection<'_>) {
        if let Some(h) = self.handler() {
            h.disconnected(self, how, Properties::EMPTY);
        }
    }

    /// Reports a session event; `Err(code)` when the application refused
    /// it. The handler comes from `cache`, taken again only when a setter
    /// changed it since (also from inside a callback: the next event sees
    /// the change, as it would with a fresh copy).
    pub(super) fn emit_event(
        &self,
        event: &Event<'_>,
        scratch: &mut Vec<u8>,
        cache: &mut HandlerCache,
    ) -> Result<(), ErrorKind> {
        let generation = self.handler_generation.load(Ordering::Acquire);
        if cache.generation != generation {
            cache.handler = self.handler();
            cache.generation = generation;
        }
        match &cache.handler {
            Some(h) => h.event(self, event, scratch),
            None => Ok(()),
        }
    }

    /// Messages dropped because the broker had no session for them
    /// [MQTT-3.2.2-5]: a warning in the log, then a completion with reason
    /// code 0x80 for each, as for a message the broker refused.
    pub(super) fn emit_session_dropped(&self, mids: &[u16]) {
        let Some(h) = self.handler() else { return };
        for &mid in mids {
            if h.wants_log() {
                h.log(
                    self,
                    LogLevel::Warning,
                    &format!(
                        "Message {mid} dropped: the broker has no session for it (session present 0)"
                    ),
                );
            }
            h.published(self, mid, RC_SESSION_DROPPED, Properties::EMPTY);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// A handler that counts the events it is given, and whether it ran
    /// marked as a callback.
    #[derive(Default)]
    struct Counter {
        events: AtomicUsize,
        marked: AtomicUsize,
    }

    impl Handler for Counter {
        fn as_any(&self) -> &dyn Any {
            self
        }
        fn wants_published(&self) -> bool {
            true
        }
        fn wants_log(&self) -> bool {
            false
        }
        fn log(&self, _: &Client, _: LogLevel, _: &str) {}
        fn pre_connect(&self, _: &Client) {}
        fn published(&self, _: &Client, _: u16, _: u8, _: Properties<'_>) {}
        fn published_qos0(&self, _: &Client, _: &[u16]) {}
        fn disconnected(&self, _: &Client, _: Disconnection<'_>, _: Properties<'_>) {}
        fn event(&self, client: &Client, _: &Event<'_>, _: &mut Vec<u8>) -> Result<(), ErrorKind> {
            client.run_callback(|| {
                if client.in_callback() {
                    self.marked.fetch_add(1, Ordering::Relaxed);
                }
            });
            self.events.fetch_add(1, Ordering::Relaxed);
            Ok(())
        }
    }

    fn subscribed() -> Event<'static> {
        Event::Subscribed {
            mid: 1,
            codes: &[0],
            properties: Properties::EMPTY,
        }
    }

    /// A handler installed between two events (as a setter called from a
    /// callback does) receives the second, although the reader keeps a
    /// copy of the first; the flags follow the handler.
    #[test]
    fn a_new_handler_takes_the_next_event() {
        let client = Client::new(None, true);
        let (first, second) = (Arc::new(Counter::default()), Arc::new(Counter::default()));
        let (mut scratch, mut cache) = (Vec::new(), HandlerCache::default());
        assert_eq!(
            client.emit_event(&subscribed(), &mut scratch, &mut cache),
            Ok(())
        );
        client.update_handler(|_| Some(first.clone()));
        assert!(client.tracks_qos0() && !client.logging());
        client
            .emit_event(&subscribed(), &mut scratch, &mut cache)
            .unwrap();
        client
            .emit_event(&subscribed(), &mut scratch, &mut cache)
            .unwrap();
        client.update_handler(|_| Some(second.clone()));
        client
            .emit_event(&subscribed(), &mut scratch, &mut cache)
            .unwrap();
        assert_eq!(first.events.load(Ordering::Relaxed), 2);
        assert_eq!(first.marked.load(Ordering::Relaxed), 2);
        assert_eq!(second.events.load(Ordering::Relaxed), 1);
        assert!(!client.in_callback());
        client.update_handler(|_| None);
        client
            .emit_event(&subscribed(), &mut scratch, &mut cache)
            .unwrap();
        assert_eq!(second.events.load(Ordering::Relaxed), 1);
        assert!(!client.tracks_qos0());
    }
}
