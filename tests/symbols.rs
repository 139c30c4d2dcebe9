//! The exported ABI of the built `libmosquitto.so.1`: every function of the
//! `abi/` lists exported in its GNU version node, nothing else exported, the
//! version nodes chained as in the original, and the soname unchanged.
//!
//! Reads the library with binutils (`objdump -T`, `readelf`), as a loader
//! would see it, so it checks what `make` really produced.

mod support;
use support::common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

/// One defined dynamic symbol, as `objdump -T` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct DynSym {
    name: String,
    /// The version node, without the parentheses of a hidden version.
    version: String,
    /// `true` when objdump prints the version in parentheses (a non-default
    /// `name@NODE` rather than `name@@NODE`).
    hidden_version: bool,
    /// Section name (`.text`, `*ABS*`, ...).
    section: String,
    /// objdump's seven flag characters (binding, kind, ...).
    flags: String,
}

impl DynSym {
    /// A global or weak function (`g`/`w` binding, `F` kind).
    fn is_global_function(&self) -> bool {
        let binding = self.flags.chars().next().unwrap_or(' ');
        (binding == 'g' || binding == 'w') && self.flags.contains('F')
    }
}

/// Runs a tool and returns its stdout, panicking with its stderr on failure.
fn tool_output(program: &str, args: &[&str], file: &Path) -> String {
    let output = Command::new(program)
        .args(args)
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("run {program} (apt-get install binutils): {e}"));
    common::assert_output_ok(&output, &format!("{program} {args:?} {}", file.display()));
    String::from_utf8(output.stdout).expect("tool output is UTF-8")
}

/// Parses `objdump -T` output into the defined (non-`*UND*`) symbols.
///
/// A line reads `ADDR FLAGS SECTION\tSIZE  VERSION NAME`; FLAGS is seven
/// characters wide and VERSION is `(NODE)` for a hidden version.
fn parse_objdump_dynamic(text: &str) -> Vec<DynSym> {
    let mut symbols = Vec::new();
    for line in text.lines() {
        let Some((left, right)) = line.split_once('\t') else {
            continue;
        };
        // ADDR is 16 hex digits (8 on 32-bit), then a space, then 7 flags.
        let Some((addr, rest)) = left.split_once(' ') else {
            continue;
        };
        if addr.is_empty() || !addr.chars().all(|c| c.is_ascii_hexdigit()) || rest.len() < 8 {
            continue;
        }
        let flags = rest[..7].to_string();
        let section = rest[7..].trim().to_string();
        if section == "*UND*" {
            continue;
        }
        let fields: Vec<&str> = right.split_whitespace().collect();
        let (version, name) = match fields.as_slice() {
            [_size, version, name] => (*version, *name),
            [_size, name] => ("", *name),
            _ => panic!("unexpected objdump -T line: {line:?}"),
        };
        let hidden_version = version.starts_with('(');
        symbols.push(DynSym {
            name: name.to_string(),
            version: version.trim_matches(|c| c == '(' || c == ')').to_string(),
            hidden_version,
            section,
            flags,
        });
    }
    symbols
}

/// Reads every `abi/symbols-*.txt` list of `dir`: function name -> node.
fn read_abi_lists(dir: &Path) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for (file, text) in abi_list_files(dir) {
        for (lineno, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(
                fields.len(),
                2,
                "{file}:{}: expected `NODE function`",
                lineno + 1
            );
            let previous = map.insert(fields[1].to_string(), fields[0].to_string());
            assert!(
                previous.is_none(),
                "{file}:{}: {} listed twice",
                lineno + 1,
                fields[1]
            );
        }
    }
    map
}

/// The `symbols-*.txt` files of `dir`, by file name, with their contents.
fn abi_list_files(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display())) {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("symbols-") && name.ends_with(".txt") {
            files.insert(name, std::fs::read_to_string(entry.path()).unwrap());
        }
    }
    assert!(!files.is_empty(), "no symbols-*.txt in {}", dir.display());
    files
}

/// The repository's ABI lists.
fn expected_symbols() -> BTreeMap<String, String> {
    read_abi_lists(&common::root().join("abi"))
}

/// The version nodes named by the lists.
fn expected_nodes(expected: &BTreeMap<String, String>) -> BTreeSet<String> {
    expected.values().cloned().collect()
}

/// The defined dynamic symbols of our library.
fn exported_symbols() -> Vec<DynSym> {
    let text = tool_output("objdump", &["-T"], &common::our_lib());
    parse_objdump_dynamic(&text)
}

/// How the library's exports differ from the lists.
#[derive(Debug, Default)]
struct Comparison {
    in_place: usize,
    missing: Vec<String>,
    wrong_node: Vec<String>,
    extra: Vec<String>,
}

