//! Packets received from the broker, handled as libmosquitto 2.0's
//! `handle__*` functions do.

use std::borrow::Cow;

use super::error::SessionError;
use super::events::{Event, Handled, Message, StoredMessage};
use super::machine::{Session, State};
use super::outgoing::{write_pubrel, AckResult};
use crate::protocol::packet::{
    decode, Ack, AckKind, Connack, Packet, Properties, ProtocolVersion, Publish,
};
use crate::protocol::property::{Identifier, Value};

/// v5 reason codes the original accepts in PUBACK (and, but for 0x99
/// "payload format invalid", in PUBREC).
const PUBACK_CODES: [u8; 9] = [0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99];
/// v5 reason codes accepted in PUBCOMP and PUBREL: success and "packet
/// identifier not found".
const PUBCOMP_CODES: [u8; 2] = [0x00, 0x92];
/// The v5 reason code reported when a v5 CONNECT meets a v3-only broker.
const RC_UNSUPPORTED_PROTOCOL_VERSION: u8 = 0x84;

impl Session {
    /// Handles one complete received frame (as found by
    /// [`crate::protocol::packet::frame`]): may append packets to `out`
    /// (acknowledgements, PUBREL, released or resent messages) and returns
    /// the event to report. The event borrows only from `frame`.
    ///
    /// When [`Handled::close`] is set the connection must end with that
    /// error (malformed packet, protocol violation, refused CONNACK); the
    /// session has already reset as by [`Session::connection_lost`].
    pub fn handle_packet<'a>(
        &mut self,
        frame: &'a [u8],
        now: u64,
        out: &mut Vec<u8>,
    ) -> Handled<'a> {
        if !self.transport_open() {
            return Handled {
                event: None,
                close: Some(SessionError::NoConn),
                farewell: None,
            };
        }
        let handled = match self.dispatch(frame, now, out) {
            Ok(handled) => handled,
            Err(e) => Handled {
                event: None,
                close: Some(e),
                farewell: self.farewell(e, now, out),
            },
        };
        self.keepalive.received(now);
        if handled.close.is_some() {
            self.connection_lost();
        } else if self.flush_pending() {
            self.finish_flush(now, out);
        }
        handled
    }

    /// With Request Problem Information 0 in our CONNECT, a Reason String
    /// or User Property on any packet but PUBLISH, CONNACK and DISCONNECT
    /// is a protocol error [MQTT-3.1.2-29].
    fn check_problem_information(&self, packet: &Packet<'_>) -> Result<(), SessionError> {
        let props = match packet {
            Packet::Ack(a) => &a.properties,
            Packet::Suback(s) => &s.properties,
            Packet::Unsuback(u) => &u.properties,
            Packet::Auth(a) => &a.properties,
            _ => return Ok(()),
        };
        let problem = props
            .iter()
            .any(|p| matches!(p.id, Identifier::ReasonString | Identifier::UserProperty));
        let refused = self
            .config
            .connect_properties
            .find(Identifier::RequestProblemInformation)
            .is_some_and(|v| v.number() == 0);
        if problem && refused {
            Err(SessionError::Protocol)
        } else {
            Ok(())
        }
    }

    fn dispatch<'a>(
        &mut self,
        frame: &'a [u8],
        now: u64,
        out: &mut Vec<u8>,
    ) -> Result<Handled<'a>, SessionError> {
        let packet = decode(frame, self.config.version)?;
        if self.v5() {
            self.check_problem_information(&packet)?;
        }
        match packet {
            // A 3.1.1-only broker answers a v5 CONNECT with a 2-byte CONNACK.
            Packet::Connack(c) => self.on_connack(c, frame.len() == 4, now, out),
            Packet::Publish(p) => self.on_publish(p, now, out),
            Packet::Ack(a) => match a.kind {
                AckKind::Puback => self.on_complete(a, 1, now, out),
                AckKind::Pubcomp => self.on_complete(a, 2, now, out),
                AckKind::Pubrec => self.on_pubrec(a, now, out),
                AckKind::Pubrel => self.on_pubrel(a, now, out),
            },
            Packet::Suback(s) => {
                self.require_connected()?;
                self.ids.acknowledged(s.packet_id);
                Ok(Handled::event(Event::Subscribed {
                    mid: s.packet_id,
                    codes: s.codes,
                    properties: s.properties,
                }))
            }
            Packet::Unsuback(u) => {
                self.require_connected()?;
                self.ids.acknowledged(u.packet_id);
                Ok(Handled::event(Event::Unsubscribed {
                    mid: u.packet_id,
                    codes: u.codes,
                    properties: u.properties,
                }))
            }
            Packet::Pingresp => {
                self.require_connected()?;
                self.keepalive.pong();
                Ok(Handled::NOTHING)
            }
            Packet::Disconnect(d) => {
                if !self.config.version.is_v5() {
                    return Err(SessionError::Protocol);
                }
                self.connection_lost();
                Ok(Handled::event(Event::Disconnected {
                    rc: d.reason_code,
                    properties: d.properties,
                }))
            }
            Packet::Auth(a) => Ok(Handled::event(Event::Auth {
                rc: a.reason_code,
                properties: a.properties,
            })),
            Packet::Connect(_) | Packet::Subscribe(_) | Packet::Unsubscribe(_) => {
                Err(SessionError::Protocol)
            }
            Packet::Pingreq => {
                // libmosquitto answers a broker's PINGREQ.
                self.send(&Packet::Pingresp, now, out);
                Ok(Handled::NOTHING)
            }
        }
    }

    /// Packets other than CONNACK, DISCONNECT and AUTH need an accepted
    /// connection. After our own DISCONNECT is queued, packets already on
    /// their way (a SUBACK, an ack) are still handled, as the original does.
    fn require_connected(&self) -> Result<(), SessionError> {
        if matches!(self.state, State::Connected | State::Disconnecting) {
            Ok(())
        } else {
            Err(SessionError::Protocol)
        }
    }

    fn v5(&self) -> bool {
        self.config.version.is_v5()
    }

    fn on_connack<'a>(
        &mut self,
        c: Connack<'a>,
        v3_form: bool,
        now: u64,
        out: &mut Vec<u8>,
    ) -> Result<Handled<'a>, SessionError> {
        // A CONNACK while connected is taken again, as libmosquitto does.
        if !matches!(self.state, State::Connecting | State::Connected) {
            return Err(SessionError::Protocol);
        }
        let v31 = self.config.version == ProtocolVersion::V31;
        if c.reason_code == 0 && c.session_present && self.config.clean_start && !v31 {
            // A broker cannot have kept a session the client asked to
            // start afresh [MQTT-3.2.2-4] (3.1.1: [MQTT-3.2.2-1]). MQTT
            // 3.1 has no such flag: the bit is only reported.
            return Err(SessionError::Protocol);
        }
        let props = c.properties;
        if let Some(Value::String(id)) = props.find(Identifier::AssignedClientIdentifier) {
            if self
                .config
                .client_id
                .as_ref()
                .is_some_and(|c| !c.is_empty())
            {
                return Err(SessionError::Protocol);
            }
            self.assigned_id = Some(id.into());
        }
        for p in props.iter() {
            match (p.id, p.value) {
                (Identifier::RetainAvailable, Value::Byte(b)) => self.retain_available = b != 0,
                (Identifier::MaximumQos, Value::Byte(b)) => self.max_qos = b,
                (Identifier::ReceiveMaximum, Value::Int16(n)) => self.out_max = n,
                (Identifier::ServerKeepAlive, Value::Int16(n)) => self.keepalive.set_interval(n),
                (Identifier::MaximumPacketSize, Value::Int32(n)) => self.max_packet_size = n,
                (Identifier::TopicAliasMaximum, Value::Int16(n)) => {
                    self.outgoing.aliases_mut().set_maximum(n)
                }
                _ => {}
            }
        }
        let flags = u8::from(c.session_present);
        if c.reason_code == 0 {
            self.state = State::Connected;
            if self.session_lost(c.session_present) {
                self.discard_session();
            }
            let link = self.link();
            if self
                .outgoing
                .connack_reset(usize::from(self.out_max), &link, out)
            {
                self.keepalive.sent(now);
            }
            return Ok(Handled::event(Event::Connected {
                rc: 0,
                flags,
                properties: props,
            }));
        }
        // A 3.1.1-only broker refusing our v5 CONNECT (the 2-byte v3 form,
        // code 1) is reported as "unsupported protocol version", as
        // libmosquitto does; otherwise the MQTT 3 refusal codes mean
        // "refused" whatever version we asked for.
        let (rc, error) = if self.v5() && v3_form && c.reason_code == 1 {
            (RC_UNSUPPORTED_PROTOCOL_VERSION, SessionError::Protocol)
        } else if (1..=5).contains(&c.reason_code) {
            (c.reason_code, SessionError::ConnRefused)
        } else {
            (c.reason_code, SessionError::Protocol)
        };
        Ok(Handled {
            event: Some(Event::Connected {
                rc,
                flags,
                properties: props,
            }),
            close: Some(error),
            farewell: None,
        })
    }

    /// Whether an accepted CONNACK says the broker has none of our session
    /// state. MQTT 3.1 has no Session Present flag: there only Clean
    /// Session 1 says so.
    fn session_lost(&self, session_present: bool) -> bool {
        if self.config.version == ProtocolVersion::V31 {
            self.config.clean_start
        } else {
            !session_present
        }
    }

    /// Discards the session state [MQTT-3.2.2-5] (3.1.1: [MQTT-3.1.2-6]):
    /// outgoing messages that went out are dropped, not resent (their ids
    /// kept for [`Session::take_dropped`]), and incoming QoS 2 messages
    /// awaiting PUBREL are forgotten, so that a new message reusing one of
    /// their ids is delivered. Messages never sent stay queued.
    fn discard_session(&mut self) {
        for mid in self.outgoing.discard_sent() {
            self.ids.dropped(mid);
        }
        self.incoming.clear();
    }

    fn on_publish<'a>(
        &mut self,
        p: Publish<'a>,
        now: u64,
        out: &mut Vec<u8>,
    ) -> Result<Handled<'a>, SessionError> {
        self.require_connected()?;
        let redelivery = p.qos == 2 && self.incoming.contains(p.packet_id);
        // QoS 1 is acknowledged at once, so only QoS 2 messages waiting for
        // their PUBREL count against the Receive Maximum we announced.
        if self.v5() && p.qos > 0 && !redelivery && self.incoming.len() >= usize::from(self.in_max)
        {
            return Err(SessionError::ReceiveMaximumExceeded);
        }
        let topic: Cow<'a, [u8]> = match p.topic_alias() {
            Some(alias) if p.topic.is_empty() => Cow::Owned(self.aliases.get(alias)?.to_vec()),
            Some(alias) => {
                self.aliases.set(alias, p.topic)?;
                Cow::Borrowed(p.topic)
            }
            None => Cow::Borrowed(p.topic),
        };
        match p.qos {
            0 => Ok(Handled::event(Event::Message(Message::from_frame(
                &p, topic,
            )))),
            1 => {
                self.send_ack(AckKind::Puback, p.packet_id, now, out);
                Ok(Handled::event(Event::Message(Message::from_frame(
                    &p, topic,
                ))))
            }
            _ => {
                // Held until PUBREL; a redelivered id is answered again but
                // not held twice, so it is delivered once.
                if !redelivery {
                    self.incoming.hold(StoredMessage::new(&p, &topic));
                }
                self.send_ack(AckKind::Pubrec, p.packet_id, now, out);
                Ok(Handled::NOTHING)
            }
        }
    }

    fn send_ack(&mut self, kind: AckKind, mid: u16, now: u64, out: &mut Vec<u8>) {
        let ack = Ack {
            kind,
            packet_id: mid,
            reason_code: 0,
            properties: Properties::EMPTY,
        };
        self.send(&Packet::Ack(ack), now, out);
    }

    /// Moves queued messages into the window after one left it.
    fn release(&mut self, now: u64, out: &mut Vec<u8>) {
        let link = self.link();
        if self.outgoing.release(usize::from(self.out_max), &link, out) {
            self.keepalive.sent(now);
        }
    }

    /// PUBACK (`qos` 1) or PUBCOMP (`qos` 2).
    fn on_complete<'a>(
        &mut self,
        a: Ack<'a>,
        qos: u8,
        now: u64,
        out: &mut Vec<u8>,
    ) -> Result<Handled<'a>, SessionError> {
        self.require_connected()?;
        let allowed: &[u8] = if qos == 1 {
            &PUBACK_CODES
        } else {
            &PUBCOMP_CODES
        };
        if self.v5() && !allowed.contains(&a.reason_code) {
            return Err(SessionError::Protocol);
        }
        let result = self.outgoing.complete(a.packet_id, qos)?;
        if result == AckResult::Completed {
            self.ids.release(a.packet_id);
        }
        self.release(now, out);
        Ok(match result {
            AckResult::Completed => Handled::event(published(&a)),
            _ => Handled::NOTHING,
        })
    }

    fn on_pubrec<'a>(
        &mut self,
        a: Ack<'a>,
        now: u64,
        out: &mut Vec<u8>,
    ) -> Result<Handled<'a>, SessionError> {
        self.require_connected()?;
        if self.v5() && !PUBACK_CODES[..8].contains(&a.reason_code) {
            return Err(SessionError::Protocol);
        }
        let failed = self.v5() && a.reason_code >= 0x80;
        let result = self.outgoing.pubrec(a.packet_id, failed)?;
        if failed {
            if result == AckResult::Completed {
                self.ids.release(a.packet_id);
            }
            self.release(now, out);
            return Ok(match result {
                AckResult::Completed => Handled::event(published(&a)),
                _ => Handled::NOTHING,
            });
        }
        // Answered even for an unknown id, as the original does.
        write_pubrel(a.packet_id, self.config.version, out);
        self.keepalive.sent(now);
        Ok(Handled::NOTHING)
    }

    fn on_pubrel<'a>(
        &mut self,
        a: Ack<'a>,
        now: u64,
        out: &mut Vec<u8>,
    ) -> Result<Handled<'a>, SessionError> {
        self.require_connected()?;
        if self.v5() && !PUBCOMP_CODES.contains(&a.reason_code) {
            return Err(SessionError::Protocol);
        }
        self.send_ack(AckKind::Pubcomp, a.packet_id, now, out);
        Ok(match self.incoming.release(a.packet_id) {
            Some(m) => Handled::event(Event::Message(Message::from_stored(m))),
            None => Handled::NOTHING,
        })
    }
}

/// The completion event of an acknowledgement.
fn published<'a>(a: &Ack<'a>) -> Event<'a> {
    Event::Published {
        mid: a.packet_id,
        rc: a.reason_code,
        properties: a.properties,
    }
}
