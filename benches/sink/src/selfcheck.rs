//! `--selfcheck`: measures the sink's own ingest and flood rates with a raw
//! socket peer (pre-encoded packets, no MQTT library), to show that the sink
//! is not what limits the benchmark.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::Instant;

use crate::conn::{push_varint, DONE_TOPIC, REPORT_TOPIC};

/// CONNECT for MQTT 3.1.1, empty client id, clean session, keepalive 60.
const CONNECT: &[u8] = &[0x10, 12, 0, 4, b'M', b'Q', b'T', b'T', 4, 2, 0, 60, 0, 0];

/// Encodes a QoS 0 PUBLISH.
fn publish(topic: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut p = vec![0x30];
    push_varint(&mut p, 2 + topic.len() + payload.len());
    p.extend_from_slice(&(topic.len() as u16).to_be_bytes());
    p.extend_from_slice(topic);
    p.extend_from_slice(payload);
    p
}

/// Connects to the sink and completes CONNECT/CONNACK.
fn connect(port: u16) -> io::Result<TcpStream> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_nodelay(true)?;
    s.write_all(CONNECT)?;
    let mut connack = [0u8; 4];
    s.read_exact(&mut connack)?;
    Ok(s)
}

/// Blasts `msgs` pre-encoded PUBLISHes of `size` bytes; returns msgs/s.
fn ingest(port: u16, msgs: u64, size: usize) -> io::Result<f64> {
    let mut s = connect(port)?;
    let one = publish(b"bench/selfcheck", &vec![b'x'; size]);
    let per_batch = (256 * 1024 / one.len()).max(1) as u64;
    let batch: Vec<u8> = one.repeat(per_batch as usize);
    let start = Instant::now();
    let mut sent = 0;
    while sent + per_batch <= msgs {
        s.write_all(&batch)?;
        sent += per_batch;
    }
    while sent < msgs {
        s.write_all(&one)?;
        sent += 1;
    }
    s.write_all(&publish(DONE_TOPIC, b""))?;
    // The report: 0x30, length, topic, "<msgs> <bytes>".
    let mut head = [0u8; 2];
    s.read_exact(&mut head)?;
    let mut body = vec![0u8; head[1] as usize];
    s.read_exact(&mut body)?;
    let secs = start.elapsed().as_secs_f64();
    let text = String::from_utf8_lossy(&body[2 + REPORT_TOPIC.len()..]).into_owned();
    let expect = format!("{} {}", msgs, msgs * size as u64);
    if text != expect {
        return Err(io::Error::other(format!(
            "sink counted {text}, sent {expect}"
        )));
    }
    Ok(msgs as f64 / secs)
}

/// Subscribes to a QoS 0 flood of `msgs` messages; returns msgs/s received.
fn flood(port: u16, msgs: u64, size: usize) -> io::Result<f64> {
    let mut s = connect(port)?;
    let topic = format!("flood/0/{msgs}/{size}");
    let mut sub = vec![0x82];
    push_varint(&mut sub, 2 + 2 + topic.len() + 1);
    sub.extend_from_slice(&[0, 1]);
    sub.extend_from_slice(&(topic.len() as u16).to_be_bytes());
    sub.extend_from_slice(topic.as_bytes());
    sub.push(0);
    let one = publish(b"flood", &vec![0; size]).len() as u64;
    let start = Instant::now();
    s.write_all(&sub)?;
    let mut want = 5 + msgs * one;
    let mut buf = vec![0u8; 256 * 1024];
    while want > 0 {
        let n = s.read(&mut buf)?;
        if n == 0 {
            return Err(io::Error::other("sink closed during flood"));
        }
        want = want.saturating_sub(n as u64);
    }
    Ok(msgs as f64 / start.elapsed().as_secs_f64())
}

/// Runs the self-check against a sink served from a background thread.
pub fn run() -> io::Result<()> {
    let listener = crate::server::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?;
    let port = listener.local_addr()?.port();
    std::thread::spawn(move || crate::server::run(listener));
    for (msgs, size) in [(5_000_000u64, 64usize), (200_000, 4096)] {
        let rate = ingest(port, msgs, size)?;
        println!(
            "SELFCHECK ingest payload={size} msgs={msgs} rate={rate:.0} msgs/s ({:.0} MB/s)",
            rate * size as f64 / 1e6
        );
    }
    let rate = flood(port, 5_000_000, 64)?;
    println!("SELFCHECK flood qos=0 payload=64 msgs=5000000 rate={rate:.0} msgs/s");
    Ok(())
}
