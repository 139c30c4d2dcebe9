//! The sink's single-threaded epoll loop: accepts connections and drives
//! every [`Conn`] without blocking.

use std::io;
use std::net::TcpListener;
use std::os::fd::AsRawFd;

use crate::conn::Conn;

/// The epoll key of the listening socket.
const LISTENER: u64 = u64::MAX;

/// A thin owner of an epoll descriptor.
struct Epoll(i32);

impl Epoll {
    fn new() -> io::Result<Epoll> {
        // SAFETY: epoll_create1 takes no pointers.
        let fd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Epoll(fd))
    }

    fn ctl(&self, op: i32, fd: i32, events: u32, key: u64) {
        let mut ev = libc::epoll_event { events, u64: key };
        // SAFETY: `ev` is a valid epoll_event for the duration of the call.
        unsafe { libc::epoll_ctl(self.0, op, fd, &mut ev) };
    }

    fn wait(&self, events: &mut [libc::epoll_event]) -> usize {
        loop {
            // SAFETY: the buffer holds `events.len()` writable entries.
            let n =
                unsafe { libc::epoll_wait(self.0, events.as_mut_ptr(), events.len() as i32, -1) };
            if n >= 0 {
                return n as usize;
            }
        }
    }
}

/// Raises RLIMIT_NOFILE (to 65536 if allowed, else to the hard limit) so
/// that thousands of clients fit.
pub fn raise_nofile() {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid rlimit to fill and then read.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 {
            let want = lim.rlim_max.max(65_536);
            let wide = libc::rlimit {
                rlim_cur: want,
                rlim_max: want,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &wide) != 0 {
                lim.rlim_cur = lim.rlim_max;
                libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
            }
        }
    }
}

/// Serves connections on `listener` forever.
pub fn run(listener: TcpListener) -> io::Result<()> {
    listener.set_nonblocking(true)?;
    // std listens with a backlog of 128; thousands of clients connecting in
    // a burst (the `clients` scenario) would overflow it, and every dropped
    // SYN costs the client a one-second retransmission.
    // SAFETY: listen() on a socket we own; calling it again only resizes the backlog.
    unsafe { libc::listen(listener.as_raw_fd(), 4096) };
    let ep = Epoll::new()?;
    let base = (libc::EPOLLIN | libc::EPOLLRDHUP) as u32;
    ep.ctl(
        libc::EPOLL_CTL_ADD,
        listener.as_raw_fd(),
        libc::EPOLLIN as u32,
        LISTENER,
    );
    let mut conns: Vec<Option<(Conn, bool)>> = Vec::new();
    let mut events = vec![libc::epoll_event { events: 0, u64: 0 }; 1024];
    loop {
        let n = ep.wait(&mut events);
        for ev in &events[..n] {
            let (bits, key) = (ev.events, ev.u64);
            if key == LISTENER {
                while let Ok((sock, _)) = listener.accept() {
                    if sock.set_nonblocking(true).is_err() {
                        continue;
                    }
                    let fd = sock.as_raw_fd() as usize;
                    if conns.len() <= fd {
                        conns.resize_with(fd + 1, || None);
                    }
                    ep.ctl(libc::EPOLL_CTL_ADD, fd as i32, base, fd as u64);
                    conns[fd] = Some((Conn::new(sock), false));
                }
                continue;
            }
            let fd = key as usize;
            let Some((conn, out_armed)) = conns.get_mut(fd).and_then(|c| c.as_mut()) else {
                continue;
            };
            let mut alive = true;
            if bits & (base | (libc::EPOLLHUP | libc::EPOLLERR) as u32) != 0 {
                alive = conn.on_readable();
            }
            match alive.then(|| conn.pump()).flatten() {
                Some(want) => {
                    if want != *out_armed {
                        let extra = if want { libc::EPOLLOUT as u32 } else { 0 };
                        ep.ctl(libc::EPOLL_CTL_MOD, fd as i32, base | extra, fd as u64);
                        *out_armed = want;
                    }
                }
                None => {
                    ep.ctl(libc::EPOLL_CTL_DEL, fd as i32, 0, 0);
                    conns[fd] = None;
                }
            }
        }
    }
}
