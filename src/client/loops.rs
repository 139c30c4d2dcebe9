//! The loop functions: `mosquitto_loop_read`, `_write`, `_misc`, `loop`
//! and `loop_forever` (with its reconnect backoff), and the socket queries
//! an external event loop uses.

use std::os::fd::AsFd;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::error::ClientError;
use super::report::PendingReport;
use super::{lock, now_ms, Client, Intent, State};
use crate::transport::poll;

/// How long `loop_forever` pauses after a reconnect that failed at once
/// when the reconnect delay is 0 (docs/differences.md).
const REFUSED_PAUSE_MS: i32 = 10;

impl Client {
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
            if !self.reconnect_with_backoff() {
                return Ok(());
            }
        }
    }

    /// `loop_forever`'s reconnection after a lost connection: waits the
    /// backoff delay and reconnects, until connected (by this thread or
    /// another). `false` when the loop should end instead (the
    /// application disconnected, or asked the loop thread to leave).
    fn reconnect_with_backoff(&self) -> bool {
        loop {
            if self.stop_requested() {
                return false;
            }
            // Another thread (`mosquitto_reconnect_async`) connected, or
            // is connecting: go on with its connection.
            match self.with_state(|st| (st.dialing > 0, st.link.is_some())) {
                (true, _) => {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                    continue;
                }
                (false, true) => return true,
                (false, false) => {}
            }
            let Some(delay) = self.with_state(next_reconnect_delay) else {
                return false;
            };
            self.interruptible_sleep(delay);
            if self.stop_requested() || self.with_state(|st| st.intent == Intent::Disconnect) {
                return false;
            }
            match self.redial() {
                Ok(_) => return true,
                // With no delay (a maximum of 0), a connection refused at
                // once would spin a core, as the original does; a short
                // pause keeps it to a few attempts a second.
                Err(_) if delay == 0 => self.interruptible_sleep_ms(REFUSED_PAUSE_MS),
                Err(_) => {}
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

/// The wait before the next reconnect attempt, in seconds, as the
/// original's backoff computes it (and the attempt counted while the delay
/// still grows); `None` once the application has disconnected.
fn next_reconnect_delay(st: &mut State) -> Option<u32> {
    if st.intent == Intent::Disconnect {
        return None;
    }
    let d = st.reconnect_delay;
    let n = st.reconnects + 1;
    let delay = match (d.max > d.delay, d.exponential) {
        (true, true) => d.delay.saturating_mul(n).saturating_mul(n),
        (true, false) => d.delay.saturating_mul(n),
        (false, _) => d.delay,
    };
    if delay > d.max {
        return Some(d.max);
    }
    st.reconnects += 1;
    Some(delay)
}
