//! The fuzz targets of fuzz/ (cargo-fuzz, libFuzzer): a bounded smoke run
//! of each, failing on any crash, and a check that the seed corpus in
//! fuzz/corpus/ is what tests/fuzz_smoke/corpus.rs generates
//! (`MOSQ_BLESS=1 cargo test --test fuzz_smoke seed_corpus` rewrites it).
//!
//! cargo-fuzz passes nightly-only flags (`-Zsanitizer=address`, ...) to
//! rustc; the stable toolchain accepts them with `RUSTC_BOOTSTRAP=1`,
//! which is set for the fuzz build only. cargo-fuzz itself comes from the
//! PATH or is installed once into target/fuzz-tools/ (`cargo install`),
//! and the targets build into target/fuzz/. Each smoke run starts from
//! the seeds and writes what it finds into a scratch folder, never into
//! fuzz/corpus/. `MOSQ_FUZZ_SECONDS` changes the time per target.

mod support;
use support::common;
#[path = "fuzz_smoke/corpus.rs"]
mod corpus;
// The transport seeds call the library's TLS and WebSocket code; without
// those features only the packet and session seeds are checked.
#[cfg(all(feature = "tls", feature = "websockets"))]
#[path = "fuzz_smoke/transport_seeds.rs"]
mod transport_seeds;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Instant;

use mosquitto::protocol::packet::{decode, ProtocolVersion};

/// The cargo-fuzz release the smoke test installs when none is found.
const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// Seconds each target runs for in the smoke test.
const DEFAULT_SECONDS: u64 = 5;

fn fuzz_dir() -> PathBuf {
    common::root().join("fuzz")
}

/// `cargo-fuzz` from target/fuzz-tools, else from the PATH, else
/// installed into target/fuzz-tools (kept there for the next run).
fn cargo_fuzz() -> PathBuf {
    let root = common::root().join("target/fuzz-tools");
    let local = root.join("bin/cargo-fuzz");
    if local.exists() {
        return local;
    }
    if let Ok(out) = Command::new("cargo-fuzz").arg("--version").output() {
        if out.status.success() {
            return PathBuf::from("cargo-fuzz");
        }
    }
    let started = Instant::now();
    let status = Command::new(env!("CARGO"))
        .args(["install", "--locked", "cargo-fuzz", "--version"])
        .arg(CARGO_FUZZ_VERSION)
        .arg("--root")
        .arg(&root)
        .status()
        .expect("run cargo install");
    assert!(status.success(), "cargo install cargo-fuzz failed");
    eprintln!(
        "installed cargo-fuzz {CARGO_FUZZ_VERSION} in {:.0?}",
        started.elapsed()
    );
    local
}

/// Builds every fuzz target once; returns the folder of the binaries.
fn built() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let tool = cargo_fuzz();
        let target_dir = common::root().join("target/fuzz");
        let started = Instant::now();
        let out = Command::new(&tool)
            .args(["fuzz", "build", "--fuzz-dir"])
            .arg(fuzz_dir())
            .arg("--target-dir")
            .arg(&target_dir)
            .current_dir(common::root())
            .env("RUSTC_BOOTSTRAP", "1")
            .output()
            .expect("run cargo fuzz build");
        assert!(
            out.status.success(),
            "cargo fuzz build failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        eprintln!("built the fuzz targets in {:.0?}", started.elapsed());
        target_dir.join("x86_64-unknown-linux-gnu/release")
    })
}

