//! The WebSocket stream against a scripted server on a loopback socket.

use super::frame::tests::{open_client_frame, server_frame};
use super::frame::{OP_BINARY, OP_CLOSE, OP_CONTINUATION, OP_PING, OP_PONG, OP_TEXT};
use super::handshake::accept_key;
use super::*;
use crate::transport::ErrorCode;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

/// A WebSocket client stream and the server's end of its socket.
fn pair(settings: &WsSettings) -> (WsStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    client.set_nonblocking(true).unwrap();
    let (server, _) = listener.accept().unwrap();
    server
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let ws = WsStream::new(
        Arc::new(Stream::Tcp(client)),
        settings,
        "broker.test",
        9001,
        false,
    )
    .unwrap();
    (ws, server)
}

fn enabled() -> WsSettings {
    WsSettings {
        enabled: true,
        ..WsSettings::default()
    }
}

/// Reads the upgrade request on the server side; returns it.
fn read_request(server: &mut TcpStream) -> String {
    let mut req = Vec::new();
    let mut byte = [0u8];
    while !req.ends_with(b"\r\n\r\n") {
        assert_eq!(server.read(&mut byte).unwrap(), 1, "request cut short");
        req.push(byte[0]);
    }
    String::from_utf8(req).unwrap()
}

/// The key in a request.
fn key_of(request: &str) -> &str {
    request
        .lines()
        .find_map(|l| l.strip_prefix("Sec-WebSocket-Key: "))
        .expect("a Sec-WebSocket-Key header")
}

/// A 101 answer for `request`.
fn answer_for(request: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n",
        accept_key(key_of(request))
    )
    .into_bytes()
}

/// Calls `f` until it stops saying `WouldBlock` (polling the socket), for
/// at most 5 s.
fn retry<T>(ws: &WsStream, mut f: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match f() {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                assert!(Instant::now() < deadline, "still blocked after 5 s");
                let _ = crate::transport::poll(Some(ws.inner().as_fd()), false, None, 100);
            }
            other => return other,
        }
    }
}

/// Reads until `n` bytes of MQTT data have come.
fn read_n(ws: &WsStream, n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    while out.len() < n {
        let got = retry(ws, || ws.read(&mut buf)).unwrap();
        assert!(got > 0, "end of stream after {} bytes", out.len());
        out.extend_from_slice(&buf[..got]);
    }
    out
}

/// Reads one client frame on the server side: (opcode, payload).
fn read_frame(server: &mut TcpStream) -> (u8, Vec<u8>) {
    let mut head = [0u8; 2];
    server.read_exact(&mut head).unwrap();
    let ext = match head[1] & 0x7F {
        126 => 2,
        127 => 8,
        _ => 0,
    };
    let mut rest = vec![0u8; ext + 4];
    server.read_exact(&mut rest).unwrap();
    let mut frame = head.to_vec();
    frame.extend_from_slice(&rest);
    let len = match ext {
        2 => u16::from_be_bytes([rest[0], rest[1]]) as usize,
        8 => u64::from_be_bytes(rest[..8].try_into().unwrap()) as usize,
        _ => (head[1] & 0x7F) as usize,
    };
    let mut payload = vec![0u8; len];
    server.read_exact(&mut payload).unwrap();
    frame.extend_from_slice(&payload);
    let (op, clear, used) = open_client_frame(&frame);
    assert_eq!(used, frame.len());
    (op, clear)
}

/// A stream past the upgrade.
fn upgraded() -> (WsStream, TcpStream) {
    let (ws, mut server) = pair(&enabled());
    ws.flush().unwrap();
    let req = read_request(&mut server);
    server.write_all(&answer_for(&req)).unwrap();
    let mut buf = [0u8; 64];
    let deadline = Instant::now() + Duration::from_secs(5);
    while ws.handshaking() {
        assert!(Instant::now() < deadline, "the upgrade never completed");
        let _ = crate::transport::poll(Some(ws.inner().as_fd()), false, None, 100);
        match ws.read(&mut buf) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            other => panic!("{other:?}"),
        }
    }
    assert!(!ws.handshaking());
    (ws, server)
}

