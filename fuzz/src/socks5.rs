//! `socks5`: the SOCKS5 client handshake against arbitrary proxy replies,
//! fed byte by byte and in pieces, which must come to the same end.

use mosquitto::transport::socks5::{Socks5, Socks5Error};

/// The targets and credentials the first byte chooses from.
const HOSTS: [&str; 4] = ["127.0.0.1", "::1", "broker.example", ""];

/// What a handshake did: every byte it sent, how many reply bytes it
/// used (0 after a failure: a failing `feed` does not say), and how it
/// ended (`Ok(true)` connected, `Ok(false)` waiting).
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    sent: Vec<u8>,
    used: usize,
    end: Result<bool, Socks5Error>,
}

/// First byte: bits 0-1 the host, bit 2 a username, bit 3 a password,
/// bits 4-7 the piece size (0 = all at once); the rest is the proxy's
/// replies.
pub fn socks5(data: &[u8]) {
    let Some((&config, replies)) = data.split_first() else {
        return;
    };
    let bytewise = run(config, replies, 1);
    let piece = usize::from(config >> 4);
    let pieces = run(config, replies, if piece == 0 { usize::MAX } else { piece });
    assert_eq!(bytewise, pieces, "feeding in pieces differs");
}

/// Runs one handshake, feeding `replies` in pieces of `piece` bytes.
fn run(config: u8, replies: &[u8], piece: usize) -> Outcome {
    let host = HOSTS[usize::from(config & 3)];
    let user = (config & 4 != 0).then_some(&b"user"[..]);
    let password = (config & 8 != 0).then_some(&b"secret"[..]);
    let mut s = Socks5::new(host, 1883, user, password);
    let mut out = Outcome {
        sent: Vec::new(),
        used: 0,
        end: Ok(false),
    };
    loop {
        take_output(&mut s, &mut out.sent);
        let rest = &replies[out.used..];
        let chunk = &rest[..rest.len().min(piece)];
        let fed = s.feed(chunk);
        // What the replies handled queued (also before a failing one).
        take_output(&mut s, &mut out.sent);
        match fed {
            Ok(used) => {
                assert!(used <= chunk.len(), "used {used}");
                out.used += used;
                if s.is_done() {
                    assert_eq!(s.bytes_needed(), 0);
                    out.end = Ok(true);
                    return out;
                }
                if used == 0 {
                    assert!(chunk.is_empty(), "a waiting handshake took nothing");
                    return out;
                }
            }
            Err(e) => {
                // A failure sticks, and the handshake asks for nothing more.
                assert_eq!(s.feed(b"\x05\x00").unwrap_err(), e);
                assert_eq!(s.bytes_needed(), 0);
                assert!(!s.is_done());
                out.used = 0;
                out.end = Err(e);
                return out;
            }
        }
    }
}

/// Moves everything the handshake has to send into `sent`.
fn take_output(s: &mut Socks5, sent: &mut Vec<u8>) {
    sent.extend_from_slice(s.output());
    let n = s.output().len();
    s.advance_output(n);
    assert!(!s.wants_write());
}
