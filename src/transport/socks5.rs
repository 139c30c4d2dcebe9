//! The SOCKS5 client handshake (RFC 1928, with RFC 1929 username/password
//! authentication), as the original runs it for `mosquitto_socks5_set`.
//!
//! [`Socks5`] is a sans-I/O state machine: it hands out bytes to send
//! ([`Socks5::output`]) and takes reply bytes in any pieces
//! ([`Socks5::feed`]), asking for no more than the current reply needs, so
//! nothing past the handshake is ever consumed. [`Socks5::pump`] drives it
//! over a non-blocking [`Stream`].
//!
//! The exchange, as the original does it:
//! 1. Greeting: `05 01 00` (no auth), or `05 02 00 02` when a username is set.
//! 2. Method reply (2 bytes): version must be 5; method 0 goes to the
//!    request, method 2 to username/password, anything else fails
//!    (`MOSQ_ERR_AUTH`).
//! 3. Username/password: `01 ulen user plen pass`; the 2-byte reply must
//!    have version 1 and status 0.
//! 4. Request `05 01 00 atyp addr port`: an IPv4 or IPv6 literal host is
//!    sent as such (types 1 and 4), any other host as a domain name (type 3).
//! 5. Reply: 5 bytes, then the rest by address type; version must be 5 and
//!    the reply code 0.
//!
//! One deliberate difference: for a domain-name address in the final reply
//! the original reads the name but not the 2 port bytes after it, leaving
//! them to be misread as MQTT data; this reads the whole reply.

use std::fmt;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::error::{ErrorCode, TransportError};
use super::stream::Stream;

const VERSION: u8 = 5;
const AUTH_VERSION: u8 = 1;
const METHOD_NONE: u8 = 0x00;
const METHOD_USERPASS: u8 = 0x02;
const CMD_CONNECT: u8 = 1;
const ATYP_IPV4: u8 = 1;
const ATYP_DOMAIN: u8 = 3;
const ATYP_IPV6: u8 = 4;

/// Why a SOCKS5 handshake failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Socks5Error {
    /// A reply had the wrong protocol version (`MOSQ_ERR_PROXY`).
    BadVersion,
    /// The proxy chose a method we do not offer, e.g. `0xFF` "no acceptable
    /// methods" (`MOSQ_ERR_AUTH`).
    NoAcceptableMethod(u8),
    /// Username/password authentication failed with this status (mapped as
    /// [`Socks5Error::RequestFailed`] is, as the original does).
    AuthFailed(u8),
    /// The connect request failed with this RFC 1928 reply code:
    /// 2 is `MOSQ_ERR_AUTH`; 3, 4, 5 are `MOSQ_ERR_NO_CONN`; 1, 6, 7, 8 are
    /// `MOSQ_ERR_PROXY`; others `MOSQ_ERR_INVAL`.
    RequestFailed(u8),
    /// The reply used an unknown address type (`MOSQ_ERR_PROTOCOL`).
    BadAddressType(u8),
    /// The target host name is longer than 255 bytes; the original returns
    /// `MOSQ_ERR_NOMEM` for this.
    HostTooLong,
    /// The username or password is longer than 255 bytes
    /// (`MOSQ_ERR_INVAL`; the original sends a corrupt message instead).
    CredentialTooLong,
    /// The proxy closed the connection mid-handshake (`MOSQ_ERR_PROXY`).
    ProxyClosed,
    /// The proxy reset the connection (`MOSQ_ERR_CONN_LOST`).
    ConnectionReset,
}

impl Socks5Error {
    /// The `MOSQ_ERR_*` value the original returns for this failure.
    pub fn code(&self) -> ErrorCode {
        match self {
            Socks5Error::BadVersion | Socks5Error::ProxyClosed => ErrorCode::Proxy,
            Socks5Error::NoAcceptableMethod(_) => ErrorCode::Auth,
            Socks5Error::AuthFailed(c) | Socks5Error::RequestFailed(c) => reply_code(*c),
            Socks5Error::BadAddressType(_) => ErrorCode::Protocol,
            Socks5Error::HostTooLong => ErrorCode::NoMem,
            Socks5Error::CredentialTooLong => ErrorCode::Inval,
            Socks5Error::ConnectionReset => ErrorCode::ConnLost,
        }
    }
}

/// The original's mapping of a non-zero SOCKS reply code.
fn reply_code(code: u8) -> ErrorCode {
    match code {
        2 => ErrorCode::Auth,
        3..=5 => ErrorCode::NoConn,
        1 | 6..=8 => ErrorCode::Proxy,
        _ => ErrorCode::Inval,
    }
}

