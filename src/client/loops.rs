//! The loop functions: `mosquitto_loop_read`, `_write`, `_misc`, `loop`
//! and `loop_forever` (with its reconnect backoff), and the socket queries
//! an external event loop uses.

use std::os::fd::AsFd;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::buffers::Filled;
use super::error::ClientError;
use super::report::{log_id, PendingReport};
use super::{lock, log, now_ms, Client, Intent, State, Threading};
use crate::protocol::packet::PacketType;
use crate::protocol::property::{Identifier, Value};
use crate::session::Event;
use crate::transport::poll;

/// How long `loop_forever` pauses after a reconnect that failed at once
/// when the reconnect delay is 0 (README, "Differences from the original").
const REFUSED_PAUSE_MS: i32 = 10;

impl Client {
    /// `mosquitto_loop_read`: reads what the socket has and handles every
    /// complete packet, then writes the replies they caused.
    pub fn loop_read(&self) -> Result<(), ClientError> {
        let mut after = PendingReport::default();
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
                    let mut lines = PendingReport::default();
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
                    let mut acked = PendingReport::default();
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
                        self.emit_log(line.level, &line.text);
                    }
                }
                let ack = ack.and(self.settle(acked));
                let broker_disconnect = matches!(handled.event, Some(Event::Disconnected { .. }));
                if !absent.is_empty() {
                    self.emit_session_dropped(&absent);
                }
                if let Some(event) = &handled.event {
                    if let Err(rc) = self.emit_event(event, &mut rd.scratch) {
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
                    self.with_state(State::drop_link);
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
        let mut after = PendingReport::default();
        let result = self.with_state(|st| self.flush_locked(st, &mut after));
        let settled = self.settle(after);
        match result.and(settled) {
            Ok(()) => Ok(()),
            Err(e) => self.fail(e),
        }
    }

    /// `mosquitto_loop_misc`: keep alive.
    pub fn loop_misc(&self) -> Result<(), ClientError> {
        let mut after = PendingReport::default();
        let result = self.with_state(|st| {
            if st.link.is_none() {
                return Err(ClientError::NoConn);
            }
            let was_empty = st.out.is_empty();
            self.logged(st, &mut after, |st| st.session.tick(now_ms(), st.out.vec()))?;
            if !st.out.is_empty() && was_empty {
                self.send_or_wake(st, was_empty, &mut after)?;
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
            if err.is_fatal() {
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
    pub(super) fn interruptible_sleep(&self, seconds: u32) {
        let ms = (u64::from(seconds) * 1000).min(i32::MAX as u64) as i32;
        self.interruptible_sleep_ms(ms);
    }

    /// Sleeps `ms` milliseconds, or less when woken.
    pub(super) fn interruptible_sleep_ms(&self, ms: i32) {
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
