//! `ws_handshake`: the broker's answer to the WebSocket upgrade, as
//! arbitrary bytes: finding the end of its header and checking it.

use mosquitto::transport::websocket::handshake::{
    accept_key, check_response, header_len, request_key, HandshakeError,
};
use mosquitto::transport::ErrorCode;

/// The nonce the seeds' accept key is made from (RFC 6455's example).
pub const NONCE: &[u8; 16] = b"the sample nonce";

/// The whole input is what the broker sent after the request.
pub fn ws_handshake(data: &[u8]) {
    let accept = accept_key(&request_key(NONCE));
    // The header's end is found the same way in every prefix that has it.
    let whole = header_len(data);
    if let Some(n) = whole {
        assert!(n <= data.len());
        assert!(data[..n].ends_with(b"\n\n") || data[..n].ends_with(b"\n\r\n"));
        for cut in [n - 1, n] {
            let prefix = header_len(&data[..cut]);
            assert_eq!(prefix, (cut == n).then_some(n), "prefix of {cut} bytes");
        }
    }
    let head = &data[..whole.unwrap_or(data.len())];
    match check_response(head, &accept) {
        Ok(()) => {
            // Accepted: a 101 status line and the expected key are there.
            let text = std::str::from_utf8(head).expect("accepted answers are text");
            assert!(text.contains("HTTP/1."), "{text:?}");
            assert!(text.contains(&accept), "{text:?}");
        }
        Err(e) => {
            assert!(matches!(
                e,
                HandshakeError::Refused(_) | HandshakeError::Version
            ));
            assert!(matches!(
                e.code(),
                ErrorCode::NotSupported | ErrorCode::Unknown
            ));
        }
    }
}
