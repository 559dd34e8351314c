//! `cargo xtask schemas [--check]`: the committed `baton_capabilities.json` and
//! `config_schema.json` are exactly what the built binary prints for `capabilities` and `config`.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::binary::{self, Profile};

/// Each committed file and the subcommand that prints it.
pub const FILES: [(&str, &str); 2] =
    [("baton_capabilities.json", "capabilities"), ("config_schema.json", "config")];

/// Writes the files, or with `check` fails when a committed one differs from the binary's output.
pub fn run(root: &Path, check: bool) -> Result<()> {
    // CI checks with the lock file as committed.
    let binaries = binary::build(&["baton-charthop"], Profile::Debug, check)?;
    let bin = binaries.get("baton-charthop")?;
    let mut problems = Vec::new();
    for (file, subcommand) in FILES {
        let fresh = output_of(bin, subcommand)?;
        let path = root.join(file);
        let committed = match std::fs::read_to_string(&path) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(e).with_context(|| format!("could not read {}", path.display())),
        };
        if check {
            problems.extend(staleness(file, committed.as_deref(), &fresh));
        } else if committed.as_deref() == Some(fresh.as_str()) {
            eprintln!("==> {file} is up to date");
        } else {
            std::fs::write(&path, &fresh).with_context(|| format!("could not write {}", path.display()))?;
            eprintln!("==> wrote {file} (baton-charthop {subcommand})");
        }
    }
    if !problems.is_empty() {
        bail!("{}", problems.join("; "));
    }
    if check {
        eprintln!("==> {} and {} are up to date", FILES[0].0, FILES[1].0);
    }
    Ok(())
}

/// What is wrong with a committed file given what the binary prints now, if anything.
pub fn staleness(file: &str, committed: Option<&str>, fresh: &str) -> Option<String> {
    match committed {
        None => Some(format!("{file} is missing: run `cargo xtask schemas`")),
        Some(text) if text != fresh => Some(format!("{file} is stale: run `cargo xtask schemas`")),
        Some(_) => None,
    }
}

fn output_of(bin: &Path, subcommand: &str) -> Result<String> {
    let output = Command::new(bin)
        .arg(subcommand)
        .output()
        .with_context(|| format!("could not run {} {subcommand}", bin.display()))?;
    if !output.status.success() {
        bail!(
            "{} {subcommand} failed ({}): {}",
            bin.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    String::from_utf8(output.stdout)
        .with_context(|| format!("{subcommand} printed something that is not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_text_is_fresh() {
        assert_eq!(staleness("config_schema.json", Some("{\"a\": 1}\n"), "{\"a\": 1}\n"), None);
    }

    #[test]
    fn different_text_is_stale_and_says_how_to_fix_it() {
        assert_eq!(
            staleness("baton_capabilities.json", Some("{\"a\": 1}\n"), "{\"a\": 2}\n").as_deref(),
            Some("baton_capabilities.json is stale: run `cargo xtask schemas`")
        );
    }

    #[test]
    fn a_lost_trailing_newline_is_stale() {
        // Editors that strip the final newline would otherwise drift unnoticed.
        assert!(staleness("config_schema.json", Some("{}"), "{}\n").is_some());
    }

    #[test]
    fn a_missing_file_says_so() {
        assert_eq!(
            staleness("config_schema.json", None, "{}\n").as_deref(),
            Some("config_schema.json is missing: run `cargo xtask schemas`")
        );
    }
}
