//! Helpers shared by the integration tests: where the built library is, how
//! to compile a C test program, and how to run a program on our library or
//! on Debian's reference libmosquitto.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The library variant these tests were compiled for: the `make`
/// variables that build it (the crate's Cargo features, which the test
/// crates see too) and cargo's target folder for it. The default build
/// goes to target/; a variant without a feature to a folder of its own, so
/// that the two do not replace each other (`make test-minimal` uses
/// target/minimal/ too).
fn variant() -> (Vec<&'static str>, &'static str) {
    let tls = cfg!(feature = "tls");
    let ws = cfg!(feature = "websockets");
    let args = vec![
        if tls { "TLS=yes" } else { "TLS=no" },
        if ws {
            "WEBSOCKETS=yes"
        } else {
            "WEBSOCKETS=no"
        },
    ];
    let dir = match (tls, ws) {
        (true, true) => "target",
        (false, false) => "target/minimal",
        (false, true) => "target/no-tls",
        (true, false) => "target/no-websockets",
    };
    (args, dir)
}

/// The folder holding our `libmosquitto.so.1`: `MOSQ_LIB_DIR` when set,
/// else the release folder of this variant (target/release for the default
/// features, see [`variant`]), where the library is built with `make` (with
/// the same features) the first time a test process asks (a no-op when it
/// is current; `make test` sets `MOSQ_LIB_BUILT` because it has just built
/// it). So a plain `cargo test` (or `cargo test --no-default-features`)
/// never runs the integration tests against a stale or other library.
pub fn lib_dir() -> PathBuf {
    let dir = match std::env::var_os("MOSQ_LIB_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => {
            static BUILT: OnceLock<()> = OnceLock::new();
            BUILT.get_or_init(|| {
                if std::env::var_os("MOSQ_LIB_BUILT").is_none() {
                    build_library();
                }
            });
            root().join(variant().1).join("release")
        }
    };
    let lib = dir.join("libmosquitto.so.1");
    assert!(
        lib.exists(),
        "{} is missing: run `make` (or `make test`) first",
        lib.display()
    );
    dir
}

/// Runs `make` (the release library, with this variant's features) in the
/// repository, as a fresh shell would: without the jobserver of a
/// surrounding `make`. The Makefile itself drops the variables cargo sets
/// for tests, which would otherwise make cargo rebuild ring and rustls.
fn build_library() {
    let mut make = Command::new("make");
    for var in [
        "MAKEFLAGS",
        "MFLAGS",
        "MAKELEVEL",
        "MAKEOVERRIDES",
        "CARGO_MAKEFLAGS",
    ] {
        make.env_remove(var);
    }
    let (features, target_dir) = variant();
    let output = make
        .arg("--no-print-directory")
        .arg("-C")
        .arg(root())
        .args(features)
        .arg(format!("TARGET_DIR={target_dir}"))
        .output()
        .expect("run make");
    assert_output_ok(
        &output,
        &format!("make (builds {target_dir}/release/libmosquitto.so.1)"),
    );
}

/// Our built library file.
pub fn our_lib() -> PathBuf {
    lib_dir().join("libmosquitto.so.1")
}

/// Debian's libmosquitto.so.1 (the reference), as the dynamic loader finds it
/// with no `LD_LIBRARY_PATH`.
pub fn reference_lib() -> PathBuf {
    for dir in [
        "/usr/lib/x86_64-linux-gnu",
        "/usr/lib/aarch64-linux-gnu",
        "/usr/lib",
    ] {
        let p = Path::new(dir).join("libmosquitto.so.1");
        if p.exists() {
            return p;
        }
    }
    panic!("the reference libmosquitto.so.1 is not installed (apt-get install libmosquitto1)");
}

/// A scratch folder for one test's build products.
pub fn scratch(name: &str) -> PathBuf {
    let dir = root().join("target/test-scratch").join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Which library a program should load.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lib {
    /// Our `target/release/libmosquitto.so.1`.
    Ours,
    /// Debian's libmosquitto.
    Reference,
}

/// A command that runs `program` with the chosen library.
pub fn command_with(lib: Lib, program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut cmd = Command::new(program);
    cmd.env_remove("LD_LIBRARY_PATH").env_remove("LD_PRELOAD");
    if lib == Lib::Ours {
        cmd.env("LD_LIBRARY_PATH", lib_dir());
    }
    cmd
}

/// Compiles C (or C++ when `cxx`) `sources` into `out`, with extra `args`
/// (include paths, libraries). Panics with the compiler's output on failure.
pub fn compile(sources: &[&Path], out: &Path, args: &[&str], cxx: bool) {
    let compiler = if cxx { "c++" } else { "cc" };
    let output = Command::new(compiler)
        .args(sources)
        .arg("-o")
        .arg(out)
        .args(args)
        .output()
        .expect("run the C compiler");
    assert_output_ok(&output, &format!("{compiler} {:?}", sources));
}

/// Compiles C `sources` into `out` against our header (`include/`) and
/// our library (the 2.1 functions exist only there), with extra `args`.
pub fn compile_with_ours(sources: &[&Path], out: &Path, args: &[&str]) {
    let include = format!("-I{}", root().join("include").display());
    let lib = format!("-L{}", lib_dir().display());
    let mut all: Vec<&str> = args.to_vec();
    all.extend([include.as_str(), lib.as_str(), "-l:libmosquitto.so.1"]);
    compile(sources, out, &all, false);
}

/// Panics with stdout and stderr unless `output` is a success.
pub fn assert_output_ok(output: &Output, what: &str) {
    assert!(
        output.status.success(),
        "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Checks that the generated section between `start` and `end` (markers
/// included) of the file at `path` (relative to the repository's root, e.g.
/// `docs/compatibility.md`) is `fresh`; with `MOSQ_BLESS` set, writes it
/// instead. `what` names the section in the failure message.
pub fn check_generated_section(path: &str, start: &str, end: &str, fresh: &str, what: &str) {
    let file = root().join(path);
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{path}: {e}"));
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("{path} has no {start}"));
    let to = text
        .find(end)
        .unwrap_or_else(|| panic!("{path} has no {end}"))
        + end.len();
    if std::env::var_os("MOSQ_BLESS").is_some() {
        let updated = format!("{}{}{}", &text[..from], fresh, &text[to..]);
        std::fs::write(&file, updated).unwrap();
        return;
    }
    assert!(
        text[from..to] == *fresh,
        "{path}'s {what} is stale: run `make docs`"
    );
}
