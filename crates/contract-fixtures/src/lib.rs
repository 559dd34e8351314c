//! The contract fixtures are files no one here wrote (a `.c1z` the Go SDK wrote, ChartHop's
//! published OpenAPI files); some tests hold the code to them. They are kept outside the
//! repository, so a clone alone skips those tests, visibly, and CI requires them.
//!
//! The folder is `BATON_CONTRACT_FIXTURES` (relative paths from the workspace root), else
//! `../shared/fixtures` beside the workspace. With `BATON_REQUIRE_CONTRACT_FIXTURES=1` a missing
//! fixture fails the test instead of skipping it.

#![forbid(unsafe_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

/// The fixture `name` (a file or a folder) when it is there. Otherwise `None` after a
/// `skipped: contract fixtures not found at …` line on stderr, or a panic when fixtures are
/// required.
pub fn find(name: &str) -> Option<PathBuf> {
    let required = std::env::var_os("BATON_REQUIRE_CONTRACT_FIXTURES").is_some_and(|v| v == "1");
    let test = std::thread::current().name().unwrap_or("a contract test").to_owned();
    // Straight to the process's stderr: the test harness captures `eprintln!`, not this.
    find_in(&folder(), name, required, &test, &mut std::io::stderr())
}

fn find_in(folder: &Path, name: &str, required: bool, test: &str, out: &mut dyn Write) -> Option<PathBuf> {
    let path = folder.join(name);
    if path.exists() {
        return Some(path);
    }
    assert!(!required, "contract fixtures required but not found at {}", path.display());
    let _ = writeln!(out, "skipped: contract fixtures not found at {} ({test})", path.display());
    None
}

/// Where the fixtures are looked for.
pub fn folder() -> PathBuf {
    let root = workspace_root();
    match std::env::var_os("BATON_CONTRACT_FIXTURES") {
        Some(dir) if !dir.is_empty() => root.join(dir),
        _ => root.parent().unwrap_or(root).join("shared/fixtures"),
    }
}

fn workspace_root() -> &'static Path {
    // This crate is crates/contract-fixtures.
    Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).expect("crates/contract-fixtures")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_folder_is_shared_fixtures_beside_the_workspace() {
        if std::env::var_os("BATON_CONTRACT_FIXTURES").is_some() {
            return;
        }
        let root = workspace_root();
        assert!(root.join("Cargo.toml").is_file(), "{} is the workspace root", root.display());
        assert_eq!(folder(), root.parent().unwrap().join("shared/fixtures"));
    }

    #[test]
    fn a_missing_fixture_is_skipped_visibly_unless_required() {
        let dir = std::env::temp_dir();
        let mut said = Vec::new();
        assert_eq!(find_in(&dir, "no-such-fixture", false, "t", &mut said), None);
        let said = String::from_utf8(said).unwrap();
        assert!(
            said.starts_with("skipped: contract fixtures not found at ") && said.ends_with("(t)\n"),
            "{said}"
        );
        let required =
            std::panic::catch_unwind(|| find_in(&dir, "no-such-fixture", true, "t", &mut Vec::new()));
        assert!(required.is_err(), "required fixtures fail the test");
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        assert_eq!(find_in(here, "Cargo.toml", true, "t", &mut Vec::new()), Some(here.join("Cargo.toml")));
    }
}
