//! The session: state, settings, and the operations the application
//! starts (connect, publish, subscribe, unsubscribe, disconnect, auth,
//! keep alive). Received packets are handled in `handle.rs`.

use super::alias::AliasMap;
use super::config::OwnedProperties;
use super::config::{check_properties, inflight_option, Config, DEFAULT_INFLIGHT};
use super::error::SessionError;
use super::incoming::Incoming;
use super::keepalive::Keepalive;
use super::outgoing::{Link, Outgoing, Stage};
use super::packet_id::PacketIds;
use super::queue::{Flush, QueueLimits, QueuePolicy, RC_QUOTA_EXCEEDED};
use crate::protocol::packet::{
    Auth, Connect, Disconnect, Packet, Properties, ProtocolVersion, Subscribe, Subscription,
    SubscriptionList, TopicList, Unsubscribe, Will, MAX_VARINT,
};
use crate::protocol::property::{
    write_property, Identifier, Property, Value, CMD_AUTH, CMD_CONNECT, CMD_DISCONNECT,
    CMD_SUBSCRIBE, CMD_UNSUBSCRIBE,
};
use crate::protocol::{topic, utf8};

mod publish;

/// The largest payload a PUBLISH may carry (`MQTT_MAX_PAYLOAD`).
pub const MAX_PAYLOAD: usize = 268_435_455;

/// Where the connection stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// No network connection.
    Disconnected,
    /// CONNECT written, CONNACK awaited.
    Connecting,
    /// CONNACK accepted the connection.
    Connected,
    /// DISCONNECT written; the runtime closes once it is flushed.
    Disconnecting,
}

/// A failed publish. `mid` is set when the original had already allocated
/// the message id (and reported it through `*mid`) before failing; with
/// QoS 1/2 and [`SessionError::NoConn`] the message is nevertheless kept
/// and sent after the next connect, as libmosquitto 2.0 does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PublishError {
    /// Why it failed.
    pub error: SessionError,
    /// The message id allocated before the failure, if any.
    pub mid: Option<u16>,
}

impl From<SessionError> for PublishError {
    fn from(error: SessionError) -> Self {
        PublishError { error, mid: None }
    }
}

/// The MQTT session state machine of one client. Pure: bytes to send are
/// appended to the caller's `out`, time is the caller's monotonic `now`
/// in milliseconds.
#[derive(Debug)]
pub struct Session {
    pub(super) config: Config,
    pub(super) state: State,
    pub(super) ids: PacketIds,
    pub(super) outgoing: Outgoing,
    pub(super) incoming: Incoming,
    pub(super) aliases: AliasMap,
    pub(super) keepalive: Keepalive,
    /// Outgoing window (`msgs_out.inflight_maximum`): the send maximum
    /// option, replaced by the broker's Receive Maximum when it sends one.
    pub(super) out_max: u16,
    /// Incoming limit (`msgs_in.inflight_maximum`): the receive maximum
    /// option, or the Receive Maximum of the CONNECT properties.
    pub(super) in_max: u16,
    /// Broker capabilities from CONNACK; like the original, they persist
    /// until a later CONNACK states them again.
    pub(super) max_qos: u8,
    pub(super) retain_available: bool,
    pub(super) max_packet_size: u32,
    /// Whether the window had room when the connection was lost (the
    /// original's frozen send quota while offline).
    pub(super) offline_room: bool,
    pub(super) assigned_id: Option<Box<[u8]>>,
}

impl Session {
    /// A disconnected session with these settings and the original's
    /// defaults (inflight limits 20, QoS 2 and retain available).
    pub fn new(config: Config) -> Self {
        Session {
            config,
            state: State::Disconnected,
            ids: PacketIds::default(),
            outgoing: Outgoing::default(),
            incoming: Incoming::default(),
            aliases: AliasMap::default(),
            keepalive: Keepalive::default(),
            out_max: DEFAULT_INFLIGHT,
            in_max: DEFAULT_INFLIGHT,
            max_qos: 2,
            retain_available: true,
            max_packet_size: 0,
            offline_room: true,
            assigned_id: None,
        }
    }

