//! The connected socket: TCP or unix-domain, always non-blocking, possibly
//! with TLS and/or WebSocket on top.

use std::io::{self, IoSlice, Read};
use std::net::{Shutdown, TcpStream};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::os::unix::net::UnixStream;

use socket2::SockRef;

use super::io_errno;
use super::{PskStream, TlsStream, WsStream};

/// A non-blocking connection to the broker (or the SOCKS proxy).
///
/// Reads and writes never block: when nothing can be done they return an
/// error of kind [`io::ErrorKind::WouldBlock`]. Writes use `send` with
/// `MSG_NOSIGNAL`, so writing to a socket the peer closed gives `EPIPE`
/// instead of killing the process with `SIGPIPE`.
#[derive(Debug)]
pub enum Stream {
    /// A TCP connection (IPv4 or IPv6).
    Tcp(TcpStream),
    /// A unix-domain stream connection.
    Unix(UnixStream),
    /// TLS over one of the others.
    Tls(Box<TlsStream>),
    /// WebSocket over one of the others.
    Ws(Box<WsStream>),
    /// TLS 1.3 with a pre-shared key over one of the first two.
    Psk(Box<PskStream>),
}

impl Stream {
    /// The socket's file descriptor (what `mosquitto_socket()` returns).
    pub fn as_raw_fd(&self) -> RawFd {
        self.as_fd().as_raw_fd()
    }

