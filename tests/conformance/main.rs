//! MQTT 5 (and 3.1.1) conformance: one test per client rule of the OASIS
//! texts that the original breaks or that a broken broker can test, named
//! after its specification id, driven by the scriptable fake broker in both
//! directions (what we send, and what we answer).
//!
//! Each module lists its rules in a `RULES` table: the rule, its
//! specification ids, what the original (2.0.11) does, what ours does, and
//! the tests that prove it. The conformance table (docs/conformance.md) is
//! generated from those tables (`make docs`; [`docs_conformance_table_is_current`]
//! fails when it is stale), and [`every_rule_names_tests_that_exist`] checks
//! that each rule's tests are really there.
//!
//! The reference's column is checked where it helps: tests that run the
//! same script on Debian's library through tests/c/packet_probe.c.

#[path = "../support/mod.rs"]
mod support;
use support::common;

mod errors;
mod ids_sessions;
mod sizes_aliases;

/// One rule of the specification that the client must follow.
pub struct Rule {
    /// The number for it (the table's order).
    pub number: u32,
    /// What the rule says, in a few words.
    pub rule: &'static str,
    /// The specification's ids (e.g. `MQTT-2.2.1-3`) or sections.
    pub spec: &'static str,
    /// What Debian's libmosquitto 2.0.11 does.
    pub original: &'static str,
    /// What ours does.
    pub ours: &'static str,
    /// The test functions that prove `ours` (in the module's file).
    pub tests: &'static [&'static str],
}

/// Every module's rules with the module's file, in the table's order.
fn all_rules() -> Vec<(&'static str, &'static Rule)> {
    let mut rules: Vec<(&'static str, &'static Rule)> = Vec::new();
    for (file, table) in [
        ("ids_sessions.rs", ids_sessions::RULES),
        ("sizes_aliases.rs", sizes_aliases::RULES),
        ("errors.rs", errors::RULES),
    ] {
        rules.extend(table.iter().map(|r| (file, r)));
    }
    rules.sort_by_key(|(_, r)| r.number);
    rules
}

const START: &str = "<!-- conformance-table:start -->";
const END: &str = "<!-- conformance-table:end -->";

/// The table of docs/conformance.md.
fn generate() -> String {
    let mut table = String::from(
        "| # | Rule | Specification | Original 2.0.11 | Ours |\n|---|---|---|---|---|\n",
    );
    for (_, r) in all_rules() {
        table.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            r.number, r.rule, r.spec, r.original, r.ours
        ));
    }
    format!("{START}\n{table}{END}")
}

#[test]
fn docs_conformance_table_is_current() {
    common::check_generated_section(
        "docs/conformance.md",
        START,
        END,
        &generate(),
        "conformance table",
    );
}

#[test]
fn every_rule_names_tests_that_exist() {
    let dir = common::root().join("tests/conformance");
    let mut numbers = Vec::new();
    for (file, rule) in all_rules() {
        let source = std::fs::read_to_string(dir.join(file)).unwrap();
        assert!(!rule.tests.is_empty(), "rule {} names no test", rule.number);
        for test in rule.tests {
            assert!(
                source.contains(&format!("#[test]\nfn {test}(")),
                "rule {}: {file} has no test `{test}`",
                rule.number
            );
        }
        numbers.push(rule.number);
    }
    assert_eq!(numbers, (1..=13).collect::<Vec<_>>(), "every rule once");
}
