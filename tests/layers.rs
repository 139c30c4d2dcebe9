//! The module graph runs one way: C API (`src/ffi`) → client → session and
//! transport → protocol. A lower layer that names a higher one fails here,
//! with the file and line that does. Files and functions stay short enough
//! to read (production code only): 800 lines a file, 90 a function.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The lines of the files under `src/<layer>` that name one of `above`
/// (as `crate::<module>`, or inside a `crate::{...}` group).
fn upward_references(layer: &str, above: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(layer);
    let files = rust_files(&root);
    assert!(!files.is_empty(), "no sources under {}", root.display());
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable source");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            let names = above.iter().any(|m| {
                code.contains(&format!("crate::{m}"))
                    || (code.contains("crate::{") && code.contains(&format!("{m}::")))
            });
            if names {
                found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn no_layer_below_the_c_api_names_it() {
    for layer in ["protocol", "session", "transport", "client"] {
        let found = upward_references(layer, &["ffi"]);
        assert!(
            found.is_empty(),
            "src/{layer} names the C API:\n{}",
            found.join("\n")
        );
    }
}

#[test]
fn session_and_transport_name_nothing_above_them() {
    for layer in ["protocol", "session"] {
        let found = upward_references(layer, &["client", "transport", "ffi"]);
        assert!(
            found.is_empty(),
            "src/{layer} names a layer above it:\n{}",
            found.join("\n")
        );
    }
    let found = upward_references("transport", &["client", "session", "ffi"]);
    assert!(
        found.is_empty(),
        "src/transport names a layer above it:\n{}",
        found.join("\n")
    );
}

/// The production part of a source file: everything before an inline
/// `#[cfg(test)] mod tests {`; nothing for a file that holds only tests.
fn production_lines(file: &Path) -> Vec<String> {
    if file.file_name().is_some_and(|n| n == "tests.rs") {
        return Vec::new();
    }
    let text = std::fs::read_to_string(file).expect("readable source");
    let lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let end = lines
        .windows(2)
        .position(|w| w[0] == "#[cfg(test)]" && w[1] == "mod tests {")
        .unwrap_or(lines.len());
    lines[..end].to_vec()
}

/// Whether `line` starts a function item (after visibility and qualifiers),
/// returning its indentation.
fn function_start(line: &str) -> Option<&str> {
    let body = line.trim_start();
    let indent = &line[..line.len() - body.len()];
    let mut rest = body;
    for prefix in [
        "pub(crate) ",
        "pub(super) ",
        "pub ",
        "const ",
        "unsafe ",
        "extern \"C\" ",
    ] {
        rest = rest.strip_prefix(prefix).unwrap_or(rest);
    }
    (rest.starts_with("fn ") && !line.trim_end().ends_with('}') && !line.ends_with(';'))
        .then_some(indent)
}

/// `(length, where)` of every production function in `lines`, measured from
/// its `fn` line to the closing brace at the same indentation.
fn function_lengths(file: &Path, lines: &[String]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (start, line) in lines.iter().enumerate() {
        let Some(indent) = function_start(line) else {
            continue;
        };
        let close = format!("{indent}}}");
        if let Some(len) = lines[start + 1..].iter().position(|l| *l == close) {
            out.push((len + 2, format!("{}:{}", file.display(), start + 1)));
        }
    }
    out
}

/// Files and functions stay small enough to read: no production file over
/// 800 lines, no production function over 90 (tests are not counted).
#[test]
fn production_files_and_functions_stay_short() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut too_long = Vec::new();
    let mut functions = 0;
    for file in rust_files(&src) {
        let lines = production_lines(&file);
        if lines.len() > 800 {
            too_long.push(format!("{}: {} lines", file.display(), lines.len()));
        }
        for (len, at) in function_lengths(&file, &lines) {
            functions += 1;
            if len > 90 {
                too_long.push(format!("{at}: function of {len} lines"));
            }
        }
    }
    assert!(
        functions > 500,
        "only {functions} functions found: the scan is broken"
    );
    assert!(too_long.is_empty(), "too long:\n{}", too_long.join("\n"));
}
