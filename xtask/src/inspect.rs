//! What a `.c1z` holds, read through the binary's own `inspect --output json`.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use charthop_fake::Org;
use serde_json::Value;

/// Row counts of the latest finished full sync in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub persons: u64,
    pub groups: u64,
    pub entitlements: u64,
    pub grants: u64,
}

impl Counts {
    /// What a sync of `org` with the default options must write: every person (departed
    /// included), every current group with its one entitlement, one grant per membership.
    pub fn expected(org: &Org) -> Self {
        Counts {
            persons: org.persons.len() as u64,
            groups: org.groups.len() as u64,
            entitlements: org.groups.len() as u64,
            grants: org.memberships.len() as u64,
        }
    }
}

pub fn counts(bin: &Path, file: &Path) -> Result<Counts> {
    let output = Command::new(bin)
        .arg("inspect")
        .arg(file)
        .args(["--output", "json"])
        .output()
        .with_context(|| format!("could not run {} inspect", bin.display()))?;
    if !output.status.success() {
        bail!("inspect {} failed: {}", file.display(), String::from_utf8_lossy(&output.stderr).trim());
    }
    parse_counts(&String::from_utf8_lossy(&output.stdout))
}

fn parse_counts(json: &str) -> Result<Counts> {
    let summary: Value = serde_json::from_str(json).context("inspect printed invalid JSON")?;
    let number = |value: &Value, what: &str| {
        value.as_u64().with_context(|| format!("inspect's JSON has no number for {what}: {summary}"))
    };
    // A type with no rows is absent from resourcesByType.
    let of_type = |kind: &str| summary["resourcesByType"].get(kind).map_or(Ok(0), |v| number(v, kind));
    Ok(Counts {
        persons: of_type("person")?,
        groups: of_type("group")?,
        entitlements: number(&summary["entitlements"], "entitlements")?,
        grants: number(&summary["grants"], "grants")?,
    })
}

/// The `inspect --grants` table cut to its first `rows` rows, with a line saying how many more.
pub fn trim_table(text: &str, rows: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    // The summary, a blank line, the header, then one line per row.
    let Some(blank) = lines.iter().position(|l| l.trim().is_empty()) else { return text.to_owned() };
    let table_start = blank + 2;
    let shown_end = (table_start + rows).min(lines.len());
    let mut out: Vec<String> = lines[..shown_end].iter().map(|l| l.to_string()).collect();
    let hidden = lines.len().saturating_sub(shown_end);
    if hidden > 0 {
        out.push(format!("... and {hidden} more"));
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_come_from_the_json_summary() {
        let json = r#"{"file":"demo.c1z","resourceTypes":2,"resources":7,
            "resourcesByType":{"group":3,"person":4},"entitlements":3,"grants":9}"#;
        assert_eq!(parse_counts(json).unwrap(), Counts { persons: 4, groups: 3, entitlements: 3, grants: 9 });
    }

    #[test]
    fn an_absent_type_counts_zero_but_a_missing_total_is_an_error() {
        let no_groups = r#"{"resourcesByType":{"person":4},"entitlements":0,"grants":0}"#;
        assert_eq!(parse_counts(no_groups).unwrap().groups, 0);
        let no_grants = r#"{"resourcesByType":{},"entitlements":0}"#;
        assert!(parse_counts(no_grants).unwrap_err().to_string().contains("grants"));
    }

    #[test]
    fn a_table_is_cut_after_its_header_and_first_rows() {
        let text = "file: x\ngrants: 4\n\nENTITLEMENT  PRINCIPAL\ng:1  p:1\ng:1  p:2\ng:2  p:1\ng:2  p:3\n";
        assert_eq!(
            trim_table(text, 2),
            "file: x\ngrants: 4\n\nENTITLEMENT  PRINCIPAL\ng:1  p:1\ng:1  p:2\n... and 2 more"
        );
        assert_eq!(trim_table(text, 10), text.trim_end());
    }
}
