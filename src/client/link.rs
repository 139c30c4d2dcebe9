//! The live connection: writing what is queued, and ending the connection
//! (one way to drop it, [`State::drop_link`]) after a failure.

use std::sync::Arc;

use super::error::ClientError;
use super::report::{Ended, PendingReport};
use super::{now_ms, Client, Intent, State};
use crate::session::{SessionError, State as SessionState};
use crate::transport::{self};

impl Client {
    /// Ends the connection under the lock: the socket closes, the session
    /// resets, and the disconnect to report is recorded (success when the
    /// application asked to disconnect, as the original reports it).
    pub(super) fn close_link(&self, st: &mut State, after: &mut PendingReport) -> bool {
        // A disconnect still waiting for queued messages (an extension)
        // was cut short: reported as the error it is.
        let asked = (st.intent == Intent::Disconnect && !st.session.flush_pending())
            || st.session.state() == SessionState::Disconnecting;
        st.drop_link();
        after.disconnected = Some(if asked {
            Ended::Requested
        } else {
            Ended::Failed
        });
        asked
    }

    /// Writes what is queued, finishing a pending connect or SOCKS
    /// handshake first. After our DISCONNECT is written the connection is
    /// closed, as the original does.
    pub(super) fn flush_locked(
        &self,
        st: &mut State,
        after: &mut PendingReport,
    ) -> Result<(), ClientError> {
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
            self.close_link(st, after);
        }
        Ok(())
    }

    /// After an API call queued output: write it now (no loop thread and
    /// not inside a callback, as the original) or wake the loop thread.
    pub(super) fn send_or_wake(
        &self,
        st: &mut State,
        was_empty: bool,
        after: &mut PendingReport,
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

    /// Ends the connection after a failure and reports it; returns what
    /// the loop function returns (success after a requested disconnect).
    pub(super) fn fail(&self, err: ClientError) -> Result<(), ClientError> {
        self.log_tls_error(&err);
        let mut after = PendingReport::default();
        let asked = self.with_state(|st| self.close_link(st, &mut after));
        if matches!(&err, ClientError::Tls(e) if e.during_handshake) {
            // As the original: a failed handshake closes the socket
            // without calling on_disconnect.
            after.disconnected = None;
        }
        self.report_failure(after, Some(&err));
        if asked {
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
    pub(super) fn fail_violation(
        &self,
        err: SessionError,
        farewell: Option<u8>,
    ) -> Result<(), ClientError> {
        let Some(reason) = farewell else {
            return self.fail(ClientError::Session(err));
        };
        let err = ClientError::Session(err);
        let mut after = PendingReport::default();
        self.with_state(|st| {
            if let Some(link) = st.link.as_ref() {
                let stream = Arc::clone(&link.stream);
                if st.out.flush(&stream, &mut after.published).is_ok() {
                    let _ = stream.flush();
                }
            }
            self.close_link(st, &mut after);
        });
        if after.disconnected.is_some() {
            after.disconnected = Some(Ended::Reason(reason));
        }
        self.report(after);
        Err(err)
    }

    /// [`Self::fail`] for an error on `stream`, which another thread may
    /// have replaced meanwhile (`mosquitto_reconnect*` closes the old
    /// connection without reporting it, as the original does): then the
    /// new connection stays and nothing is reported.
    pub(super) fn fail_on(
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

    /// Whether `stream` is still this client's connection.
    pub(super) fn connected_to(&self, stream: &Arc<transport::Stream>) -> bool {
        self.with_state(|st| {
            st.link
                .as_ref()
                .is_some_and(|l| Arc::ptr_eq(&l.stream, stream))
        })
    }
}