#[test]
fn the_request_goes_out_then_frames_wait_for_the_answer() {
    let settings = WsSettings {
        http_path: Some(b"/custom/path".to_vec()),
        ..enabled()
    };
    let (ws, mut server) = pair(&settings);
    assert!(ws.handshaking());
    // The request waits for a flush (or a read): the loop must see it.
    assert!(ws.wants_write());
    // CONNECT written before the upgrade is accepted and held.
    let connect = b"\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00";
    assert_eq!(ws.write(connect).unwrap(), connect.len());
    ws.flush().unwrap();
    assert!(
        !ws.wants_write(),
        "held frames need the answer, not the socket"
    );
    let req = read_request(&mut server);
    assert!(req.starts_with("GET /custom/path HTTP/1.1\r\n"), "{req}");
    assert!(req.contains("\r\nHost: broker.test:9001\r\n"), "{req}");
    assert!(req.contains("\r\nUpgrade: websocket\r\n"));
    assert!(req.contains("\r\nConnection: Upgrade\r\n"));
    assert!(req.contains("\r\nSec-WebSocket-Protocol: mqtt\r\n"));
    assert!(req.contains("\r\nSec-WebSocket-Version: 13\r\n"));
    assert_eq!(key_of(&req).len(), 24, "16 bytes in base64");
    // Nothing but the request before the answer.
    server.set_nonblocking(true).unwrap();
    let mut probe = [0u8; 1];
    assert_eq!(
        server.read(&mut probe).unwrap_err().kind(),
        io::ErrorKind::WouldBlock
    );
    server.set_nonblocking(false).unwrap();
    // The answer in two pieces, the first frame (a CONNACK) right after it.
    let mut answer = answer_for(&req);
    answer.extend(server_frame(OP_BINARY, true, b"\x20\x02\x00\x00"));
    let mut buf = [0u8; 64];
    server.write_all(&answer[..20]).unwrap();
    let _ = crate::transport::poll(Some(ws.inner().as_fd()), false, None, 1000);
    assert_eq!(
        ws.read(&mut buf).unwrap_err().kind(),
        io::ErrorKind::WouldBlock
    );
    assert!(ws.handshaking());
    server.write_all(&answer[20..]).unwrap();
    assert_eq!(read_n(&ws, 4), b"\x20\x02\x00\x00");
    assert!(!ws.handshaking());
    // The held CONNECT follows, in one masked binary frame.
    assert_eq!(read_frame(&mut server), (OP_BINARY, connect.to_vec()));
}

#[test]
fn keys_and_masks_are_random() {
    let (a, mut sa) = pair(&enabled());
    let (b, mut sb) = pair(&enabled());
    a.flush().unwrap();
    b.flush().unwrap();
    let (ra, rb) = (read_request(&mut sa), read_request(&mut sb));
    assert_ne!(key_of(&ra), key_of(&rb));
    drop((a, b));
    let (ws, mut server) = upgraded();
    ws.write(b"same").unwrap();
    ws.write(b"same").unwrap();
    let mut raw = [0u8; 20];
    server.read_exact(&mut raw).unwrap();
    assert_ne!(raw[2..6], raw[12..16], "a fresh mask for each frame");
    assert_ne!(&raw[6..10], b"same", "the payload is masked");
}

#[test]
fn writes_become_binary_frames_of_bounded_size() {
    let (ws, mut server) = upgraded();
    assert_eq!(ws.write2(b"ab", b"cd").unwrap(), 4);
    assert_eq!(read_frame(&mut server), (OP_BINARY, b"abcd".to_vec()));
    let big: Vec<u8> = (0..100_000).map(|i| (i % 253) as u8).collect();
    let reader = std::thread::spawn(move || {
        let mut got = Vec::new();
        let mut lens = Vec::new();
        while got.len() < 100_000 {
            let (op, payload) = read_frame(&mut server);
            assert_eq!(op, OP_BINARY);
            lens.push(payload.len());
            got.extend(payload);
        }
        (got, lens)
    });
    let mut sent = 0;
    while sent < big.len() {
        sent += retry(&ws, || {
            ws.flush()?;
            ws.write(&big[sent..])
        })
        .unwrap();
    }
    while ws.wants_write() {
        ws.flush().unwrap();
        let _ = crate::transport::poll(Some(ws.inner().as_fd()), true, None, 100);
    }
    let (got, lens) = reader.join().unwrap();
    assert_eq!(got, big);
    assert_eq!(lens, vec![65536, 100_000 - 65536], "64 KiB frames at most");
}

#[test]
fn fragmented_and_packed_frames_make_one_byte_stream() {
    let (ws, mut server) = upgraded();
    let publish = b"\x30\x0a\x00\x03a/bhello!";
    let mut input = server_frame(OP_BINARY, false, &publish[..3]);
    input.extend(server_frame(OP_PONG, true, b"ignored"));
    input.extend(server_frame(OP_CONTINUATION, false, &publish[3..7]));
    input.extend(server_frame(OP_CONTINUATION, true, &publish[7..]));
    let two = [&publish[..], &publish[..]].concat();
    input.extend(server_frame(OP_BINARY, true, &two));
    let long: Vec<u8> = (0..70_000).map(|i| i as u8).collect();
    input.extend(server_frame(OP_BINARY, true, &long));
    // Byte by byte for the small frames, then the rest.
    for b in &input[..40] {
        server.write_all(&[*b]).unwrap();
    }
    server.write_all(&input[40..]).unwrap();
    let expected = [&publish[..], &two, &long].concat();
    assert_eq!(read_n(&ws, expected.len()), expected);
}

