//! Waking a thread that sleeps in [`poll`](super::poll::poll).
//!
//! Like the original's socket pair: the receiver's descriptor is polled for
//! reading alongside the connection, and any thread can make it readable.
//! Wakes coalesce: a byte is written only when none is pending, so a burst
//! of wakes costs one system call and leaves one byte to drain.

use std::io::{self, Read};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use socket2::SockRef;

/// State shared by both ends.
#[derive(Debug)]
struct Shared {
    /// True while a wake byte is pending (written or about to be).
    pending: AtomicBool,
}

/// Creates wake-up pairs.
#[derive(Debug)]
pub struct Wakeup;

impl Wakeup {
    /// A new connected, non-blocking pair of sender and receiver.
    #[allow(clippy::new_ret_no_self)]
    pub fn new() -> io::Result<(WakeSender, WakeReceiver)> {
        let (rx, tx) = UnixStream::pair()?;
        rx.set_nonblocking(true)?;
        tx.set_nonblocking(true)?;
        let shared = Arc::new(Shared {
            pending: AtomicBool::new(false),
        });
        Ok((
            WakeSender {
                inner: Arc::new(SenderInner {
                    shared: Arc::clone(&shared),
                    sock: tx,
                }),
            },
            WakeReceiver { shared, sock: rx },
        ))
    }
}

#[derive(Debug)]
struct SenderInner {
    shared: Arc<Shared>,
    sock: UnixStream,
}

/// The waking end: cheap to clone and to call from any thread.
#[derive(Debug, Clone)]
pub struct WakeSender {
    inner: Arc<SenderInner>,
}

impl WakeSender {
    /// Makes the receiver's descriptor readable, unless a wake is already
    /// pending. Never blocks; errors (a full buffer, a closed receiver) are
    /// ignored, since either way nobody needs another byte.
    pub fn wake(&self) {
        if !self.inner.shared.pending.swap(true, Ordering::AcqRel) {
            let _ = SockRef::from(&self.inner.sock).send_with_flags(&[0u8], libc::MSG_NOSIGNAL);
        }
    }
}

/// The sleeping end: poll [`as_raw_fd`](Self::as_raw_fd) for reading, then
/// call [`drain`](Self::drain). Once every [`WakeSender`] is dropped the
/// descriptor reads end of stream and so stays readable.
#[derive(Debug)]
pub struct WakeReceiver {
    shared: Arc<Shared>,
    sock: UnixStream,
}

impl WakeReceiver {
    /// The descriptor to poll for reading.
    pub fn as_raw_fd(&self) -> RawFd {
        self.sock.as_raw_fd()
    }

    /// Consumes the pending wake byte and re-arms the sender.
    ///
    /// Look at whatever state the wakers changed *after* calling this (the
    /// client's loop does: every round reads its state before it polls):
    /// a wake that raced with the drain is then either seen in that state
    /// or leaves the descriptor readable for the next poll, never lost.
    pub fn drain(&self) {
        // One read: a sender writes only when `pending` was clear, so at
        // most one byte waits until the swap below clears the flag.
        let mut buf = [0u8; 16];
        let _ = (&self.sock).read(&mut buf);
        // Cleared after reading: a byte written before this swap has either
        // been read above (and its state change is visible to our caller,
        // through this acquire) or is still pending and wakes the next poll.
        self.shared.pending.swap(false, Ordering::AcqRel);
    }
}

impl AsFd for WakeReceiver {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.sock.as_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::poll::poll;
    use std::time::{Duration, Instant};

    #[test]
    fn wakes_a_thread_blocked_in_poll() {
        let (tx, rx) = Wakeup::new().unwrap();
        let start = Instant::now();
        // The sender must outlive the checks: once every sender is gone the
        // receiver reads end of stream, which polls as readable for good.
        let remote = tx.clone();
        let waker = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            remote.wake();
        });
        let ready = poll(None, false, Some(rx.as_fd()), 10_000).unwrap();
        let waited = start.elapsed();
        assert!(ready.woken);
        assert!(
            waited < Duration::from_secs(5),
            "woke only after {waited:?}"
        );
        waker.join().unwrap();
        rx.drain();
        let ready = poll(None, false, Some(rx.as_fd()), 0).unwrap();
        assert!(!ready.woken, "drain left the descriptor readable");
    }

    #[test]
    fn wakes_coalesce_into_one_byte() {
        let (tx, rx) = Wakeup::new().unwrap();
        for _ in 0..1000 {
            tx.clone().wake();
        }
        let mut buf = [0u8; 16];
        assert_eq!((&rx.sock).read(&mut buf).unwrap(), 1);
        // The flag is still set, so the next wake writes nothing until drain.
        tx.wake();
        assert_eq!(
            (&rx.sock).read(&mut buf).unwrap_err().kind(),
            io::ErrorKind::WouldBlock
        );
        rx.drain();
        tx.wake();
        assert!(poll(None, false, Some(rx.as_fd()), 0).unwrap().woken);
    }

    #[test]
    fn wake_after_receiver_dropped_is_harmless() {
        let (tx, rx) = Wakeup::new().unwrap();
        drop(rx);
        tx.wake();
        tx.wake();
    }
}
