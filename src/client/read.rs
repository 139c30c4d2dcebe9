//! `mosquitto_loop_read`: reading what the socket has, handling each
//! complete packet under the state lock, and reporting what it caused with
//! no lock held.

use std::sync::Arc;

use super::buffers::Filled;
use super::error::ClientError;
use super::report::{log_id, PendingReport};
use super::{lock, log, now_ms, Client, HandlerCache, Reader, State, Threading};
use crate::protocol::packet::PacketType;
use crate::protocol::property::{Identifier, Value};
use crate::session::{Event, Handled};
use crate::transport::Stream;

/// How many socket reads one `loop_read` call makes at most: one busy
/// connection must not starve the caller's other work.
const READS_PER_CALL: usize = 64;

/// Where a read starts.
enum Start {
    /// Read from this connection, refusing packets above this size (0: no
    /// limit).
    Read(Arc<Stream>, u32),
    /// Nothing to read: return this.
    Done(Result<(), ClientError>),
}

/// What handling one packet under the lock produced, to report after it.
struct Outcome<'a> {
    /// The session's verdict.
    handled: Handled<'a>,
    /// What writing the acknowledgement at once completed.
    acked: PendingReport,
    /// Whether writing the acknowledgement at once failed.
    ack: Result<(), ClientError>,
    /// Messages a CONNACK without our session dropped.
    absent: Vec<u16>,
    /// Messages the connection could not take, with their reason codes.
    dropped: Vec<(u16, u8)>,
}

impl Client {
    /// `mosquitto_loop_read`: reads what the socket has and handles every
    /// complete packet, then writes the replies they caused.
    pub fn loop_read(&self) -> Result<(), ClientError> {
        let mut after = PendingReport::default();
        let (stream, max_packet_size) = match self.start_read(&mut after) {
            Start::Read(stream, max) => (stream, max),
            Start::Done(r) => return r,
        };
        let mut rd = lock(&self.reader);
        let rd = &mut *rd;
        // The first byte of the last packet handled (0: none), for
        // `ack_now` in `finish_read`.
        let mut last_header = 0u8;
        for _ in 0..READS_PER_CALL {
            let drained = match rd.buf.fill(&stream) {
                Ok(Filled::Bytes { drained, .. }) => drained,
                Ok(Filled::WouldBlock) => break,
                Ok(Filled::Closed) => return self.fail_on(&stream, ClientError::ConnLost),
                Err(e) => return self.fail_on(&stream, ClientError::from_io(e)),
            };
            loop {
                let range = match rd.buf.next_packet(max_packet_size) {
                    Ok(Some(r)) => r,
                    Ok(None) => break,
                    Err(e) => return self.refuse_packet(e.into()),
                };
                let frame = &rd.buf.bytes()[range];
                last_header = frame[0];
                let delivery = (&mut rd.scratch, &mut rd.handler);
                if let Some(r) = self.take_packet(frame, &stream, delivery, &mut after) {
                    return r;
                }
            }
            if drained {
                break;
            }
        }
        self.finish_read(rd, &stream, last_header, after)
    }

    /// Finds the connection to read from, or finishes a connect or SOCKS
    /// handshake still under way instead; a new connection's reader starts
    /// with an empty buffer.
    fn start_read(&self, after: &mut PendingReport) -> Start {
        let mut st = lock(&self.state);
        let Some(link) = st.link.as_ref() else {
            if st.dialing > 0 {
                // Another thread is opening a new connection.
                return Start::Done(Ok(()));
            }
            drop(st);
            return Start::Done(self.fail(ClientError::NoConn));
        };
        if link.connecting || link.socks.is_some() {
            let r = self.flush_locked(&mut st, after);
            drop(st);
            self.report(std::mem::take(after));
            return Start::Done(r.or_else(|e| self.fail(e)));
        }
        let stream = Arc::clone(&link.stream);
        let generation = st.generation;
        let max = announced_maximum_packet_size(&st);
        drop(st);
        let mut rd = lock(&self.reader);
        if rd.generation != generation {
            rd.buf.clear();
            rd.generation = generation;
        }
        Start::Read(stream, max)
    }

    /// Ends the connection over a packet the broker should not have sent,
    /// with a DISCONNECT first on MQTT 5.
    fn refuse_packet(&self, err: crate::session::SessionError) -> Result<(), ClientError> {
        let farewell = self.with_state(|st| st.session.farewell(err, now_ms(), st.out.vec()));
        self.fail_violation(err, farewell)
    }