fn compare(expected: &BTreeMap<String, String>, exported: &[DynSym]) -> Comparison {
    let nodes = expected_nodes(expected);
    let mut result = Comparison::default();
    let mut seen = BTreeSet::new();
    for sym in exported {
        // A version node's own definition: `NODE` as an absolute symbol in
        // node `NODE`. Allowed for exactly the nodes of the lists.
        if sym.section == "*ABS*" && sym.name == sym.version && nodes.contains(&sym.name) {
            continue;
        }
        match expected.get(&sym.name) {
            Some(node)
                if *node == sym.version && !sym.hidden_version && sym.is_global_function() =>
            {
                if seen.insert(sym.name.clone()) {
                    result.in_place += 1;
                } else {
                    result.extra.push(format!("{} (defined twice)", sym.name));
                }
            }
            Some(node) => result.wrong_node.push(format!(
                "{}: expected global function @@{node}, found flags {:?} section {} version {}{}",
                sym.name,
                sym.flags,
                sym.section,
                if sym.hidden_version { "@" } else { "@@" },
                sym.version,
            )),
            None => result.extra.push(format!(
                "{} [{} {} {}]",
                sym.name,
                sym.flags.trim(),
                sym.section,
                if sym.version.is_empty() {
                    "unversioned"
                } else {
                    &sym.version
                }
            )),
        }
    }
    let exported_names: BTreeSet<&str> = exported.iter().map(|s| s.name.as_str()).collect();
    result.missing = expected
        .iter()
        .filter(|(name, _)| !exported_names.contains(name.as_str()))
        .map(|(name, node)| format!("{name}@@{node}"))
        .collect();
    result
}

#[test]
fn abi_lists_hold_126_functions_in_nine_nodes() {
    let expected = expected_symbols();
    assert_eq!(expected.len(), 126);
    let nodes: Vec<String> = expected_nodes(&expected).into_iter().collect();
    let want: Vec<String> = [
        "1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "2.1",
    ]
    .iter()
    .map(|v| format!("MOSQ_{v}"))
    .collect();
    assert_eq!(nodes, want);
}

#[test]
fn exports_equal_the_abi_lists() {
    let expected = expected_symbols();
    let result = compare(&expected, &exported_symbols());
    println!(
        "{} of {} in place, {} extra",
        result.in_place,
        expected.len(),
        result.extra.len()
    );
    assert!(
        result.missing.is_empty() && result.wrong_node.is_empty() && result.extra.is_empty(),
        "{} of {} in place\nmissing ({}):\n  {}\nin the wrong node or not a default-versioned function ({}):\n  {}\nextra ({}):\n  {}",
        result.in_place,
        expected.len(),
        result.missing.len(),
        result.missing.join("\n  "),
        result.wrong_node.len(),
        result.wrong_node.join("\n  "),
        result.extra.len(),
        result.extra.join("\n  "),
    );
    assert_eq!(result.in_place, 126);
}

/// The part of the check above that holds whatever is implemented so far:
/// whatever the library exports is a listed function in its own node.
#[test]
fn nothing_outside_the_lists_is_exported() {
    let expected = expected_symbols();
    let exported = exported_symbols();
    let result = compare(&expected, &exported);
    assert!(
        result.extra.is_empty(),
        "extra exports:\n  {}",
        result.extra.join("\n  ")
    );
    assert!(
        result.wrong_node.is_empty(),
        "misplaced exports:\n  {}",
        result.wrong_node.join("\n  ")
    );
    // Every node of the lists is defined, even while it has no function yet.
    let defined_nodes: BTreeSet<String> = exported
        .iter()
        .filter(|s| s.section == "*ABS*" && s.name == s.version)
        .map(|s| s.name.clone())
        .collect();
    assert_eq!(defined_nodes, expected_nodes(&expected));
    // Rust's own runtime symbols must stay inside.
    for sym in &exported {
        assert!(
            !sym.name.starts_with("rust_")
                && !sym.name.starts_with("_ZN")
                && !sym.name.starts_with("__rust"),
            "Rust runtime symbol leaked: {sym:?}"
        );
    }
}

#[test]
fn soname_is_libmosquitto_so_1() {
    let text = tool_output("readelf", &["-d"], &common::our_lib());
    let sonames: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("(SONAME)"))
        .filter_map(|l| {
            l.split_once('[')
                .and_then(|(_, r)| r.split_once(']'))
                .map(|(s, _)| s)
        })
        .collect();
    assert_eq!(sonames, ["libmosquitto.so.1"], "readelf -d:\n{text}");
}

