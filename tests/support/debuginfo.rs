//! Checks on a stripped library and its separate debugging information, as
//! `make install` and the -dbgsym package lay them out: the library has no
//! DWARF, the debug file sits at `<debug dir>/.build-id/xx/rest.debug` for
//! the library's build-id, the library's `.gnu_debuglink` names that file
//! with its CRC, and gdb, pointed at the debug folder, finds source lines
//! for an exported function.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `program args` and returns its stdout, panicking on failure.
fn stdout_of(program: &str, args: &[&str]) -> String {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run {program}: {e}"));
    assert!(
        output.status.success(),
        "{program} {} failed:\n{}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The section names of the ELF file `path` (`readelf -SW`).
pub fn sections(path: &Path) -> Vec<String> {
    let dump = stdout_of("readelf", &["-SW", path.to_str().unwrap()]);
    dump.lines()
        .filter_map(|l| l.trim_start().strip_prefix('['))
        .filter_map(|l| l.split_once(']'))
        .filter_map(|(_, rest)| rest.split_whitespace().next())
        .filter(|name| name.starts_with('.'))
        .map(str::to_string)
        .collect()
}

/// The GNU build-id of `path`, in hexadecimal.
pub fn build_id(path: &Path) -> String {
    let notes = stdout_of("readelf", &["-n", path.to_str().unwrap()]);
    notes
        .lines()
        .find_map(|l| l.trim().strip_prefix("Build ID: "))
        .unwrap_or_else(|| panic!("{} has no build-id:\n{notes}", path.display()))
        .to_string()
}

/// Where the debug file of a library with build-id `id` lives under the
/// debug folder `debug_dir`.
pub fn build_id_path(debug_dir: &Path, id: &str) -> PathBuf {
    debug_dir
        .join(".build-id")
        .join(&id[..2])
        .join(format!("{}.debug", &id[2..]))
}

/// The CRC-32 (IEEE, as zlib computes it) that `.gnu_debuglink` records.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

/// The file name and CRC in `path`'s `.gnu_debuglink` section.
pub fn debuglink(path: &Path, scratch: &Path) -> (String, u32) {
    let out = scratch.join("debuglink.bin");
    let arg = format!(".gnu_debuglink={}", out.display());
    stdout_of(
        "objcopy",
        &["--dump-section", &arg, path.to_str().unwrap(), "/dev/null"],
    );
    let raw = std::fs::read(&out).unwrap();
    let end = raw.iter().position(|&b| b == 0).expect("NUL-ended name");
    let name = String::from_utf8(raw[..end].to_vec()).unwrap();
    // The CRC follows the name's NUL padding, at the next multiple of 4.
    let at = (end + 4) & !3;
    let crc = u32::from_le_bytes(raw[at..at + 4].try_into().unwrap());
    (name, crc)
}

/// Asserts that `lib` is stripped and that `debug_dir` holds its debugging
/// information where gdb looks for it; returns the debug file.
pub fn check_split(lib: &Path, debug_dir: &Path, scratch: &Path) -> PathBuf {
    let lib_sections = sections(lib);
    let dwarf: Vec<&String> = lib_sections
        .iter()
        .filter(|s| s.starts_with(".debug_") || s.starts_with(".zdebug_"))
        .collect();
    assert!(dwarf.is_empty(), "{} keeps {dwarf:?}", lib.display());
    assert!(
        !lib_sections.iter().any(|s| s == ".symtab"),
        "{} keeps its full symbol table",
        lib.display()
    );

    let id = build_id(lib);
    let debug = build_id_path(debug_dir, &id);
    assert!(debug.is_file(), "no debug file at {}", debug.display());
    assert_eq!(build_id(&debug), id, "the debug file is another build's");
    let debug_sections = sections(&debug);
    assert!(
        debug_sections.iter().any(|s| s == ".debug_info"),
        "{} has no .debug_info: {debug_sections:?}",
        debug.display()
    );

    let (name, crc) = debuglink(lib, scratch);
    assert_eq!(name, debug.file_name().unwrap().to_str().unwrap());
    assert_eq!(
        crc,
        crc32(&std::fs::read(&debug).unwrap()),
        "debuglink CRC does not match {}",
        debug.display()
    );

    // gdb finds source lines through the build-id folder.
    let gdb = Command::new("gdb")
        .args(["-nx", "-batch", "-iex"])
        .arg(format!("set debug-file-directory {}", debug_dir.display()))
        .arg("-ex")
        .arg(format!("file {}", lib.display()))
        .args(["-ex", "info line mosquitto_connect"])
        .output()
        .expect("run gdb (apt-get install gdb, or run tools/setup-debian.sh)");
    let said = String::from_utf8_lossy(&gdb.stdout);
    assert!(
        said.lines()
            .any(|l| l.starts_with("Line ") && l.contains(".rs\" starts at address")),
        "gdb found no source line for mosquitto_connect:\n{said}{}",
        String::from_utf8_lossy(&gdb.stderr)
    );
    debug
}

#[test]
fn crc32_is_zlibs() {
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
}
