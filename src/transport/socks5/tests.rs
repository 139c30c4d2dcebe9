use super::*;

/// Feeds `reply` one byte at a time, checking nothing is over-consumed.
fn feed_bytewise(s: &mut Socks5, reply: &[u8]) -> Result<(), Socks5Error> {
    for b in reply {
        assert_eq!(s.feed(std::slice::from_ref(b))?, 1);
    }
    Ok(())
}

fn take_output(s: &mut Socks5) -> Vec<u8> {
    let out = s.output().to_vec();
    s.advance_output(out.len());
    out
}

#[test]
fn no_auth_handshake_with_domain_target() {
    let mut s = Socks5::new("broker.example", 1883, None, None);
    assert_eq!(take_output(&mut s), [5, 1, 0]);
    assert_eq!(s.bytes_needed(), 2);
    s.feed(&[5, 0]).unwrap();
    let mut expect = vec![5, 1, 0, 3, 14];
    expect.extend_from_slice(b"broker.example");
    expect.extend_from_slice(&[0x07, 0x5b]);
    assert_eq!(take_output(&mut s), expect);
    assert_eq!(s.bytes_needed(), 5);
    feed_bytewise(&mut s, &[5, 0, 0, 1, 10, 0, 0, 1, 0x1f, 0x90]).unwrap();
    assert!(s.is_done());
    assert_eq!(s.bytes_needed(), 0);
    assert!(!s.wants_write());
}

#[test]
fn ip_literals_use_their_address_types() {
    let mut s = Socks5::new("127.0.0.1", 8883, None, None);
    take_output(&mut s);
    s.feed(&[5, 0]).unwrap();
    assert_eq!(take_output(&mut s), [5, 1, 0, 1, 127, 0, 0, 1, 0x22, 0xb3]);

    let mut s = Socks5::new("::1", 1, None, None);
    take_output(&mut s);
    s.feed(&[5, 0]).unwrap();
    let mut expect = vec![5, 1, 0, 4];
    expect.extend_from_slice(&[0; 15]);
    expect.extend_from_slice(&[1, 0, 1]);
    assert_eq!(take_output(&mut s), expect);
}

#[test]
fn username_password_handshake() {
    let mut s = Socks5::new("h", 1883, Some(b"user"), Some(b"pw"));
    assert_eq!(take_output(&mut s), [5, 2, 0, 2]);
    s.feed(&[5, 2]).unwrap();
    assert_eq!(take_output(&mut s), b"\x01\x04user\x02pw");
    s.feed(&[1, 0]).unwrap();
    assert_eq!(take_output(&mut s), [5, 1, 0, 3, 1, b'h', 0x07, 0x5b]);
    s.feed(&[5, 0, 0, 1, 0, 0, 0, 0, 0, 0]).unwrap();
    assert!(s.is_done());
}

#[test]
fn proxy_may_skip_auth_even_when_offered() {
    let mut s = Socks5::new("h", 1, Some(b"u"), None);
    take_output(&mut s);
    s.feed(&[5, 0]).unwrap();
    assert_eq!(take_output(&mut s)[..4], [5, 1, 0, 3]);
}

#[test]
fn missing_password_is_sent_empty() {
    let mut s = Socks5::new("h", 1, Some(b"u"), None);
    take_output(&mut s);
    s.feed(&[5, 2]).unwrap();
    assert_eq!(take_output(&mut s), [1, 1, b'u', 0]);
}

#[test]
fn ipv6_and_domain_replies_are_read_whole() {
    let mut s = Socks5::new("h", 1, None, None);
    take_output(&mut s);
    s.feed(&[5, 0]).unwrap();
    let mut reply = vec![5, 0, 0, 4];
    reply.extend_from_slice(&[0; 16]);
    reply.extend_from_slice(&[0, 80]);
    // All at once, with trailing data that must not be consumed.
    let mut with_extra = reply.clone();
    with_extra.extend_from_slice(b"MQTT");
    assert_eq!(s.feed(&with_extra).unwrap(), reply.len());
    assert!(s.is_done());
    assert_eq!(s.feed(b"MQTT").unwrap(), 0);

    let mut s = Socks5::new("h", 1, None, None);
    take_output(&mut s);
    s.feed(&[5, 0]).unwrap();
    feed_bytewise(&mut s, &[5, 0, 0, 3, 3, b'a', b'b', b'c', 0, 80]).unwrap();
    assert!(s.is_done());
}