/// Each node inherits the one before it (MOSQ_1.1 <- MOSQ_1.0, ...,
/// MOSQ_2.1 <- MOSQ_1.7), as in the original's version definitions.
#[test]
fn version_nodes_chain_like_the_original() {
    let text = tool_output("readelf", &["-V", "-W"], &common::our_lib());
    let mut parents: BTreeMap<String, Option<String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut in_definitions = false;
    for line in text.lines() {
        if line.starts_with("Version definition section") {
            in_definitions = true;
            continue;
        }
        if line.starts_with("Version needs section") || line.starts_with("Version symbols section")
        {
            in_definitions = false;
        }
        if !in_definitions {
            continue;
        }
        if let Some((_, name)) = line.split_once("Name: ") {
            if line.contains("Flags: BASE") {
                current = None;
                assert_eq!(name.trim(), "libmosquitto.so.1");
            } else {
                current = Some(name.trim().to_string());
                parents.insert(name.trim().to_string(), None);
            }
        } else if let Some((_, parent)) = line.split_once("Parent 1: ") {
            let node = current.clone().expect("a Parent line follows a node");
            parents.insert(node, Some(parent.trim().to_string()));
        }
    }
    let want: BTreeMap<String, Option<String>> = [
        ("MOSQ_1.0", None),
        ("MOSQ_1.1", Some("MOSQ_1.0")),
        ("MOSQ_1.2", Some("MOSQ_1.1")),
        ("MOSQ_1.3", Some("MOSQ_1.2")),
        ("MOSQ_1.4", Some("MOSQ_1.3")),
        ("MOSQ_1.5", Some("MOSQ_1.4")),
        ("MOSQ_1.6", Some("MOSQ_1.5")),
        ("MOSQ_1.7", Some("MOSQ_1.6")),
        ("MOSQ_2.1", Some("MOSQ_1.7")),
    ]
    .into_iter()
    .map(|(n, p)| (n.to_string(), p.map(str::to_string)))
    .collect();
    assert_eq!(parents, want, "readelf -V:\n{text}");
}

/// The lists in this repository are the project's shared ABI facts: when the
/// shared folder sits beside the checkout, both must say the same.
#[test]
fn abi_lists_equal_the_shared_copy() {
    let shared = common::root().join("../shared/abi");
    if !shared.is_dir() {
        println!("{} not present: nothing to compare", shared.display());
        return;
    }
    let ours = abi_list_files(&common::root().join("abi"));
    let theirs = abi_list_files(&shared);
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        theirs.keys().collect::<Vec<_>>(),
        "abi/ and {} hold different lists",
        shared.display()
    );
    assert_eq!(
        read_abi_lists(&common::root().join("abi")),
        read_abi_lists(&shared),
        "abi/ differs from {}",
        shared.display()
    );
}

#[test]
fn objdump_parser_reads_defined_versioned_symbols() {
    let sample = "\n\
        lib.so:     file format elf64-x86-64\n\
        \n\
        DYNAMIC SYMBOL TABLE:\n\
        0000000000000000      DF *UND*\t0000000000000000 (GLIBC_2.2.5) free\n\
        000000000000e610 g    DF .text\t00000000000000ae  MOSQ_1.6    mosquitto_property_add_int16\n\
        0000000000000000 g    DO *ABS*\t0000000000000000  MOSQ_1.5    MOSQ_1.5\n\
        0000000000001000 g    DF .text\t0000000000000010 (MOSQ_1.0)   old_name\n\
        0000000000002000 g    DF .text\t0000000000000010              unversioned\n";
    let syms = parse_objdump_dynamic(sample);
    let names: Vec<&str> = syms.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "mosquitto_property_add_int16",
            "MOSQ_1.5",
            "old_name",
            "unversioned"
        ]
    );
    assert_eq!(syms[0].version, "MOSQ_1.6");
    assert!(syms[0].is_global_function() && !syms[0].hidden_version);
    assert_eq!(syms[1].section, "*ABS*");
    assert!(!syms[1].is_global_function());
    assert!(syms[2].hidden_version && syms[2].version == "MOSQ_1.0");
    assert_eq!(syms[3].version, "");

    let expected: BTreeMap<String, String> = [
        ("mosquitto_property_add_int16", "MOSQ_1.6"),
        ("old_name", "MOSQ_1.0"),
        ("absent", "MOSQ_1.5"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    let result = compare(&expected, &syms);
    assert_eq!(result.in_place, 1);
    assert_eq!(result.missing, ["absent@@MOSQ_1.5"]);
    assert_eq!(result.wrong_node.len(), 1, "{:?}", result.wrong_node);
    assert_eq!(result.extra.len(), 1, "{:?}", result.extra);
}