/// Runs one target over its seeds for a bounded time; panics with the
/// crash report and the crashing input (hex) if libFuzzer finds one.
fn smoke(target: &str) {
    let bin = built().join(target);
    let scratch = common::scratch(&format!("fuzz-smoke/{target}"));
    let found = scratch.join("corpus");
    let artifacts = scratch.join("artifacts");
    for dir in [&found, &artifacts] {
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir).unwrap();
    }
    let seconds = std::env::var("MOSQ_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SECONDS);
    let started = Instant::now();
    let out = Command::new(&bin)
        .arg(format!("-max_total_time={seconds}"))
        .args(["-timeout=10", "-rss_limit_mb=2048", "-print_final_stats=1"])
        .arg(format!("-artifact_prefix={}/", artifacts.display()))
        .arg(&found)
        .arg(fuzz_dir().join("corpus").join(target))
        .output()
        .unwrap_or_else(|e| panic!("run {}: {e}", bin.display()));
    let log = String::from_utf8_lossy(&out.stderr);
    let runs = log
        .lines()
        .find_map(|l| l.strip_prefix("stat::number_of_executed_units:"))
        .map(str::trim)
        .unwrap_or("?");
    eprintln!("{target}: {runs} runs in {:.0?}", started.elapsed());
    if !out.status.success() {
        let crashes: Vec<String> = std::fs::read_dir(&artifacts)
            .unwrap()
            .flatten()
            .map(|e| {
                let bytes = std::fs::read(e.path()).unwrap_or_default();
                let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                format!("{}: {hex}", e.path().display())
            })
            .collect();
        let tail: Vec<&str> = log.lines().rev().take(60).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        panic!(
            "fuzz target {target} failed ({}):\n{}\ncrashing inputs:\n{}",
            out.status,
            tail.join("\n"),
            crashes.join("\n")
        );
    }
    assert_ne!(runs, "?", "no libFuzzer statistics in:\n{log}");
}

#[test]
fn smoke_decode_v31() {
    smoke("decode_v31");
}

#[test]
fn smoke_decode_v311() {
    smoke("decode_v311");
}

#[test]
fn smoke_decode_v5() {
    smoke("decode_v5");
}

#[test]
fn smoke_properties() {
    smoke("properties");
}

#[test]
fn smoke_topic_utf8() {
    smoke("topic_utf8");
}

#[test]
fn smoke_session() {
    smoke("session");
}

#[test]
fn smoke_ws_frames() {
    smoke("ws_frames");
}

#[test]
fn smoke_ws_handshake() {
    smoke("ws_handshake");
}

#[test]
fn smoke_socks5() {
    smoke("socks5");
}

#[test]
fn smoke_legacy_pem() {
    smoke("legacy_pem");
}

/// The seeds in fuzz/corpus/ are exactly the generated ones (rewritten
/// with `MOSQ_BLESS=1`), small, and the packet seeds are valid packets.
#[test]
fn seed_corpus_is_current() {
    let corpus = corpus::corpus();
    let bless = std::env::var_os("MOSQ_BLESS").is_some();
    let mut total = 0;
    for (target, seeds) in &corpus {
        let dir = fuzz_dir().join("corpus").join(target);
        if bless {
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            for (name, bytes) in seeds {
                std::fs::write(dir.join(name), bytes).unwrap();
            }
        }
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e} (MOSQ_BLESS=1 writes it)", dir.display()))
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        on_disk.sort();
        let names: Vec<String> = seeds.keys().cloned().collect();
        assert_eq!(on_disk, names, "{target}: seed files differ (MOSQ_BLESS=1)");
        for (name, bytes) in seeds {
            let file = std::fs::read(dir.join(name)).unwrap();
            assert_eq!(&file, bytes, "{target}/{name} is stale (MOSQ_BLESS=1)");
            total += bytes.len();
        }
    }
    assert!(total < 64 * 1024, "seed corpus is {total} bytes");
    for (target, v) in [
        ("decode_v31", ProtocolVersion::V31),
        ("decode_v311", ProtocolVersion::V311),
        ("decode_v5", ProtocolVersion::V5),
    ] {
        let seeds = &corpus[target];
        assert!(seeds.len() >= 18, "{target}: {} seeds", seeds.len());
        for (name, bytes) in seeds.iter().filter(|(n, _)| *n != "stream-of-all") {
            assert!(decode(bytes, v).is_ok(), "{target}/{name} does not decode");
        }
    }
}