    /// Extension: the limits on the outgoing queue.
    pub fn queue_limits(&self) -> QueueLimits {
        self.outgoing.ext().map(|e| e.limits).unwrap_or_default()
    }

    /// Extension: sets the limits on the outgoing queue; messages already
    /// held stay until they complete.
    pub fn set_queue_limits(&mut self, limits: QueueLimits) {
        if limits.is_set() || self.outgoing.ext().is_some() {
            self.outgoing.ext_mut().limits = limits;
        }
    }

    /// Extension: how long [`Self::disconnect`] lets queued messages be
    /// sent and acknowledged before its DISCONNECT, in ms (0: not at all).
    pub fn set_disconnect_flush_ms(&mut self, ms: u32) {
        if ms != 0 || self.outgoing.ext().is_some() {
            self.outgoing.ext_mut().flush_ms = ms;
        }
    }

    /// Extension: whether a disconnect is waiting for queued messages.
    pub fn flush_pending(&self) -> bool {
        self.outgoing.ext().is_some_and(|e| e.flush.is_some())
    }

    /// Extension: forgets a disconnect waiting for queued messages.
    fn clear_flush(&mut self) {
        if let Some(e) = self.outgoing.ext_if_any() {
            e.flush = None;
        }
    }

    /// Makes room in the bounded queue for a message of `size` topic and
    /// payload bytes, dropping the oldest unsent messages (QoS 0 held or
    /// QoS 1/2 queued, whichever is older) under
    /// [`QueuePolicy::DropOldest`]; `NoMem` when there is none to be had.
    fn make_room(&mut self, size: u64) -> Result<(), SessionError> {
        let limits = self.queue_limits();
        let max_bytes = limits.max_bytes();
        if max_bytes != 0 && size > max_bytes {
            return Err(SessionError::NoMem);
        }
        let max_msgs = limits.max_msgs as usize;
        loop {
            let o = &mut self.outgoing;
            let (held, held_bytes) = o.ext().map_or((0, 0), |e| (e.held.len(), e.held.bytes()));
            let full = (max_msgs != 0 && o.len() + held >= max_msgs)
                || (max_bytes != 0 && o.bytes() + held_bytes + size > max_bytes);
            if !full {
                return Ok(());
            }
            if limits.policy == QueuePolicy::Reject {
                return Err(SessionError::NoMem);
            }
            let held_seq = o.ext().and_then(|e| e.held.oldest_seq());
            match (held_seq, o.oldest_unsent_seq()) {
                // A QoS 0 id is only the application's handle: none to free.
                (Some(h), q) if q.is_none_or(|q| h < q) => {
                    let mid = o.ext_mut().held.pop_oldest().expect("one is held");
                    o.note_dropped(mid, RC_QUOTA_EXCEEDED);
                }
                (_, Some(_)) => {
                    let mid = o.drop_oldest_unsent(RC_QUOTA_EXCEEDED).expect("one unsent");
                    self.ids.release(mid);
                }
                _ => return Err(SessionError::NoMem),
            }
        }
    }

    /// Extension: hands the QoS 0 messages held (see
    /// `crate::session::queue`) to the runtime, whose write buffer has
    /// emptied: appended to `out`, in order. Returns whether any was; the
    /// runtime learns where each ends from [`Self::take_released_qos0`].
    pub fn release_held(&mut self, out: &mut Vec<u8>) -> bool {
        self.outgoing
            .ext_if_any()
            .is_some_and(|e| e.held.release(out))
    }

    /// Extension: whether QoS 0 messages are held, or released without
    /// the runtime having asked where they end (one branch when no limit
    /// was ever set).
    #[inline]
    pub fn held_work(&self) -> bool {
        self.outgoing.ext().is_some_and(|e| !e.held.is_idle())
    }

    /// Extension: whether QoS 0 messages are held.
    pub fn holds_qos0(&self) -> bool {
        self.outgoing.ext().is_some_and(|e| e.held.len() != 0)
    }

    /// Extension: whether the QoS 0 message `mid` just published was
    /// held rather than written (its `on_publish` waits for its release).
    pub fn held_qos0(&self, mid: u16) -> bool {
        self.outgoing.ext().is_some_and(|e| e.held.is_newest(mid))
    }

