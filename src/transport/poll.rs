//! Waiting for the connection or the wake-up pair to become ready.
//!
//! A thin, safe wrapper over `poll(2)` for at most two descriptors. The
//! standard library and `socket2` have no readiness wait, so this file holds
//! one small `unsafe` call.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};

/// What [`poll`] found ready.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ready {
    /// The stream has data, end of stream, or an error to read.
    pub readable: bool,
    /// The stream accepts writes (or has an error to report); only set when
    /// writing was asked for.
    pub writable: bool,
    /// The peer hung up or the socket has an error pending (also folded into
    /// `readable`, as `select` would report it).
    pub hangup: bool,
    /// The wake-up descriptor is readable: another thread asked us to wake.
    pub woken: bool,
    /// A signal interrupted the wait (`EINTR`); nothing else is set. The
    /// original's loop returns success in this case.
    pub interrupted: bool,
}

/// Waits until `stream` is readable (or writable, if `want_write`), or
/// `wake` is readable, or `timeout_ms` milliseconds pass (negative waits
/// forever, 0 only checks).
///
/// `EINTR` is not an error: it returns at once with
/// [`Ready::interrupted`] set. Any descriptor the kernel reports invalid
/// gives `EBADF`.
pub fn poll(
    stream: Option<BorrowedFd<'_>>,
    want_write: bool,
    wake: Option<BorrowedFd<'_>>,
    timeout_ms: i32,
) -> io::Result<Ready> {
    let mut fds: [libc::pollfd; 2] = [libc::pollfd {
        fd: -1,
        events: 0,
        revents: 0,
    }; 2];
    let mut n = 0usize;
    let stream_idx = stream.map(|fd| {
        let mut events = libc::POLLIN;
        if want_write {
            events |= libc::POLLOUT;
        }
        fds[n] = libc::pollfd {
            fd: fd.as_raw_fd(),
            events,
            revents: 0,
        };
        n += 1;
        n - 1
    });
    let wake_idx = wake.map(|fd| {
        fds[n] = libc::pollfd {
            fd: fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        n += 1;
        n - 1
    });
    // SAFETY: `fds` is a live local array and `n` <= its length; the
    // descriptors are borrowed for this call so they stay open during it.
    let rc = unsafe { libc::poll(fds.as_mut_ptr(), n as libc::nfds_t, timeout_ms) };
    if rc < 0 {
        let err = io::Error::last_os_error();
        if err.raw_os_error() == Some(libc::EINTR) {
            return Ok(Ready {
                interrupted: true,
                ..Ready::default()
            });
        }
        return Err(err);
    }
    if fds[..n].iter().any(|p| p.revents & libc::POLLNVAL != 0) {
        return Err(io::Error::from_raw_os_error(libc::EBADF));
    }
    let mut ready = Ready::default();
    if let Some(i) = stream_idx {
        let rev = fds[i].revents;
        let trouble = rev & (libc::POLLERR | libc::POLLHUP) != 0;
        ready.hangup = trouble;
        ready.readable = rev & libc::POLLIN != 0 || trouble;
        ready.writable = want_write && (rev & libc::POLLOUT != 0 || trouble);
    }
    if let Some(i) = wake_idx {
        ready.woken = fds[i].revents & (libc::POLLIN | libc::POLLERR | libc::POLLHUP) != 0;
    }
    Ok(ready)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::fd::AsFd;
    use std::os::unix::net::UnixStream;
    use std::time::{Duration, Instant};

    #[test]
    fn times_out_with_nothing_ready() {
        let (a, _b) = UnixStream::pair().unwrap();
        let start = Instant::now();
        let ready = poll(Some(a.as_fd()), false, None, 50).unwrap();
        assert_eq!(ready, Ready::default());
        assert!(start.elapsed() >= Duration::from_millis(40));
    }

    #[test]
    fn reports_readable_writable_and_wake_separately() {
        let (a, mut b) = UnixStream::pair().unwrap();
        let (w, mut w_peer) = UnixStream::pair().unwrap();
        let ready = poll(Some(a.as_fd()), true, Some(w.as_fd()), 0).unwrap();
        assert!(ready.writable && !ready.readable && !ready.woken);

        b.write_all(b"x").unwrap();
        let ready = poll(Some(a.as_fd()), false, Some(w.as_fd()), 0).unwrap();
        assert!(ready.readable && !ready.writable && !ready.woken);

        w_peer.write_all(b"!").unwrap();
        let ready = poll(None, false, Some(w.as_fd()), 0).unwrap();
        assert!(ready.woken && !ready.readable);
    }

    #[test]
    fn peer_close_shows_as_readable_hangup() {
        let (a, b) = UnixStream::pair().unwrap();
        drop(b);
        let ready = poll(Some(a.as_fd()), false, None, 1000).unwrap();
        assert!(ready.readable && ready.hangup);
    }

    #[test]
    fn no_descriptors_just_sleeps() {
        let start = Instant::now();
        assert_eq!(poll(None, false, None, 20).unwrap(), Ready::default());
        assert!(start.elapsed() >= Duration::from_millis(15));
    }
}
