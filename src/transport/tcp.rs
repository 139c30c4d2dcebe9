//! TCP connection set-up, following the original's address loop.
//!
//! The host (and the bind address, when given) are resolved first; then each
//! resolved address is tried in order: a socket of its family is created,
//! bound to the first bind address that accepts it, and connected. The first
//! address that connects (or, non-blocking, starts connecting) wins. When all
//! fail, the error is the last system call failure, as `errno` would be.

use std::io;

use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use super::error::TransportError;
use super::resolve::{resolve, Resolved};
use super::stream::Stream;
use super::Connecting;

/// Connects to `host:port` over TCP (see the module doc for the order).
///
/// With `blocking` the connect waits for completion; otherwise the socket is
/// made non-blocking first and the result may be [`Connecting::InProgress`].
/// Either way the returned stream is non-blocking.
pub fn connect_tcp(
    host: &str,
    port: u16,
    bind_address: Option<&str>,
    blocking: bool,
) -> Result<(Stream, Connecting), TransportError> {
    let targets = resolve(host)?;
    let binds = match bind_address {
        Some(b) => Some(resolve(b)?),
        None => None,
    };
    let mut last_err = None;
    for target in &targets {
        match try_address(target, port, binds.as_deref(), blocking) {
            Ok(done) => return Ok(done),
            Err(e) => last_err = Some(e),
        }
    }
    // getaddrinfo never succeeds with an empty list; EADDRNOTAVAIL is only a
    // fallback should no usable (IPv4/IPv6) entry come back.
    Err(TransportError::Os(last_err.unwrap_or_else(|| {
        io::Error::from_raw_os_error(libc::EADDRNOTAVAIL)
    })))
}

/// One step of the address loop: socket, optional bind, connect.
fn try_address(
    target: &Resolved,
    port: u16,
    binds: Option<&[Resolved]>,
    blocking: bool,
) -> io::Result<(Stream, Connecting)> {
    let socket = Socket::new(
        Domain::from(target.family),
        Type::from(target.socktype),
        Some(Protocol::from(target.protocol)),
    )?;
    if let Some(binds) = binds {
        bind_first(&socket, binds)?;
    }
    if !blocking {
        socket.set_nonblocking(true)?;
    }
    let mut addr = target.addr;
    addr.set_port(port);
    let state = match socket.connect(&SockAddr::from(addr)) {
        Ok(()) => Connecting::Done,
        Err(e)
            if e.raw_os_error() == Some(libc::EINPROGRESS)
                || e.kind() == io::ErrorKind::WouldBlock =>
        {
            Connecting::InProgress
        }
        Err(e) => return Err(e),
    };
    if blocking {
        socket.set_nonblocking(true)?;
    }
    Ok((Stream::Tcp(socket.into()), state))
}

