//! Audit: every exported function runs its body inside the panic boundary
//! (`ffi_boundary` / `ffi_boundary_or` of `src/ffi/boundary.rs`), so no
//! panic can unwind into C.

mod support;
use support::common;

/// The Rust files under `dir`, its subfolders included.
fn rust_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// `(file, function, body)` for every `extern "C" fn mosquitto_*` in src/ffi.
fn exported_functions() -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for path in rust_files(&common::root().join("src/ffi")) {
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let mut rest = text.as_str();
        while let Some(at) = rest.find("extern \"C\" fn mosquitto_") {
            let after = &rest[at + "extern \"C\" fn ".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            // The body starts at the first `{` after the signature's `)`
            // (return types such as `*const c_char` hold no braces).
            let sig_end = find_signature_end(after);
            let body_start = sig_end + after[sig_end..].find('{').unwrap() + 1;
            let body = &after[body_start..];
            // The first statement, after any comment lines.
            let first = body
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty() && !l.starts_with("//"))
                .unwrap_or("")
                .to_string();
            out.push((path.display().to_string(), name, first));
            rest = &after[body_start..];
        }
    }
    out
}

/// Index just past the parameter list's closing parenthesis.
fn find_signature_end(s: &str) -> usize {
    let mut depth = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced signature");
}

#[test]
fn every_exported_function_starts_with_the_panic_boundary() {
    let functions = exported_functions();
    assert!(
        functions.len() >= 126,
        "found only {} exported functions",
        functions.len()
    );
    let unguarded: Vec<_> = functions
        .iter()
        .filter(|(_, _, first)| {
            !(first.starts_with("ffi_boundary(") || first.starts_with("ffi_boundary_or("))
        })
        .collect();
    assert!(
        unguarded.is_empty(),
        "exported functions whose body does not start with the panic boundary: {unguarded:#?}"
    );
    println!(
        "{} exported functions, all behind the panic boundary",
        functions.len()
    );
}
