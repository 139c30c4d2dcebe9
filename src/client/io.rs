//! Connecting, sending and the loop functions: the runtime that moves bytes
//! between the session and the socket and turns what happens into
//! callbacks.

use std::os::fd::AsFd;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::buffers::Filled;
use super::error::ClientError;
use super::{lock, log, now_ms, Client, Intent, Link, State, Threading};
use crate::ffi::dispatch;
use crate::protocol::packet::{PacketType, Properties, ProtocolVersion};
use crate::protocol::property::{Identifier, Property, Value};
use crate::session::{Event, OwnedProperties, PublishError, SessionError, State as SessionState};
use crate::transport::{self, poll, Connecting, Socks5, WakeSender};

/// How long `loop_forever` pauses after a reconnect that failed at once
/// when the reconnect delay is 0 (README, "Differences from the original").
const REFUSED_PAUSE_MS: i32 = 10;

/// What happened under the state lock that must be reported after it is
/// released.
#[derive(Default)]
pub(super) struct Aftermath {
    /// QoS 0 messages fully written: `on_publish(mid)`.
    published: Vec<u16>,
    /// The connection ended: `on_disconnect(rc)`.
    disconnected: Option<i32>,
    /// Log lines (only gathered with a log callback set).
    logs: Vec<log::Line>,
    /// The loop thread to wake once the state lock is released (waking
    /// is a system call: made under the lock, it would keep the loop
    /// thread waiting for the lock it needs to write).
    wake: Option<WakeSender>,
}

impl Client {
    /// Reports `after` through the callbacks (no lock held).
    #[inline(always)]
    fn report(&self, after: Aftermath) {
        let Aftermath {
            published,
            disconnected,
            logs,
            wake,
        } = after;
        if let Some(w) = wake {
            w.wake();
        }
        if !(logs.is_empty() && published.is_empty() && disconnected.is_none()) {
            self.report_events(Aftermath {
                published,
                disconnected,
                logs,
                wake: None,
            });
        }
    }

    /// The part of [`Self::report`] that has something to say (kept out of
    /// line: the publish path almost never needs it).
    #[cold]
    #[inline(never)]
    fn report_events(&self, after: Aftermath) {
        for line in &after.logs {
            dispatch::log(self, line.level, &line.text);
        }
        if !after.published.is_empty() {
            dispatch::published_qos0(self, &after.published);
        }
        if let Some(rc) = after.disconnected {
            dispatch::disconnected(self, rc, Properties::EMPTY);
        }
    }

    /// Reports `after`, then writes what its publish callbacks queued, and
    /// again while writing completes more QoS 0 messages: the original's
    /// write loop goes on with whatever `on_publish` queued (a DISCONNECT,
    /// the next message) before it returns. Only the thread that flushed
    /// (the loop, or an API call writing directly) gets here with
    /// completions to report; inside a callback nothing more is written.
    fn settle(&self, mut after: Aftermath) -> Result<(), ClientError> {
        loop {
            let completed = !after.published.is_empty();
            self.report(after);
            if !completed || self.in_callback() {
                return Ok(());
            }
            after = Aftermath::default();
            let written = self.with_state(|st| {
                let ready = st
                    .link
                    .as_ref()
                    .is_some_and(|l| !l.connecting && l.socks.is_none());
                if ready && !st.out.is_empty() {
                    self.flush_locked(st, &mut after)
                } else {
                    Ok(())
                }
            });
            if let Err(e) = written {
                self.report(after);
                return Err(e);
            }
        }
    }

    /// Runs `f`, then, with a log callback set, describes the packets it
    /// queued as the original's debug log does.
    fn logged<R>(
        &self,
        st: &mut State,
        after: &mut Aftermath,
        f: impl FnOnce(&mut State) -> R,
    ) -> R {
        if !self.logging() {
            return f(st);
        }
        let before = st.out.vec().len();
        let r = f(st);
        let id = log_id(st);
        let version = st.version();
        if st.out.vec().len() > before {
            log::describe_sent(&st.out.vec()[before..], version, &id, &mut after.logs);
        }
        r
    }

    /// Ends the connection under the lock: the socket closes, the session
    /// resets, and the disconnect to report is recorded (success when the
    /// application asked to disconnect, as the original reports it).
    fn close_link(&self, st: &mut State, err: &ClientError, after: &mut Aftermath) -> i32 {
        // A disconnect still waiting for queued messages (an extension)
        // was cut short: reported as the error it is.
        let asked = (st.intent == Intent::Disconnect && !st.session.flush_pending())
            || st.session.state() == SessionState::Disconnecting;
        if let Some(link) = st.link.take() {
            let _ = link.stream.shutdown();
        }
        st.out.clear();
        st.session.connection_lost();
        let rc = if asked { 0 } else { err.mosq_err() };
        after.disconnected = Some(rc);
        rc
    }

