//! Keep alive timing, with libmosquitto's rule (`mosquitto__check_keepalive`):
//! once nothing was sent for the interval, or nothing received for the
//! interval, send PINGREQ if connected with no ping outstanding; otherwise
//! the connection is dead. Sending PINGREQ restarts both clocks, so the
//! PINGRESP has one interval to arrive. Before CONNACK no ping is sent: a
//! CONNACK not received within the interval is a dead connection too.

/// Per-connection keep alive clocks, in caller-supplied milliseconds.
#[derive(Clone, Debug, Default)]
pub struct Keepalive {
    interval_ms: u64,
    last_out: u64,
    last_in: u64,
    ping_outstanding: bool,
}

impl Keepalive {
    /// Starts the clocks for a new connection.
    pub fn start(&mut self, keepalive_s: u16, now: u64) {
        self.set_interval(keepalive_s);
        self.last_out = now;
        self.last_in = now;
        self.ping_outstanding = false;
    }

    /// Changes the interval (the v5 Server Keep Alive).
    pub fn set_interval(&mut self, keepalive_s: u16) {
        self.interval_ms = u64::from(keepalive_s) * 1000;
    }

    /// The interval in seconds.
    pub fn interval_s(&self) -> u16 {
        (self.interval_ms / 1000) as u16
    }

    /// A packet was written.
    pub fn sent(&mut self, now: u64) {
        self.last_out = now;
    }

    /// A whole packet was received.
    pub fn received(&mut self, now: u64) {
        self.last_in = now;
    }

    /// A PINGRESP arrived.
    pub fn pong(&mut self) {
        self.ping_outstanding = false;
    }

    /// Whether a PINGREQ awaits its PINGRESP.
    pub fn ping_outstanding(&self) -> bool {
        self.ping_outstanding
    }

    /// A PINGREQ was written at `now`.
    pub fn ping_sent(&mut self, now: u64) {
        self.ping_outstanding = true;
        self.last_in = now;
        self.last_out = now;
    }

    /// When the next check is due; `None` with keep alive off.
    pub fn deadline(&self) -> Option<u64> {
        if self.interval_ms == 0 {
            return None;
        }
        Some(
            self.last_out
                .min(self.last_in)
                .saturating_add(self.interval_ms),
        )
    }

    /// Whether the interval has run out at `now`.
    pub fn due(&self, now: u64) -> bool {
        self.deadline().is_some_and(|d| now >= d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadline_follows_the_older_clock() {
        let mut k = Keepalive::default();
        k.start(0, 5);
        assert_eq!(k.deadline(), None);
        assert!(!k.due(u64::MAX));
        k.start(10, 1000);
        assert_eq!(k.deadline(), Some(11_000));
        k.sent(4000);
        assert_eq!(k.deadline(), Some(11_000));
        k.received(6000);
        assert_eq!(k.deadline(), Some(14_000));
        assert!(!k.due(13_999));
        assert!(k.due(14_000));
        k.ping_sent(14_000);
        assert!(k.ping_outstanding());
        assert_eq!(k.deadline(), Some(24_000));
        k.pong();
        assert!(!k.ping_outstanding());
    }
}
