//! Contract test of the utility functions libmosquitto 2.1 adds (property
//! removal and accessors, pattern and ACL matching). Debian's 2.0.11 has no
//! counterpart, so tests/c/api21_contract.c checks them against the
//! behaviour upstream's 2.1 headers document, on our library only.

mod support;
use support::common;

use common::Lib;

#[test]
fn api21_utility_functions_meet_their_contract() {
    let src = common::root().join("tests/c/api21_contract.c");
    let exe = common::scratch("api21").join("api21_contract");
    // Our generated header declares the 2.1 functions, which exist only in
    // our library.
    common::compile_with_ours(
        &[&src],
        &exe,
        &["-Wall", "-Wextra", "-DMOSQ_API21_DECLARED"],
    );

    let output = common::command_with(Lib::Ours, &exe)
        .output()
        .expect("run api21_contract");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("failures=0"),
        "contract checks failed ({}):\n{stdout}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let summary = stdout.lines().last().unwrap_or_default();
    assert!(summary.starts_with("checks="), "no summary line: {stdout}");
    let checks: usize = summary
        .trim_start_matches("checks=")
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .expect("check count");
    assert!(checks > 300, "only {checks} checks ran");
    println!("{summary}");
}