    /// Writes what is queued, finishing a pending connect or SOCKS
    /// handshake first. After our DISCONNECT is written the connection is
    /// closed, as the original does.
    fn flush_locked(&self, st: &mut State, after: &mut Aftermath) -> Result<(), ClientError> {
        let Some(link) = st.link.as_mut() else {
            return Err(ClientError::NoConn);
        };
        if link.connecting {
            match link.stream.check_connected() {
                Ok(true) => link.connecting = false,
                Ok(false) => return Ok(()),
                Err(e) => return Err(ClientError::Io(e)),
            }
            if link.socks.is_none() {
                self.logged(st, after, |st| {
                    st.session.start_connect(now_ms(), st.out.vec())
                })?;
            }
        }
        let link = st.link.as_mut().expect("link checked above");
        if let Some(socks) = link.socks.as_mut() {
            if !socks.pump(&link.stream)? {
                return Ok(());
            }
            link.socks = None;
            // TLS starts once the proxy has connected us (as the original).
            let host = st.target.host.as_deref().unwrap_or_default();
            link.stream = Client::start_tls(Arc::clone(&link.stream), st.tls.get(), host)?;
            link.stream = Client::start_websocket(
                Arc::clone(&link.stream),
                st.websockets.get(),
                host,
                st.target.port,
            )?;
            self.logged(st, after, |st| {
                st.session.start_connect(now_ms(), st.out.vec())
            })?;
        }
        let stream = Arc::clone(&st.link.as_ref().expect("link").stream);
        let before = st.out.written();
        // Extension: QoS 0 messages held while the buffer was busy.
        if st.session.held_work() {
            let tracked = self.tracks_qos0();
            let released = st.session.take_released_qos0();
            st.out.mark_released(released, tracked);
        }
        let mut done = st
            .out
            .flush(&stream, &mut after.published)
            .map_err(ClientError::from_io)?;
        if done && st.session.held_work() && st.session.release_held(st.out.vec()) {
            let tracked = self.tracks_qos0();
            let released = st.session.take_released_qos0();
            st.out.mark_released(released, tracked);
            done = st
                .out
                .flush(&stream, &mut after.published)
                .map_err(ClientError::from_io)?;
        }
        if st.out.written() != before {
            st.session.note_sent(now_ms());
        }
        // TLS records (the handshake) may wait even when `out` is empty.
        stream.flush().map_err(ClientError::from_io)?;
        if done && st.session.state() == SessionState::Disconnecting {
            st.intent = Intent::Disconnect;
            self.close_link(st, &ClientError::NoConn, after);
        }
        Ok(())
    }

    /// After an API call queued output: write it now (no loop thread and
    /// not inside a callback, as the original) or wake the loop thread.
    fn kick(
        &self,
        st: &mut State,
        was_empty: bool,
        after: &mut Aftermath,
    ) -> Result<(), ClientError> {
        if self.writes_directly() {
            if st
                .link
                .as_ref()
                .is_some_and(|l| !l.connecting && l.socks.is_none())
            {
                return self.flush_locked(st, after);
            }
        } else if was_empty {
            after.wake = st.wake.as_ref().map(|(tx, _)| tx.clone());
        }
        Ok(())
    }

    /// `mosquitto_connect*`: records where to connect, then connects.
    pub fn connect(
        &self,
        host: &str,
        port: u16,
        keepalive: u16,
        bind_address: Option<&str>,
        properties: Option<OwnedProperties>,
        blocking: bool,
    ) -> Result<(), ClientError> {
        self.with_state(|st| {
            st.target.host = Some(host.to_string());
            st.target.port = port;
            if let Some(b) = bind_address {
                st.target.bind_address = Some(b.to_string());
            }
            let cfg = st.session.config_mut();
            // Only MQTT 3.1 requires a client id: like the original, make
            // one up ("mosq-" and 18 random letters or digits).
            if cfg.client_id.is_none() && cfg.version == ProtocolVersion::V31 {
                cfg.client_id = Some(random_client_id());
            }
            cfg.keepalive = keepalive;
            if let Some(p) = properties {
                cfg.connect_properties = p;
            }
        });
        self.reconnect(blocking)
    }

