//! A minimal MQTT sink for the benchmark suite (`make bench`).
//!
//! It listens on loopback, answers CONNECT, PUBLISH (QoS 1/2 acks), PUBREL,
//! SUBSCRIBE, UNSUBSCRIBE and PINGREQ, and counts the PUBLISHes of each
//! connection. A PUBLISH to `bench/done` is answered with a PUBLISH to
//! `bench/report` whose payload is `"<msgs> <payload bytes>"` counted on that
//! connection since the previous report. Subscribing to
//! `flood/<qos>/<count>/<size>[/<window>]` makes the sink send `count`
//! PUBLISHes of `size` bytes at `qos`, with at most `window` (default 100)
//! unacknowledged at a time.
//!
//! Usage: `mqtt-sink [--port N]` prints `PORT <n>` and serves forever;
//! `mqtt-sink --selfcheck` measures the sink's own ingest and flood rates.

mod conn;
mod selfcheck;
mod server;

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};

fn main() -> std::io::Result<()> {
    server::raise_nofile();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--selfcheck") {
        return selfcheck::run();
    }
    let port: u16 = match args.iter().position(|a| a == "--port") {
        Some(i) => args.get(i + 1).and_then(|p| p.parse().ok()).unwrap_or(0),
        None => 0,
    };
    let listener = server::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))?;
    println!("PORT {}", listener.local_addr()?.port());
    std::io::stdout().flush()?;
    server::run(listener)
}