    /// Reads what is available into `buf`; `Ok(0)` means the peer closed.
    /// The outcome is noted for `errno` ([`io_errno`]).
    pub fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        let r = match self {
            Stream::Tcp(s) => (&*s).read(buf),
            Stream::Unix(s) => (&*s).read(buf),
            Stream::Tls(s) => s.read(buf),
            Stream::Ws(s) => s.read(buf),
            Stream::Psk(s) => s.read(buf),
        };
        io_errno::note_read(&r);
        r
    }

    /// Sends as much of `buf` as the socket takes now (the outcome noted
    /// for `errno`, as for every write below).
    pub fn write(&self, buf: &[u8]) -> io::Result<usize> {
        let r = match self {
            Stream::Tls(s) => s.write(buf),
            Stream::Ws(s) => s.write(buf),
            Stream::Psk(s) => s.write(buf),
            _ => SockRef::from(self).send_with_flags(buf, libc::MSG_NOSIGNAL),
        };
        io_errno::note_write(&r);
        r
    }

    /// Sends as much of `bufs`, in order, as the socket takes now, in one
    /// system call on a bare socket (the first non-empty buffer only over
    /// TLS or WebSocket).
    pub fn write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        match self {
            Stream::Tcp(_) | Stream::Unix(_) => {
                let r = SockRef::from(self).send_vectored_with_flags(bufs, libc::MSG_NOSIGNAL);
                io_errno::note_write(&r);
                r
            }
            _ => match bufs.iter().find(|b| !b.is_empty()) {
                Some(b) => self.write(b),
                None => Ok(0),
            },
        }
    }

    /// Sends as much of `first` then `second` as the socket takes now, in one
    /// system call (`sendmsg`; with TLS, `first` only when it is not empty;
    /// with WebSocket, in one frame).
    pub fn write2(&self, first: &[u8], second: &[u8]) -> io::Result<usize> {
        let r = match self {
            Stream::Ws(s) => s.write2(first, second),
            Stream::Tls(s) if first.is_empty() => s.write(second),
            Stream::Tls(s) => s.write(first),
            Stream::Psk(s) if first.is_empty() => s.write(second),
            Stream::Psk(s) => s.write(first),
            _ => {
                let bufs = [IoSlice::new(first), IoSlice::new(second)];
                SockRef::from(self).send_vectored_with_flags(&bufs, libc::MSG_NOSIGNAL)
            }
        };
        io_errno::note_write(&r);
        r
    }

    /// Shuts down both directions (the peer sees end of stream; with TLS,
    /// after a close_notify).
    pub fn shutdown(&self) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.shutdown(Shutdown::Both),
            Stream::Unix(s) => s.shutdown(Shutdown::Both),
            Stream::Tls(s) => s.shutdown(),
            Stream::Ws(s) => s.shutdown(),
            Stream::Psk(s) => s.shutdown(),
        }
    }

    /// Whether reads come straight from the socket (TCP or unix), with no
    /// layer that may hold decoded bytes back from a read.
    pub fn is_plain(&self) -> bool {
        matches!(self, Stream::Tcp(_) | Stream::Unix(_))
    }

    /// Whether TLS records or WebSocket bytes wait for the socket to become
    /// writable (always false on a bare socket): the loop must then poll
    /// for writability.
    pub fn wants_write(&self) -> bool {
        match self {
            Stream::Tls(s) => s.wants_write(),
            Stream::Ws(s) => s.wants_write(),
            Stream::Psk(s) => s.wants_write(),
            _ => false,
        }
    }

    /// Sends TLS records or WebSocket bytes waiting for the socket (nothing
    /// to do on a bare socket); a full socket is not an error.
    pub fn flush(&self) -> io::Result<()> {
        match self {
            Stream::Tls(s) => s.flush(),
            Stream::Ws(s) => s.flush(),
            Stream::Psk(s) => s.flush(),
            _ => Ok(()),
        }
    }

    /// Sets `TCP_NODELAY`. On a unix socket this fails with the OS error, as
    /// the original's `setsockopt` does (it only logs a warning).
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        match self {
            Stream::Tls(s) => return s.inner().set_nodelay(nodelay),
            Stream::Ws(s) => return s.inner().set_nodelay(nodelay),
            Stream::Psk(s) => return s.inner().set_nodelay(nodelay),
            _ => {}
        }
        SockRef::from(self).set_tcp_nodelay(nodelay)
    }

    /// Makes the kernel acknowledge what was read at once (Linux
    /// `TCP_QUICKACK`) instead of holding the ACK back for up to 40 ms in
    /// the hope of sending it with an answer.
    ///
    /// Call it after reading when no answer is about to be written. A
    /// broker with Nagle's algorithm on (mosquitto's default) holds its
    /// next small packet until its previous one is acknowledged, so a
    /// delayed ACK here stalls the next packet (a QoS 1 echo after a
    /// PUBACK, a QoS 2 PUBLISH after a PUBCOMP) by the delayed-ACK timer.
    /// The option does not stick (the kernel goes back to delaying ACKs as
    /// soon as we answer quickly), hence once per read. Nothing to do on a
    /// unix socket or where the option does not exist.
    pub fn ack_now(&self) -> io::Result<()> {
        match self {
            Stream::Tcp(_) => quickack(self),
            Stream::Tls(s) => s.inner().ack_now(),
            Stream::Ws(s) => s.inner().ack_now(),
            Stream::Psk(s) => s.inner().ack_now(),
            Stream::Unix(_) => Ok(()),
        }
    }

    /// Whether a non-blocking connect has finished.
    ///
    /// Call it once the socket polls writable: `Err` is the connect's failure
    /// (from `SO_ERROR`), `Ok(true)` means connected, `Ok(false)` means still
    /// in progress.
    pub fn check_connected(&self) -> io::Result<bool> {
        match self {
            Stream::Tls(s) => return s.inner().check_connected(),
            Stream::Ws(s) => return s.inner().check_connected(),
            Stream::Psk(s) => return s.inner().check_connected(),
            _ => {}
        }
        let sock = SockRef::from(self);
        if let Some(err) = sock.take_error()? {
            return Err(err);
        }
        match sock.peer_addr() {
            Ok(_) => Ok(true),
            Err(e) if e.raw_os_error() == Some(libc::ENOTCONN) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Whether a WebSocket upgrade is under way on this connection.
    pub fn ws_handshaking(&self) -> bool {
        matches!(self, Stream::Ws(s) if s.handshaking())
    }

    /// Whether this is a unix-domain connection.
    pub fn is_unix(&self) -> bool {
        match self {
            Stream::Tls(s) => s.inner().is_unix(),
            Stream::Ws(s) => s.inner().is_unix(),
            Stream::Psk(s) => s.inner().is_unix(),
            other => matches!(other, Stream::Unix(_)),
        }
    }
}

/// Sets `TCP_QUICKACK` (see [`Stream::ack_now`]); Linux and Android only.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn quickack(stream: &Stream) -> io::Result<()> {
    SockRef::from(stream).set_tcp_quickack(true)
}

/// Elsewhere the option does not exist: ACKs go as the system decides.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn quickack(_stream: &Stream) -> io::Result<()> {
    Ok(())
}

impl AsFd for Stream {
    fn as_fd(&self) -> BorrowedFd<'_> {
        match self {
            Stream::Tcp(s) => s.as_fd(),
            Stream::Unix(s) => s.as_fd(),
            Stream::Tls(s) => s.inner().as_fd(),
            Stream::Ws(s) => s.inner().as_fd(),
            Stream::Psk(s) => s.inner().as_fd(),
        }
    }
}