/// Binds to the first bind address the socket accepts (an address of
/// another family fails and the next is tried).
fn bind_first(socket: &Socket, binds: &[Resolved]) -> io::Result<()> {
    let mut last_err = None;
    for b in binds {
        match socket.bind(&SockAddr::from(b.addr)) {
            Ok(()) => return Ok(()),
            Err(e) => last_err = Some(e),
        }
    }
    Err(last_err.unwrap_or_else(|| io::Error::from_raw_os_error(libc::EADDRNOTAVAIL)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::error::ErrorCode;
    use crate::transport::poll::poll;
    use std::io::{Read, Write};
    use std::net::{IpAddr, TcpListener};
    use std::os::fd::AsFd;

    fn assert_nonblocking(stream: &Stream) {
        let mut buf = [0u8; 1];
        let err = stream.read(&mut buf).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
    }

    /// Connects blocking to `host`, checks the listener sees us and data flows.
    fn round_trip(listener: &TcpListener, host: &str, bind: Option<&str>) -> IpAddr {
        let port = listener.local_addr().unwrap().port();
        let (stream, state) = connect_tcp(host, port, bind, true).unwrap();
        assert_eq!(state, Connecting::Done);
        assert_nonblocking(&stream);
        let (mut server, peer) = listener.accept().unwrap();
        assert_eq!(stream.write(b"hi").unwrap(), 2);
        let mut buf = [0u8; 2];
        server.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"hi");
        peer.ip()
    }

    #[test]
    fn connects_to_ipv4_loopback() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let peer = round_trip(&listener, "127.0.0.1", None);
        assert_eq!(peer, IpAddr::from([127, 0, 0, 1]));
    }

    #[test]
    fn connects_to_ipv6_loopback() {
        let listener = match TcpListener::bind("[::1]:0") {
            Ok(l) => l,
            Err(e) => {
                println!("skipping: this machine has no usable ::1 ({e})");
                return;
            }
        };
        let peer = round_trip(&listener, "::1", None);
        assert!(peer.is_ipv6() && peer.is_loopback());
    }

    #[test]
    fn connects_to_localhost_by_name() {
        // Listen on every loopback family localhost may resolve to, on one
        // port; whichever address comes first must get through.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let v6 = TcpListener::bind(("::1", port)).ok();
        let (stream, state) = connect_tcp("localhost", port, None, true).unwrap();
        assert_eq!(state, Connecting::Done);
        let peer = stream_peer(&stream);
        assert!(peer.ip().is_loopback());
        assert_eq!(peer.port(), port);
        drop(v6);
    }

    fn stream_peer(stream: &Stream) -> std::net::SocketAddr {
        match stream {
            Stream::Tcp(s) => s.peer_addr().unwrap(),
            _ => panic!("expected TCP"),
        }
    }

    #[test]
    fn binds_to_the_bind_address() {
        // Linux routes all of 127.0.0.0/8 to lo, so 127.0.0.2 is a usable
        // local source address that differs from the default.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let peer = round_trip(&listener, "127.0.0.1", Some("127.0.0.2"));
        assert_eq!(peer, IpAddr::from([127, 0, 0, 2]));
    }

    #[test]
    fn bind_address_of_another_family_fails_with_errno() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let err = connect_tcp("127.0.0.1", port, Some("::1"), true).unwrap_err();
        assert_eq!(err.code(), ErrorCode::Errno);
        // The reference library leaves EAFNOSUPPORT (97) here.
        assert_eq!(err.errno(), Some(libc::EAFNOSUPPORT));
    }

    #[test]
    fn unresolvable_bind_address_is_an_eai_error() {
        let err = connect_tcp("127.0.0.1", 1883, Some("a..b"), true).unwrap_err();
        assert_eq!(err.code(), ErrorCode::Eai);
        assert_eq!(err.errno(), Some(libc::EAI_NONAME));
    }

    fn closed_port() -> u16 {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    }

    #[test]
    fn refused_connection_reports_econnrefused() {
        let port = closed_port();
        let err = connect_tcp("127.0.0.1", port, None, true).unwrap_err();
        assert_eq!(err.code(), ErrorCode::Errno);
        assert_eq!(err.errno(), Some(libc::ECONNREFUSED));
    }

    #[test]
    fn unknown_host_reports_the_resolver_code() {
        let err = connect_tcp("a..b", 1883, None, true).unwrap_err();
        assert_eq!(err.code(), ErrorCode::Eai);
        assert_eq!(err.errno(), Some(libc::EAI_NONAME));
    }

    #[test]
    fn non_blocking_connect_completes_after_writable() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (stream, state) = connect_tcp("127.0.0.1", port, None, false).unwrap();
        if state == Connecting::InProgress {
            let ready = poll(Some(stream.as_fd()), true, None, 5000).unwrap();
            assert!(ready.writable);
        }
        assert!(stream.check_connected().unwrap());
        let (mut server, _) = listener.accept().unwrap();
        server.write_all(b"x").unwrap();
        let ready = poll(Some(stream.as_fd()), false, None, 5000).unwrap();
        assert!(ready.readable);
        let mut buf = [0u8; 1];
        assert_eq!(stream.read(&mut buf).unwrap(), 1);
    }

    #[test]
    fn non_blocking_connect_to_closed_port_fails_on_check() {
        let port = closed_port();
        match connect_tcp("127.0.0.1", port, None, false) {
            // Loopback may refuse at once...
            Err(e) => assert_eq!(e.errno(), Some(libc::ECONNREFUSED)),
            // ...or report it once the socket becomes writable.
            Ok((stream, state)) => {
                assert_eq!(state, Connecting::InProgress);
                let ready = poll(Some(stream.as_fd()), true, None, 5000).unwrap();
                assert!(ready.writable || ready.readable);
                let err = stream.check_connected().unwrap_err();
                assert_eq!(err.raw_os_error(), Some(libc::ECONNREFUSED));
            }
        }
    }
}
