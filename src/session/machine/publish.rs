//! `mosquitto_publish*`: checking a message, giving it an id, and writing
//! it (QoS 0) or keeping it until acknowledged (QoS 1 and 2).

use super::{PublishError, Session, MAX_PAYLOAD};
use crate::protocol::packet::{packet_len, Properties, Publish, MAX_VARINT};
use crate::protocol::property::{Identifier, Property, Value, CMD_PUBLISH};
use crate::protocol::{topic, utf8};
use crate::session::config::check_properties;
use crate::session::error::SessionError;
use crate::session::outgoing::{emit, Aliased};

impl Session {
    /// [`Self::publish`] for the most common message, QoS 0 without
    /// properties to a plain topic (see [`topic::is_plain_topic_name`]):
    /// the same verdicts and bytes on a short path. Anything else takes
    /// the full one.
    #[inline]
    pub fn publish_qos0(
        &mut self,
        topic_name: &[u8],
        payload: &[u8],
        retain: bool,
        out: &mut Vec<u8>,
    ) -> Result<u16, PublishError> {
        if self.outgoing.limited() {
            return self.publish_qos0_limited(topic_name, payload, retain, out);
        }
        if !topic::is_plain_topic_name(topic_name) || payload.len() > MAX_PAYLOAD {
            return self.publish(topic_name, payload, 0, retain, &[], 0, out);
        }
        if retain && !self.retain_available {
            return Err(SessionError::RetainNotSupported.into());
        }
        let v = self.config.version;
        // Topic length, topic, payload, and in v5 an empty property list.
        let remaining = 2 + topic_name.len() + payload.len() + usize::from(v.is_v5());
        if remaining > MAX_VARINT as usize {
            return Err(SessionError::PayloadSize.into());
        }
        if self.oversize(packet_len(remaining)) {
            return Err(SessionError::OversizePacket.into());
        }
        let mid = self.ids.next_id();
        if !self.transport_open() {
            return Err(PublishError {
                error: SessionError::NoConn,
                mid: Some(mid),
            });
        }
        Publish::write_qos0(v, topic_name, payload, retain, remaining, out);
        Ok(mid)
    }

    /// [`Self::publish_qos0`] with a queue limit set (an extension): the
    /// full path, which may hold the message (kept out of the fast path).
    #[cold]
    #[inline(never)]
    fn publish_qos0_limited(
        &mut self,
        topic_name: &[u8],
        payload: &[u8],
        retain: bool,
        out: &mut Vec<u8>,
    ) -> Result<u16, PublishError> {
        self.publish(topic_name, payload, 0, retain, &[], 0, out)
    }

