//! The README's commands, run exactly as written: each block the README
//! marks with `<!-- readme_commands: NAME -->` is extracted from README.md
//! and run by `sh -e` (the Python snippet by python3), then what it did is
//! checked: the program built "from the tree" or through pkg-config loads
//! our library, not Debian's; the by-hand system install switches Debian's
//! programs to our library and back.
//!
//! The blocks a user runs as root run here in a throwaway root: a mount
//! namespace whose /usr and /etc are overlays (`unshare --mount`), so this
//! machine's files stay untouched; they need root, as CI has. The Python
//! snippet, which wants a broker on localhost:1883, runs in its own network
//! namespace with a broker of its own on that port.

mod support;
use support::common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, OnceLock};

/// Every block the README marks, with the test that runs it.
const BLOCKS: [&str; 6] = [
    "deb_install",
    "install",
    "from_the_tree",
    "pkg_config",
    "by_hand_install",
    "python_snippet",
];

/// The user's `app.c`: prints the file its libmosquitto came from and the
/// library's version.
const APP_C: &str = r#"#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <mosquitto.h>

int main(void)
{
	Dl_info info;
	int major, minor, revision;

	if (dladdr((void *)&mosquitto_lib_version, &info) == 0 || info.dli_fname == NULL) {
		return 2;
	}
	mosquitto_lib_version(&major, &minor, &revision);
	printf("loaded %s\nversion %d.%d.%d\n", info.dli_fname, major, minor, revision);
	return 0;
}
"#;

/// The marked blocks of README.md: name to the text between the fences.
fn readme_blocks() -> Vec<(String, String)> {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let mut blocks = Vec::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        let Some(name) = line
            .strip_prefix("<!-- readme_commands: ")
            .and_then(|rest| rest.strip_suffix(" -->"))
        else {
            continue;
        };
        let fence = lines.next().unwrap_or_default();
        assert!(
            fence.starts_with("```"),
            "README: the line after the {name} marker is not a code fence: {fence:?}"
        );
        let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
        blocks.push((name.to_string(), body.join("\n") + "\n"));
    }
    blocks
}

/// The README block called `name`.
fn block(name: &str) -> String {
    readme_blocks()
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("README.md has no block marked {name}"))
        .1
}

