//! A tiny threaded SOCKS5 proxy (RFC 1928, with the RFC 1929
//! username/password method) for the `--proxy` tests.
//!
//! It accepts on 127.0.0.1, performs the handshake, connects to the
//! requested address (IPv4, IPv6 or a domain name) and relays bytes both
//! ways. It records how every handshake went, so a test can prove that a
//! client really went through it and with which method.

use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// SOCKS protocol version 5.
const VERSION: u8 = 5;
/// Method: no authentication.
const NO_AUTH: u8 = 0x00;
/// Method: username/password (RFC 1929).
const USER_PASS: u8 = 0x02;
/// Method: none acceptable.
const NO_METHOD: u8 = 0xff;

/// How long a client has for each handshake step.
const STEP_TIMEOUT: Duration = Duration::from_secs(5);

/// How one client's handshake went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handshake {
    /// The methods the client offered.
    pub offered: Vec<u8>,
    /// The method chosen (`0xff` when none was acceptable).
    pub method: u8,
    /// The credentials sent with username/password authentication.
    pub credentials: Option<(String, String)>,
    /// The requested destination as text (`host:port`), once asked.
    pub target: Option<String>,
    /// Whether the client was let through to the destination.
    pub relayed: bool,
}

/// A running SOCKS5 proxy; dropping it stops accepting new clients.
pub struct Socks5Proxy {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    log: Arc<Mutex<Vec<Handshake>>>,
}

impl Socks5Proxy {
    /// A proxy that requires no authentication.
    pub fn no_auth() -> Socks5Proxy {
        Socks5Proxy::start(None)
    }

    /// A proxy that requires username/password authentication with
    /// exactly `user` and `password`.
    pub fn with_password(user: &str, password: &str) -> Socks5Proxy {
        Socks5Proxy::start(Some((user.into(), password.into())))
    }

    /// Starts accepting on a free 127.0.0.1 port.
    fn start(credentials: Option<(String, String)>) -> Socks5Proxy {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind the proxy");
        let addr = listener.local_addr().unwrap();
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let log = Arc::new(Mutex::new(Vec::new()));
        let (stop2, log2) = (Arc::clone(&stop), Arc::clone(&log));
        thread::spawn(move || {
            while !stop2.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((client, _)) => {
                        let credentials = credentials.clone();
                        let log = Arc::clone(&log2);
                        thread::spawn(move || serve(client, credentials.as_ref(), &log));
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        thread::sleep(Duration::from_millis(5));
                    }
                    Err(_) => break,
                }
            }
        });
        Socks5Proxy { addr, stop, log }
    }

    /// The proxy's port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Every handshake so far, in order of completion.
    pub fn handshakes(&self) -> Vec<Handshake> {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for Socks5Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Handles one client: handshake, then relay. The handshake is logged
/// whatever its outcome.
fn serve(
    mut client: TcpStream,
    credentials: Option<&(String, String)>,
    log: &Mutex<Vec<Handshake>>,
) {
    let _ = client.set_nonblocking(false);
    let _ = client.set_read_timeout(Some(STEP_TIMEOUT));
    let mut record = Handshake {
        offered: Vec::new(),
        method: NO_METHOD,
        credentials: None,
        target: None,
        relayed: false,
    };
    let upstream = handshake(&mut client, credentials, &mut record);
    record.relayed = upstream.is_ok();
    log.lock().unwrap().push(record);
    match upstream {
        Ok(upstream) => relay(client, upstream),
        Err(_) => {
            let _ = client.shutdown(Shutdown::Both);
        }
    }
}

/// Reads exactly `n` bytes.
fn read_n(s: &mut TcpStream, n: usize) -> io::Result<Vec<u8>> {
    let mut buf = vec![0u8; n];
    s.read_exact(&mut buf)?;
    Ok(buf)
}

/// An error for a refused handshake.
fn refused(why: &str) -> io::Error {
    io::Error::new(io::ErrorKind::PermissionDenied, why.to_string())
}

/// Runs the SOCKS5 handshake; on success returns the connection to the
/// requested destination, with the success reply already sent.
fn handshake(
    client: &mut TcpStream,
    credentials: Option<&(String, String)>,
    record: &mut Handshake,
) -> io::Result<TcpStream> {
    let head = read_n(client, 2)?;
    if head[0] != VERSION {
        return Err(refused("not SOCKS5"));
    }
    record.offered = read_n(client, usize::from(head[1]))?;
    let wanted = if credentials.is_some() {
        USER_PASS
    } else {
        NO_AUTH
    };
    let method = if record.offered.contains(&wanted) {
        wanted
    } else {
        NO_METHOD
    };
    record.method = method;
    client.write_all(&[VERSION, method])?;
    if method == NO_METHOD {
        return Err(refused("no acceptable method"));
    }
    if let Some((user, password)) = credentials {
        let ver = read_n(client, 2)?;
        let got_user = read_n(client, usize::from(ver[1]))?;
        let plen = read_n(client, 1)?[0];
        let got_password = read_n(client, usize::from(plen))?;
        let got = (
            String::from_utf8_lossy(&got_user).into_owned(),
            String::from_utf8_lossy(&got_password).into_owned(),
        );
        let ok = ver[0] == 1 && got.0 == *user && got.1 == *password;
        record.credentials = Some(got);
        client.write_all(&[1, if ok { 0 } else { 1 }])?;
        if !ok {
            return Err(refused("bad credentials"));
        }
    }
    let request = read_n(client, 4)?;
    if request[0] != VERSION || request[1] != 1 {
        client.write_all(&[VERSION, 7, 0, 1, 0, 0, 0, 0, 0, 0])?;
        return Err(refused("only CONNECT is supported"));
    }
    let host = match request[3] {
        1 => {
            let a = read_n(client, 4)?;
            IpAddr::from(Ipv4Addr::new(a[0], a[1], a[2], a[3])).to_string()
        }
        4 => {
            let a: [u8; 16] = read_n(client, 16)?.try_into().unwrap();
            IpAddr::from(Ipv6Addr::from(a)).to_string()
        }
        3 => {
            let len = read_n(client, 1)?[0];
            String::from_utf8_lossy(&read_n(client, usize::from(len))?).into_owned()
        }
        _ => return Err(refused("bad address type")),
    };
    let p = read_n(client, 2)?;
    let port = u16::from_be_bytes([p[0], p[1]]);
    record.target = Some(format!("{host}:{port}"));
    match TcpStream::connect((host.as_str(), port)) {
        Ok(upstream) => {
            client.write_all(&[VERSION, 0, 0, 1, 127, 0, 0, 1, 0, 0])?;
            Ok(upstream)
        }
        Err(e) => {
            client.write_all(&[VERSION, 5, 0, 1, 0, 0, 0, 0, 0, 0])?;
            Err(e)
        }
    }
}

/// Copies bytes both ways until either side closes.
fn relay(client: TcpStream, upstream: TcpStream) {
    let _ = client.set_read_timeout(None);
    let (Ok(client2), Ok(upstream2)) = (client.try_clone(), upstream.try_clone()) else {
        return;
    };
    let up = thread::spawn(move || pump(client2, upstream2));
    pump(upstream, client);
    let _ = up.join();
}

/// Copies `from` into `to` until `from` ends, then closes both.
fn pump(mut from: TcpStream, mut to: TcpStream) {
    let _ = io::copy(&mut from, &mut to);
    let _ = to.shutdown(Shutdown::Both);
    let _ = from.shutdown(Shutdown::Both);
}