    /// `mosquitto_publish_v5`: validates, allocates a message id, then
    /// writes the PUBLISH (QoS 0, or QoS 1/2 with room in the window) or
    /// queues it (QoS 1/2). Returns the message id.
    ///
    /// Checks, in the original's order: QoS above 2 (`Inval`), properties
    /// before v5 (`NotSupported`), QoS above the broker's Maximum QoS
    /// (`QosNotSupported`), RETAIN while the broker has no Retain
    /// Available (`RetainNotSupported`, where the original clears RETAIN),
    /// Topic Alias 0 (`TopicAliasInvalid`), the property list; an empty
    /// topic needs a v5 Topic Alias property (`Inval`); otherwise topic
    /// UTF-8 (`MalformedUtf8`), payload size (`PayloadSize`), wildcards or
    /// length (`Inval`); a Topic Alias must be allowed by this connection's
    /// CONNACK (1 to its Topic Alias Maximum; none before CONNACK or
    /// offline) and, with an empty topic, mapped by an earlier publish on
    /// this connection (`TopicAliasInvalid`); then the broker's Maximum
    /// Packet Size (`OversizePacket`). QoS 1/2 needs a packet id not in use
    /// (`NoMem` when all 65535 are).
    ///
    /// A message with a Topic Alias goes out with its full topic when the
    /// broker lacks the mapping when it is written (queued behind the
    /// window, or across a reconnection), and without the alias when the
    /// connection that writes it does not allow it.
    ///
    /// Without a connection, QoS 0 fails with `NoConn` (id allocated); QoS
    /// 1/2 is kept for the next connection, failing with `NoConn` when the
    /// window had room, as the original does.
    ///
    /// QoS 0 messages complete when written: the runtime reports
    /// `on_publish(mid)` once `out` up to its current length is flushed.
    #[allow(clippy::too_many_arguments)]
    pub fn publish(
        &mut self,
        topic_name: &[u8],
        payload: &[u8],
        qos: u8,
        retain: bool,
        props: &[Property<'_>],
        now: u64,
        out: &mut Vec<u8>,
    ) -> Result<u16, PublishError> {
        self.check_publish(topic_name, payload, qos, retain, props)?;
        let aliased = self.resolve_alias(topic_name, props)?;
        let packet = Publish {
            dup: false,
            qos,
            retain,
            topic: topic_name,
            packet_id: 0,
            properties: Properties::List(props),
            payload,
        };
        let remaining = packet.remaining_len(self.config.version);
        if remaining > MAX_VARINT as usize {
            return Err(SessionError::PayloadSize.into());
        }
        if self.max_packet_size != 0 && self.oversize(packet_len(remaining)) {
            return Err(SessionError::OversizePacket.into());
        }
        let size = (topic_name.len() + payload.len()) as u64;
        let hold = qos == 0 && self.holds_this_qos0(aliased.as_ref(), out);
        let mid = self.publish_id(qos, hold, size)?;
        if hold {
            self.hold_qos0(&packet, mid, size, out);
            return Ok(mid);
        }
        if qos == 0 {
            self.write_qos0(&packet, aliased.as_ref(), mid, out)?;
            return Ok(mid);
        }
        self.queue_publish(packet, aliased, mid, size, now, out)
    }

    /// [`Self::publish`]'s argument checks, in the original's order.
    fn check_publish(
        &self,
        topic_name: &[u8],
        payload: &[u8],
        qos: u8,
        retain: bool,
        props: &[Property<'_>],
    ) -> Result<(), SessionError> {
        let v = self.config.version;
        if qos > 2 {
            return Err(SessionError::Inval);
        }
        if !v.is_v5() && !props.is_empty() {
            return Err(SessionError::NotSupported);
        }
        if qos > self.max_qos {
            return Err(SessionError::QosNotSupported);
        }
        if retain && !self.retain_available {
            return Err(SessionError::RetainNotSupported);
        }
        // Alias 0 is never allowed [MQTT-3.3.2-8]: the most specific code
        // (the property check alone would say `Protocol`, as the original).
        let alias_zero = Property {
            id: Identifier::TopicAlias,
            value: Value::Int16(0),
        };
        if props.contains(&alias_zero) {
            return Err(SessionError::TopicAliasInvalid);
        }
        check_properties(CMD_PUBLISH, props)?;
        if topic::is_plain_topic_name(topic_name) {
            // The common case in one pass: printable ASCII without wildcards
            // is valid MQTT UTF-8 and a valid topic name.
            if payload.len() > MAX_PAYLOAD {
                return Err(SessionError::PayloadSize);
            }
        } else if topic_name.is_empty() {
            let has_alias = props.iter().any(|p| p.id == Identifier::TopicAlias);
            if !v.is_v5() || !has_alias {
                return Err(SessionError::Inval);
            }
        } else {
            utf8::validate(topic_name).map_err(|_| SessionError::MalformedUtf8)?;
            if payload.len() > MAX_PAYLOAD {
                return Err(SessionError::PayloadSize);
            }
            topic::check_publish_topic(topic_name).map_err(|_| SessionError::Inval)?;
        }
        Ok(())
    }

    /// The Topic Alias a publish asks for, checked against this
    /// connection's (`TopicAliasInvalid`), with the topic it stands for.
    fn resolve_alias(
        &self,
        topic_name: &[u8],
        props: &[Property<'_>],
    ) -> Result<Option<Aliased>, SessionError> {
        match props.iter().find(|p| p.id == Identifier::TopicAlias) {
            Some(&Property {
                value: Value::Int16(alias),
                ..
            }) => Ok(Some(Aliased {
                alias,
                topic: self.outgoing.aliases().resolve(alias, topic_name)?.to_vec(),
                alias_only: topic_name.is_empty(),
            })),
            _ => Ok(None),
        }
    }

    /// The message id of a new publish: QoS 1/2 ids go on the wire and
    /// must not be in use; a QoS 0 id is only the application's handle.
    /// Under a queue limit, room is made first for a QoS 1/2 message or a
    /// QoS 0 one to be held.
    fn publish_id(&mut self, qos: u8, hold: bool, size: u64) -> Result<u16, SessionError> {
        if (qos != 0 || hold) && self.outgoing.limited() {
            self.make_room(size)?;
        }
        if qos == 0 {
            return Ok(self.ids.next_id());
        }
        self.ids.reserve().ok_or(SessionError::NoMem)
    }

    /// Extension: whether a QoS 0 message waits in the session rather than
    /// in the runtime's busy buffer (see `queue`), which only a queue
    /// limit makes it do. One with a Topic Alias is written at once, as
    /// the mapping it makes must reach the wire in the order the aliases
    /// were given.
    fn holds_this_qos0(&self, aliased: Option<&Aliased>, out: &[u8]) -> bool {
        self.outgoing.limited()
            && self.transport_open()
            && aliased.is_none()
            && (!out.is_empty() || self.holds_qos0())
    }

    /// Extension: keeps a QoS 0 message until the runtime's buffer empties
    /// ([`Self::release_held`]).
    fn hold_qos0(&mut self, packet: &Publish<'_>, mid: u16, size: u64, out: &[u8]) {
        debug_assert!(!out.is_empty() || self.holds_qos0());
        let mut encoded = Vec::new();
        packet.write(self.config.version, &mut encoded);
        let seq = self.outgoing.next_seq();
        // At most MAX_PAYLOAD plus a topic: fits.
        let held = &mut self.outgoing.ext_mut().held;
        held.push(seq, mid, encoded, size as u32);
    }

    /// Writes a QoS 0 PUBLISH (`NoConn` without a connection, the id
    /// allocated all the same). The runtime reports when these bytes reach
    /// the socket (`note_sent`), which is when keep alive counts them, as
    /// the original does.
    fn write_qos0(
        &mut self,
        packet: &Publish<'_>,
        aliased: Option<&Aliased>,
        mid: u16,
        out: &mut Vec<u8>,
    ) -> Result<(), PublishError> {
        if !self.transport_open() {
            return Err(PublishError {
                error: SessionError::NoConn,
                mid: Some(mid),
            });
        }
        let v = self.config.version;
        let Some(a) = aliased else {
            packet.write(v, out);
            return Ok(());
        };
        let mut encoded = Vec::new();
        packet.write(v, &mut encoded);
        let link = self.link();
        // The alias is allowed (checked above), so only the full topic,
        // when the broker lacks the mapping, can make it larger.
        let aliases = self.outgoing.aliases_mut();
        emit(&encoded, Some((a, aliases)), None, &link, out)
            .map_err(|_| SessionError::OversizePacket)?;
        if !a.alias_only {
            self.outgoing
                .aliases_mut()
                .note_given(a.alias, packet.topic);
        }
        Ok(())
    }

    /// Keeps a QoS 1/2 message and writes it when the window has room;
    /// without a connection it waits for the next one (`NoConn` when the
    /// window had room, as the original reports it).
    fn queue_publish(
        &mut self,
        mut packet: Publish<'_>,
        aliased: Option<Aliased>,
        mid: u16,
        size: u64,
        now: u64,
        out: &mut Vec<u8>,
    ) -> Result<u16, PublishError> {
        packet.packet_id = mid;
        let mut stored = Vec::new();
        packet.write(self.config.version, &mut stored);
        if let Some(a) = aliased.as_ref().filter(|a| !a.alias_only) {
            self.outgoing.aliases_mut().note_given(a.alias, &a.topic);
        }
        // At most MAX_PAYLOAD plus a topic: fits.
        self.outgoing
            .push(mid, packet.qos, stored, size as u32, aliased);
        if !self.transport_open() {
            if self.offline_room {
                self.outgoing.mark_first_queued_attempted();
                return Err(PublishError {
                    error: SessionError::NoConn,
                    mid: Some(mid),
                });
            }
            return Ok(mid);
        }
        let link = self.link();
        if self.outgoing.release(usize::from(self.out_max), &link, out) {
            self.keepalive.sent(now);
        }
        Ok(mid)
    }
}
