//! `make install`: the installed tree, and building a C program against it
//! the two ways C projects find libmosquitto: pkg-config and CMake's
//! `find_package(mosquitto)`.

mod support;
use support::{common, debuginfo};

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// A small consumer: says which libmosquitto it loaded and uses two
/// functions, so a wrong header or library shows in its output.
const CONSUMER_C: &str = r#"#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <mosquitto.h>

int main(void)
{
	Dl_info info;
	int major = 0, minor = 0, revision = 0, packed, rc;
	bool match = false;

	if (dladdr((void *)&mosquitto_lib_version, &info) == 0 || info.dli_fname == NULL) {
		return 2;
	}
	printf("loaded %s\n", info.dli_fname);
	packed = mosquitto_lib_version(&major, &minor, &revision);
	printf("version %d %d.%d.%d\n", packed, major, minor, revision);
	rc = mosquitto_topic_matches_sub("a/+/c", "a/b/c", &match);
	printf("rc %d match %d\n", rc, match);
	return 0;
}
"#;

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

/// Runs `make install PREFIX=<scratch prefix>` once for all tests here.
fn installed_prefix() -> &'static Path {
    static PREFIX: OnceLock<PathBuf> = OnceLock::new();
    PREFIX.get_or_init(|| {
        // Fail early, with the usual message, if the library is not built.
        common::lib_dir();
        let prefix = common::scratch("install").join("prefix");
        if prefix.exists() {
            std::fs::remove_dir_all(&prefix).unwrap();
        }
        let output = clean_make_env(&mut Command::new("make"))
            .arg("-C")
            .arg(common::root())
            .arg("install")
            .arg(format!("PREFIX={}", prefix.display()))
            .output()
            .expect("run make");
        common::assert_output_ok(&output, "make install");
        prefix
    })
}

/// The dynamic symbol table of `lib` (`nm -D`), sorted.
fn dynamic_symbols(lib: &Path) -> Vec<String> {
    let output = Command::new("nm")
        .arg("-D")
        .arg(lib)
        .output()
        .expect("run nm");
    common::assert_output_ok(&output, "nm -D");
    let mut lines: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    lines.sort();
    assert!(lines.len() > 100, "{lines:?}");
    lines
}

/// Checks what the consumer printed: it loaded `lib` and got sane answers.
fn check_consumer_output(stdout: &str, lib: &Path) {
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "consumer output:\n{stdout}");
    assert_eq!(
        lines[0],
        format!("loaded {}", lib.display()),
        "consumer output:\n{stdout}"
    );
    let numbers: Vec<i64> = lines[1]
        .trim_start_matches("version ")
        .split([' ', '.'])
        .map(|n| n.parse().expect("a number"))
        .collect();
    assert_eq!(numbers.len(), 4, "{}", lines[1]);
    assert_eq!(numbers[1], 2, "major version: {}", lines[1]);
    assert_eq!(
        numbers[0],
        numbers[1] * 1_000_000 + numbers[2] * 1_000 + numbers[3]
    );
    assert_eq!(lines[2], "rc 0 match 1", "consumer output:\n{stdout}");
}

/// Writes the consumer's source into `dir`.
fn write_consumer(dir: &Path) -> PathBuf {
    let source = dir.join("consumer.c");
    std::fs::write(&source, CONSUMER_C).unwrap();
    source
}

