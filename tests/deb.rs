//! `make deb`: the two Debian packages that take the place of Debian's
//! libmosquitto1 and libmosquitto-dev. Checks their control fields and
//! files, then extracts the runtime package into a scratch root (never
//! installs it on this system) and runs Debian's unchanged `mosquitto_pub`
//! on the packaged library against a real broker.

mod support;
use support::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use common::Lib;
use support::clients::{args, mosquitto_sub, next_message};
use support::run::run_with_timeout;
use support::{Broker, Listener};

/// Debian's multiarch library folder on this machine.
const MULTIARCH_LIB: &str = "usr/lib/x86_64-linux-gnu";

/// The Debian packages that depend on libmosquitto1 (or libmosquitto-dev)
/// and must stay satisfied when ours replaces it.
const DEPENDENTS: [(&str, &str); 4] = [
    ("mosquitto-clients", "libmosquitto1"),
    ("libmosquittopp1", "libmosquitto1"),
    ("libmosquitto-dev", "libmosquitto1"),
    ("libmosquittopp-dev", "libmosquitto-dev"),
];

/// Commands run from inside `make test` must not inherit its jobserver.
fn clean_make_env(cmd: &mut Command) -> &mut Command {
    for var in [
        "MAKEFLAGS",
        "MFLAGS",
        "MAKELEVEL",
        "MAKEOVERRIDES",
        "CARGO_MAKEFLAGS",
    ] {
        cmd.env_remove(var);
    }
    cmd.env_remove("LD_LIBRARY_PATH").env_remove("LD_PRELOAD")
}

/// Runs `program args` and returns its stdout, panicking on failure.
fn stdout_of(program: &str, args: &[&str]) -> String {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run {program}: {e}"));
    common::assert_output_ok(&output, &format!("{program} {}", args.join(" ")));
    String::from_utf8(output.stdout).unwrap()
}

/// The Depends field of `pkg` if it is installed (it may be absent, or
/// replaced by our package on a machine where that was tried by hand).
fn installed_depends(pkg: &str) -> Option<String> {
    let output = Command::new("dpkg-query")
        .args(["-W", "-f=${db:Status-Status}\n${Depends}", pkg])
        .output()
        .expect("run dpkg-query");
    let text = String::from_utf8(output.stdout).unwrap();
    let (status, depends) = text.split_once('\n')?;
    (output.status.success() && status == "installed").then(|| depends.to_string())
}

/// The version our packages carry.
fn deb_version() -> String {
    format!("{}-1", env!("CARGO_PKG_VERSION"))
}

/// The two packages, built once by `make deb`: (runtime, dev).
fn packages() -> &'static (PathBuf, PathBuf) {
    static DEBS: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    DEBS.get_or_init(|| {
        common::lib_dir();
        let output = clean_make_env(&mut Command::new("make"))
            .arg("-C")
            .arg(common::root())
            .arg("deb")
            .output()
            .expect("run make deb");
        common::assert_output_ok(&output, "make deb");
        let arch = stdout_of("dpkg", &["--print-architecture"]);
        let dir = common::root().join("target/deb");
        let name = |pkg: &str| dir.join(format!("{pkg}_{}_{}.deb", deb_version(), arch.trim()));
        let debs = (name("libmosquitto1-rs"), name("libmosquitto-rs-dev"));
        for deb in [&debs.0, &debs.1] {
            assert!(deb.exists(), "make deb did not build {}", deb.display());
        }
        debs
    })
}

/// The control fields of `deb` (`dpkg-deb -f`), continuation lines joined.
fn fields(deb: &Path) -> BTreeMap<String, String> {
    let text = stdout_of("dpkg-deb", &["-f", deb.to_str().unwrap()]);
    let mut map = BTreeMap::new();
    let mut last = String::new();
    for line in text.lines() {
        if line.starts_with(' ') {
            map.entry(last.clone()).and_modify(|v: &mut String| {
                v.push('\n');
                v.push_str(line);
            });
        } else if let Some((key, value)) = line.split_once(':') {
            last = key.to_string();
            map.insert(last.clone(), value.trim().to_string());
        }
    }
    map
}

/// The contents of `deb` (`dpkg-deb -c`): path (without the leading `./`)
/// to `Some(link target)` for symlinks and `None` for regular files;
/// folders are left out. Also checks every entry is owned by root.
fn contents(deb: &Path) -> BTreeMap<String, Option<String>> {
    let text = stdout_of("dpkg-deb", &["-c", deb.to_str().unwrap()]);
    let mut map = BTreeMap::new();
    for line in text.lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        assert!(cols.len() >= 6, "odd dpkg-deb -c line: {line}");
        assert_eq!(cols[1], "root/root", "{line}");
        let path = cols[5].trim_start_matches("./").to_string();
        match &cols[0][..1] {
            "d" => {}
            "-" => {
                assert_eq!(cols[0], "-rw-r--r--", "{line}");
                map.insert(path, None);
            }
            "l" => {
                assert_eq!(cols[6], "->", "{line}");
                map.insert(path, Some(cols[7].to_string()));
            }
            _ => panic!("unexpected entry: {line}"),
        }
    }
    map
}