impl fmt::Display for Socks5Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Socks5Error::BadVersion => write!(f, "unexpected protocol version in reply"),
            Socks5Error::NoAcceptableMethod(m) => write!(f, "proxy chose method {m:#04x}"),
            Socks5Error::AuthFailed(s) => write!(f, "authentication failed (status {s})"),
            Socks5Error::RequestFailed(c) => write!(f, "connect request failed (reply {c})"),
            Socks5Error::BadAddressType(t) => write!(f, "unknown address type {t}"),
            Socks5Error::HostTooLong => write!(f, "target host name longer than 255 bytes"),
            Socks5Error::CredentialTooLong => write!(f, "username or password too long"),
            Socks5Error::ProxyClosed => write!(f, "proxy closed the connection"),
            Socks5Error::ConnectionReset => write!(f, "proxy reset the connection"),
        }
    }
}

impl std::error::Error for Socks5Error {}

/// Which reply the handshake waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Stage {
    Method,
    Auth,
    Connect,
    Done,
    Failed(Socks5Error),
}

/// A SOCKS5 client handshake in progress (see the module doc).
#[derive(Debug)]
pub struct Socks5 {
    host: String,
    port: u16,
    username: Option<Vec<u8>>,
    password: Option<Vec<u8>>,
    stage: Stage,
    out: Vec<u8>,
    out_pos: usize,
    reply: Vec<u8>,
    reply_len: usize,
}

impl Socks5 {
    /// Starts a handshake asking the proxy to connect to
    /// `target_host:target_port`; the greeting is ready in
    /// [`output`](Self::output). Username/password authentication is offered
    /// when `username` is set (a missing password is sent empty).
    pub fn new(
        target_host: &str,
        target_port: u16,
        username: Option<&[u8]>,
        password: Option<&[u8]>,
    ) -> Self {
        let out = if username.is_some() {
            vec![VERSION, 2, METHOD_NONE, METHOD_USERPASS]
        } else {
            vec![VERSION, 1, METHOD_NONE]
        };
        Socks5 {
            host: target_host.to_owned(),
            port: target_port,
            username: username.map(<[u8]>::to_vec),
            password: password.map(<[u8]>::to_vec),
            stage: Stage::Method,
            out,
            out_pos: 0,
            reply: Vec::new(),
            reply_len: 2,
        }
    }

    /// Bytes waiting to be sent to the proxy.
    pub fn output(&self) -> &[u8] {
        &self.out[self.out_pos..]
    }

    /// Whether there is anything to send (poll for writability then).
    pub fn wants_write(&self) -> bool {
        !self.output().is_empty()
    }

    /// Marks `n` bytes of [`output`](Self::output) as sent.
    pub fn advance_output(&mut self, n: usize) {
        self.out_pos = (self.out_pos + n).min(self.out.len());
        if self.out_pos == self.out.len() {
            self.out.clear();
            self.out_pos = 0;
        }
    }

    /// How many reply bytes to read next (0 once finished or failed).
    pub fn bytes_needed(&self) -> usize {
        match self.stage {
            Stage::Method | Stage::Auth | Stage::Connect => self.reply_len - self.reply.len(),
            Stage::Done | Stage::Failed(_) => 0,
        }
    }

    /// Whether the proxy has connected us to the target.
    pub fn is_done(&self) -> bool {
        self.stage == Stage::Done
    }

    /// Takes reply bytes, in pieces of any size; returns how many were used.
    /// Bytes past the end of the final reply are left unused. A completed
    /// reply may queue the next message in [`output`](Self::output).
    pub fn feed(&mut self, data: &[u8]) -> Result<usize, Socks5Error> {
        if let Stage::Failed(e) = &self.stage {
            return Err(e.clone());
        }
        let mut used = 0;
        loop {
            let take = self.bytes_needed().min(data.len() - used);
            if take == 0 {
                return Ok(used);
            }
            self.reply.extend_from_slice(&data[used..used + take]);
            used += take;
            if self.bytes_needed() == 0 {
                if let Err(e) = self.on_reply() {
                    self.stage = Stage::Failed(e.clone());
                    return Err(e);
                }
            }
        }
    }

