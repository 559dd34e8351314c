//! `capabilities` and `config` print exactly the JSON committed at the workspace root (which
//! `cargo xtask schemas` writes and C1 reads), and nothing else.

use crate::harness::{Baton, workspace_root};

fn assert_prints_committed_file(subcommand: &str, file: &str) {
    let outcome = Baton::new().arg(subcommand).run();
    outcome.assert_success();
    assert_eq!(outcome.stderr, "", "{subcommand} writes nothing to standard error");
    let committed = std::fs::read_to_string(workspace_root().join(file))
        .unwrap_or_else(|e| panic!("{file} at the workspace root: {e} (run `cargo xtask schemas`)"));
    assert_eq!(outcome.stdout, committed, "`baton-charthop {subcommand}` differs from {file}");
    let json: serde_json::Value = serde_json::from_str(&outcome.stdout).expect("valid JSON");
    assert!(json.is_object(), "{subcommand} prints a JSON object");
}

#[test]
fn capabilities_prints_the_committed_capabilities() {
    assert_prints_committed_file("capabilities", "baton_capabilities.json");
}

#[test]
fn config_prints_the_committed_schema() {
    assert_prints_committed_file("config", "config_schema.json");
}