/// Extracts `deb`'s files and control files into a fresh scratch folder.
fn extract(deb: &Path, name: &str) -> PathBuf {
    let root = common::scratch(name);
    std::fs::remove_dir_all(&root).unwrap();
    let control = root.join("DEBIAN");
    stdout_of(
        "dpkg-deb",
        &["-x", deb.to_str().unwrap(), root.to_str().unwrap()],
    );
    stdout_of(
        "dpkg-deb",
        &["-e", deb.to_str().unwrap(), control.to_str().unwrap()],
    );
    root
}

/// Checks DEBIAN/md5sums lists every regular file of `root` with the right
/// sum.
fn check_md5sums(root: &Path, files: &BTreeMap<String, Option<String>>) {
    let sums = std::fs::read_to_string(root.join("DEBIAN/md5sums")).unwrap();
    let listed: Vec<&str> = sums
        .lines()
        .map(|l| l.split_once("  ").expect("md5sum line").1)
        .collect();
    let regular: Vec<&str> = files
        .iter()
        .filter(|(_, link)| link.is_none())
        .map(|(path, _)| path.as_str())
        .collect();
    assert_eq!(listed, regular, "md5sums:\n{sums}");
    let check = Command::new("md5sum")
        .args(["--check", "--quiet", "DEBIAN/md5sums"])
        .current_dir(root)
        .output()
        .expect("run md5sum");
    common::assert_output_ok(&check, "md5sum --check DEBIAN/md5sums");
}

/// Does `version` satisfy every `pkg (op ver)` clause of `depends`?
/// Also asserts there is at least one clause about `pkg`.
fn satisfies(depends: &str, pkg: &str, version: &str) -> bool {
    let mut clauses = 0;
    let mut ok = true;
    for clause in depends.split(',').map(str::trim) {
        let Some(rest) = clause.strip_prefix(pkg) else {
            continue;
        };
        let rest = rest.trim_start_matches(":any").trim();
        if !(rest.is_empty() || rest.starts_with('(')) {
            continue; // another package whose name starts with `pkg`
        }
        clauses += 1;
        if rest.is_empty() {
            continue;
        }
        let (op, want) = rest
            .trim_matches(['(', ')'])
            .split_once(' ')
            .expect("relation and version");
        let op = match op {
            "=" => "eq",
            ">=" => "ge",
            "<=" => "le",
            ">>" => "gt",
            "<<" => "lt",
            other => panic!("unknown relation {other} in {depends}"),
        };
        let status = Command::new("dpkg")
            .args(["--compare-versions", version, op, want.trim()])
            .status()
            .expect("run dpkg --compare-versions");
        ok &= status.success();
    }
    assert!(clauses > 0, "{depends} says nothing about {pkg}");
    ok
}

/// The highest `GLIBC_x.y` version node `lib` imports.
fn highest_glibc(lib: &Path) -> String {
    let dump = stdout_of("objdump", &["-T", lib.to_str().unwrap()]);
    let mut versions: Vec<Vec<u32>> = dump
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter_map(|w| w.strip_prefix("GLIBC_"))
        .filter_map(|v| v.split('.').map(|n| n.parse().ok()).collect())
        .collect();
    versions.sort();
    let top = versions.last().expect("no GLIBC_ import");
    top.iter().map(u32::to_string).collect::<Vec<_>>().join(".")
}

/// The functions `lib` exports, with their version nodes.
fn exports(lib: &Path) -> Vec<String> {
    let dump = stdout_of("objdump", &["-T", lib.to_str().unwrap()]);
    let mut out: Vec<String> = dump
        .lines()
        .filter(|l| l.contains(" DF ") && !l.contains("*UND*"))
        .map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            format!("{} {}", cols[cols.len() - 1], cols[cols.len() - 2])
        })
        .collect();
    out.sort();
    out
}