    /// Handles one packet: under the lock, then its report with no lock
    /// held. `Some(result)` when `loop_read` returns with it.
    #[inline(always)]
    fn take_packet(
        &self,
        frame: &[u8],
        stream: &Arc<Stream>,
        delivery: (&mut Vec<u8>, &mut HandlerCache),
        after: &mut PendingReport,
    ) -> Option<Result<(), ClientError>> {
        let outcome = {
            let mut st = lock(&self.state);
            if st
                .link
                .as_ref()
                .is_none_or(|l| !Arc::ptr_eq(&l.stream, stream))
            {
                // The connection was replaced by a callback.
                return Some(Ok(()));
            }
            self.handle_locked(&mut st, frame, after)
        };
        for line in after.logs.drain(..) {
            self.emit_log(line.level, &line.text);
        }
        self.report_packet(outcome, delivery)
    }

    /// The session's part of handling one packet, under the lock: its log
    /// lines, and with no loop thread its acknowledgement written before
    /// the message is delivered, as the original does (a program may exit
    /// in its message callback).
    #[inline(always)]
    fn handle_locked<'a>(
        &self,
        st: &mut State,
        frame: &'a [u8],
        after: &mut PendingReport,
    ) -> Outcome<'a> {
        let mut lines = PendingReport::default();
        let handled = self.logged(st, &mut lines, |st| {
            st.session.handle_packet(frame, now_ms(), st.out.vec())
        });
        let absent = st.session.take_session_dropped();
        let dropped = st.session.take_dropped();
        if self.logging() {
            let id = log_id(st);
            let session = &st.session;
            let known = |mid| session.outgoing_stage(mid).is_some();
            log::describe_received(frame, st.version(), &id, known, &mut after.logs);
            after.logs.append(&mut lines.logs);
        }
        let message = matches!(handled.event, Some(Event::Message(_)));
        let mut acked = PendingReport::default();
        let ack = if message && !st.out.is_empty() && self.writes_directly() {
            self.flush_locked(st, &mut acked)
        } else {
            Ok(())
        };
        Outcome {
            handled,
            acked,
            ack,
            absent,
            dropped,
        }
    }

    /// Reports what one packet caused (no lock held) and ends the
    /// connection when it must end. `Some(result)` when `loop_read`
    /// returns with it.
    #[inline(always)]
    fn report_packet(
        &self,
        outcome: Outcome<'_>,
        (scratch, cache): (&mut Vec<u8>, &mut HandlerCache),
    ) -> Option<Result<(), ClientError>> {
        let Outcome {
            handled,
            acked,
            ack,
            absent,
            dropped,
        } = outcome;
        let ack = ack.and(self.settle(acked));
        if !absent.is_empty() {
            self.emit_session_dropped(&absent);
        }
        if let Some(event) = &handled.event {
            if let Err(code) = self.emit_event(event, scratch, cache) {
                return Some(self.fail(ClientError::Refused(code)));
            }
        }
        self.report_dropped(dropped);
        if let Some(err) = handled.close {
            return Some(self.fail_violation(err, handled.farewell));
        }
        if let Err(e) = ack {
            return Some(self.fail(e));
        }
        if matches!(handled.event, Some(Event::Disconnected { .. })) {
            // Already reported with the broker's reason code.
            self.with_state(State::drop_link);
            return Some(Ok(()));
        }
        None
    }

    /// After the reads: gives back idle buffer space, and writes the
    /// answers the packets caused (the loop thread writes right after
    /// reading instead).
    fn finish_read(
        &self,
        rd: &mut Reader,
        stream: &Stream,
        last_header: u8,
        mut after: PendingReport,
    ) -> Result<(), ClientError> {
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
        result.and(settled).or_else(|e| self.fail(e))
    }
}

/// The Maximum Packet Size we announced (v5), enforced on what arrives: a
/// longer packet is refused from its header alone (0: no limit).
fn announced_maximum_packet_size(st: &State) -> u32 {
    let props = &st.session.config().connect_properties;
    match props.find(Identifier::MaximumPacketSize) {
        Some(Value::Int32(n)) if st.version().is_v5() => n,
        _ => 0,
    }
}
