//! The module graph runs one way: C API (`src/ffi`) → client → session and
//! transport → protocol. A lower layer that names a higher one fails here,
//! with the file and line that does.

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
