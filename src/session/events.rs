//! What the session reports to the runtime, which turns it into callbacks.
//!
//! Events borrow from the received frame (never from the session), so the
//! runtime can release its session lock and call C callbacks while still
//! holding the event: nothing here is tied to the session's lifetime. The
//! only owned data are messages the session had to keep (QoS 2 messages
//! delivered at PUBREL, topics resolved from an alias).

use std::borrow::Cow;

use super::error::SessionError;
use crate::protocol::packet::{Properties, Publish};
use crate::protocol::property::CMD_PUBLISH;

/// One thing to tell the application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event<'a> {
    /// CONNACK: `on_connect(rc)` / `on_connect_with_flags(rc, flags)` /
    /// `on_connect_v5(rc, flags, props)`. A non-zero `rc` comes with
    /// [`Handled::close`] set.
    Connected {
        /// v3 return code or v5 reason code.
        rc: u8,
        /// CONNACK flags (bit 0: session present).
        flags: u8,
        /// v5 CONNACK properties.
        properties: Properties<'a>,
    },
    /// A v5 DISCONNECT from the broker: `on_disconnect(rc)` with its reason
    /// code. The connection is over: close the transport and report no
    /// further disconnect (the session has already reset itself).
    Disconnected {
        /// The broker's reason code.
        rc: u8,
        /// v5 DISCONNECT properties.
        properties: Properties<'a>,
    },
    /// An outgoing QoS 1/2 message completed: `on_publish(mid)` /
    /// `on_publish_v5(mid, rc, props)`. (QoS 0 messages complete when the
    /// runtime has written them; see [`super::Session::publish`].)
    Published {
        /// The message id.
        mid: u16,
        /// v5 reason code of the PUBACK, PUBREC (failure) or PUBCOMP.
        rc: u8,
        /// v5 properties of that acknowledgement.
        properties: Properties<'a>,
    },
    /// An application message: `on_message` / `on_message_v5`.
    Message(Message<'a>),
    /// SUBACK: `on_subscribe(mid, granted)` / `on_subscribe_v5`.
    Subscribed {
        /// The SUBSCRIBE's message id.
        mid: u16,
        /// Granted QoS or failure code, one per filter.
        codes: &'a [u8],
        /// v5 SUBACK properties.
        properties: Properties<'a>,
    },
    /// UNSUBACK: `on_unsubscribe(mid)` / `on_unsubscribe_v5`.
    Unsubscribed {
        /// The UNSUBSCRIBE's message id.
        mid: u16,
        /// v5 reason codes, one per filter (empty before v5).
        codes: &'a [u8],
        /// v5 UNSUBACK properties.
        properties: Properties<'a>,
    },
    /// A v5 AUTH from the broker (libmosquitto 2.0 has no callback for it
    /// and ignores it; passed on for enhanced authentication).
    Auth {
        /// AUTH reason code (0x18 continue, 0x19 re-authenticate, 0 success).
        rc: u8,
        /// AUTH properties (authentication method and data).
        properties: Properties<'a>,
    },
}

/// The result of handling one received packet.
#[derive(Debug, PartialEq, Eq)]
pub struct Handled<'a> {
    /// The event to deliver, if any (deliver it first).
    pub event: Option<Event<'a>>,
    /// When set, the connection is over: close the transport and report
    /// this error (e.g. `on_disconnect(err)`). The session has already
    /// reset its per-connection state, as [`super::Session::connection_lost`].
    pub close: Option<SessionError>,
    /// With `close` on MQTT 5: the reason code of the DISCONNECT the
    /// session wrote before the close (see [`super::Session::farewell`]);
    /// the runtime writes it out before closing and reports this code.
    pub farewell: Option<u8>,
}

impl<'a> Handled<'a> {
    /// Nothing to report.
    pub(crate) const NOTHING: Handled<'static> = Handled {
        event: None,
        close: None,
        farewell: None,
    };

    /// Just an event.
    pub(crate) fn event(e: Event<'a>) -> Self {
        Handled {
            event: Some(e),
            close: None,
            farewell: None,
        }
    }
}

/// A received application message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message<'a> {
    /// Message id (0 for QoS 0).
    pub mid: u16,
    /// QoS it was received with.
    pub qos: u8,
    /// RETAIN flag.
    pub retain: bool,
    data: Data<'a>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Data<'a> {
    /// Borrowed from the frame (the topic is owned only when it came from
    /// an alias).
    Frame {
        topic: Cow<'a, [u8]>,
        payload: &'a [u8],
        properties: Properties<'a>,
    },
    /// Kept by the session until PUBREL.
    Stored(StoredMessage),
}

impl<'a> Message<'a> {
    /// A message borrowing from `p`, with its (possibly alias-resolved)
    /// topic.
    pub(crate) fn from_frame(p: &Publish<'a>, topic: Cow<'a, [u8]>) -> Self {
        Message {
            mid: p.packet_id,
            qos: p.qos,
            retain: p.retain,
            data: Data::Frame {
                topic,
                payload: p.payload,
                properties: p.properties,
            },
        }
    }

    /// A message the session kept.
    pub(crate) fn from_stored(s: StoredMessage) -> Message<'static> {
        Message {
            mid: s.mid,
            qos: 2,
            retain: s.retain,
            data: Data::Stored(s),
        }
    }

    /// The topic (never empty; aliases are resolved).
    pub fn topic(&self) -> &[u8] {
        match &self.data {
            Data::Frame { topic, .. } => topic,
            Data::Stored(s) => &s.buf[..s.topic_len],
        }
    }

    /// The payload.
    pub fn payload(&self) -> &[u8] {
        match &self.data {
            Data::Frame { payload, .. } => payload,
            Data::Stored(s) => &s.buf[s.topic_len + s.props_len..],
        }
    }

    /// The v5 PUBLISH properties (empty before v5).
    pub fn properties(&self) -> Properties<'_> {
        match &self.data {
            Data::Frame { properties, .. } => *properties,
            Data::Stored(s) if s.props_len == 0 => Properties::EMPTY,
            Data::Stored(s) => Properties::Wire {
                block: &s.buf[s.topic_len..s.topic_len + s.props_len],
                command: CMD_PUBLISH,
            },
        }
    }
}

/// An incoming QoS 2 message held until its PUBREL, in one buffer:
/// topic, then the property block, then the payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StoredMessage {
    pub(crate) mid: u16,
    retain: bool,
    buf: Vec<u8>,
    topic_len: usize,
    props_len: usize,
}

impl StoredMessage {
    /// Copies `p` with its resolved `topic`.
    pub(crate) fn new(p: &Publish<'_>, topic: &[u8]) -> Self {
        let block: &[u8] = match p.properties {
            Properties::Wire { block, .. } => block,
            Properties::List(_) => &[],
        };
        let mut buf = Vec::with_capacity(topic.len() + block.len() + p.payload.len());
        buf.extend_from_slice(topic);
        buf.extend_from_slice(block);
        buf.extend_from_slice(p.payload);
        StoredMessage {
            mid: p.packet_id,
            retain: p.retain,
            buf,
            topic_len: topic.len(),
            props_len: block.len(),
        }
    }
}