#[test]
fn install_lays_out_the_expected_files() {
    let prefix = installed_prefix();
    let realname = format!("lib/libmosquitto.so.{}", env!("CARGO_PKG_VERSION"));
    for file in [
        realname.as_str(),
        "lib/libmosquitto.so.1",
        "lib/libmosquitto.so",
        "include/mosquitto.h",
        "include/mqtt_protocol.h",
        "lib/pkgconfig/libmosquitto.pc",
        "lib/cmake/mosquitto/mosquittoConfig.cmake",
        "lib/cmake/mosquitto/mosquittoConfigVersion.cmake",
    ] {
        assert!(
            prefix.join(file).exists(),
            "{file} was not installed under {}",
            prefix.display()
        );
    }

    // As Debian: the real file has the full version in its name; it is the
    // one `make` built, stripped (same build-id, same exported functions),
    // its debugging information under lib/debug/.build-id/; the soname and
    // the dev link point to it.
    let installed = prefix.join(&realname);
    assert_eq!(
        debuginfo::build_id(&installed),
        debuginfo::build_id(&common::our_lib()),
        "installed library is not the one `make` built"
    );
    assert_eq!(
        dynamic_symbols(&installed),
        dynamic_symbols(&common::our_lib())
    );
    let built_size = std::fs::metadata(common::our_lib()).unwrap().len();
    let size = std::fs::metadata(&installed).unwrap().len();
    assert!(
        size < built_size / 2,
        "installed {size} bytes, built {built_size}: not stripped?"
    );
    debuginfo::check_split(
        &installed,
        &prefix.join("lib/debug"),
        &common::scratch("install-debuginfo"),
    );
    let meta = std::fs::symlink_metadata(prefix.join(&realname)).unwrap();
    assert!(meta.file_type().is_file());
    assert_eq!(
        std::fs::read_link(prefix.join("lib/libmosquitto.so.1")).unwrap(),
        Path::new(realname.trim_start_matches("lib/"))
    );
    assert_eq!(
        std::fs::read_link(prefix.join("lib/libmosquitto.so")).unwrap(),
        Path::new("libmosquitto.so.1")
    );

    // The headers are ours, copied from include/.
    for header in ["mosquitto.h", "mqtt_protocol.h"] {
        let ours = std::fs::read(common::root().join("include").join(header)).unwrap();
        assert!(
            ours == std::fs::read(prefix.join("include").join(header)).unwrap(),
            "installed {header} differs from include/{header}"
        );
    }

    // Same fields as Debian's libmosquitto.pc, with our prefix.
    let pc = std::fs::read_to_string(prefix.join("lib/pkgconfig/libmosquitto.pc")).unwrap();
    for line in [
        format!("prefix={}", prefix.display()).as_str(),
        "includedir=${prefix}/include",
        "libdir=${exec_prefix}/lib",
        "Name: mosquitto",
        "Description: mosquitto MQTT library (C bindings)",
        "Cflags: -I${includedir}",
        "Libs: -L${libdir} -lmosquitto",
    ] {
        assert!(
            pc.lines().any(|l| l == line),
            "libmosquitto.pc lacks {line:?}:\n{pc}"
        );
    }
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        pc.lines().any(|l| l == format!("Version: {version}")),
        "libmosquitto.pc version:\n{pc}"
    );
}

#[test]
fn pkg_config_builds_a_working_program() {
    let prefix = installed_prefix();
    let pc_dir = prefix.join("lib/pkgconfig");
    let output = Command::new("pkg-config")
        .args(["--cflags", "--libs", "libmosquitto"])
        .env("PKG_CONFIG_PATH", &pc_dir)
        .output()
        .expect("run pkg-config (apt-get install pkg-config)");
    common::assert_output_ok(&output, "pkg-config --cflags --libs libmosquitto");
    let flags = String::from_utf8(output.stdout).unwrap();
    let flags: Vec<&str> = flags.split_whitespace().collect();
    let include = format!("-I{}/include", prefix.display());
    let libdir = format!("-L{}/lib", prefix.display());
    assert_eq!(flags, [include.as_str(), libdir.as_str(), "-lmosquitto"]);

    let scratch = common::scratch("install-pkg-config");
    let source = write_consumer(&scratch);
    let binary = scratch.join("consumer");
    let mut args = flags.clone();
    args.push("-ldl");
    common::compile(&[&source], &binary, &args, false);

    let run = common::command_with(common::Lib::Reference, &binary)
        .env("LD_LIBRARY_PATH", prefix.join("lib"))
        .output()
        .expect("run the pkg-config consumer");
    common::assert_output_ok(&run, "pkg-config consumer");
    check_consumer_output(
        &String::from_utf8_lossy(&run.stdout),
        &prefix.join("lib/libmosquitto.so.1"),
    );
}

