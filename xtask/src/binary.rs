//! Builds the workspace's binaries with cargo and finds them through cargo's own JSON messages,
//! so `CARGO_TARGET_DIR`, `--target-dir` in a config file or a custom profile dir all just work.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::Stdio;

use anyhow::{Context, Result, bail};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    Debug,
    Release,
}

impl Profile {
    fn name(self) -> &'static str {
        match self {
            Profile::Debug => "debug",
            Profile::Release => "release",
        }
    }
}

/// The binaries built from `packages`, by binary name.
#[derive(Debug)]
pub struct Binaries(BTreeMap<String, PathBuf>);

impl Binaries {
    pub fn get(&self, name: &str) -> Result<&PathBuf> {
        self.0.get(name).with_context(|| {
            let built: Vec<&str> = self.0.keys().map(String::as_str).collect();
            format!("cargo built no binary named {name} (built: {})", built.join(", "))
        })
    }
}

/// `cargo build -p <package>...` in `profile`; `locked` adds `--locked` (CI).
pub fn build(packages: &[&str], profile: Profile, locked: bool) -> Result<Binaries> {
    let mut cmd = crate::cargo();
    cmd.args(["build", "--message-format=json-render-diagnostics"]);
    for package in packages {
        cmd.args(["-p", package]);
    }
    if profile == Profile::Release {
        cmd.arg("--release");
    }
    if locked {
        cmd.arg("--locked");
    }
    eprintln!("==> building {} ({})", packages.join(", "), profile.name());
    // Diagnostics and progress go to our stderr; stdout carries one JSON message a line.
    let mut child = cmd.stdout(Stdio::piped()).spawn().context("could not start cargo build")?;
    let stdout = child.stdout.take().context("cargo build has no stdout")?;
    let mut binaries = BTreeMap::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.context("could not read cargo's output")?;
        if let Some((name, path)) = executable_in(&line) {
            binaries.insert(name, path);
        }
    }
    let status = child.wait().context("cargo build did not finish")?;
    if !status.success() {
        bail!("cargo build -p {} failed ({status}); see the errors above", packages.join(" -p "));
    }
    Ok(Binaries(binaries))
}

/// The binary named in one line of `--message-format=json` output, if it names one.
fn executable_in(line: &str) -> Option<(String, PathBuf)> {
    let message: Value = serde_json::from_str(line).ok()?;
    if message["reason"] != "compiler-artifact" {
        return None;
    }
    let is_bin = message["target"]["kind"].as_array()?.iter().any(|kind| kind == "bin");
    let path = message["executable"].as_str()?;
    let name = message["target"]["name"].as_str()?;
    is_bin.then(|| (name.to_owned(), PathBuf::from(path)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_executable_of_a_bin_artifact() {
        let line = r#"{"reason":"compiler-artifact","package_id":"path+file:///w/crates/baton-charthop#0.0.0",
            "target":{"kind":["bin"],"crate_types":["bin"],"name":"baton-charthop","src_path":"/w/src/main.rs"},
            "filenames":["/t/debug/baton-charthop"],"executable":"/t/debug/baton-charthop","fresh":true}"#
            .replace('\n', "");
        assert_eq!(
            executable_in(&line),
            Some(("baton-charthop".to_owned(), PathBuf::from("/t/debug/baton-charthop")))
        );
    }

    #[test]
    fn ignores_libraries_tests_and_other_messages() {
        let lib =
            r#"{"reason":"compiler-artifact","target":{"kind":["lib"],"name":"c1z"},"executable":null}"#;
        let test =
            r#"{"reason":"compiler-artifact","target":{"kind":["test"],"name":"it"},"executable":"/t/it"}"#;
        let done = r#"{"reason":"build-finished","success":true}"#;
        for line in [lib, test, done, "not json", ""] {
            assert_eq!(executable_in(line), None, "{line}");
        }
    }

    #[test]
    fn a_missing_binary_names_what_was_built() {
        let binaries = Binaries(BTreeMap::from([("charthop-fake".to_owned(), PathBuf::from("/t/f"))]));
        let error = binaries.get("baton-charthop").unwrap_err().to_string();
        assert_eq!(error, "cargo built no binary named baton-charthop (built: charthop-fake)");
    }
}