#[test]
fn pings_get_pongs_and_a_close_gets_a_close_then_eof() {
    let (ws, mut server) = upgraded();
    server
        .write_all(&server_frame(OP_PING, true, b"are you there"))
        .unwrap();
    server
        .write_all(&server_frame(OP_BINARY, true, b"\xd0\x00"))
        .unwrap();
    assert_eq!(read_n(&ws, 2), b"\xd0\x00");
    assert_eq!(
        read_frame(&mut server),
        (OP_PONG, b"are you there".to_vec())
    );
    let mut close = server_frame(OP_CLOSE, true, &[0x03, 0xE9, b'b', b'y', b'e']);
    close.extend(server_frame(OP_BINARY, true, b"never seen"));
    server.write_all(&close).unwrap();
    let mut buf = [0u8; 64];
    assert_eq!(retry(&ws, || ws.read(&mut buf)).unwrap(), 0);
    assert_eq!(ws.read(&mut buf).unwrap(), 0, "stays at end of stream");
    assert_eq!(read_frame(&mut server), (OP_CLOSE, vec![0x03, 0xE9]));
    // No second close on shutdown.
    ws.shutdown().unwrap();
    let mut rest = Vec::new();
    server.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty(), "{rest:?}");
}

#[test]
fn shutdown_sends_a_normal_close() {
    let (ws, mut server) = upgraded();
    ws.shutdown().unwrap();
    assert_eq!(read_frame(&mut server), (OP_CLOSE, vec![0x03, 0xE8]));
    let mut rest = Vec::new();
    server.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty());
}

#[test]
fn forbidden_frames_fail_with_eproto() {
    for bad in [
        server_frame(OP_TEXT, true, b"{}"),
        server_frame(OP_CONTINUATION, true, b"x"),
        {
            let mut m = server_frame(OP_BINARY, true, b"");
            m[1] |= 0x80;
            m.extend_from_slice(&[1, 2, 3, 4]);
            m
        },
    ] {
        let (ws, mut server) = upgraded();
        server.write_all(&bad).unwrap();
        let mut buf = [0u8; 64];
        let e = retry(&ws, || ws.read(&mut buf)).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::EPROTO), "{bad:?}");
    }
}

#[test]
fn refused_upgrades_report_why() {
    let cases: [(&[u8], ErrorCode); 2] = [
        (
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
            ErrorCode::Unknown,
        ),
        (
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
              Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n",
            ErrorCode::Unknown,
        ),
    ];
    for (answer, code) in cases {
        let (ws, mut server) = pair(&enabled());
        ws.flush().unwrap();
        read_request(&mut server);
        server.write_all(answer).unwrap();
        let mut buf = [0u8; 64];
        let e = retry(&ws, || ws.read(&mut buf)).unwrap_err();
        let ws_err = HandshakeError::from_io(&e).expect("a handshake error");
        assert_eq!(ws_err.code(), code, "{ws_err}");
    }
}

#[test]
fn the_answer_header_is_limited() {
    let settings = WsSettings {
        header_size: 100,
        ..enabled()
    };
    let (ws, mut server) = pair(&settings);
    ws.flush().unwrap();
    let req = read_request(&mut server);
    // A proper answer longer than 100 bytes.
    server.write_all(&answer_for(&req)).unwrap();
    let mut buf = [0u8; 64];
    let e = retry(&ws, || ws.read(&mut buf)).unwrap_err();
    assert_eq!(HandshakeError::from_io(&e), Some(&HandshakeError::TooLarge));
    // The same answer passes the default limit.
    let (ws, mut server) = pair(&enabled());
    ws.flush().unwrap();
    let req = read_request(&mut server);
    server.write_all(&answer_for(&req)).unwrap();
    server
        .write_all(&server_frame(OP_BINARY, true, b"ok"))
        .unwrap();
    assert_eq!(read_n(&ws, 2), b"ok");
}

#[test]
fn end_of_stream_during_the_upgrade() {
    let (ws, mut server) = pair(&enabled());
    ws.flush().unwrap();
    read_request(&mut server);
    drop(server);
    let mut buf = [0u8; 64];
    assert_eq!(retry(&ws, || ws.read(&mut buf)).unwrap(), 0);
}
