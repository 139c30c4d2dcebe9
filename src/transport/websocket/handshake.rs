//! The WebSocket opening handshake (RFC 6455 section 4), client side: the
//! HTTP/1.1 upgrade request and the checks on the broker's answer.
//!
//! Failures are [`HandshakeError`]s, reported as the original 2.1 library
//! does: `MOSQ_ERR_UNKNOWN` for a refused or malformed answer,
//! `MOSQ_ERR_NOT_SUPPORTED` for another WebSocket version, and
//! `MOSQ_ERR_CONN_LOST` when the answer outgrows the header size limit.

use std::fmt;
use std::io;

use base64ct::{Base64, Encoding};
use ring::digest::{digest, SHA1_FOR_LEGACY_USE_ONLY};

use crate::transport::ErrorCode;

/// The GUID RFC 6455 appends to the key before hashing.
const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// Why the upgrade to WebSocket failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandshakeError {
    /// The answer is not "101 Switching Protocols", lacks a header the
    /// upgrade needs, or carries a wrong accept key.
    Refused(String),
    /// The broker speaks another WebSocket version.
    Version,
    /// The answer's header is longer than `MOSQ_OPT_HTTP_HEADER_SIZE`.
    TooLarge,
    /// No random bytes for the key or a mask.
    Random,
}

impl HandshakeError {
    /// What the original returns for this failure.
    pub fn code(&self) -> ErrorCode {
        match self {
            HandshakeError::Refused(_) | HandshakeError::Random => ErrorCode::Unknown,
            HandshakeError::Version => ErrorCode::NotSupported,
            HandshakeError::TooLarge => ErrorCode::ConnLost,
        }
    }

    /// The [`HandshakeError`] inside an `io::Error` from the WebSocket
    /// stream, if any.
    pub fn from_io(e: &io::Error) -> Option<&HandshakeError> {
        e.get_ref()
            .and_then(|inner| inner.downcast_ref::<HandshakeError>())
    }

    /// Wraps this error in an `io::Error`.
    pub fn into_io(self) -> io::Error {
        io::Error::other(self)
    }
}

impl fmt::Display for HandshakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HandshakeError::Refused(why) => write!(f, "WebSocket upgrade refused: {why}"),
            HandshakeError::Version => f.write_str("WebSocket version not supported by the broker"),
            HandshakeError::TooLarge => f.write_str("WebSocket upgrade answer too large"),
            HandshakeError::Random => f.write_str("no random bytes for WebSocket"),
        }
    }
}

impl std::error::Error for HandshakeError {}

/// Standard base64 (RFC 4648, with padding).
pub fn base64(data: &[u8]) -> String {
    Base64::encode_string(data)
}

/// The `Sec-WebSocket-Key` for 16 random bytes.
pub fn request_key(random: &[u8; 16]) -> String {
    base64(random)
}

/// The `Sec-WebSocket-Accept` a server must answer to `key`.
pub fn accept_key(key: &str) -> String {
    // RFC 6455 fixes SHA-1 here; the key is public, so its weakness
    // protects nothing that matters.
    let text = [key.as_bytes(), GUID.as_bytes()].concat();
    base64(digest(&SHA1_FOR_LEGACY_USE_ONLY, &text).as_ref())
}

/// The `Host` header's value: the host (an IPv6 address in brackets),
/// with the port unless it is the scheme's default (80, or 443 with TLS).
/// A unix socket (port 0) gives the path as is.
pub fn host_header(host: &str, port: u16, tls: bool) -> String {
    let host = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_string()
    };
    let default = if tls { 443 } else { 80 };
    if port == 0 || port == default {
        host
    } else {
        format!("{host}:{port}")
    }
}

/// The upgrade request for `path` on `host` (a [`host_header`] value).
pub fn request(path: &[u8], host: &str, key: &str) -> Vec<u8> {
    let mut r = b"GET ".to_vec();
    r.extend_from_slice(path);
    r.extend_from_slice(b" HTTP/1.1\r\nHost: ");
    r.extend_from_slice(host.as_bytes());
    r.extend_from_slice(b"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ");
    r.extend_from_slice(key.as_bytes());
    r.extend_from_slice(b"\r\nSec-WebSocket-Protocol: mqtt\r\nSec-WebSocket-Version: 13\r\n\r\n");
    r
}