#[test]
fn cmake_find_package_builds_a_working_program() {
    let prefix = installed_prefix();
    let scratch = common::scratch("install-cmake");
    let src = scratch.join("src");
    let build = scratch.join("build");
    for dir in [&src, &build] {
        if dir.exists() {
            std::fs::remove_dir_all(dir).unwrap();
        }
        std::fs::create_dir_all(dir).unwrap();
    }
    write_consumer(&src);
    std::fs::write(
        src.join("CMakeLists.txt"),
        "cmake_minimum_required(VERSION 3.13)\n\
         project(consumer C)\n\
         find_package(mosquitto 2.0 REQUIRED)\n\
         add_executable(consumer consumer.c)\n\
         target_link_libraries(consumer PRIVATE mosquitto::libmosquitto ${CMAKE_DL_LIBS})\n",
    )
    .unwrap();

    let configure = clean_make_env(&mut Command::new("cmake"))
        .arg("-S")
        .arg(&src)
        .arg("-B")
        .arg(&build)
        .arg(format!("-DCMAKE_PREFIX_PATH={}", prefix.display()))
        .output()
        .expect("run cmake (apt-get install cmake)");
    common::assert_output_ok(&configure, "cmake configure");
    let cache = std::fs::read_to_string(build.join("CMakeCache.txt")).unwrap();
    let want = format!(
        "mosquitto_DIR:PATH={}/lib/cmake/mosquitto",
        prefix.display()
    );
    assert!(
        cache.lines().any(|l| l == want),
        "CMake did not use the installed package ({want})"
    );

    let compile = clean_make_env(&mut Command::new("cmake"))
        .arg("--build")
        .arg(&build)
        .output()
        .expect("run cmake --build");
    common::assert_output_ok(&compile, "cmake --build");

    // No LD_LIBRARY_PATH: the imported target's location reaches the
    // program's run path, so the installed library is found by itself.
    let run = common::command_with(common::Lib::Reference, build.join("consumer"))
        .output()
        .expect("run the CMake consumer");
    common::assert_output_ok(&run, "CMake consumer");
    check_consumer_output(
        &String::from_utf8_lossy(&run.stdout),
        &prefix.join("lib/libmosquitto.so.1"),
    );
}