    /// `mosquitto_reconnect*`: a new connection to the recorded broker.
    pub fn reconnect(&self, blocking: bool) -> Result<(), ClientError> {
        self.dial(blocking, false).map(|_| ())
    }

    /// `loop_forever`'s reconnect: none when another thread has connected
    /// (or is connecting) meanwhile, as `mosquitto_reconnect_async` racing
    /// the loop thread does; whether it connected.
    fn redial(&self) -> Result<bool, ClientError> {
        self.dial(true, true)
    }

    /// Opens a new connection; with `unless_connected`, only when there is
    /// none and none being opened. Whether it connected.
    fn dial(&self, blocking: bool, unless_connected: bool) -> Result<bool, ClientError> {
        // Claimed under the lock before the connection is opened without
        // it, so that `loop_start`'s thread waits for this connection
        // rather than opening a second one.
        let claimed = self.with_state(|st| {
            if !st.session.config().version.is_v5()
                && !st.session.config().connect_properties.is_empty()
            {
                return Err(ClientError::NotSupported);
            }
            if unless_connected && (st.dialing > 0 || st.link.is_some()) {
                return Ok(false);
            }
            st.dialing += 1;
            st.intent = Intent::Connect;
            Ok(true)
        })?;
        if !claimed {
            return Ok(false);
        }
        let _dialing = Dialing(self);
        dispatch::pre_connect(self);
        let (target, nodelay, tls, ws) = self.with_state(|st| {
            (
                st.target.clone(),
                st.tcp_nodelay,
                st.tls.clone(),
                st.websockets.clone(),
            )
        });
        let Some(host) = target.host.clone() else {
            return Err(ClientError::Inval);
        };
        self.with_state(|st| {
            if !st.session.config().version.is_v5()
                && !st.session.config().connect_properties.is_empty()
            {
                return Err(ClientError::NotSupported);
            }
            if let Some(link) = st.link.take() {
                let _ = link.stream.shutdown();
            }
            st.out.clear();
            st.session.connection_lost();
            st.intent = Intent::Connect;
            Ok(())
        })?;
        let (stream, state) = match &target.socks5 {
            Some(proxy) => transport::connect(
                &proxy.host,
                proxy.port,
                target.bind_address.as_deref(),
                blocking,
            )?,
            None => {
                transport::connect(&host, target.port, target.bind_address.as_deref(), blocking)?
            }
        };
        if nodelay {
            let _ = stream.set_nodelay(true);
        }
        // TLS now, or after the SOCKS handshake.
        let stream = match &target.socks5 {
            Some(_) => Arc::new(stream),
            None => Client::start_tls(Arc::new(stream), tls.get(), &host).inspect_err(|e| {
                self.log_tls_error(e);
            })?,
        };
        // WebSocket over that (after SOCKS too, see flush_locked).
        let stream = match &target.socks5 {
            Some(_) => stream,
            None => Client::start_websocket(stream, ws.get(), &host, target.port)?,
        };
        let socks = match &target.socks5 {
            Some(p) => Some(Box::new(Socks5::new(
                &host,
                target.port,
                p.username.as_deref(),
                p.password.as_deref(),
            ))),
            None => None,
        };
        let mut after = Aftermath::default();
        let result = self.with_state(|st| {
            st.generation += 1;
            let connecting = state == Connecting::InProgress;
            let direct = socks.is_none();
            st.link = Some(Link {
                stream,
                connecting,
                socks,
            });
            if direct && !connecting {
                let started = self.logged(st, &mut after, |st| {
                    st.session.start_connect(now_ms(), st.out.vec())
                });
                if let Err(e) = started {
                    st.link = None;
                    st.session.connection_lost();
                    return Err(e.into());
                }
            }
            // Without a loop thread the original writes CONNECT at once,
            // which also reveals a refused non-blocking connect.
            let r = if self.writes_directly() {
                self.flush_locked(st, &mut after)
            } else {
                st.wake();
                Ok(())
            };
            if r.is_err() {
                // As the original: the connection is dropped and the client
                // is back to "new", with nothing reported.
                st.link = None;
                st.out.clear();
                st.session.connection_lost();
                st.intent = Intent::New;
            }
            r
        });
        self.report(after);
        if let Err(e) = &result {
            self.log_tls_error(e);
        }
        result.map(|()| true)
    }

