//! Differential runs of one C trace program: [`trace_on`] runs it on one
//! library (checking that it loaded that library and finished), and
//! [`assert_same_lines`] compares the reference's output with ours, showing
//! a unified-style diff of the differing stretches on failure.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::common::{self, command_with, Lib};
use super::run::{describe, run_timed};

/// How long one trace program may run.
pub const TRACE_TIMEOUT: Duration = Duration::from_secs(90);

/// Unchanged lines shown around each differing stretch.
const CONTEXT: usize = 3;

/// Most diff lines shown in a failure message (both outputs are saved in
/// full).
const SHOW: usize = 120;

/// Compiles the C program `tests/c/<name>.c` against the system header into
/// the scratch folder `scratch` and returns the executable.
pub fn compile_trace(name: &str, scratch: &str) -> PathBuf {
    let src = common::root().join(format!("tests/c/{name}.c"));
    let exe = common::scratch(scratch).join(name);
    common::compile(
        &[&src],
        &exe,
        &["-O1", "-Wall", "-Wextra", "-Werror", "-lmosquitto", "-ldl"],
        false,
    );
    exe
}

/// Runs `exe args` on `lib`; panics unless it reported loading that library
/// (a `LOADED <path>` line on stderr) and printed `END` last. Returns stdout.
pub fn trace_on(lib: Lib, exe: &Path, args: &[String]) -> String {
    let (output, timed_out) = run_timed(command_with(lib, exe).args(args), None, TRACE_TIMEOUT);
    let what = format!("{} on {lib:?}", exe.display());
    assert!(!timed_out, "{what} timed out\n{}", describe(&output));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let expected = match lib {
        Lib::Ours => common::our_lib(),
        Lib::Reference => common::reference_lib(),
    };
    let expected = expected.canonicalize().expect("canonical library path");
    let loaded = stderr.lines().find_map(|l| l.strip_prefix("LOADED "));
    assert_eq!(
        loaded.map(PathBuf::from),
        Some(expected),
        "{what} loaded the wrong library\n{}",
        describe(&output)
    );
    assert!(
        output.status.success() && stdout.ends_with("END\n"),
        "{what} did not finish\n{}",
        describe(&output)
    );
    stdout
}

/// Panics with a diff unless `ours` has exactly the lines of `reference`.
/// Both are saved as `<what>.reference.txt` and `<what>.ours.txt` in the
/// scratch folder `scratch`.
pub fn assert_same_lines(scratch: &str, what: &str, reference: &str, ours: &str) {
    let a: Vec<&str> = reference.lines().collect();
    let b: Vec<&str> = ours.lines().collect();
    if a == b {
        return;
    }
    let dir = common::scratch(scratch);
    let (rpath, opath) = (
        dir.join(format!("{what}.reference.txt")),
        dir.join(format!("{what}.ours.txt")),
    );
    std::fs::write(&rpath, reference).unwrap();
    std::fs::write(&opath, ours).unwrap();
    let lines = unified(&a, &b);
    let shown = lines.len().min(SHOW);
    panic!(
        "{what}: ours differs from the reference (- reference, + ours; {} and {}):\n{}{}",
        rpath.display(),
        opath.display(),
        lines[..shown].join("\n"),
        if shown < lines.len() { "\n..." } else { "" }
    );
}

/// A line diff of `a` and `b` (longest common subsequence), as `-`/`+`
/// lines with [`CONTEXT`] unchanged lines around each change.
fn unified(a: &[&str], b: &[&str]) -> Vec<String> {
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    // (tag, line number in a or b, text), tag ' ', '-' or '+'.
    let mut ops: Vec<(char, usize, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            ops.push((' ', i, a[i]));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            ops.push(('+', j, b[j]));
            j += 1;
        } else {
            ops.push(('-', i, a[i]));
            i += 1;
        }
    }
    let near_change = |k: usize| {
        let lo = k.saturating_sub(CONTEXT);
        let hi = (k + CONTEXT + 1).min(ops.len());
        ops[lo..hi].iter().any(|(t, _, _)| *t != ' ')
    };
    let mut out = Vec::new();
    let mut skipped = false;
    for (k, (tag, n, text)) in ops.iter().enumerate() {
        if near_change(k) {
            if skipped || (out.is_empty() && k > 0) {
                let side = if *tag == '+' { "ours" } else { "reference" };
                out.push(format!("@@ {side} line {} @@", n + 1));
            }
            skipped = false;
            out.push(format!("{tag} {text}"));
        } else {
            skipped = true;
        }
    }
    out
}