/// The version file accepts 2.x requests up to our version and refuses
/// others.
#[test]
fn cmake_version_file_checks_the_request() {
    let prefix = installed_prefix();
    let version = env!("CARGO_PKG_VERSION");
    let cases = [
        ("2.0", true),
        (version, true),
        ("2.0...<3", true),
        ("1.6", false),
        ("3.0", false),
        ("2.99", false),
    ];
    for (request, ok) in cases {
        let scratch = common::scratch(&format!(
            "install-cmake-version-{}",
            request.replace(['.', '<'], "_")
        ));
        let src = scratch.join("src");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(
            src.join("CMakeLists.txt"),
            format!(
                "cmake_minimum_required(VERSION 3.19)\n\
                 project(version_probe NONE)\n\
                 find_package(mosquitto {request} CONFIG REQUIRED)\n\
                 if(NOT TARGET mosquitto::libmosquitto)\n  message(FATAL_ERROR \"no target\")\nendif()\n"
            ),
        )
        .unwrap();
        let output = clean_make_env(&mut Command::new("cmake"))
            .arg("-S")
            .arg(&src)
            .arg("-B")
            .arg(scratch.join("build"))
            .arg(format!("-DCMAKE_PREFIX_PATH={}", prefix.display()))
            .output()
            .expect("run cmake");
        assert_eq!(
            output.status.success(),
            ok,
            "find_package(mosquitto {request}) should {}:\n{}",
            if ok { "succeed" } else { "fail" },
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// Every file under `dir`, as sorted paths relative to it (folders left out).
fn files_under(dir: &Path) -> Vec<String> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                walk(&path, base, out);
            } else {
                out.push(path.strip_prefix(base).unwrap().display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// `make install PREFIX=/usr LIBDIR=/usr/lib/<multiarch> DESTDIR=...` lays
/// out Debian's libmosquitto1 + libmosquitto-dev files (plus our CMake
/// package), and the .pc and CMake files point at the multiarch folder.
#[test]
fn install_with_libdir_uses_the_debian_layout() {
    common::lib_dir();
    let multiarch = "x86_64-linux-gnu";
    let destdir = common::scratch("install-debian-layout").join("root");
    if destdir.exists() {
        std::fs::remove_dir_all(&destdir).unwrap();
    }
    let output = clean_make_env(&mut Command::new("make"))
        .arg("-C")
        .arg(common::root())
        .arg("install")
        .arg(format!("DESTDIR={}", destdir.display()))
        .arg("PREFIX=/usr")
        .arg(format!("LIBDIR=/usr/lib/{multiarch}"))
        .output()
        .expect("run make");
    common::assert_output_ok(&output, "make install LIBDIR=...");

    let lib = format!("usr/lib/{multiarch}");
    let version = env!("CARGO_PKG_VERSION");
    let mut want = vec![
        "usr/include/mosquitto.h".to_string(),
        "usr/include/mqtt_protocol.h".to_string(),
        format!("{lib}/cmake/mosquitto/mosquittoConfig.cmake"),
        format!("{lib}/cmake/mosquitto/mosquittoConfigVersion.cmake"),
        format!("{lib}/libmosquitto.so"),
        format!("{lib}/libmosquitto.so.1"),
        format!("{lib}/libmosquitto.so.{version}"),
        format!("{lib}/pkgconfig/libmosquitto.pc"),
    ];
    // The debugging information where Debian's debug packages put it.
    let id = debuginfo::build_id(&common::our_lib());
    let debug = debuginfo::build_id_path(Path::new("usr/lib/debug"), &id);
    want.push(debug.display().to_string());
    want.sort();
    assert_eq!(files_under(&destdir), want);
    assert_eq!(
        std::fs::read_link(destdir.join(&lib).join("libmosquitto.so.1")).unwrap(),
        Path::new(&format!("libmosquitto.so.{version}"))
    );

    let pc = std::fs::read_to_string(destdir.join(&lib).join("pkgconfig/libmosquitto.pc")).unwrap();
    for line in [
        "prefix=/usr",
        "includedir=${prefix}/include",
        "libdir=${exec_prefix}/lib/x86_64-linux-gnu",
    ] {
        assert!(
            pc.lines().any(|l| l == line),
            "libmosquitto.pc lacks {line:?}:\n{pc}"
        );
    }

    // CMake finds the package in the multiarch folder and the headers two
    // levels up from it.
    let scratch = common::scratch("install-debian-layout-cmake");
    let src = scratch.join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(
        src.join("CMakeLists.txt"),
        "cmake_minimum_required(VERSION 3.13)\n\
         project(layout_probe NONE)\n\
         set(CMAKE_LIBRARY_ARCHITECTURE x86_64-linux-gnu)\n\
         find_package(mosquitto 2.0 CONFIG REQUIRED)\n\
         get_target_property(loc mosquitto::libmosquitto IMPORTED_LOCATION)\n\
         message(STATUS \"location=${loc}\")\n\
         message(STATUS \"includes=${MOSQUITTO_INCLUDE_DIRS}\")\n",
    )
    .unwrap();
    let build = scratch.join("build");
    if build.exists() {
        std::fs::remove_dir_all(&build).unwrap();
    }
    let output = clean_make_env(&mut Command::new("cmake"))
        .arg("-S")
        .arg(&src)
        .arg("-B")
        .arg(&build)
        .arg(format!("-DCMAKE_PREFIX_PATH={}/usr", destdir.display()))
        .output()
        .expect("run cmake (apt-get install cmake)");
    common::assert_output_ok(&output, "cmake configure");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let usr = destdir.join("usr");
    for line in [
        format!(
            "-- location={}/lib/{multiarch}/libmosquitto.so.1",
            usr.display()
        ),
        format!("-- includes={}/include", usr.display()),
    ] {
        assert!(
            stdout.lines().any(|l| l == line),
            "cmake output lacks {line:?}:\n{stdout}"
        );
    }
}

/// `make uninstall` removes every file `make install` put in place, the
/// debugging information included.
#[test]
fn uninstall_removes_what_install_put_in_place() {
    common::lib_dir();
    let prefix = common::scratch("install-uninstall").join("prefix");
    if prefix.exists() {
        std::fs::remove_dir_all(&prefix).unwrap();
    }
    for target in ["install", "uninstall"] {
        let output = clean_make_env(&mut Command::new("make"))
            .arg("-C")
            .arg(common::root())
            .arg(target)
            .arg(format!("PREFIX={}", prefix.display()))
            .output()
            .expect("run make");
        common::assert_output_ok(&output, &format!("make {target}"));
        if target == "install" {
            let id = debuginfo::build_id(&common::our_lib());
            assert!(debuginfo::build_id_path(&prefix.join("lib/debug"), &id).is_file());
        }
    }
    assert_eq!(files_under(&prefix), Vec::<String>::new());
}