    /// `mosquitto_disconnect_v5`.
    pub fn disconnect(&self, reason_code: u8, props: &[Property<'_>]) -> Result<(), ClientError> {
        let mut after = Aftermath::default();
        let result = self.with_state(|st| {
            // A DISCONNECT the specification forbids fails before anything
            // changes (the client would otherwise stop reconnecting).
            st.session.check_disconnect(reason_code, props)?;
            st.intent = Intent::Disconnect;
            if st.link.is_none() {
                return Err(ClientError::NoConn);
            }
            let was_empty = st.out.is_empty();
            self.logged(st, &mut after, |st| {
                st.session
                    .disconnect(reason_code, props, now_ms(), st.out.vec())
            })?;
            // A held-back DISCONNECT (an extension) has a deadline the loop
            // thread must learn of.
            let was_empty = was_empty || st.session.flush_pending();
            self.kick(st, was_empty, &mut after)
        });
        let settled = self.settle(after);
        result.and(settled)
    }

    /// `mosquitto_publish_v5`: returns the message id (also on some
    /// failures, as the original reports it through `*mid`).
    pub fn publish(
        &self,
        topic: &[u8],
        payload: &[u8],
        qos: u8,
        retain: bool,
        props: &[Property<'_>],
    ) -> Result<u16, (ClientError, Option<u16>)> {
        let mut after = Aftermath::default();
        let mut dropped = Vec::new();
        let result = self.with_state(|st| {
            let was_empty = st.out.is_empty();
            let published = self.logged(st, &mut after, |st| {
                if qos == 0 && props.is_empty() {
                    // QoS 0 needs no clock: its write is noted when flushed.
                    return st
                        .session
                        .publish_qos0(topic, payload, retain, st.out.vec());
                }
                let now = if qos == 0 { 0 } else { now_ms() };
                st.session
                    .publish(topic, payload, qos, retain, props, now, st.out.vec())
            });
            dropped = st.session.take_dropped();
            let mid =
                published.map_err(|PublishError { error, mid }| (ClientError::from(error), mid))?;
            if qos == 0 {
                // A QoS 0 PUBLISH carries no id on the wire; the original's
                // log line shows the message id all the same.
                if let Some(line) = after.logs.last_mut() {
                    line.text = line.text.replacen(", m0, '", &format!(", m{mid}, '"), 1);
                }
            }
            if qos == 0 && self.tracks_qos0() && !st.session.held_qos0(mid) {
                st.out.mark_qos0(mid);
            }
            self.kick(st, was_empty, &mut after)
                .map_err(|e| (e, Some(mid)))?;
            Ok(mid)
        });
        let settled = self.settle(after);
        self.report_dropped(dropped);
        let mid = result?;
        settled.map_err(|e| (e, Some(mid)))?;
        Ok(mid)
    }

    /// `on_publish` for messages the session dropped when they were due to
    /// be written (see `Session::take_dropped`), with their reason code.
    fn report_dropped(&self, dropped: Vec<(u16, u8)>) {
        for (mid, rc) in dropped {
            dispatch::published(self, mid, rc, Properties::EMPTY);
        }
    }

    /// `mosquitto_subscribe_multiple` / `_v5`.
    pub fn subscribe(
        &self,
        filters: &[&[u8]],
        qos: u8,
        options: u8,
        props: &[Property<'_>],
    ) -> Result<u16, ClientError> {
        let mut after = Aftermath::default();
        let result: Result<u16, ClientError> = self.with_state(|st| {
            let was_empty = st.out.is_empty();
            let mid = self.logged(st, &mut after, |st| {
                st.session
                    .subscribe(filters, qos, options, props, now_ms(), st.out.vec())
            })?;
            self.kick(st, was_empty, &mut after)?;
            Ok(mid)
        });
        let settled = self.settle(after);
        let mid = result?;
        settled?;
        Ok(mid)
    }

    /// `mosquitto_unsubscribe_multiple` / `_v5`.
    pub fn unsubscribe(
        &self,
        filters: &[&[u8]],
        props: &[Property<'_>],
    ) -> Result<u16, ClientError> {
        let mut after = Aftermath::default();
        let result: Result<u16, ClientError> = self.with_state(|st| {
            let was_empty = st.out.is_empty();
            let mid = self.logged(st, &mut after, |st| {
                st.session
                    .unsubscribe(filters, props, now_ms(), st.out.vec())
            })?;
            self.kick(st, was_empty, &mut after)?;
            Ok(mid)
        });
        let settled = self.settle(after);
        let mid = result?;
        settled?;
        Ok(mid)
    }

    /// `mosquitto_ext_auth_continue` (2.1): writes AUTH.
    pub fn auth(&self, reason_code: u8, props: &[Property<'_>]) -> Result<(), ClientError> {
        let mut after = Aftermath::default();
        let result = self.with_state(|st| {
            let was_empty = st.out.is_empty();
            self.logged(st, &mut after, |st| {
                st.session.auth(reason_code, props, now_ms(), st.out.vec())
            })?;
            self.kick(st, was_empty, &mut after)
        });
        let settled = self.settle(after);
        result.and(settled)
    }

    /// Ends the connection after a failure and reports it; returns what
    /// the loop function returns (success after a requested disconnect).
    fn fail(&self, err: ClientError) -> Result<(), ClientError> {
        self.log_tls_error(&err);
        let mut after = Aftermath::default();
        let rc = self.with_state(|st| self.close_link(st, &err, &mut after));
        if matches!(&err, ClientError::Tls(e) if e.during_handshake) {
            // As the original: a failed handshake closes the socket
            // without calling on_disconnect.
            after.disconnected = None;
        }
        self.report(after);
        if rc == 0 {
            Ok(())
        } else {
            Err(err)
        }
    }

    /// Ends the connection because the broker broke the protocol with
    /// `err`. On MQTT 5 the session has queued a DISCONNECT with the
    /// `farewell` reason code: it goes out first (best effort: the socket
    /// may already be gone), and `on_disconnect` reports that reason code;
    /// the loop call returns `err`.
    fn fail_violation(&self, err: SessionError, farewell: Option<u8>) -> Result<(), ClientError> {
        let Some(reason) = farewell else {
            return self.fail(ClientError::Session(err));
        };
        let err = ClientError::Session(err);
        let mut after = Aftermath::default();
        self.with_state(|st| {
            if let Some(link) = st.link.as_ref() {
                let stream = Arc::clone(&link.stream);
                if st.out.flush(&stream, &mut after.published).is_ok() {
                    let _ = stream.flush();
                }
            }
            self.close_link(st, &err, &mut after);
        });
        if after.disconnected.is_some() {
            after.disconnected = Some(i32::from(reason));
        }
        self.report(after);
        Err(err)
    }

    /// [`Self::fail`] for an error on `stream`, which another thread may
    /// have replaced meanwhile (`mosquitto_reconnect*` closes the old
    /// connection without reporting it, as the original does): then the
    /// new connection stays and nothing is reported.
    fn fail_on(
        &self,
        stream: &Arc<transport::Stream>,
        err: ClientError,
    ) -> Result<(), ClientError> {
        let replaced = self.with_state(|st| {
            st.dialing > 0
                || st
                    .link
                    .as_ref()
                    .is_some_and(|l| !Arc::ptr_eq(&l.stream, stream))
        });
        if replaced {
            return Ok(());
        }
        self.fail(err)
    }

    /// `mosquitto_loop_read`: reads what the socket has and handles every
    /// complete packet, then writes the replies they caused.
    pub fn loop_read(&self) -> Result<(), ClientError> {
        let mut after = Aftermath::default();
        let stream = {
            let mut st = lock(&self.state);
            let Some(link) = st.link.as_ref() else {
                if st.dialing > 0 {
                    // Another thread is opening a new connection.
                    return Ok(());
                }
                drop(st);
                return self.fail(ClientError::NoConn);
            };
            if link.connecting || link.socks.is_some() {
                let r = self.flush_locked(&mut st, &mut after);
                drop(st);
                self.report(after);
                return match r {
                    Ok(()) => Ok(()),
                    Err(e) => self.fail(e),
                };
            }
            let stream = Arc::clone(&link.stream);
            let generation = st.generation;
            // The Maximum Packet Size we announced (v5), enforced on what
            // arrives: a longer packet is refused from its header alone.
            let max = match st
                .session
                .config()
                .connect_properties
                .find(Identifier::MaximumPacketSize)
            {
                Some(Value::Int32(n)) if st.version().is_v5() => n,
                _ => 0,
            };
            drop(st);
            let mut rd = lock(&self.reader);
            if rd.generation != generation {
                rd.buf.clear();
                rd.generation = generation;
            }
            drop(rd);
            (stream, max)
        };
        let (stream, max_packet_size) = stream;
        let mut rd = lock(&self.reader);
        let rd = &mut *rd;
        // A bounded number of reads per call keeps one busy connection from
        // starving the caller's other work.
        let mut drained = false;
        // The first byte of the last packet handled (0: none), for
        // `ack_now` below.
        let mut last_header = 0u8;
        for _ in 0..64 {
            if drained {
                break;
            }
            match rd.buf.fill(&stream) {
                Ok(Filled::Bytes { drained: d, .. }) => drained = d,
                Ok(Filled::WouldBlock) => break,
                Ok(Filled::Closed) => return self.fail_on(&stream, ClientError::ConnLost),
                Err(e) => return self.fail_on(&stream, ClientError::from_io(e)),
            }
            loop {
                let range = match rd.buf.next_packet(max_packet_size) {
                    Ok(Some(r)) => r,
                    Ok(None) => break,
                    Err(e) => {
                        let err = e.into();
                        let farewell =
                            self.with_state(|st| st.session.farewell(err, now_ms(), st.out.vec()));
                        return self.fail_violation(err, farewell);
                    }
                };
                let frame = &rd.buf.bytes()[range];
                last_header = frame[0];
                let handled = {
                    let mut st = lock(&self.state);
                    if st
                        .link
                        .as_ref()
                        .is_none_or(|l| !Arc::ptr_eq(&l.stream, &stream))
                    {
                        // The connection was replaced by a callback.
                        return Ok(());
                    }
                    let st = &mut *st;
                    let mut lines = Aftermath::default();
                    let handled = self.logged(st, &mut lines, |st| {
                        st.session.handle_packet(frame, now_ms(), st.out.vec())
                    });
                    // Messages a CONNACK without our session dropped, and
                    // those the connection could not take.
                    let absent = st.session.take_session_dropped();
                    let dropped = st.session.take_dropped();
                    if self.logging() {
                        let id = log_id(st);
                        let session = &st.session;
                        let known = |mid| session.outgoing_stage(mid).is_some();
                        log::describe_received(frame, st.version(), &id, known, &mut after.logs);
                        after.logs.append(&mut lines.logs);
                    }
                    // The original puts the PUBACK (or PUBCOMP) on the wire
                    // before it calls on_message when it writes at once (no
                    // loop thread): a program may exit in the callback.
                    let message = matches!(handled.event, Some(Event::Message(_)));
                    let mut acked = Aftermath::default();
                    let ack = if message && !st.out.is_empty() && self.writes_directly() {
                        self.flush_locked(st, &mut acked)
                    } else {
                        Ok(())
                    };
                    (handled, acked, ack, absent, dropped)
                };
                let (handled, acked, ack, absent, dropped) = handled;
                if !after.logs.is_empty() {
                    for line in after.logs.drain(..) {
                        dispatch::log(self, line.level, &line.text);
                    }
                }
                let ack = ack.and(self.settle(acked));
                let broker_disconnect = matches!(handled.event, Some(Event::Disconnected { .. }));
                if !absent.is_empty() {
                    dispatch::dropped(self, &absent);
                }
                if let Some(event) = &handled.event {
                    if let Err(rc) = dispatch::event(self, event, &mut rd.scratch) {
                        return self.fail(ClientError::Refused(rc));
                    }
                }
                self.report_dropped(dropped);
                if let Some(err) = handled.close {
                    return self.fail_violation(err, handled.farewell);
                }
                if let Err(e) = ack {
                    return self.fail(e);
                }
                if broker_disconnect {
                    // Already reported with the broker's reason code.
                    self.with_state(|st| {
                        if let Some(link) = st.link.take() {
                            let _ = link.stream.shutdown();
                        }
                        st.out.clear();
                        st.session.connection_lost();
                    });
                    return Ok(());
                }
            }
        }
        rd.buf.release_if_empty();
        if rd.scratch.capacity() > 4096 {
            rd.scratch = Vec::new();
        }
        let mut answerless = false;
        let result = self.with_state(|st| {
            if st.out.is_empty() || st.link.is_none() {
                answerless = st.out.is_empty() && st.link.is_some();
                Ok(())
            } else if self.threading() == Threading::OwnThread {
                // The loop thread writes right after reading.
                Ok(())
            } else {
                self.flush_locked(st, &mut after)
            }
        });
        if answerless && last_header != 0 && last_header >> 4 != PacketType::Publish as u8 {
            // A broker often sends more right after an acknowledgement (the
            // message just published, retained messages after a SUBACK):
            // with Nagle on, it holds that until our ACK, which no answer
            // of ours carries here. Send it now (see Stream::ack_now).
            // After a PUBLISH that needs no answer (QoS 0), the kernel
            // decides: our next packet usually carries the ACK, and an ACK
            // segment per message would slow QoS 0 round trips.
            let _ = stream.ack_now();
        }
        let settled = self.settle(after);
        match result.and(settled) {
            Ok(()) => Ok(()),
            Err(e) => self.fail(e),
        }
    }

    /// `mosquitto_loop_write`: writes what is queued.
    pub fn loop_write(&self) -> Result<(), ClientError> {
        let mut after = Aftermath::default();
        let result = self.with_state(|st| self.flush_locked(st, &mut after));
        let settled = self.settle(after);
        match result.and(settled) {
            Ok(()) => Ok(()),
            Err(e) => self.fail(e),
        }
    }

    /// `mosquitto_loop_misc`: keep alive.
    pub fn loop_misc(&self) -> Result<(), ClientError> {
        let mut after = Aftermath::default();
        let result = self.with_state(|st| {
            if st.link.is_none() {
                return Err(ClientError::NoConn);
            }
            let was_empty = st.out.is_empty();
            self.logged(st, &mut after, |st| st.session.tick(now_ms(), st.out.vec()))?;
            if !st.out.is_empty() && was_empty {
                self.kick(st, was_empty, &mut after)?;
            }
            Ok(())
        });
        let settled = self.settle(after);
        match result.and(settled) {
            Ok(()) => Ok(()),
            Err(ClientError::NoConn) => Err(ClientError::NoConn),
            Err(e) => self.fail(e),
        }
    }

    /// `mosquitto_loop`: waits up to `timeout_ms` for the socket (or a
    /// wake-up, or the keep alive deadline), then reads, writes and runs
    /// the keep alive check.
    pub fn run_loop(&self, timeout_ms: i32) -> Result<(), ClientError> {
        let (stream, want_write, deadline, wake) = {
            let mut st = lock(&self.state);
            st.ensure_wake();
            let Some(link) = st.link.as_ref() else {
                return Err(ClientError::NoConn);
            };
            let want_write = !st.out.is_empty()
                || link.stream.wants_write()
                || link.connecting
                || link.socks.as_ref().is_some_and(|s| s.wants_write());
            (
                Arc::clone(&link.stream),
                want_write,
                st.session.next_deadline(),
                st.wake.as_ref().map(|(_, rx)| Arc::clone(rx)),
            )
        };
        let mut timeout = if timeout_ms < 0 {
            1000
        } else {
            i64::from(timeout_ms)
        };
        if let Some(d) = deadline {
            timeout = timeout.min(d.saturating_sub(now_ms()) as i64);
        }
        let ready = match poll(
            Some(stream.as_fd()),
            want_write,
            wake.as_ref().map(|w| w.as_fd()),
            timeout.clamp(0, i64::from(i32::MAX)) as i32,
        ) {
            Ok(ready) => ready,
            // Closed like any failed connection: `loop_forever` reconnects
            // only when no connection is left.
            Err(e) => return self.fail_on(&stream, ClientError::Io(e)),
        };
        if ready.interrupted {
            return Ok(());
        }
        if ready.readable {
            self.loop_read()?;
            if !self.connected_to(&stream) {
                return Ok(());
            }
        }
        // Output first, then the wake-up byte: what woke us goes out
        // without waiting for a read of the wake-up socket. (A wake-up
        // coalesced into the one being drained is not lost: its sender
        // queued its bytes before waking, and the next round's poll waits
        // for writability while output is queued.)
        if ready.writable || ready.woken {
            let written = self.loop_write();
            if ready.woken {
                if let Some(w) = &wake {
                    w.drain();
                }
            }
            written?;
            if !self.connected_to(&stream) {
                return Ok(());
            }
        }
        self.loop_misc()
    }

    /// Whether `stream` is still this client's connection.
    fn connected_to(&self, stream: &Arc<transport::Stream>) -> bool {
        self.with_state(|st| {
            st.link
                .as_ref()
                .is_some_and(|l| Arc::ptr_eq(&l.stream, stream))
        })
    }

    /// `mosquitto_loop_forever`: loops, reconnecting with the configured
    /// backoff after a lost connection, until the application disconnects
    /// or a fatal error occurs (or `loop_stop(force)` asks the loop thread
    /// to leave).
    pub fn loop_forever(&self, timeout_ms: i32) -> Result<(), ClientError> {
        self.with_state(|st| st.reconnects = 0);
        loop {
            let err = loop {
                if self.stop_requested() {
                    return Ok(());
                }
                if let Err(e) = self.run_loop(timeout_ms) {
                    break e;
                }
            };
            // Fatal errors end the loop, as in the original.
            if matches!(
                err.mosq_err(),
                1 | 2 | 3 | 6 | 8 | 9 | 10 | 11 | 12 | 13 | 15 | 16
            ) {
                return Err(err);
            }
            loop {
                if self.stop_requested() {
                    return Ok(());
                }
                // Another thread (`mosquitto_reconnect_async`) connected, or
                // is connecting: go on with its connection.
                let elsewhere = self.with_state(|st| (st.dialing > 0, st.link.is_some()));
                match elsewhere {
                    (true, _) => {
                        std::thread::sleep(std::time::Duration::from_millis(10));
                        continue;
                    }
                    (false, true) => break,
                    (false, false) => {}
                }
                let delay = self.with_state(|st| {
                    if st.intent == Intent::Disconnect {
                        return None;
                    }
                    let d = st.reconnect_delay;
                    let n = st.reconnects + 1;
                    let mut delay = if d.max > d.delay {
                        if d.exponential {
                            d.delay.saturating_mul(n).saturating_mul(n)
                        } else {
                            d.delay.saturating_mul(n)
                        }
                    } else {
                        d.delay
                    };
                    if delay > d.max {
                        delay = d.max;
                    } else {
                        st.reconnects += 1;
                    }
                    Some(delay)
                });
                let Some(delay) = delay else {
                    return Ok(());
                };
                self.interruptible_sleep(delay);
                if self.stop_requested() || self.with_state(|st| st.intent == Intent::Disconnect) {
                    return Ok(());
                }
                match self.redial() {
                    Ok(_) => break,
                    // With no delay (a maximum of 0), a connection refused at
                    // once would spin a core, as the original does; a short
                    // pause keeps it to a few attempts a second.
                    Err(_) if delay == 0 => self.interruptible_sleep_ms(REFUSED_PAUSE_MS),
                    Err(_) => {}
                }
            }
        }
    }

    /// Sleeps `seconds`, or less when woken (by `loop_stop` or an API call).
    fn interruptible_sleep(&self, seconds: u32) {
        let ms = (u64::from(seconds) * 1000).min(i32::MAX as u64) as i32;
        self.interruptible_sleep_ms(ms);
    }

    /// Sleeps `ms` milliseconds, or less when woken.
    fn interruptible_sleep_ms(&self, ms: i32) {
        let wake = self.with_state(|st| {
            st.ensure_wake();
            st.wake.as_ref().map(|(_, rx)| Arc::clone(rx))
        });
        match wake {
            Some(rx) => {
                rx.drain();
                let _ = poll(None, false, Some(rx.as_fd()), ms);
                rx.drain();
            }
            None => std::thread::sleep(std::time::Duration::from_millis(ms.max(0) as u64)),
        }
    }

    /// Whether `loop_stop(force)` or `destroy` asked the loop thread to leave.
    pub(super) fn stop_requested(&self) -> bool {
        self.stop.load(Ordering::Acquire)
    }

    /// `mosquitto_socket`: the connection's file descriptor, or -1.
    pub fn socket(&self) -> i32 {
        use std::os::fd::AsRawFd;
        self.with_state(|st| st.link.as_ref().map_or(-1, |l| l.stream.as_raw_fd()))
    }

    /// `mosquitto_want_write`: whether output is waiting (or a connect or
    /// handshake needs the socket to become writable).
    pub fn want_write(&self) -> bool {
        self.with_state(|st| {
            !st.out.is_empty()
                || st.link.as_ref().is_some_and(|l| {
                    l.stream.wants_write()
                        || l.connecting
                        || l.socks.as_ref().is_some_and(|s| s.wants_write())
                })
        })
    }
}

/// Marks a connection being opened (see [`Client::dial`]) until dropped.
struct Dialing<'a>(&'a Client);

impl Drop for Dialing<'_> {
    fn drop(&mut self) {
        self.0
            .with_state(|st| st.dialing = st.dialing.saturating_sub(1));
    }
}

/// The client id as the original's log lines show it: the id the broker
/// assigned, else ours, else "(null)".
fn log_id(st: &State) -> String {
    let id = st
        .session
        .assigned_client_id()
        .or(st.session.config().client_id.as_deref());
    match id {
        Some(id) => String::from_utf8_lossy(id).into_owned(),
        None => "(null)".to_string(),
    }
}

/// "mosq-" followed by 18 random letters and digits (23 bytes, MQTT 3.1's
/// limit), as the original generates for a 3.1 client without an id.
fn random_client_id() -> Vec<u8> {
    use std::hash::{BuildHasher, Hasher};
    const ALPHANUM: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut id = b"mosq-".to_vec();
    // RandomState is seeded from the OS's random source for each instance.
    let mut bits = 0u64;
    for i in 0..18 {
        if i % 8 == 0 {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_usize(i);
            bits = h.finish();
        }
        id.push(ALPHANUM[(bits & 0x3F) as usize % ALPHANUM.len()]);
        bits >>= 8;
    }
    id
}
