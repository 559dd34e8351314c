//! Where the `baton-charthop` binary is, built fresh once per test run.
//!
//! `CARGO_BIN_EXE_*` only exists for tests of the binary's own package, and Cargo never
//! exposes a dependency's binaries, so the suites ask Cargo to build it (a no-op when it is
//! up to date) into the same target directory and profile as this test executable.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Set to a prebuilt binary (a release build, an image's binary) to test that instead.
const OVERRIDE_VAR: &str = "E2E_BATON_CHARTHOP_BIN";

pub fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ sits in the workspace root")
}

/// The path of the binary under test; builds it on first use.
pub fn binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| match std::env::var_os(OVERRIDE_VAR) {
        Some(path) => PathBuf::from(path),
        None => build(),
    })
}

fn build() -> PathBuf {
    // target/<profile>/deps/<test>-<hash> -> target/<profile>/
    let exe = std::env::current_exe().expect("the test executable has a path");
    let profile_dir =
        exe.parent().and_then(Path::parent).expect("test executable in <target>/<profile>/deps");
    let target_dir = profile_dir.parent().expect("profile directory inside the target directory");
    let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => "dev".to_owned(),
        Some(other) => other.to_owned(),
    };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(workspace_root())
        .args(["build", "--quiet", "-p", "baton-charthop", "--bin", "baton-charthop", "--profile"])
        .arg(&profile)
        .arg("--target-dir")
        .arg(target_dir)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "cargo build -p baton-charthop failed: {status}");
    let path = profile_dir.join(format!("baton-charthop{}", std::env::consts::EXE_SUFFIX));
    assert!(path.is_file(), "cargo built baton-charthop but {} is missing", path.display());
    path
}
