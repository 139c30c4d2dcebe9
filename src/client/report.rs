//! What happens under the state lock is gathered in a [`PendingReport`]
//! and reported through the handler once the lock is released, so that a
//! callback may call any API function.

use super::error::ClientError;
use super::{log, Client, Disconnection, State};
use crate::transport::WakeSender;

/// How a connection ended under the lock, for the report made after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Ended {
    /// The application asked for it.
    Requested,
    /// It failed (the error is reported with it).
    Failed,
    /// With this reason code (ours after a protocol violation).
    Reason(u8),
}

/// What happened under the state lock that must be reported after it is
/// released.
#[derive(Default)]
pub(super) struct PendingReport {
    /// QoS 0 messages fully written: `on_publish(mid)`.
    pub(super) published: Vec<u16>,
    /// The connection ended: `on_disconnect`.
    pub(super) disconnected: Option<Ended>,
    /// Log lines (only gathered with a log callback set).
    pub(super) logs: Vec<log::Line>,
    /// The loop thread to wake once the state lock is released (waking
    /// is a system call: made under the lock, it would keep the loop
    /// thread waiting for the lock it needs to write).
    pub(super) wake: Option<WakeSender>,
}

impl Client {
    /// Reports `after` through the handler (no lock held).
    #[inline(always)]
    pub(super) fn report(&self, after: PendingReport) {
        self.report_failure(after, None);
    }

    /// Reports `after`, whose connection failed with `failure` if it ended
    /// that way.
    #[inline(always)]
    pub(super) fn report_failure(&self, after: PendingReport, failure: Option<&ClientError>) {
        // Taken apart so that an empty report costs no drop call (this is
        // on the publish path).
        let PendingReport {
            published,
            disconnected,
            logs,
            wake,
        } = after;
        if let Some(w) = wake {
            w.wake();
        }
        if !(logs.is_empty() && published.is_empty() && disconnected.is_none()) {
            let after = PendingReport {
                published,
                disconnected,
                logs,
                wake: None,
            };
            self.report_events(after, failure);
        }
    }

    /// The part of [`Self::report`] that has something to say (kept out of
    /// line: the publish path almost never needs it).
    #[cold]
    #[inline(never)]
    pub(super) fn report_events(&self, after: PendingReport, failure: Option<&ClientError>) {
        for line in &after.logs {
            self.emit_log(line.level, &line.text);
        }
        if !after.published.is_empty() {
            self.emit_published_qos0(&after.published);
        }
        let how = match after.disconnected {
            None => return,
            Some(Ended::Requested) => Disconnection::Requested,
            Some(Ended::Reason(rc)) => Disconnection::Reason(rc),
            Some(Ended::Failed) => Disconnection::Failed(failure.unwrap_or(&ClientError::NoConn)),
        };
        self.emit_disconnected(how);
    }

    /// Reports `after`, then writes what its publish callbacks queued, and
    /// again while writing completes more QoS 0 messages: the original's
    /// write loop goes on with whatever `on_publish` queued (a DISCONNECT,
    /// the next message) before it returns. Only the thread that flushed
    /// (the loop, or an API call writing directly) gets here with
    /// completions to report; inside a callback nothing more is written.
    #[inline(always)]
    pub(super) fn settle(&self, after: PendingReport) -> Result<(), ClientError> {
        if after.published.is_empty() {
            // Nothing completed: nothing more to write (the publish path).
            self.report(after);
            return Ok(());
        }
        self.settle_completions(after)
    }

    /// [`Self::settle`] once messages completed: report, write, repeat.
    #[inline(never)]
    fn settle_completions(&self, mut after: PendingReport) -> Result<(), ClientError> {
        loop {
            let completed = !after.published.is_empty();
            self.report(after);
            if !completed || self.in_callback() {
                return Ok(());
            }
            after = PendingReport::default();
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
    pub(super) fn logged<R>(
        &self,
        st: &mut State,
        after: &mut PendingReport,
        f: impl FnOnce(&mut State) -> R,
    ) -> R {
        self.logged_publish(st, after, f, |_| None)
    }

    /// [`Self::logged`] for a publish: `qos0_mid` gives the message id of
    /// a QoS 0 PUBLISH that `f` queued, which its log line shows although
    /// the wire carries none (as the original's does).
    pub(super) fn logged_publish<R>(
        &self,
        st: &mut State,
        after: &mut PendingReport,
        f: impl FnOnce(&mut State) -> R,
        qos0_mid: impl FnOnce(&R) -> Option<u16>,
    ) -> R {
        if !self.logging() {
            return f(st);
        }
        let before = st.out.vec().len();
        let r = f(st);
        let id = log_id(st);
        let version = st.version();
        if st.out.vec().len() > before {
            let sent = &st.out.vec()[before..];
            log::describe_sent(sent, version, &id, qos0_mid(&r), &mut after.logs);
        }
        r
    }

    /// `on_publish` for messages the session dropped when they were due to
    /// be written (see `Session::take_dropped`), with their reason code.
    #[inline(always)]
    pub(super) fn report_dropped(&self, dropped: Vec<(u16, u8)>) {
        if dropped.is_empty() {
            return;
        }
        for (mid, rc) in dropped {
            self.emit_published(mid, rc);
        }
    }
}

/// The client id as the original's log lines show it: the id the broker
/// assigned, else ours, else "(null)".
pub(super) fn log_id(st: &State) -> String {
    let id = st
        .session
        .assigned_client_id()
        .or(st.session.config().client_id.as_deref());
    match id {
        Some(id) => String::from_utf8_lossy(id).into_owned(),
        None => "(null)".to_string(),
    }
}
