//! Debian's `mosquitto_pub` and `mosquitto_sub`, run on our library or on
//! the reference one.

use std::process::{Command, Output};
use std::time::Duration;

use super::common::{command_with, Lib};
use super::run::{run_with_timeout, LineProcess};

/// How long a `mosquitto_pub` run may take.
pub const PUB_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a starting `mosquitto_sub` has to report its SUBACK.
pub const SUB_TIMEOUT: Duration = Duration::from_secs(5);

/// A `mosquitto_pub` command with `args` on `lib` (not yet run).
pub fn pub_command(lib: Lib, args: &[String]) -> Command {
    let mut cmd = command_with(lib, "mosquitto_pub");
    cmd.args(args);
    cmd
}

/// Runs `mosquitto_pub` with `args` on `lib` (killed after 10 s).
pub fn mosquitto_pub(lib: Lib, args: &[String]) -> Output {
    run_with_timeout(&mut pub_command(lib, args), PUB_TIMEOUT)
}

/// Starts `mosquitto_sub -d` with `args` on `lib` and waits until it has
/// received its SUBACK, so that messages published afterwards reach it.
/// Its stdout then carries the messages (as `-v`/`-F` format them)
/// interleaved with `-d` debug lines starting with "Client ".
///
/// It runs under `stdbuf -oL`, as its debug lines are not flushed when
/// stdout is a pipe.
pub fn mosquitto_sub(lib: Lib, args: &[String]) -> LineProcess {
    let mut cmd = command_with(lib, "stdbuf");
    cmd.args(["-oL", "mosquitto_sub", "-d"]).args(args);
    let mut sub = LineProcess::spawn(&mut cmd);
    sub.wait_for_line(SUB_TIMEOUT, |l| l.contains("received SUBACK"));
    sub
}

/// The next message line of a `-d` subscriber, skipping debug lines;
/// panics if none comes within `timeout`.
pub fn next_message(sub: &mut LineProcess, timeout: Duration) -> String {
    sub.wait_for_line(timeout, |l| {
        !l.starts_with("Client ") && !l.starts_with("Subscribed")
    })
}

/// Builds an argument vector from string slices and owned strings.
pub fn args<I, S>(parts: I) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    parts.into_iter().map(Into::into).collect()
}