/// A shell command with none of the test run's variables that would change
/// what the README's commands do.
fn clean(cmd: &mut Command) -> &mut Command {
    for var in [
        "MAKEFLAGS",
        "MFLAGS",
        "MAKELEVEL",
        "MAKEOVERRIDES",
        "CARGO_MAKEFLAGS",
        "LD_LIBRARY_PATH",
        "LD_PRELOAD",
        "PKG_CONFIG_PATH",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// Runs `script` with `sh -e` in `dir`, with `home` as HOME.
fn run_sh(script: &str, dir: &Path, home: &Path, what: &str) -> Output {
    let output = clean(&mut Command::new("sh"))
        .args(["-e", "-c", script])
        .current_dir(dir)
        .env("HOME", home)
        .output()
        .unwrap_or_else(|e| panic!("run {what}: {e}"));
    common::assert_output_ok(&output, what);
    output
}

/// A fresh, empty scratch folder.
fn fresh(name: &str) -> PathBuf {
    let dir = common::scratch(name);
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Held while a block runs `make`: two at once would relink the same
/// files.
static MAKE: Mutex<()> = Mutex::new(());

/// The HOME the `install` block ran with, once for all tests here.
fn installed_home() -> &'static Path {
    static HOME: OnceLock<PathBuf> = OnceLock::new();
    HOME.get_or_init(|| {
        common::lib_dir();
        let home = fresh("readme-home");
        let _make = MAKE.lock().unwrap_or_else(|e| e.into_inner());
        run_sh(
            &block("install"),
            &common::root(),
            &home,
            "the README's install block",
        );
        home
    })
}

/// What `app` printed: the library file it loaded (resolved) and the
/// version that library reported.
fn app_output(output: &Output) -> (PathBuf, String) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let loaded = stdout
        .lines()
        .find_map(|l| l.strip_prefix("loaded "))
        .unwrap_or_else(|| panic!("app printed no library:\n{stdout}"));
    let version = stdout
        .lines()
        .find_map(|l| l.strip_prefix("version "))
        .unwrap_or_else(|| panic!("app printed no version:\n{stdout}"));
    (std::fs::canonicalize(loaded).unwrap(), version.to_string())
}

#[test]
fn every_marked_block_has_a_test() {
    let marked: BTreeSet<String> = readme_blocks().into_iter().map(|(n, _)| n).collect();
    let known: BTreeSet<String> = BLOCKS.iter().map(|s| s.to_string()).collect();
    assert_eq!(marked, known);
}

/// `make install PREFIX=$HOME/mosq` and the staged Debian layout.
#[test]
fn install_block_installs_both_layouts() {
    let home = installed_home();
    let version = env!("CARGO_PKG_VERSION");
    let lib = home.join(format!("mosq/lib/libmosquitto.so.{version}"));
    assert!(lib.is_file(), "{} missing", lib.display());
    let staged = common::root().join(format!(
        "target/stage/usr/lib/x86_64-linux-gnu/libmosquitto.so.{version}"
    ));
    assert!(staged.is_file(), "{} missing", staged.display());
    assert!(home.join("mosq/include/mosquitto.h").is_file());
}

/// "From the tree": the user's project is the repository's root, with
/// `app.c` beside include/ and target/ (linked into a scratch folder so
/// that the repository stays clean). The program must load
/// target/release/libmosquitto.so.1, not Debian's.
#[test]
fn from_the_tree_block_runs_on_our_library() {
    common::lib_dir();
    let dir = fresh("readme-from-the-tree");
    for entry in ["include", "target"] {
        std::os::unix::fs::symlink(common::root().join(entry), dir.join(entry)).unwrap();
    }
    std::fs::write(dir.join("app.c"), APP_C).unwrap();
    let output = run_sh(
        &block("from_the_tree"),
        &dir,
        &dir,
        "the README's from-the-tree block",
    );
    let (loaded, version) = app_output(&output);
    assert_eq!(loaded, std::fs::canonicalize(common::our_lib()).unwrap());
    assert_eq!(version, env!("CARGO_PKG_VERSION"));
}

/// pkg-config against `make install PREFIX=$HOME/mosq`: the program loads
/// the installed library.
#[test]
fn pkg_config_block_runs_on_the_installed_library() {
    let home = installed_home();
    let dir = fresh("readme-pkg-config");
    std::fs::write(dir.join("app.c"), APP_C).unwrap();
    let output = run_sh(
        &block("pkg_config"),
        &dir,
        home,
        "the README's pkg-config block",
    );
    let (loaded, version) = app_output(&output);
    assert_eq!(
        loaded,
        std::fs::canonicalize(home.join("mosq/lib/libmosquitto.so.1")).unwrap()
    );
    assert_eq!(version, env!("CARGO_PKG_VERSION"));
}

/// Asserts the test runs as root: the blocks for root run in a mount
/// namespace, which needs it (CI runs as root on a throwaway machine).
fn require_root() {
    let uid = Command::new("id").arg("-u").output().expect("run id");
    assert_eq!(
        String::from_utf8_lossy(&uid.stdout).trim(),
        "0",
        "the README's system-wide commands are run in a throwaway mount \
         namespace, which needs root: run this test as root (CI does)"
    );
}

/// The parts of the README block `name` before and after its "...and
/// back to Debian's" line.
fn there_and_back(name: &str) -> (String, String) {
    let text = block(name);
    let (there, back) = text
        .split_once("# ...and back to Debian's\n")
        .unwrap_or_else(|| panic!("the {name} block has no way back"));
    (there.to_string(), back.to_string())
}

/// Runs `script` as root in a throwaway root: a mount namespace where each
/// of `dirs` (top-level folders) is an overlay whose changes land in a
/// scratch folder, with `sudo` standing for itself where it is not
/// installed. Returns the script's stdout, split into its `--- NAME`
/// sections.
fn in_throwaway_root(name: &str, dirs: &str, script: &str) -> Vec<(String, Vec<String>)> {
    require_root();
    let sandbox = fresh(name);
    let shim = sandbox.join("bin");
    std::fs::create_dir_all(&shim).unwrap();
    if Command::new("sh")
        .args(["-c", "command -v sudo"])
        .output()
        .map(|o| !o.status.success())
        .unwrap_or(true)
    {
        let sudo = shim.join("sudo");
        std::fs::write(&sudo, "#!/bin/sh\nexec \"$@\"\n").unwrap();
        Command::new("chmod").arg("+x").arg(&sudo).status().unwrap();
    }
    let mounts = format!(
        "set -e\n\
         for d in {dirs}; do\n\
         \x20   mkdir -p \"$SANDBOX/$d/upper\" \"$SANDBOX/$d/work\"\n\
         \x20   mount -t overlay overlay -o \"lowerdir=/$d,upperdir=$SANDBOX/$d/upper,workdir=$SANDBOX/$d/work\" /$d\n\
         done\n"
    );
    let _make = MAKE.lock().unwrap_or_else(|e| e.into_inner());
    // apt asks before it removes a package: the user says yes, as often as
    // asked (apt reads ahead whatever stdin holds).
    let mut yes = Command::new("yes")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run yes");
    let child = clean(&mut Command::new("unshare"))
        .args(["--mount", "--propagation", "private", "sh", "-c"])
        .arg(mounts + script)
        .current_dir(common::root())
        .env("SANDBOX", &sandbox)
        .env(
            "PATH",
            format!("{}:{}", shim.display(), std::env::var("PATH").unwrap()),
        )
        .stdin(yes.stdout.take().unwrap())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run unshare");
    let output = child.wait_with_output().unwrap();
    // It may have ended already (its reader gone).
    let _ = yes.kill();
    yes.wait().unwrap();
    common::assert_output_ok(&output, &format!("{name} in a throwaway root"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout
        .split("--- ")
        .skip(1)
        .map(|part| {
            let mut lines = part.lines().map(str::to_string);
            let title = lines.next().unwrap_or_default();
            (title, lines.collect())
        })
        .collect()
}

/// The lines of section `name`.
fn section<'a>(sections: &'a [(String, Vec<String>)], name: &str) -> &'a [String] {
    &sections
        .iter()
        .find(|(title, _)| title == name)
        .unwrap_or_else(|| panic!("no {name} section in {sections:?}"))
        .1
}

/// The version in a `mosquitto_pub --help` line "... running on
/// libmosquitto X.Y.Z." among `lines`.
fn running_on(lines: &[String]) -> String {
    lines
        .iter()
        .find_map(|l| l.split_once("running on libmosquitto "))
        .map(|(_, v)| v.trim_end_matches('.').to_string())
        .unwrap_or_else(|| panic!("no 'running on' line in {lines:?}"))
}

/// `sudo make install PREFIX=/usr/local && sudo ldconfig` in a throwaway
/// root: Debian's mosquitto_pub then runs on our library while Debian's
/// soname link stays as it was; the way back restores Debian's library and
/// leaves nothing of ours in /usr/local/lib.
#[test]
fn by_hand_install_block_switches_programs_and_back() {
    common::lib_dir();
    let (install, back) = there_and_back("by_hand_install");
    let script = format!(
        "debian=$(readlink /usr/lib/x86_64-linux-gnu/libmosquitto.so.1)\n\
         echo '--- install'\n\
         {install}\
         echo '--- links'\n\
         readlink /usr/lib/x86_64-linux-gnu/libmosquitto.so.1\n\
         echo \"$debian\"\n\
         echo '--- back'\n\
         {back}\
         echo '--- after'\n\
         mosquitto_pub --help | grep 'running on'\n\
         ls /usr/local/lib | grep libmosquitto || true\n"
    );
    let sections = in_throwaway_root("readme-by-hand", "usr etc", &script);
    assert_eq!(
        running_on(section(&sections, "install")),
        env!("CARGO_PKG_VERSION")
    );
    let links = section(&sections, "links");
    assert_eq!(links[0], links[1], "Debian's soname link was changed");
    let after = section(&sections, "after");
    assert_eq!(running_on(after), "2.0.11");
    assert!(
        !after.iter().any(|l| l.starts_with("libmosquitto")),
        "left in /usr/local/lib: {after:?}"
    );
    // And outside the namespace nothing changed.
    assert!(!Path::new("/usr/local/lib/libmosquitto.so.1").exists());
}

/// `make deb`, `apt install` of the two packages and the way back, in a
/// throwaway root (its /usr, /etc and /var are overlays): Debian's
/// mosquitto_pub runs on our library, then on Debian's again, and our
/// packages are gone.
#[test]
fn deb_install_block_replaces_libmosquitto1_and_back() {
    common::lib_dir();
    let (install, back) = there_and_back("deb_install");
    let script = format!(
        "echo '--- install'\n\
         {install}\
         echo '--- installed'\n\
         mosquitto_pub --help | grep 'running on'\n\
         dpkg-query -W -f='${{Package}} ${{db:Status-Status}}\\n' libmosquitto1-rs libmosquitto-rs-dev\n\
         echo '--- back'\n\
         {back}\
         echo '--- after'\n\
         mosquitto_pub --help | grep 'running on'\n\
         dpkg-query -W -f='${{Package}} ${{db:Status-Status}}\\n' libmosquitto1 libmosquitto-dev\n\
         dpkg-query -W -f='${{Package}} ${{db:Status-Status}}\\n' libmosquitto1-rs 2>/dev/null || true\n"
    );
    let sections = in_throwaway_root("readme-deb", "usr etc var", &script);
    let installed = section(&sections, "installed");
    assert_eq!(running_on(installed), env!("CARGO_PKG_VERSION"));
    for pkg in ["libmosquitto1-rs", "libmosquitto-rs-dev"] {
        assert!(
            installed.iter().any(|l| *l == format!("{pkg} installed")),
            "{installed:?}"
        );
    }
    let after = section(&sections, "after");
    assert_eq!(
        running_on(after),
        "2.0.11",
        "after the way back: {:?}",
        section(&sections, "back")
    );
    for pkg in ["libmosquitto1", "libmosquitto-dev"] {
        assert!(
            after.iter().any(|l| *l == format!("{pkg} installed")),
            "{after:?}"
        );
    }
    assert!(
        !after.iter().any(|l| l == "libmosquitto1-rs installed"),
        "{after:?}"
    );
}

/// The Python snippet, saved as the README says and run as it says
/// (`LD_LIBRARY_PATH=target/release python3 snippet.py`), against a broker
/// on localhost:1883 in a network namespace of its own: it prints our
/// version and its message reaches a subscriber.
#[test]
fn python_snippet_publishes_through_our_library() {
    require_root();
    common::lib_dir();
    let dir = fresh("readme-python");
    let snippet = dir.join("snippet.py");
    std::fs::write(&snippet, block("python_snippet")).unwrap();
    let script = format!(
        "set -e\n\
         ip link set lo up\n\
         /usr/sbin/mosquitto -p 1883 -v > \"$DIR/broker.log\" 2>&1 &\n\
         broker=$!\n\
         # wait (up to 10 s) until it listens, then until it has the subscription\n\
         for i in $(seq 100); do\n\
         \x20   grep -q ' running$' \"$DIR/broker.log\" && break\n\
         \x20   sleep 0.1\n\
         done\n\
         mosquitto_sub -h localhost -p 1883 -t hello/world -C 1 -W 20 > \"$DIR/received\" &\n\
         sub=$!\n\
         for i in $(seq 100); do\n\
         \x20   grep -q 'Received SUBSCRIBE' \"$DIR/broker.log\" && break\n\
         \x20   sleep 0.1\n\
         done\n\
         LD_LIBRARY_PATH=target/release python3 {snippet}\n\
         wait $sub\n\
         kill $broker\n\
         echo \"received: $(cat \"$DIR/received\")\"\n",
        snippet = snippet.display()
    );
    let output = clean(&mut Command::new("unshare"))
        .args(["--net", "sh", "-c", &script])
        .current_dir(common::root())
        .env("DIR", &dir)
        .output()
        .expect("run unshare");
    common::assert_output_ok(&output, "the Python snippet");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            format!("libmosquitto {}", env!("CARGO_PKG_VERSION")).as_str(),
            "received: hello from ctypes"
        ],
        "{stdout}"
    );
}