impl AsRawFd for Stream {
    fn as_raw_fd(&self) -> RawFd {
        self.as_fd().as_raw_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::net::TcpListener;

    fn tcp_pair() -> (Stream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        client.set_nonblocking(true).unwrap();
        let (server, _) = listener.accept().unwrap();
        (Stream::Tcp(client), server)
    }

    #[test]
    fn read_would_block_then_gets_data() {
        let (client, mut server) = tcp_pair();
        let mut buf = [0u8; 16];
        let err = client.read(&mut buf).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
        server.write_all(b"hello").unwrap();
        // Loopback delivery is immediate once write returns, but poll to be sure.
        let ready = crate::transport::poll::poll(Some(client.as_fd()), false, None, 2000).unwrap();
        assert!(ready.readable);
        assert_eq!(client.read(&mut buf).unwrap(), 5);
        assert_eq!(&buf[..5], b"hello");
    }

    #[test]
    fn write_fills_up_then_would_block() {
        let (client, _server) = tcp_pair();
        let chunk = vec![0x5a; 64 * 1024];
        let mut total = 0usize;
        let err = loop {
            match client.write(&chunk) {
                Ok(n) => total += n,
                Err(e) => break e,
            }
            assert!(total < 512 * 1024 * 1024, "socket never filled up");
        };
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
        assert!(total > 0);
    }

    #[test]
    fn write_to_closed_peer_is_an_error_not_a_signal() {
        let (client, server) = tcp_pair();
        drop(server);
        // The first sends may succeed (the peer then answers with RST); keep
        // going until the error shows. (Rust programs ignore SIGPIPE, so this
        // checks the error only; MSG_NOSIGNAL is what protects C hosts.)
        let mut last = None;
        for _ in 0..100 {
            match client.write(b"x") {
                Ok(_) => std::thread::sleep(std::time::Duration::from_millis(5)),
                Err(e) => {
                    last = Some(e);
                    break;
                }
            }
        }
        let e = last.expect("writing to a closed peer never failed");
        assert!(
            matches!(e.raw_os_error(), Some(libc::EPIPE) | Some(libc::ECONNRESET)),
            "{e:?}"
        );
    }

    #[test]
    fn write2_sends_both_slices_in_order() {
        let (client, mut server) = tcp_pair();
        assert_eq!(client.write2(b"abc", b"defg").unwrap(), 7);
        let mut buf = [0u8; 7];
        server.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"abcdefg");
    }

    #[test]
    fn nodelay_and_shutdown_on_tcp() {
        let (client, mut server) = tcp_pair();
        client.set_nodelay(true).unwrap();
        assert!(SockRef::from(&client).tcp_nodelay().unwrap());
        client.shutdown().unwrap();
        let mut buf = [0u8; 1];
        assert_eq!(server.read(&mut buf).unwrap(), 0);
    }

    /// `TCP_QUICKACK` reads back as 0 in the kernel's delayed-ACK
    /// ("ping-pong") mode, which clearing it enters; `ack_now` leaves it.
    #[cfg(target_os = "linux")]
    #[test]
    fn ack_now_sets_quickack() {
        let (client, mut server) = tcp_pair();
        SockRef::from(&client).set_tcp_quickack(false).unwrap();
        assert!(!SockRef::from(&client).tcp_quickack().unwrap());
        server.write_all(b"x").unwrap();
        let ready = crate::transport::poll::poll(Some(client.as_fd()), false, None, 2000).unwrap();
        assert!(ready.readable);
        let mut buf = [0u8; 4];
        assert_eq!(client.read(&mut buf).unwrap(), 1);
        client.ack_now().unwrap();
        assert!(SockRef::from(&client).tcp_quickack().unwrap());
    }

    #[test]
    fn ack_now_on_a_unix_socket_is_a_no_op() {
        let (a, _b) = UnixStream::pair().unwrap();
        Stream::Unix(a).ack_now().unwrap();
    }

    #[test]
    fn unix_stream_reads_writes_and_rejects_nodelay() {
        let (a, mut b) = UnixStream::pair().unwrap();
        a.set_nonblocking(true).unwrap();
        let a = Stream::Unix(a);
        assert!(a.is_unix());
        assert!(a.set_nodelay(true).is_err());
        let mut buf = [0u8; 4];
        assert_eq!(
            a.read(&mut buf).unwrap_err().kind(),
            io::ErrorKind::WouldBlock
        );
        assert_eq!(a.write(b"ping").unwrap(), 4);
        b.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"ping");
        assert_eq!(a.as_raw_fd(), AsRawFd::as_raw_fd(&a));
    }
}
