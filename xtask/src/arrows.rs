//! Holds the crates' dependencies (as `cargo metadata` reports them) to the table of allowed
//! edges in `docs/ARCHITECTURE.md` ("Which crate may depend on which"), so an arrow the
//! architecture forbids fails CI instead of hiding in a Cargo.toml.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde_json::Value;

const SECTION: &str = "## Which crate may depend on which";
/// Crates any crate's tests may use besides its allowed edges.
const TEST_SUPPORT: &[&str] = &["charthop-fake", "c1-fake", "contract-fixtures"];

pub fn check(root: &Path) -> Result<()> {
    let document =
        std::fs::read_to_string(root.join("docs/ARCHITECTURE.md")).context("reading docs/ARCHITECTURE.md")?;
    let allowed = allowed_edges(&document)?;
    let mut metadata = crate::cargo();
    metadata.args(["metadata", "--format-version", "1", "--no-deps", "--offline"]);
    let output = metadata.output().context("running cargo metadata")?;
    if !output.status.success() {
        bail!("cargo metadata failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    let metadata: Value = serde_json::from_slice(&output.stdout).context("reading cargo metadata")?;
    let crates = library_crates(&metadata, root)?;
    let violations = violations(&crates, &allowed);
    if !violations.is_empty() {
        bail!("dependencies the architecture document does not allow:\n  {}", violations.join("\n  "));
    }
    eprintln!("==> {} crates depend only as docs/ARCHITECTURE.md allows", crates.len());
    Ok(())
}

/// A crate under `crates/`: its workspace dependencies, split into normal and dev.
#[derive(Debug, Default)]
struct CrateDeps {
    normal: BTreeSet<String>,
    dev: BTreeSet<String>,
}

/// The table's rows: crate -> the crates it may depend on.
fn allowed_edges(document: &str) -> Result<BTreeMap<String, BTreeSet<String>>> {
    let section = document
        .split_once(SECTION)
        .map(|(_, rest)| rest)
        .with_context(|| format!("docs/ARCHITECTURE.md has no section '{SECTION}'"))?;
    let section = section.split("\n## ").next().unwrap_or(section);
    let mut allowed = BTreeMap::new();
    for line in section.lines().filter(|line| line.starts_with("| `")) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let [name, targets] = cells.as_slice() else {
            bail!("a table row with other than two cells: {line}")
        };
        let targets: BTreeSet<String> = targets.split(',').filter_map(backticked).collect();
        let name = backticked(name).with_context(|| format!("a row without a crate name: {line}"))?;
        allowed.insert(name, targets);
    }
    if allowed.is_empty() {
        bail!("the section '{SECTION}' of docs/ARCHITECTURE.md has no table rows");
    }
    Ok(allowed)
}

fn backticked(cell: &str) -> Option<String> {
    let inner = cell.trim().strip_prefix('`')?.strip_suffix('`')?;
    Some(inner.to_owned())
}

fn library_crates(metadata: &Value, root: &Path) -> Result<BTreeMap<String, CrateDeps>> {
    let packages = metadata["packages"].as_array().context("cargo metadata has no packages")?;
    let members: BTreeSet<&str> = packages.iter().filter_map(|p| p["name"].as_str()).collect();
    let crates_dir = root.join("crates");
    let mut crates = BTreeMap::new();
    for package in packages {
        let manifest = Path::new(package["manifest_path"].as_str().unwrap_or_default());
        if !manifest.starts_with(&crates_dir) {
            continue;
        }
        let name = package["name"].as_str().context("a package without a name")?.to_owned();
        let mut deps = CrateDeps::default();
        for dependency in package["dependencies"].as_array().into_iter().flatten() {
            let Some(target) = dependency["name"].as_str().filter(|target| members.contains(target)) else {
                continue;
            };
            match dependency["kind"].as_str() {
                Some("dev") => deps.dev.insert(target.to_owned()),
                _ => deps.normal.insert(target.to_owned()),
            };
        }
        crates.insert(name, deps);
    }
    Ok(crates)
}

fn violations(
    crates: &BTreeMap<String, CrateDeps>,
    allowed: &BTreeMap<String, BTreeSet<String>>,
) -> Vec<String> {
    let mut found = Vec::new();
    for (name, deps) in crates {
        let Some(targets) = allowed.get(name) else {
            found.push(format!("{name} has no row in the table: add one before adding the crate"));
            continue;
        };
        for target in deps.normal.iter().filter(|target| !targets.contains(*target)) {
            found.push(format!("{name} -> {target}"));
        }
        let test_only = |target: &&String| {
            !targets.contains(*target) && !TEST_SUPPORT.contains(&target.as_str()) && *target != name
        };
        for target in deps.dev.iter().filter(test_only) {
            found.push(format!("{name} -> {target} (dev)"));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCUMENT: &str = "# A\n## Which crate may depend on which\n\n| crate | may depend on |\n|---|---|\n\
        | `domain` | nothing |\n| `client` | `domain` |\n\n## Next\n| `ignored` | `x` |\n";

    fn deps(normal: &[&str], dev: &[&str]) -> CrateDeps {
        CrateDeps {
            normal: normal.iter().map(|s| s.to_string()).collect(),
            dev: dev.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn this_workspace_follows_its_architecture_document() {
        check(&crate::workspace_root()).unwrap();
    }

    #[test]
    fn the_table_is_read_from_its_section_only() {
        let allowed = allowed_edges(DOCUMENT).unwrap();
        assert_eq!(allowed.len(), 2);
        assert!(allowed["domain"].is_empty());
        assert_eq!(allowed["client"], BTreeSet::from(["domain".to_owned()]));
    }

    #[test]
    fn a_forbidden_edge_an_unlisted_crate_and_a_dev_edge_beyond_the_fakes_are_reported() {
        let allowed = allowed_edges(DOCUMENT).unwrap();
        let crates = BTreeMap::from([
            ("domain".to_owned(), deps(&["client"], &[])),
            ("client".to_owned(), deps(&["domain"], &["charthop-fake", "client", "other"])),
            ("new".to_owned(), deps(&[], &[])),
        ]);
        assert_eq!(
            violations(&crates, &allowed),
            [
                "client -> other (dev)",
                "domain -> client",
                "new has no row in the table: add one before adding the crate"
            ]
        );
    }
}
