//! `make deb`: the two Debian packages that take the place of Debian's
//! libmosquitto1 and libmosquitto-dev, and the -dbgsym package holding the
//! library's debugging information. Checks their control fields, files,
//! generated copyright and lintian's verdict, then extracts the runtime
//! package into a scratch root (never installs it on this system) and runs
//! Debian's unchanged `mosquitto_pub` on the packaged library against a
//! real broker.

mod support;
use support::{common, debuginfo};

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

/// The packages, built once by `make deb`: (runtime, dev).
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
        for deb in [&debs.0, &debs.1, &name("libmosquitto1-rs-dbgsym")] {
            assert!(deb.exists(), "make deb did not build {}", deb.display());
        }
        debs
    })
}

/// The debugging-information package `make deb` built beside the others.
fn dbgsym_package() -> PathBuf {
    let runtime = &packages().0;
    let name = runtime.file_name().unwrap().to_str().unwrap();
    runtime.with_file_name(name.replacen("libmosquitto1-rs_", "libmosquitto1-rs-dbgsym_", 1))
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
    // Packed relative relocations need glibc 2.36's loader (the version
    // reference GLIBC_ABI_DT_RELR, which Debian's libc6 symbols file maps
    // to 2.36).
    if stdout_of("objdump", &["-p", lib.to_str().unwrap()]).contains("GLIBC_ABI_DT_RELR") {
        versions.push(vec![2, 36]);
    }
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
        ("usr/share/lintian/overrides/libmosquitto1-rs".into(), None),
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
    // (only stripped of debugging information, which the -dbgsym package
    // holds).
    let lib = root.join(&real);
    assert_eq!(
        debuginfo::build_id(&lib),
        debuginfo::build_id(&common::our_lib())
    );
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
        let mut expected = stdout
            .trim()
            .strip_prefix("shlibs:Depends=")
            .unwrap_or_else(|| panic!("dpkg-shlibdeps said {stdout:?}"))
            .to_string();
        // Debian 12's dpkg-shlibdeps looks only at imported symbols, so it
        // misses the GLIBC_ABI_DT_RELR version that packed relocations
        // need (a symbol-less version reference; libc6's symbols file maps
        // it to 2.36): a loader older than 2.36 refuses the library.
        let relr =
            stdout_of("objdump", &["-p", lib.to_str().unwrap()]).contains("GLIBC_ABI_DT_RELR");
        if relr {
            let libc6 = expected
                .split(", ")
                .find(|d| d.starts_with("libc6 (>= "))
                .expect("a libc6 dependency")
                .to_string();
            let version = &libc6["libc6 (>= ".len()..libc6.len() - 1];
            let mut both = [version.to_string(), "2.36".to_string()];
            both.sort_by_key(|v| {
                v.split('.')
                    .map(|n| n.parse::<u32>().unwrap())
                    .collect::<Vec<_>>()
            });
            expected = expected.replace(&libc6, &format!("libc6 (>= {})", both[1]));
        }
        assert_eq!(&expected, depends);
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
        "usr/share/lintian/overrides/libmosquitto-rs-dev",
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

/// The symbol version nodes `lib` defines (`objdump -p`), its soname left
/// out, in order.
fn version_nodes(lib: &Path) -> Vec<String> {
    let dump = stdout_of("objdump", &["-p", lib.to_str().unwrap()]);
    dump.lines()
        .skip_while(|l| !l.starts_with("Version definitions:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().nth(3))
        .filter(|name| name.starts_with("MOSQ_"))
        .map(str::to_string)
        .collect()
}

/// "MOSQ_1.0 to MOSQ_1.7 and MOSQ_2.1": runs of consecutive minor
/// versions of one major as ranges.
fn describe_nodes(nodes: &[String]) -> String {
    let parse = |n: &str| -> (u32, u32) {
        let (major, minor) = n.trim_start_matches("MOSQ_").split_once('.').unwrap();
        (major.parse().unwrap(), minor.parse().unwrap())
    };
    let mut runs: Vec<(String, String)> = Vec::new();
    for node in nodes {
        let (major, minor) = parse(node);
        match runs.last_mut() {
            Some((_, last)) if parse(last) == (major, minor.wrapping_sub(1)) => {
                *last = node.clone();
            }
            _ => runs.push((node.clone(), node.clone())),
        }
    }
    let parts: Vec<String> = runs
        .iter()
        .map(|(a, b)| {
            if a == b {
                a.clone()
            } else {
                format!("{a} to {b}")
            }
        })
        .collect();
    match parts.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => parts.concat(),
    }
}

#[test]
fn describe_nodes_makes_ranges() {
    let nodes: Vec<String> = ["MOSQ_1.0", "MOSQ_1.1", "MOSQ_1.2", "MOSQ_2.1"]
        .map(String::from)
        .to_vec();
    assert_eq!(describe_nodes(&nodes), "MOSQ_1.0 to MOSQ_1.2 and MOSQ_2.1");
    assert_eq!(describe_nodes(&nodes[3..]), "MOSQ_2.1");
}

/// The description names the symbol versions the library really defines
/// (MOSQ_2.1, not 2.0's MOSQ_2.0), and the Maintainer is Cargo.toml's.
#[test]
fn runtime_package_describes_its_symbol_versions_and_maintainer() {
    let (deb, dev) = packages();
    let nodes = version_nodes(&common::our_lib());
    assert!(nodes.iter().any(|n| n == "MOSQ_2.1"), "{nodes:?}");
    let f = fields(deb);
    let description = f["Description"]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let want = format!("with the symbol versions {},", describe_nodes(&nodes));
    assert!(
        description.contains(&want),
        "{want:?} not in {description:?}"
    );
    assert!(!description.contains("MOSQ_2.0"), "{description}");

    let authors = env!("CARGO_PKG_AUTHORS");
    let first = authors.split(':').next().unwrap();
    assert!(
        first.contains('@') && !first.contains("localhost"),
        "Cargo.toml authors: {authors:?}"
    );
    for package in [deb.as_path(), dev.as_path(), dbgsym_package().as_path()] {
        assert_eq!(
            fields(package)["Maintainer"],
            first,
            "{}",
            package.display()
        );
    }
}

/// The crates Cargo links into the library (`cargo tree -e normal` for this
/// host, a different view of the graph than the `cargo metadata` walk of
/// tools/deb/copyright.py): "name-version" to SPDX licence expression.
fn linked_crates() -> BTreeMap<String, String> {
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args([
            "tree", "--locked", "-e", "normal", "--prefix", "none", "-f", "{p}|{l}",
        ])
        .current_dir(common::root())
        .output()
        .expect("run cargo tree");
    common::assert_output_ok(&output, "cargo tree");
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        // "(*)": already shown above.
        .map(|l| l.trim_end().trim_end_matches(" (*)"))
        .map(|l| {
            let (package, licence) = l.split_once('|').expect("name|licence");
            let mut words = package.split_whitespace();
            let name = words.next().unwrap();
            let version = words.next().unwrap().trim_start_matches('v');
            (format!("{name}-{version}"), licence.trim().to_string())
        })
        .collect()
}

/// The copyright file's paragraphs, as field maps.
fn paragraphs(text: &str) -> Vec<BTreeMap<String, String>> {
    text.split("\n\n")
        .map(|para| {
            let mut map = BTreeMap::new();
            let mut last = String::new();
            for line in para.lines() {
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
        })
        .filter(|map| !map.is_empty())
        .collect()
}

/// The copyright file lists every crate linked into the library with the
/// licence its Cargo.toml declares, and has a License paragraph for every
/// licence it names; the three packages ship the same file.
#[test]
fn copyright_lists_every_linked_crate_with_its_licence() {
    let (deb, dev) = packages();
    let root = extract(deb, "deb-copyright");
    let text =
        std::fs::read_to_string(root.join("usr/share/doc/libmosquitto1-rs/copyright")).unwrap();
    let dev_root = extract(dev, "deb-copyright-dev");
    assert_eq!(
        text,
        std::fs::read_to_string(dev_root.join("usr/share/doc/libmosquitto-rs-dev/copyright"))
            .unwrap()
    );
    let paras = paragraphs(&text);
    assert_eq!(
        paras[0]["Format"],
        "https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
    );
    let files: BTreeMap<String, String> = paras
        .iter()
        .filter_map(|p| Some((p.get("Files")?.clone(), p.get("License")?.clone())))
        .collect();
    let standalone: Vec<&str> = paras
        .iter()
        .filter(|p| !p.contains_key("Files") && !p.contains_key("Format"))
        .filter_map(|p| p.get("License"))
        .map(|l| l.lines().next().unwrap())
        .collect();

    let own = env!("CARGO_PKG_NAME");
    assert_eq!(files["*"], "EPL-2.0 or BSD-3-Clause");
    assert_eq!(files["rust-std/*"], "MIT or Apache-2.0");
    let crates = linked_crates();
    assert!(crates.len() > 20, "{crates:?}");
    let mut listed = 0;
    for (crate_id, spdx) in &crates {
        if crate_id.starts_with(&format!("{own}-")) {
            continue;
        }
        let field = files
            .get(&format!("{crate_id}/*"))
            .unwrap_or_else(|| panic!("copyright does not list {crate_id}"));
        let want = spdx
            .replace('/', " OR ")
            .replace(" OR ", " or ")
            .replace(" AND ", " and ");
        assert_eq!(field, &want, "{crate_id}");
        listed += 1;
    }
    // Nothing else: our own paragraph, the standard library and the crates.
    assert_eq!(files.len(), listed + 2, "{:?}", files.keys());
    for (crate_prefix, licence) in [
        ("ring-", "Apache-2.0 and ISC"),
        ("rustls-webpki-", "ISC"),
        ("untrusted-", "ISC"),
    ] {
        let (_, field) = files
            .iter()
            .find(|(k, _)| k.starts_with(crate_prefix))
            .unwrap_or_else(|| panic!("no {crate_prefix}* paragraph"));
        assert_eq!(field, licence, "{crate_prefix}");
    }
    for field in files.values() {
        for name in field
            .split_whitespace()
            .filter(|w| *w != "or" && *w != "and")
        {
            assert!(
                standalone.contains(&name),
                "no License: {name} paragraph (have {standalone:?})"
            );
        }
    }
}

#[test]
fn dbgsym_package_holds_the_debugging_information() {
    let (runtime, _) = packages();
    let deb = dbgsym_package();
    let f = fields(&deb);
    assert_eq!(f["Package"], "libmosquitto1-rs-dbgsym");
    assert_eq!(f["Version"], deb_version());
    assert_eq!(f["Section"], "debug");
    assert_eq!(f["Auto-Built-Package"], "debug-symbols");
    assert_eq!(
        f["Depends"],
        format!("libmosquitto1-rs (= {})", deb_version())
    );
    let id = debuginfo::build_id(&common::our_lib());
    assert_eq!(f["Build-Ids"], id);

    let debug = debuginfo::build_id_path(Path::new("usr/lib/debug"), &id);
    let files = contents(&deb);
    let want: BTreeMap<String, Option<String>> = [
        (debug.display().to_string(), None),
        (
            "usr/share/doc/libmosquitto1-rs-dbgsym".into(),
            Some("libmosquitto1-rs".into()),
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(files, want);

    // Both packages extracted into one root: the library there is
    // stripped, and gdb finds its lines through the debug package.
    let root = extract(&deb, "deb-dbgsym");
    check_md5sums(&root, &files);
    stdout_of(
        "dpkg-deb",
        &["-x", runtime.to_str().unwrap(), root.to_str().unwrap()],
    );
    let lib = root
        .join(MULTIARCH_LIB)
        .join(format!("libmosquitto.so.{}", env!("CARGO_PKG_VERSION")));
    debuginfo::check_split(&lib, &root.join("usr/lib/debug"), &root);
}

/// lintian finds no error or warning in the three packages. Every tag the
/// packages override (tools/deb/lintian/) has its reason written above it,
/// and every override is still needed.
#[test]
fn lintian_accepts_the_packages() {
    let (deb, dev) = packages();
    let dbgsym = dbgsym_package();
    let lintian = |show_overrides: bool| {
        let mut cmd = Command::new("lintian");
        cmd.args(["--fail-on", "error,warning", "-I", "--pedantic"]);
        if show_overrides {
            cmd.arg("--show-overrides");
        }
        cmd.args([deb, dev, &dbgsym])
            .output()
            .expect("run lintian (apt-get install lintian, or run tools/setup-debian.sh)")
    };
    let verdict = lintian(false);
    assert!(
        verdict.status.success(),
        "lintian failed:\n{}{}",
        String::from_utf8_lossy(&verdict.stdout),
        String::from_utf8_lossy(&verdict.stderr)
    );
    // With the overrides shown, lintian's exit status is not 0: read its
    // lines instead.
    let output = lintian(true);
    let stdout = String::from_utf8_lossy(&output.stdout);
    for line in stdout.lines() {
        assert!(
            line.starts_with("N: ") || line.starts_with("O: "),
            "lintian reported: {line}\n{stdout}"
        );
        assert!(!line.contains("-override"), "{line}");
    }

    let dir = common::root().join("tools/deb/lintian");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let mut reason = false;
        for line in text.lines() {
            if line.starts_with('#') {
                reason = true;
            } else if !line.trim().is_empty() {
                assert!(reason, "{}: no reason above {line}", path.display());
                reason = false;
                // lintian showed it as used ("O:" line).
                let tag = line.split_whitespace().nth(1).unwrap();
                assert!(
                    stdout
                        .lines()
                        .any(|l| l.starts_with("O: ") && l.contains(tag)),
                    "override {tag} ({}) is not used:\n{stdout}",
                    path.display()
                );
            }
        }
    }
}