    /// Extension: the QoS 0 messages released into `out` since the last
    /// call, each with the length `out` had just after its PUBLISH.
    pub fn take_released_qos0(&mut self) -> Vec<(u16, usize)> {
        match self.outgoing.ext_if_any() {
            Some(e) => e.held.take_released(),
            None => Vec::new(),
        }
    }

    /// Extension: writes the held-back DISCONNECT once nothing is left to
    /// flush or its deadline passed. Returns whether it was written.
    pub(super) fn finish_flush(&mut self, now: u64, out: &mut Vec<u8>) -> bool {
        let due = match self.outgoing.ext().and_then(|e| e.flush.as_ref()) {
            Some(f) => (self.outgoing.len() == 0 && !self.holds_qos0()) || now >= f.deadline,
            None => return false,
        };
        if !due || !self.transport_open() {
            return false;
        }
        let f = self.outgoing.ext_mut().flush.take().expect("checked above");
        let props: Vec<Property<'_>> = f.properties.as_properties().iter().collect();
        self.write_disconnect(f.reason_code, &props, now, out);
        true
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The settings, to change before the next connect.
    pub fn config_mut(&mut self) -> &mut Config {
        &mut self.config
    }

    /// Bytes were written to the socket at `now` (keep alive measures the
    /// time since the client last sent anything).
    pub fn note_sent(&mut self, now: u64) {
        self.keepalive.sent(now);
    }

    /// `MOSQ_OPT_SEND_MAXIMUM` / `max_inflight_messages_set` (0 = 65535).
    pub fn set_send_maximum(&mut self, value: u16) {
        self.out_max = inflight_option(value);
    }

    /// `MOSQ_OPT_RECEIVE_MAXIMUM` (0 = 65535), sent in the next v5 CONNECT.
    pub fn set_receive_maximum(&mut self, value: u16) {
        self.in_max = inflight_option(value);
    }

    /// Where the connection stands.
    pub fn state(&self) -> State {
        self.state
    }

    /// Whether CONNACK accepted the current connection.
    pub fn is_connected(&self) -> bool {
        self.state == State::Connected
    }

    /// Whether a network connection is in use (CONNECT sent, not lost).
    pub fn transport_open(&self) -> bool {
        self.state != State::Disconnected
    }

    /// The client identifier the broker assigned in a v5 CONNACK.
    pub fn assigned_client_id(&self) -> Option<&[u8]> {
        self.assigned_id.as_deref()
    }

    /// The keep alive in force, in seconds (the v5 Server Keep Alive once
    /// CONNACK carried one).
    pub fn keepalive_s(&self) -> u16 {
        self.keepalive.interval_s()
    }

    /// Outgoing QoS 1/2 messages held (in flight and queued).
    pub fn outgoing_len(&self) -> usize {
        self.outgoing.len()
    }

    /// Outgoing messages in the window.
    pub fn outgoing_inflight(&self) -> usize {
        self.outgoing.inflight()
    }

    /// Where outgoing message `mid` is in its flow.
    pub fn outgoing_stage(&self, mid: u16) -> Option<Stage> {
        self.outgoing.stage(mid)
    }

    /// Incoming QoS 2 messages awaiting PUBREL.
    pub fn incoming_len(&self) -> usize {
        self.incoming.len()
    }

    /// The ids of outgoing messages dropped since the last call because
    /// the broker's CONNACK said it had no session for them
    /// [MQTT-3.2.2-5], in publishing order. The runtime asks after each
    /// CONNACK and reports each as `on_publish(mid)` /
    /// `on_publish_v5(mid, 0x80)` before `on_connect`.
    pub fn take_session_dropped(&mut self) -> Vec<u16> {
        self.ids.take_dropped()
    }

    pub(super) fn link(&self) -> Link {
        Link {
            version: self.config.version,
            retain_available: self.retain_available,
            max_packet_size: self.max_packet_size,
        }
    }

    /// Whether a packet of `len` bytes exceeds the broker's maximum.
    fn oversize(&self, len: usize) -> bool {
        self.max_packet_size != 0 && len as u64 > u64::from(self.max_packet_size)
    }

    /// Appends `p` to `out` and notes the time for keep alive.
    pub(super) fn send(&mut self, p: &Packet<'_>, now: u64, out: &mut Vec<u8>) {
        p.write(self.config.version, out);
        self.keepalive.sent(now);
    }

    /// Starts a new network connection: resets the per-connection state,
    /// prepares unacknowledged messages for resending, and writes CONNECT.
    ///
    /// Errors (nothing written): MQTT 3.1 without a client id
    /// (`Protocol`), a v3 password without user name (`Inval`), CONNECT
    /// properties before v5 (`NotSupported`).
    pub fn start_connect(&mut self, now: u64, out: &mut Vec<u8>) -> Result<(), SessionError> {
        let cfg = &self.config;
        let v = cfg.version;
        let v5 = v.is_v5();
        let no_id = cfg.client_id.as_ref().is_none_or(|id| id.is_empty());
        if v == ProtocolVersion::V31 && no_id {
            return Err(SessionError::Protocol);
        }
        if !v5 && cfg.password.is_some() && cfg.username.is_none() {
            return Err(SessionError::Inval);
        }
        if !v5 && !cfg.connect_properties.is_empty() {
            return Err(SessionError::NotSupported);
        }
        self.connection_lost();

        let user = &self.config.connect_properties;
        let mut alias_max = 0;
        let mut block = Vec::new();
        if v5 {
            block.extend_from_slice(user.block());
            match user.find(Identifier::ReceiveMaximum) {
                Some(Value::Int16(rm)) => self.in_max = rm,
                _ => write_property(
                    &mut block,
                    &Property {
                        id: Identifier::ReceiveMaximum,
                        value: Value::Int16(self.in_max),
                    },
                ),
            }
            if let Some(Value::Int16(m)) = user.find(Identifier::TopicAliasMaximum) {
                alias_max = m;
            }
        }
        self.aliases.reset(alias_max);
        let cfg = &self.config;
        // A v5 broker's Assigned Client Identifier is reused on reconnect,
        // as libmosquitto does, so the session can resume.
        let client_id: &[u8] = cfg
            .client_id
            .as_deref()
            .or(self.assigned_id.as_deref())
            .unwrap_or(b"");
        let connect = Connect {
            version: v,
            clean_start: cfg.clean_start,
            keep_alive: cfg.keepalive,
            properties: Properties::Wire {
                block: &block,
                command: CMD_CONNECT,
            },
            client_id,
            will: cfg.will.as_ref().map(|w| Will {
                topic: &w.topic,
                payload: &w.payload,
                qos: w.qos,
                retain: w.retain && self.retain_available,
                properties: w.properties.as_properties(),
            }),
            username: cfg.username.as_deref(),
            password: cfg.password.as_deref(),
        };
        connect.write(out);
        // Retain Available is stated per connection (absent: available);
        // the will above still follows the last broker's, as the original.
        self.retain_available = true;
        self.state = State::Connecting;
        self.keepalive.start(self.config.keepalive, now);
        self.outgoing.reconnect_reset(usize::from(self.out_max));
        Ok(())
    }

    /// `mosquitto_subscribe_multiple`: one SUBSCRIBE with every filter at
    /// `qos` plus the v5 `options` bits. Returns the message id.
    ///
    /// Checks, in the original's order: no filter (`Inval`), properties
    /// before v5 (`NotSupported`), QoS above 2 or reserved option bits
    /// (`Inval`), no connection (`NoConn`), the properties, each filter
    /// (`Inval`, `MalformedUtf8`), the broker's Maximum Packet Size
    /// (`OversizePacket`), a packet id not in use (`NoMem`). Before v5
    /// the options are dropped.
    #[allow(clippy::too_many_arguments)]
    pub fn subscribe(
        &mut self,
        filters: &[&[u8]],
        qos: u8,
        options: u8,
        props: &[Property<'_>],
        now: u64,
        out: &mut Vec<u8>,
    ) -> Result<u16, SessionError> {
        let v = self.config.version;
        if filters.is_empty() {
            return Err(SessionError::Inval);
        }
        if !v.is_v5() && !props.is_empty() {
            return Err(SessionError::NotSupported);
        }
        if qos > 2 || options & 0x30 == 0x30 || options & 0xC0 != 0 {
            return Err(SessionError::Inval);
        }
        if !self.transport_open() {
            return Err(SessionError::NoConn);
        }
        check_properties(CMD_SUBSCRIBE, props)?;
        for f in filters {
            check_filter(f)?;
        }
        let options = if v.is_v5() { qos | options } else { qos };
        let subs: Vec<Subscription<'_>> = filters
            .iter()
            .map(|&filter| Subscription { filter, options })
            .collect();
        let mut packet = Subscribe {
            packet_id: 0,
            properties: Properties::List(props),
            subscriptions: SubscriptionList::List(&subs),
        };
        self.check_size(packet.remaining_len(v), packet.encoded_len(v))?;
        packet.packet_id = self.ids.reserve_request().ok_or(SessionError::NoMem)?;
        self.send(&Packet::Subscribe(packet), now, out);
        Ok(packet.packet_id)
    }

    /// `mosquitto_unsubscribe_multiple`: one UNSUBSCRIBE for the filters.
    /// Returns the message id.
    ///
    /// Checks, in the original's order: properties before v5
    /// (`NotSupported`), no connection (`NoConn`), the properties, each
    /// filter (`Inval`, `MalformedUtf8`), the broker's Maximum Packet Size
    /// (`OversizePacket`), a packet id not in use (`NoMem`).
    pub fn unsubscribe(
        &mut self,
        filters: &[&[u8]],
        props: &[Property<'_>],
        now: u64,
        out: &mut Vec<u8>,
    ) -> Result<u16, SessionError> {
        let v = self.config.version;
        if !v.is_v5() && !props.is_empty() {
            return Err(SessionError::NotSupported);
        }
        if !self.transport_open() {
            return Err(SessionError::NoConn);
        }
        check_properties(CMD_UNSUBSCRIBE, props)?;
        for f in filters {
            check_filter(f)?;
        }
        let mut packet = Unsubscribe {
            packet_id: 0,
            properties: Properties::List(props),
            topics: TopicList::List(filters),
        };
        self.check_size(packet.remaining_len(v), packet.encoded_len(v))?;
        packet.packet_id = self.ids.reserve_request().ok_or(SessionError::NoMem)?;
        self.send(&Packet::Unsubscribe(packet), now, out);
        Ok(packet.packet_id)
    }

    fn check_size(&self, remaining: usize, total: usize) -> Result<(), SessionError> {
        if remaining > MAX_VARINT as usize {
            return Err(SessionError::PayloadSize);
        }
        if self.oversize(total) {
            return Err(SessionError::OversizePacket);
        }
        Ok(())
    }

    /// Checks a DISCONNECT the application asks for, before anything
    /// changes: properties before v5 (`NotSupported`), the property list;
    /// in v5, a reason code the specification's table does not list as
    /// sent by a client, or a non-zero Session Expiry Interval when the
    /// CONNECT had none or 0 (section 3.14.2.2.2), is `Inval`.
    pub fn check_disconnect(
        &self,
        reason_code: u8,
        props: &[Property<'_>],
    ) -> Result<(), SessionError> {
        if !self.config.version.is_v5() {
            return if props.is_empty() {
                Ok(())
            } else {
                Err(SessionError::NotSupported)
            };
        }
        check_properties(CMD_DISCONNECT, props)?;
        if !CLIENT_DISCONNECT_CODES.contains(&reason_code) {
            return Err(SessionError::Inval);
        }
        let asked = props.iter().find_map(|p| match (p.id, p.value) {
            (Identifier::SessionExpiryInterval, Value::Int32(n)) => Some(n),
            _ => None,
        });
        let connected_with = self
            .config
            .connect_properties
            .find(Identifier::SessionExpiryInterval);
        if asked.is_some_and(|n| n != 0)
            && !matches!(connected_with, Some(Value::Int32(n)) if n != 0)
        {
            return Err(SessionError::Inval);
        }
        Ok(())
    }

    /// `mosquitto_disconnect_v5`: writes DISCONNECT (v5: reason code and
    /// properties). The runtime closes the transport once it is flushed
    /// and then calls [`Session::connection_lost`].
    ///
    /// Checks first as [`Session::check_disconnect`]; without a connection
    /// the result is `NoConn`. When the packet would exceed the broker's
    /// Maximum Packet Size, its Reason String and User Properties are left
    /// out, as the specification allows [MQTT-3.14.2-3].
    pub fn disconnect(
        &mut self,
        reason_code: u8,
        props: &[Property<'_>],
        now: u64,
        out: &mut Vec<u8>,
    ) -> Result<(), SessionError> {
        self.check_disconnect(reason_code, props)?;
        if !self.transport_open() {
            return Err(SessionError::NoConn);
        }
        let flush_ms = self.outgoing.ext().map_or(0, |e| e.flush_ms);
        if flush_ms != 0 && (self.outgoing.len() != 0 || self.holds_qos0()) {
            self.outgoing.ext_mut().flush = Some(Flush {
                reason_code,
                properties: OwnedProperties::new(CMD_DISCONNECT, props)?,
                deadline: now.saturating_add(u64::from(flush_ms)),
            });
            return Ok(());
        }
        self.write_disconnect(reason_code, props, now, out);
        Ok(())
    }

    /// Writes DISCONNECT (checked) and moves to `Disconnecting`.
    fn write_disconnect(
        &mut self,
        reason_code: u8,
        props: &[Property<'_>],
        now: u64,
        out: &mut Vec<u8>,
    ) {
        self.clear_flush();
        // QoS 0 messages held go before it, as the original's queued
        // packets do.
        self.release_held(out);
        self.state = State::Disconnecting;
        let v = self.config.version;
        let full = Disconnect {
            reason_code,
            properties: Properties::List(props),
        };
        if !self.oversize(full.encoded_len(v)) {
            self.send(&Packet::Disconnect(full), now, out);
            return;
        }
        let kept = without_optional(props);
        let p = Disconnect {
            reason_code,
            properties: Properties::List(&kept),
        };
        self.send(&Packet::Disconnect(p), now, out);
    }

    /// The broker broke the protocol with `err`: on MQTT 5 writes the
    /// DISCONNECT carrying the reason code the specification names for it
    /// (0x81 malformed packet, 0x82 protocol error, 0x93, 0x94, 0x95;
    /// [MQTT-4.13.1-1]) and returns that code; the runtime sends it, then
    /// closes. MQTT 3.1 and 3.1.1 have no such DISCONNECT: `None`, just
    /// close.
    pub fn farewell(&mut self, err: SessionError, now: u64, out: &mut Vec<u8>) -> Option<u8> {
        if !self.config.version.is_v5() || !self.transport_open() {
            return None;
        }
        let reason = err.disconnect_reason()?;
        let p = Disconnect {
            reason_code: reason,
            properties: Properties::List(&[]),
        };
        self.send(&Packet::Disconnect(p), now, out);
        Some(reason)
    }

    /// Writes a v5 AUTH (enhanced authentication: continue or
    /// re-authenticate with the method and data in `props`).
    pub fn auth(
        &mut self,
        reason_code: u8,
        props: &[Property<'_>],
        now: u64,
        out: &mut Vec<u8>,
    ) -> Result<(), SessionError> {
        if !self.config.version.is_v5() {
            return Err(SessionError::NotSupported);
        }
        check_properties(CMD_AUTH, props)?;
        if !self.transport_open() {
            return Err(SessionError::NoConn);
        }
        let v = self.config.version;
        let full = Auth {
            reason_code,
            properties: Properties::List(props),
        };
        if !self.oversize(full.encoded_len(v)) {
            self.send(&Packet::Auth(full), now, out);
            return Ok(());
        }
        // Above the broker's Maximum Packet Size: without the Reason String
        // and User Properties, as the specification allows
        // [MQTT-3.15.2-2, -3], or not at all.
        let kept = without_optional(props);
        let p = Auth {
            reason_code,
            properties: Properties::List(&kept),
        };
        if self.oversize(p.encoded_len(v)) {
            return Err(SessionError::OversizePacket);
        }
        self.send(&Packet::Auth(p), now, out);
        Ok(())
    }

    /// Keep alive: when nothing was sent or nothing received for the
    /// interval, writes PINGREQ if connected with no ping outstanding;
    /// otherwise (a ping unanswered, or no CONNACK in time) the connection
    /// is dead: the session resets and returns `Keepalive`.
    ///
    /// Extension: a disconnect waiting for queued messages (see
    /// [`Self::set_disconnect_flush_ms`]) writes its DISCONNECT here once
    /// its deadline has passed.
    pub fn tick(&mut self, now: u64, out: &mut Vec<u8>) -> Result<(), SessionError> {
        if self.flush_pending() && self.finish_flush(now, out) {
            return Ok(());
        }
        if !self.transport_open() || !self.keepalive.due(now) {
            return Ok(());
        }
        if self.state == State::Connected && !self.keepalive.ping_outstanding() {
            Packet::Pingreq.write(self.config.version, out);
            self.keepalive.ping_sent(now);
            return Ok(());
        }
        self.connection_lost();
        Err(SessionError::Keepalive)
    }

    /// When [`Session::tick`] next has something to do (`None`: keep
    /// alive off or no connection); the runtime may sleep until then.
    pub fn next_deadline(&self) -> Option<u64> {
        if !self.transport_open() {
            return None;
        }
        let flush = self.outgoing.ext().and_then(|e| e.flush.as_ref());
        match (flush, self.keepalive.deadline()) {
            (Some(f), Some(k)) => Some(k.min(f.deadline)),
            (Some(f), None) => Some(f.deadline),
            (None, k) => k,
        }
    }

    /// The network connection is gone (closed, failed, or ended by the
    /// session): per-connection state is reset; outgoing messages stay
    /// (those in flight are resent after the next CONNACK), as do incoming
    /// QoS 2 messages awaiting PUBREL. Idempotent.
    pub fn connection_lost(&mut self) {
        if self.state != State::Disconnected {
            self.offline_room = self.outgoing.inflight() < usize::from(self.out_max);
        }
        self.state = State::Disconnected;
        self.clear_flush();
        if let Some(e) = self.outgoing.ext_if_any() {
            e.held.clear();
        }
        self.keepalive.pong();
        self.aliases.reset(0);
        self.outgoing.reset_aliases();
        self.ids.connection_ended();
    }

    /// Outgoing messages dropped since the last call because the
    /// connection could not take them when they were due to be written,
    /// each with the v5 reason code the runtime reports in
    /// `on_publish(mid)` / `on_publish_v5(mid, rc, NULL)`: 0x95 (larger
    /// than the broker's Maximum Packet Size) or 0x9A (retained, and the
    /// broker has no Retain Available).
    pub fn take_dropped(&mut self) -> Vec<(u16, u8)> {
        self.outgoing.take_dropped()
    }
}

/// The v5 DISCONNECT reason codes a client may send (the specification's
/// table, section 3.14.2.1: those marked "Client" or "Client or Server").
const CLIENT_DISCONNECT_CODES: [u8; 14] = [
    0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99,
];

/// `props` without the Reason String and User Properties: what a
/// DISCONNECT or AUTH may lose to fit the broker's Maximum Packet Size.
fn without_optional<'a>(props: &[Property<'a>]) -> Vec<Property<'a>> {
    props
        .iter()
        .filter(|p| !matches!(p.id, Identifier::ReasonString | Identifier::UserProperty))
        .copied()
        .collect()
}

/// The subscription filter checks of the original: wildcards placement
/// and length (`Inval`), then UTF-8 (`MalformedUtf8`).
fn check_filter(f: &[u8]) -> Result<(), SessionError> {
    topic::check_subscription_filter(f).map_err(|_| SessionError::Inval)?;
    utf8::validate(f).map_err(|_| SessionError::MalformedUtf8)?;
    Ok(())
}