/// The length of the HTTP header at the start of `buf` (up to and
/// including the empty line ending it), once it is all there.
pub fn header_len(buf: &[u8]) -> Option<usize> {
    for (i, _) in buf.iter().enumerate().filter(|(_, &b)| b == b'\n') {
        match &buf[i + 1..] {
            [b'\n', ..] => return Some(i + 2),
            [b'\r', b'\n', ..] => return Some(i + 3),
            _ => {}
        }
    }
    None
}

/// Checks the broker's answer `head` (a whole header, see [`header_len`])
/// to a request whose key gives `expected_accept`.
pub fn check_response(head: &[u8], expected_accept: &str) -> Result<(), HandshakeError> {
    let refused = |why: &str| HandshakeError::Refused(why.to_string());
    let text = std::str::from_utf8(head).map_err(|_| refused("answer is not text"))?;
    let mut lines = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .take_while(|l| !l.is_empty());
    let status = lines.next().unwrap_or_default();
    let mut parts = status.split(' ').filter(|p| !p.is_empty());
    let version = parts.next().unwrap_or_default();
    let code = parts.next().unwrap_or_default();
    if !version.starts_with("HTTP/1.") {
        return Err(refused("not an HTTP/1.x answer"));
    }
    if code != "101" {
        return Err(HandshakeError::Refused(format!("HTTP status {code}")));
    }
    let (mut upgrade, mut connection, mut protocol, mut accept) = (false, false, false, None);
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| refused("malformed header line"))?;
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "upgrade" => upgrade |= value.eq_ignore_ascii_case("websocket"),
            "connection" => {
                connection |= value
                    .split(',')
                    .any(|t| t.trim().eq_ignore_ascii_case("upgrade"));
            }
            "sec-websocket-protocol" => protocol |= value == "mqtt",
            "sec-websocket-accept" => accept = Some(value),
            "sec-websocket-version" if value != "13" => return Err(HandshakeError::Version),
            // We asked for no extension: frames of one would not decode.
            "sec-websocket-extensions" => return Err(refused("unrequested extension")),
            _ => {}
        }
    }
    if !upgrade {
        return Err(refused("no \"Upgrade: websocket\""));
    }
    if !connection {
        return Err(refused("no \"Connection: Upgrade\""));
    }
    if !protocol {
        return Err(refused("subprotocol \"mqtt\" not agreed"));
    }
    match accept {
        Some(a) if a == expected_accept => Ok(()),
        Some(_) => Err(refused("wrong Sec-WebSocket-Accept")),
        None => Err(refused("no Sec-WebSocket-Accept")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_of_rfc4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
        assert_eq!(base64(&[0xFB, 0xFF]), "+/8=");
    }

    #[test]
    fn accept_key_of_the_rfc_example() {
        // RFC 6455 section 1.3: the nonce "the sample nonce".
        let key = request_key(b"the sample nonce");
        assert_eq!(key, "dGhlIHNhbXBsZSBub25jZQ==");
        assert_eq!(accept_key(&key), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    #[test]
    fn request_names_path_host_key_and_protocol() {
        let r = request(b"/mqtt", &host_header("broker", 8080, false), "KEY==");
        let text = String::from_utf8(r).unwrap();
        assert_eq!(
            text,
            "GET /mqtt HTTP/1.1\r\nHost: broker:8080\r\nUpgrade: websocket\r\n\
             Connection: Upgrade\r\nSec-WebSocket-Key: KEY==\r\n\
             Sec-WebSocket-Protocol: mqtt\r\nSec-WebSocket-Version: 13\r\n\r\n"
        );
        assert_eq!(host_header("broker", 80, false), "broker");
        assert_eq!(host_header("broker", 80, true), "broker:80");
        assert_eq!(host_header("broker", 443, true), "broker");
        assert_eq!(host_header("::1", 9001, false), "[::1]:9001");
        assert_eq!(host_header("/run/mqtt.sock", 0, false), "/run/mqtt.sock");
    }

    #[test]
    fn header_len_finds_the_empty_line() {
        assert_eq!(header_len(b"HTTP/1.1 101 OK\r\nA: b\r\n"), None);
        assert_eq!(header_len(b"HTTP/1.1 101 OK\r\nA: b\r\n\r\nrest"), Some(25));
        assert_eq!(header_len(b"HTTP/1.1 101 OK\nA: b\n\nrest"), Some(22));
        assert_eq!(header_len(b""), None);
    }

    const ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    fn answer(lines: &[&str]) -> Vec<u8> {
        let mut s = lines.join("\r\n");
        s.push_str("\r\n\r\n");
        s.into_bytes()
    }

    fn good() -> Vec<&'static str> {
        vec![
            "HTTP/1.1 101 Switching Protocols",
            "Upgrade: WebSocket",
            "Connection: keep-alive, Upgrade",
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
            "Sec-WebSocket-Protocol: mqtt",
        ]
    }

    #[test]
    fn a_good_answer_passes_with_any_header_case() {
        assert_eq!(check_response(&answer(&good()), ACCEPT), Ok(()));
        let lower: Vec<String> = good().iter().map(|l| l.to_ascii_lowercase()).collect();
        let mut lower: Vec<&str> = lower.iter().map(String::as_str).collect();
        // Header names and the Upgrade/Connection tokens ignore case, the
        // status line's "HTTP" and the accept key do not.
        lower[0] = "HTTP/1.1 101 switching protocols";
        lower[3] = "sec-websocket-accept:s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
        lower[4] = "SEC-WEBSOCKET-PROTOCOL:   mqtt  ";
        assert_eq!(check_response(&answer(&lower), ACCEPT), Ok(()));
    }

    #[test]
    fn bad_answers_are_refused_with_the_original_codes() {
        let refused = |lines: Vec<&str>| {
            let e = check_response(&answer(&lines), ACCEPT).unwrap_err();
            e.code()
        };
        let mut status = good();
        status[0] = "HTTP/1.1 404 Not Found";
        assert_eq!(refused(status), ErrorCode::Unknown);
        let mut not_http = good();
        not_http[0] = "SSH-2.0-OpenSSH";
        assert_eq!(refused(not_http), ErrorCode::Unknown);
        for drop in 1..5 {
            let mut missing = good();
            missing.remove(drop);
            assert_eq!(refused(missing), ErrorCode::Unknown, "without line {drop}");
        }
        let mut wrong_key = good();
        wrong_key[3] = "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOO=";
        assert_eq!(refused(wrong_key), ErrorCode::Unknown);
        let mut wrong_protocol = good();
        wrong_protocol[4] = "Sec-WebSocket-Protocol: mqttv3.1";
        assert_eq!(refused(wrong_protocol), ErrorCode::Unknown);
        let mut wrong_upgrade = good();
        wrong_upgrade[1] = "Upgrade: h2c";
        assert_eq!(refused(wrong_upgrade), ErrorCode::Unknown);
        let mut version = good();
        version.push("Sec-WebSocket-Version: 8");
        assert_eq!(refused(version), ErrorCode::NotSupported);
        let mut thirteen = good();
        thirteen.push("Sec-WebSocket-Version: 13");
        assert_eq!(check_response(&answer(&thirteen), ACCEPT), Ok(()));
        let mut extension = good();
        extension.push("Sec-WebSocket-Extensions: permessage-deflate");
        assert_eq!(refused(extension), ErrorCode::Unknown);
        let mut garbage = good();
        garbage.push("no colon here");
        assert_eq!(refused(garbage), ErrorCode::Unknown);
        assert_eq!(HandshakeError::TooLarge.code(), ErrorCode::ConnLost);
    }

    #[test]
    fn errors_travel_inside_io_errors() {
        let io = HandshakeError::Version.into_io();
        assert_eq!(HandshakeError::from_io(&io), Some(&HandshakeError::Version));
        assert!(HandshakeError::from_io(&io::Error::other("x")).is_none());
    }
}