    /// Handles a reply of `reply_len` bytes that has fully arrived.
    fn on_reply(&mut self) -> Result<(), Socks5Error> {
        match self.stage {
            Stage::Method => {
                if self.reply[0] != VERSION {
                    return Err(Socks5Error::BadVersion);
                }
                match self.reply[1] {
                    METHOD_NONE => self.send_request(),
                    METHOD_USERPASS if self.username.is_some() => self.send_credentials(),
                    m => Err(Socks5Error::NoAcceptableMethod(m)),
                }
            }
            Stage::Auth => {
                if self.reply[0] != AUTH_VERSION {
                    return Err(Socks5Error::BadVersion);
                }
                match self.reply[1] {
                    0 => self.send_request(),
                    s => Err(Socks5Error::AuthFailed(s)),
                }
            }
            Stage::Connect if self.reply_len == 5 => {
                // The head is in: the address type tells the full length
                // (the 5th byte is already the first of the address).
                self.reply_len = match self.reply[3] {
                    ATYP_IPV4 => 4 + 4 + 2,
                    ATYP_IPV6 => 4 + 16 + 2,
                    ATYP_DOMAIN => 5 + usize::from(self.reply[4]) + 2,
                    t => return Err(Socks5Error::BadAddressType(t)),
                };
                Ok(())
            }
            Stage::Connect => {
                if self.reply[0] != VERSION {
                    return Err(Socks5Error::BadVersion);
                }
                match self.reply[1] {
                    0 => {
                        self.stage = Stage::Done;
                        self.reply.clear();
                        Ok(())
                    }
                    c => Err(Socks5Error::RequestFailed(c)),
                }
            }
            Stage::Done | Stage::Failed(_) => Ok(()),
        }
    }

    /// Queues `01 ulen user plen pass` and waits for its 2-byte reply.
    fn send_credentials(&mut self) -> Result<(), Socks5Error> {
        let user = self.username.as_deref().unwrap_or_default();
        let pass = self.password.as_deref().unwrap_or_default();
        let (Ok(ulen), Ok(plen)) = (u8::try_from(user.len()), u8::try_from(pass.len())) else {
            return Err(Socks5Error::CredentialTooLong);
        };
        let mut msg = Vec::with_capacity(3 + user.len() + pass.len());
        msg.push(AUTH_VERSION);
        msg.push(ulen);
        msg.extend_from_slice(user);
        msg.push(plen);
        msg.extend_from_slice(pass);
        self.queue(msg, Stage::Auth, 2);
        Ok(())
    }

    /// Queues the CONNECT request and waits for the reply's first 5 bytes.
    fn send_request(&mut self) -> Result<(), Socks5Error> {
        let mut msg = vec![VERSION, CMD_CONNECT, 0];
        if let Ok(v4) = self.host.parse::<Ipv4Addr>() {
            msg.push(ATYP_IPV4);
            msg.extend_from_slice(&v4.octets());
        } else if let Ok(v6) = self.host.parse::<Ipv6Addr>() {
            msg.push(ATYP_IPV6);
            msg.extend_from_slice(&v6.octets());
        } else {
            let len = u8::try_from(self.host.len()).map_err(|_| Socks5Error::HostTooLong)?;
            msg.push(ATYP_DOMAIN);
            msg.push(len);
            msg.extend_from_slice(self.host.as_bytes());
        }
        msg.extend_from_slice(&self.port.to_be_bytes());
        self.queue(msg, Stage::Connect, 5);
        Ok(())
    }

    fn queue(&mut self, msg: Vec<u8>, stage: Stage, reply_len: usize) {
        self.out.extend_from_slice(&msg);
        self.stage = stage;
        self.reply.clear();
        self.reply_len = reply_len;
    }

    /// Moves the handshake along over a non-blocking stream: sends what is
    /// queued, reads what is needed, until it would block. Returns `true`
    /// once the tunnel is up.
    ///
    /// I/O failures map as the original's do: end of stream is
    /// [`Socks5Error::ProxyClosed`], `ECONNRESET` is
    /// [`Socks5Error::ConnectionReset`], other errors are
    /// [`TransportError::Os`].
    pub fn pump(&mut self, stream: &Stream) -> Result<bool, TransportError> {
        let mut buf = [0u8; 64];
        loop {
            while self.wants_write() {
                match stream.write(self.output()) {
                    Ok(n) => self.advance_output(n),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                    Err(e) => return Err(io_failure(e)),
                }
            }
            let want = self.bytes_needed().min(buf.len());
            if want == 0 {
                if let Stage::Failed(e) = &self.stage {
                    return Err(TransportError::Socks(e.clone()));
                }
                return Ok(self.is_done());
            }
            match stream.read(&mut buf[..want]) {
                Ok(0) => return Err(TransportError::Socks(Socks5Error::ProxyClosed)),
                Ok(n) => {
                    self.feed(&buf[..n])?;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io_failure(e)),
            }
        }
    }
}

/// Maps an I/O error during the handshake as the original does.
fn io_failure(e: io::Error) -> TransportError {
    if e.raw_os_error() == Some(libc::ECONNRESET) {
        TransportError::Socks(Socks5Error::ConnectionReset)
    } else {
        TransportError::Os(e)
    }
}

#[cfg(test)]
mod tests;