#[test]
fn failures_map_as_the_original() {
    // Method reply with the wrong version.
    let mut s = Socks5::new("h", 1, None, None);
    assert_eq!(s.feed(&[4, 0]), Err(Socks5Error::BadVersion));
    assert_eq!(Socks5Error::BadVersion.code(), ErrorCode::Proxy);
    // Sticky: later feeds report the same failure.
    assert_eq!(s.feed(&[5]), Err(Socks5Error::BadVersion));
    assert_eq!(s.bytes_needed(), 0);

    // No acceptable method; also username/password when we sent none.
    for m in [0xff, 2, 1] {
        let mut s = Socks5::new("h", 1, None, None);
        assert_eq!(s.feed(&[5, m]), Err(Socks5Error::NoAcceptableMethod(m)));
    }
    assert_eq!(
        Socks5Error::NoAcceptableMethod(0xff).code(),
        ErrorCode::Auth
    );

    // Authentication refused, and a bad auth version.
    let mut s = Socks5::new("h", 1, Some(b"u"), Some(b"p"));
    s.feed(&[5, 2]).unwrap();
    assert_eq!(s.feed(&[1, 1]), Err(Socks5Error::AuthFailed(1)));
    assert_eq!(Socks5Error::AuthFailed(1).code(), ErrorCode::Proxy);
    let mut s = Socks5::new("h", 1, Some(b"u"), Some(b"p"));
    s.feed(&[5, 2]).unwrap();
    assert_eq!(s.feed(&[5, 0]), Err(Socks5Error::BadVersion));

    // Request failures by reply code.
    for (rep, code) in [
        (1, ErrorCode::Proxy),
        (2, ErrorCode::Auth),
        (3, ErrorCode::NoConn),
        (4, ErrorCode::NoConn),
        (5, ErrorCode::NoConn),
        (6, ErrorCode::Proxy),
        (7, ErrorCode::Proxy),
        (8, ErrorCode::Proxy),
        (9, ErrorCode::Inval),
    ] {
        let mut s = Socks5::new("h", 1, None, None);
        s.feed(&[5, 0]).unwrap();
        let err = feed_bytewise(&mut s, &[5, rep, 0, 1, 0, 0, 0, 0, 0, 0]).unwrap_err();
        assert_eq!(err, Socks5Error::RequestFailed(rep));
        assert_eq!(err.code(), code, "reply {rep}");
    }

    // Unknown address type in the reply, checked before the version.
    let mut s = Socks5::new("h", 1, None, None);
    s.feed(&[5, 0]).unwrap();
    assert_eq!(
        s.feed(&[9, 0, 0, 7, 0]),
        Err(Socks5Error::BadAddressType(7))
    );
    assert_eq!(Socks5Error::BadAddressType(7).code(), ErrorCode::Protocol);

    // Wrong version in the final reply.
    let mut s = Socks5::new("h", 1, None, None);
    s.feed(&[5, 0]).unwrap();
    let reply = [4, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    assert_eq!(s.feed(&reply), Err(Socks5Error::BadVersion));
}

#[test]
fn over_long_names_fail_when_their_message_is_due() {
    let long = "h".repeat(256);
    let mut s = Socks5::new(&long, 1, None, None);
    assert_eq!(s.feed(&[5, 0]), Err(Socks5Error::HostTooLong));
    assert_eq!(Socks5Error::HostTooLong.code(), ErrorCode::NoMem);
    let mut s = Socks5::new(&"h".repeat(255), 1, None, None);
    take_output(&mut s);
    s.feed(&[5, 0]).unwrap();
    assert_eq!(s.output().len(), 5 + 255 + 2);

    let user = vec![b'u'; 256];
    let mut s = Socks5::new("h", 1, Some(&user), None);
    assert_eq!(s.feed(&[5, 2]), Err(Socks5Error::CredentialTooLong));
    assert_eq!(Socks5Error::CredentialTooLong.code(), ErrorCode::Inval);
}

#[test]
fn partial_writes_are_tracked() {
    let mut s = Socks5::new("h", 1, Some(b"u"), None);
    s.advance_output(1);
    assert_eq!(s.output(), [2, 0, 2]);
    s.advance_output(2);
    assert_eq!(s.output(), [2]);
    s.advance_output(10);
    assert!(!s.wants_write());
}

/// A real exchange: the client drives [`Socks5::pump`] over a
/// non-blocking stream to a small SOCKS5 proxy running in a thread,
/// which forwards to a local echo listener. Loopback only.
mod through_a_proxy {
    use super::*;
    use crate::transport::poll::poll;
    use crate::transport::{connect, Connecting};
    use std::io::{Read, Write};
    use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
    use std::os::fd::AsFd;
    use std::thread::{self, JoinHandle};
    use std::time::Duration;

    /// How the test proxy behaves.
    #[derive(Clone)]
    struct ProxyConfig {
        /// Required username/password, or None for no authentication.
        credentials: Option<(Vec<u8>, Vec<u8>)>,
        /// A reply code to fail the CONNECT request with.
        fail_with: Option<u8>,
    }

    /// Writes `bytes` in small pieces so the client sees split replies.
    fn send_split(s: &mut TcpStream, bytes: &[u8]) {
        for piece in bytes.chunks(3) {
            s.write_all(piece).unwrap();
            s.flush().unwrap();
            thread::sleep(Duration::from_millis(2));
        }
    }

    fn read_vec(s: &mut TcpStream, n: usize) -> Vec<u8> {
        let mut v = vec![0; n];
        s.read_exact(&mut v).unwrap();
        v
    }

    /// Serves one SOCKS5 client; returns the target it was asked for.
    fn serve_one(listener: TcpListener, cfg: ProxyConfig) -> JoinHandle<Option<SocketAddr>> {
        thread::spawn(move || {
            let (mut c, _) = listener.accept().unwrap();
            c.set_nodelay(true).unwrap();
            let head = read_vec(&mut c, 2);
            assert_eq!(head[0], 5);
            let methods = read_vec(&mut c, head[1].into());
            let wanted = if cfg.credentials.is_some() { 2 } else { 0 };
            if !methods.contains(&wanted) {
                send_split(&mut c, &[5, 0xff]);
                return None;
            }
            send_split(&mut c, &[5, wanted]);
            if let Some((user, pass)) = &cfg.credentials {
                let h = read_vec(&mut c, 2);
                assert_eq!(h[0], 1);
                let u = read_vec(&mut c, h[1].into());
                let plen = read_vec(&mut c, 1)[0];
                let p = read_vec(&mut c, plen.into());
                if (&u, &p) != (user, pass) {
                    send_split(&mut c, &[1, 1]);
                    return None;
                }
                send_split(&mut c, &[1, 0]);
            }
            let req = read_vec(&mut c, 4);
            assert_eq!(req[..3], [5, 1, 0]);
            let host = match req[3] {
                1 => {
                    let a = read_vec(&mut c, 4);
                    std::net::Ipv4Addr::new(a[0], a[1], a[2], a[3]).to_string()
                }
                3 => {
                    let n = read_vec(&mut c, 1)[0];
                    String::from_utf8(read_vec(&mut c, n.into())).unwrap()
                }
                t => panic!("unexpected address type {t}"),
            };
            let p = read_vec(&mut c, 2);
            let port = u16::from_be_bytes([p[0], p[1]]);
            // Resolves "localhost" from /etc/hosts: no DNS traffic.
            let target = (host.as_str(), port)
                .to_socket_addrs()
                .unwrap()
                .find(|a| a.ip().is_loopback())
                .unwrap();
            if let Some(rep) = cfg.fail_with {
                send_split(&mut c, &[5, rep, 0, 1, 0, 0, 0, 0, 0, 0]);
                return Some(target);
            }
            let mut up = TcpStream::connect(target).unwrap();
            // Reply with a domain-name bound address, read whole by the
            // client, then the tunnel.
            let mut reply = vec![5, 0, 0, 3, 9];
            reply.extend_from_slice(b"localhost");
            reply.extend_from_slice(&port.to_be_bytes());
            send_split(&mut c, &reply);
            let mut c2 = c.try_clone().unwrap();
            let mut up2 = up.try_clone().unwrap();
            let a = thread::spawn(move || {
                let _ = std::io::copy(&mut c2, &mut up2);
                let _ = up2.shutdown(std::net::Shutdown::Write);
            });
            let _ = std::io::copy(&mut up, &mut c);
            a.join().unwrap();
            Some(target)
        })
    }

    /// A listener that echoes one connection back.
    fn echo_server() -> (u16, JoinHandle<()>) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let h = thread::spawn(move || {
            let (mut s, _) = l.accept().unwrap();
            let mut r = s.try_clone().unwrap();
            let _ = std::io::copy(&mut r, &mut s);
        });
        (port, h)
    }

    /// Connects to the proxy and pumps the handshake to its end.
    fn handshake(
        proxy_port: u16,
        mut socks: Socks5,
    ) -> (crate::transport::Stream, Result<(), TransportError>) {
        let (stream, state) = connect("127.0.0.1", proxy_port, None, false).unwrap();
        if state == Connecting::InProgress {
            poll(Some(stream.as_fd()), true, None, 5000).unwrap();
            assert!(stream.check_connected().unwrap());
        }
        for _ in 0..1000 {
            match socks.pump(&stream) {
                Ok(true) => return (stream, Ok(())),
                Ok(false) => {
                    let ready =
                        poll(Some(stream.as_fd()), socks.wants_write(), None, 5000).unwrap();
                    assert!(ready.readable || ready.writable, "proxy stalled");
                }
                Err(e) => return (stream, Err(e)),
            }
        }
        panic!("handshake did not finish");
    }

    fn echo_through(stream: &crate::transport::Stream) {
        assert_eq!(stream.write(b"hello proxy").unwrap(), 11);
        let mut got = Vec::new();
        let mut buf = [0u8; 32];
        while got.len() < 11 {
            let ready = poll(Some(stream.as_fd()), false, None, 5000).unwrap();
            assert!(ready.readable, "no echo");
            match stream.read(&mut buf) {
                Ok(0) => panic!("tunnel closed"),
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(got, b"hello proxy");
    }

    fn proxy(cfg: ProxyConfig) -> (u16, JoinHandle<Option<SocketAddr>>) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        (port, serve_one(l, cfg))
    }

    #[test]
    fn tunnel_without_auth_to_a_domain_name() {
        let (echo_port, echo) = echo_server();
        let (proxy_port, proxy) = proxy(ProxyConfig {
            credentials: None,
            fail_with: None,
        });
        let socks = Socks5::new("localhost", echo_port, None, None);
        let (stream, result) = handshake(proxy_port, socks);
        result.unwrap();
        echo_through(&stream);
        stream.shutdown().unwrap();
        let target = proxy.join().unwrap().unwrap();
        assert_eq!(target.port(), echo_port);
        echo.join().unwrap();
    }

    #[test]
    fn tunnel_with_username_and_password() {
        let (echo_port, echo) = echo_server();
        let (proxy_port, proxy) = proxy(ProxyConfig {
            credentials: Some((b"alice".to_vec(), b"s3cret".to_vec())),
            fail_with: None,
        });
        let socks = Socks5::new("127.0.0.1", echo_port, Some(b"alice"), Some(b"s3cret"));
        let (stream, result) = handshake(proxy_port, socks);
        result.unwrap();
        echo_through(&stream);
        stream.shutdown().unwrap();
        assert!(proxy.join().unwrap().is_some());
        echo.join().unwrap();
    }

    #[test]
    fn wrong_password_is_reported() {
        let (proxy_port, proxy) = proxy(ProxyConfig {
            credentials: Some((b"alice".to_vec(), b"s3cret".to_vec())),
            fail_with: None,
        });
        let socks = Socks5::new("127.0.0.1", 1883, Some(b"alice"), Some(b"nope"));
        let (_stream, result) = handshake(proxy_port, socks);
        let err = result.unwrap_err();
        assert!(matches!(
            err,
            TransportError::Socks(Socks5Error::AuthFailed(1))
        ));
        assert_eq!(err.code(), ErrorCode::Proxy);
        assert!(proxy.join().unwrap().is_none());
    }

    #[test]
    fn no_credentials_when_the_proxy_requires_them() {
        let (proxy_port, proxy) = proxy(ProxyConfig {
            credentials: Some((b"a".to_vec(), b"b".to_vec())),
            fail_with: None,
        });
        let (_stream, result) = handshake(proxy_port, Socks5::new("h", 1, None, None));
        assert_eq!(result.unwrap_err().code(), ErrorCode::Auth);
        proxy.join().unwrap();
    }

    #[test]
    fn failure_reply_is_reported() {
        let (proxy_port, proxy) = proxy(ProxyConfig {
            credentials: None,
            fail_with: Some(5),
        });
        let (_stream, result) = handshake(proxy_port, Socks5::new("localhost", 9, None, None));
        let err = result.unwrap_err();
        assert!(matches!(
            err,
            TransportError::Socks(Socks5Error::RequestFailed(5))
        ));
        assert_eq!(err.code(), ErrorCode::NoConn);
        proxy.join().unwrap();
    }

    #[test]
    fn proxy_closing_early_is_a_proxy_error() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let h = thread::spawn(move || {
            let (mut c, _) = l.accept().unwrap();
            let _ = read_vec(&mut c, 3);
            // Close without answering.
        });
        let (_stream, result) = handshake(port, Socks5::new("h", 1, None, None));
        h.join().unwrap();
        let err = result.unwrap_err();
        assert!(matches!(
            err,
            TransportError::Socks(Socks5Error::ProxyClosed)
        ));
        assert_eq!(err.code(), ErrorCode::Proxy);
    }
}
