//! tests/c/packet_probe.c, a small C client linked `-lmosquitto`, run on
//! Debian's library against a [`FakeBroker`]: what the reference does with
//! the bytes a test's broker sends, to compare with what ours does.

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

use mosquitto::protocol::packet::PacketType;

use super::common::{self, command_with, Lib};
use super::FakeBroker;

/// How long the probe may run.
const PROBE_LIMIT: Duration = Duration::from_secs(8);

/// The probe, compiled once per test binary.
pub fn packet_probe() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| {
        let src = common::root().join("tests/c/packet_probe.c");
        // Test binaries run at the same time: each builds its own copy.
        let binary = std::env::current_exe().expect("the test binary's path");
        let stem = binary.file_stem().expect("a file name").to_string_lossy();
        // "packet_level-<hash>": the test's name, without cargo's hash.
        let name = stem.rsplit_once('-').map_or(&*stem, |(name, _)| name);
        let exe = common::scratch(&format!("packet_probe-{name}")).join("packet_probe");
        let args = [
            "-O1",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-I/usr/include",
            "-lmosquitto",
        ];
        common::compile(&[&src], &exe, &args, false);
        exe
    })
}

/// Runs the probe on the reference library against a new fake broker,
/// with the broker's port and then `args` as arguments and `envs` in its
/// environment. The broker accepts the probe's connection and reads its
/// CONNECT, then `script` plays the broker. Panics when the probe has not
/// ended within 8 s.
pub fn run_on_reference(
    args: &[String],
    envs: &[(&str, &str)],
    script: impl FnOnce(&mut FakeBroker),
) -> Output {
    let mut fake = FakeBroker::new();
    let mut cmd = command_with(Lib::Reference, packet_probe());
    cmd.arg(fake.port().to_string()).args(args);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the probe");
    fake.accept();
    fake.expect_type(PacketType::Connect);
    script(&mut fake);
    let deadline = Instant::now() + PROBE_LIMIT;
    while child.try_wait().expect("wait for the probe").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the probe did not finish within {PROBE_LIMIT:?}");
        }
        thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().expect("the probe's output")
}