#[test]
fn runtime_package_replaces_libmosquitto1() {
    let (deb, _) = packages();
    let f = fields(deb);
    let arch = stdout_of("dpkg", &["--print-architecture"]);
    assert_eq!(f["Package"], "libmosquitto1-rs");
    assert_eq!(f["Version"], deb_version());
    assert_eq!(f["Architecture"], arch.trim());
    assert_eq!(f["Section"], "libs");
    assert_eq!(f["Multi-Arch"], "same");
    assert_eq!(f["Conflicts"], "libmosquitto1");
    assert_eq!(f["Replaces"], "libmosquitto1");
    assert!(f["Description"].contains("libmosquitto.so.1"), "{f:?}");

    // Provides exactly one version of libmosquitto1: one that satisfies
    // what Debian's installed programs and libraries ask for.
    let provided = f["Provides"]
        .strip_prefix("libmosquitto1 (= ")
        .and_then(|v| v.strip_suffix(')'))
        .unwrap_or_else(|| panic!("Provides: {}", f["Provides"]));
    assert!(provided.starts_with("2.0.11-"), "{provided}");
    // mosquitto-clients must be there: the last test runs its mosquitto_pub.
    assert!(installed_depends("mosquitto-clients").is_some());
    for (dependent, on) in DEPENDENTS {
        if on != "libmosquitto1" {
            continue;
        }
        let Some(depends) = installed_depends(dependent) else {
            continue;
        };
        assert!(
            satisfies(&depends, "libmosquitto1", provided),
            "{dependent} depends on {depends}: libmosquitto1 (= {provided}) does not satisfy it"
        );
    }

    let files = contents(deb);
    let version = env!("CARGO_PKG_VERSION");
    let real = format!("{MULTIARCH_LIB}/libmosquitto.so.{version}");
    let want: BTreeMap<String, Option<String>> = [
        (real.clone(), None),
        (
            format!("{MULTIARCH_LIB}/libmosquitto.so.1"),
            Some(format!("libmosquitto.so.{version}")),
        ),
        (
            "usr/share/doc/libmosquitto1-rs/changelog.Debian.gz".into(),
            None,
        ),
        ("usr/share/doc/libmosquitto1-rs/copyright".into(), None),
    ]
    .into_iter()
    .collect();
    assert_eq!(files, want);

    let root = extract(deb, "deb-runtime");
    check_md5sums(&root, &files);
    assert_eq!(
        std::fs::read_to_string(root.join("DEBIAN/triggers")).unwrap(),
        "activate-noawait ldconfig\n"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("DEBIAN/shlibs")).unwrap(),
        "libmosquitto 1 libmosquitto1 (>= 2.0.11)\n"
    );

    // The packaged library: our soname, the very functions `make` built
    // (only stripped of debugging information).
    let lib = root.join(&real);
    let dynamic = stdout_of("objdump", &["-p", lib.to_str().unwrap()]);
    assert!(
        dynamic
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["SONAME", "libmosquitto.so.1"]),
        "{dynamic}"
    );
    let ours = exports(&common::our_lib());
    assert!(ours.len() > 100, "{ours:?}");
    assert_eq!(exports(&lib), ours);

    // Depends: what the library really needs, as dpkg-shlibdeps would say.
    let depends = &f["Depends"];
    assert!(
        depends
            .split(", ")
            .any(|d| d == format!("libc6 (>= {})", highest_glibc(&lib))),
        "Depends: {depends}"
    );
    if Path::new("/usr/bin/dpkg-shlibdeps").exists() {
        let scratch = common::scratch("deb-shlibdeps");
        std::fs::create_dir_all(scratch.join("debian")).unwrap();
        std::fs::write(
            scratch.join("debian/control"),
            "Source: probe\n\nPackage: probe\nArchitecture: any\n",
        )
        .unwrap();
        let output = Command::new("dpkg-shlibdeps")
            .arg("-O")
            .arg(&lib)
            .current_dir(&scratch)
            .output()
            .expect("run dpkg-shlibdeps");
        common::assert_output_ok(&output, "dpkg-shlibdeps");
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert_eq!(
            stdout.trim().strip_prefix("shlibs:Depends="),
            Some(depends.as_str())
        );
    }
}

