//! Running programs with a deadline: one-shot commands whose output is
//! collected ([`run_with_timeout`], [`run_ok`]) and long-running ones whose
//! stdout is read line by line ([`LineProcess`]).

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How often a waiting helper looks at a child again.
const POLL: Duration = Duration::from_millis(5);

/// Reads a pipe to its end on a thread; the handle yields the bytes.
fn drain(pipe: Option<impl Read + Send + 'static>) -> JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut bytes);
        }
        bytes
    })
}

/// Waits for `child` until `deadline`; returns `None` if it is still
/// running then.
fn wait_until(child: &mut Child, deadline: Instant) -> Option<ExitStatus> {
    loop {
        if let Some(status) = child.try_wait().expect("wait for a child") {
            return Some(status);
        }
        if Instant::now() >= deadline {
            return None;
        }
        thread::sleep(POLL);
    }
}

/// Runs `cmd` with `input` on its stdin, killing it after `timeout`.
/// Returns its output and whether it had to be killed.
pub fn run_timed(cmd: &mut Command, input: Option<&[u8]>, timeout: Duration) -> (Output, bool) {
    cmd.stdin(if input.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    if let (Some(data), Some(mut stdin)) = (input, child.stdin.take()) {
        let data = data.to_vec();
        // A writer thread, so a child that does not read cannot block us.
        thread::spawn(move || {
            let _ = stdin.write_all(&data);
        });
    }
    let deadline = Instant::now() + timeout;
    let (status, timed_out) = match wait_until(&mut child, deadline) {
        Some(status) => (status, false),
        None => {
            let _ = child.kill();
            (child.wait().expect("wait for a killed child"), true)
        }
    };
    let output = Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    };
    (output, timed_out)
}

/// Runs `cmd` (stdin empty), killing it after `timeout`; a killed
/// program's status reports SIGKILL.
pub fn run_with_timeout(cmd: &mut Command, timeout: Duration) -> Output {
    run_timed(cmd, None, timeout).0
}

/// Runs `cmd` with `input` on its stdin, killing it after `timeout`.
pub fn run_with_input(cmd: &mut Command, input: &[u8], timeout: Duration) -> Output {
    run_timed(cmd, Some(input), timeout).0
}

/// Formats a command's output for a failure message.
pub fn describe(output: &Output) -> String {
    format!(
        "status {}\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Runs `cmd` with a deadline and panics, showing its output, unless it
/// exits successfully in time.
pub fn run_ok(cmd: &mut Command, timeout: Duration) -> Output {
    let (output, timed_out) = run_timed(cmd, None, timeout);
    assert!(
        !timed_out,
        "{cmd:?} did not finish within {timeout:?}\n{}",
        describe(&output)
    );
    assert!(
        output.status.success(),
        "{cmd:?} failed\n{}",
        describe(&output)
    );
    output
}

/// A long-running child whose stdout is read line by line with timeouts
/// and whose stderr is collected. Dropping it kills the child.
pub struct LineProcess {
    child: Child,
    what: String,
    lines: Receiver<String>,
    seen: Vec<String>,
    stderr: Arc<Mutex<Vec<u8>>>,
}

impl LineProcess {
    /// Starts `cmd` with stdin empty and stdout/stderr captured.
    pub fn spawn(cmd: &mut Command) -> LineProcess {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let what = format!("{cmd:?}");
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
        let (tx, lines) = mpsc::channel();
        let stdout = child.stdout.take().expect("piped stdout");
        thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = Vec::new();
            loop {
                line.clear();
                match reader.read_until(b'\n', &mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        if line.last() == Some(&b'\n') {
                            line.pop();
                        }
                        let text = String::from_utf8_lossy(&line).into_owned();
                        if tx.send(text).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&stderr);
        let mut pipe = child.stderr.take().expect("piped stderr");
        thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        LineProcess {
            child,
            what,
            lines,
            seen: Vec::new(),
            stderr,
        }
    }

    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The next stdout line (without its newline), or `None` if none came
    /// within `timeout` or stdout was closed.
    pub fn next_line(&mut self, timeout: Duration) -> Option<String> {
        match self.lines.recv_timeout(timeout) {
            Ok(line) => {
                self.seen.push(line.clone());
                Some(line)
            }
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => None,
        }
    }

    /// The next stdout line; panics with the process's output if none
    /// comes within `timeout`.
    pub fn expect_line(&mut self, timeout: Duration) -> String {
        match self.next_line(timeout) {
            Some(line) => line,
            None => panic!("no line within {timeout:?}\n{}", self.describe()),
        }
    }

    /// Reads lines until one satisfies `pred` and returns it, skipping the
    /// others; panics with the process's output if none does within
    /// `timeout`.
    pub fn wait_for_line(
        &mut self,
        timeout: Duration,
        mut pred: impl FnMut(&str) -> bool,
    ) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.next_line(left) {
                Some(line) if pred(&line) => return line,
                Some(_) => continue,
                None => panic!("no matching line within {timeout:?}\n{}", self.describe()),
            }
        }
    }

    /// Asserts that no stdout line arrives during `period`.
    pub fn expect_no_line(&mut self, period: Duration) {
        if let Some(line) = self.next_line(period) {
            panic!("unexpected line {line:?}\n{}", self.describe());
        }
    }

    /// Every stdout line read so far.
    pub fn seen(&self) -> &[String] {
        &self.seen
    }

    /// What the child wrote to stderr so far.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }

    /// Waits up to `timeout` for the child to exit by itself.
    pub fn wait_timeout(&mut self, timeout: Duration) -> Option<ExitStatus> {
        wait_until(&mut self.child, Instant::now() + timeout)
    }

    /// Kills the child (if still running) and reaps it.
    pub fn kill(&mut self) -> ExitStatus {
        let _ = self.child.kill();
        self.child.wait().expect("wait for a killed child")
    }

    /// The command, the lines read so far and stderr, for failure messages.
    pub fn describe(&self) -> String {
        format!(
            "{}\n--- stdout lines read\n{}\n--- stderr\n{}",
            self.what,
            self.seen.join("\n"),
            self.stderr()
        )
    }
}

impl Drop for LineProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