#[test]
fn dev_package_replaces_libmosquitto_dev() {
    let (_, deb) = packages();
    let f = fields(deb);
    assert_eq!(f["Package"], "libmosquitto-rs-dev");
    assert_eq!(f["Version"], deb_version());
    assert_eq!(f["Section"], "libdevel");
    assert_eq!(
        f["Depends"],
        format!("libmosquitto1-rs (= {})", deb_version())
    );
    assert_eq!(f["Conflicts"], "libmosquitto-dev");
    assert_eq!(f["Replaces"], "libmosquitto-dev");
    let provided = f["Provides"]
        .strip_prefix("libmosquitto-dev (= ")
        .and_then(|v| v.strip_suffix(')'))
        .unwrap_or_else(|| panic!("Provides: {}", f["Provides"]));
    let runtime = fields(&packages().0);
    assert_eq!(
        runtime["Provides"],
        format!("libmosquitto1 (= {provided})"),
        "both packages stand in for the same Debian version"
    );
    for (dependent, on) in DEPENDENTS {
        if on != "libmosquitto-dev" {
            continue;
        }
        let Some(depends) = installed_depends(dependent) else {
            continue;
        };
        assert!(
            satisfies(&depends, "libmosquitto-dev", provided),
            "{dependent} depends on {depends}"
        );
    }

    // Debian's libmosquitto-dev files (less its man page), plus our CMake
    // package.
    let files = contents(deb);
    let mut want: BTreeMap<String, Option<String>> = BTreeMap::new();
    for path in [
        "usr/include/mosquitto.h",
        "usr/include/mqtt_protocol.h",
        "usr/share/doc/libmosquitto-rs-dev/changelog.Debian.gz",
        "usr/share/doc/libmosquitto-rs-dev/copyright",
    ] {
        want.insert(path.into(), None);
    }
    for path in [
        "pkgconfig/libmosquitto.pc",
        "cmake/mosquitto/mosquittoConfig.cmake",
        "cmake/mosquitto/mosquittoConfigVersion.cmake",
    ] {
        want.insert(format!("{MULTIARCH_LIB}/{path}"), None);
    }
    want.insert(
        format!("{MULTIARCH_LIB}/libmosquitto.so"),
        Some("libmosquitto.so.1".into()),
    );
    assert_eq!(files, want);

    let root = extract(deb, "deb-dev");
    check_md5sums(&root, &files);
    for header in ["mosquitto.h", "mqtt_protocol.h"] {
        assert!(
            std::fs::read(common::root().join("include").join(header)).unwrap()
                == std::fs::read(root.join("usr/include").join(header)).unwrap(),
            "packaged {header} differs from include/{header}"
        );
    }
    let pc = std::fs::read_to_string(root.join(MULTIARCH_LIB).join("pkgconfig/libmosquitto.pc"))
        .unwrap();
    for line in [
        "prefix=/usr",
        "libdir=${exec_prefix}/lib/x86_64-linux-gnu",
        "includedir=${prefix}/include",
    ] {
        assert!(pc.lines().any(|l| l == line), "{line:?} not in:\n{pc}");
    }
}

/// Debian's prebuilt mosquitto_pub, with the extracted package's library
/// folder first in the search path, loads the packaged library (the loader
/// says so) and publishes a message that a subscriber on Debian's library
/// receives.
#[test]
fn debian_mosquitto_pub_runs_on_the_packaged_library() {
    let (deb, _) = packages();
    let root = common::scratch("debroot");
    std::fs::remove_dir_all(&root).unwrap();
    stdout_of(
        "dpkg-deb",
        &["-x", deb.to_str().unwrap(), root.to_str().unwrap()],
    );
    let lib_dir = root.join(MULTIARCH_LIB);
    let soname = lib_dir.join("libmosquitto.so.1");

    // The version banner comes from mosquitto_lib_version() of the library
    // it runs on.
    let help = run_with_timeout(
        Command::new("/usr/bin/mosquitto_pub")
            .arg("--help")
            .env("LD_LIBRARY_PATH", &lib_dir)
            .env_remove("LD_PRELOAD"),
        Duration::from_secs(5),
    );
    let banner = String::from_utf8_lossy(&help.stdout);
    let want = format!(
        "mosquitto_pub version 2.0.11 running on libmosquitto {}.",
        env!("CARGO_PKG_VERSION")
    );
    assert!(banner.lines().any(|l| l == want), "--help said:\n{banner}");

    let broker = Broker::plain();
    let topic = "deb/packaged-lib";
    let mut sub = mosquitto_sub(
        Lib::Reference,
        &[broker.client_args(Listener::Tcp), args(["-t", topic])].concat(),
    );
    let publish = run_with_timeout(
        Command::new("/usr/bin/mosquitto_pub")
            .args(broker.client_args(Listener::Tcp))
            .args(["-t", topic, "-m", "from the packaged library", "-q", "1"])
            .env("LD_LIBRARY_PATH", &lib_dir)
            .env("LD_DEBUG", "libs")
            .env_remove("LD_PRELOAD"),
        Duration::from_secs(10),
    );
    let stderr = String::from_utf8_lossy(&publish.stderr);
    assert!(publish.status.success(), "mosquitto_pub failed:\n{stderr}");
    let inits: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.split_once("calling init: ").map(|(_, p)| p.trim()))
        .filter(|p| p.contains("libmosquitto"))
        .collect();
    assert_eq!(
        inits,
        [soname.to_str().unwrap()],
        "libmosquitto files the loader initialised"
    );
    assert_eq!(
        std::fs::canonicalize(&soname).unwrap(),
        lib_dir.join(format!("libmosquitto.so.{}", env!("CARGO_PKG_VERSION")))
    );
    assert_eq!(
        next_message(&mut sub, Duration::from_secs(5)),
        "from the packaged library"
    );
}
