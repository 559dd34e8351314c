//! The release-built fake ChartHop as a process of its own, for the CPU-bound syncs: `cargo
//! xtask` runs xtask unoptimized, and an unoptimized in-process fake would be the bottleneck
//! it is meant to measure the binary against.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use anyhow::{Context, Result, bail};
use charthop_fake::{Org, OrgSpec, generate_org};

use crate::inspect::Counts;

pub struct ExternalFake {
    child: Child,
    base_url: String,
    org_id: String,
    token: String,
    /// The same org, generated here from the same seed (for the expected counts).
    pub expected: Counts,
}

impl ExternalFake {
    pub fn start(fake_bin: &Path, persons: usize, seed: u64) -> Result<Self> {
        Self::start_with(fake_bin, persons, seed, &[])
    }

    /// [`ExternalFake::start`] with more of the fake's flags (`--cache-bodies`).
    pub fn start_with(fake_bin: &Path, persons: usize, seed: u64, flags: &[&str]) -> Result<Self> {
        let spec = OrgSpec::new(persons, seed);
        let org: Org = generate_org(&spec);
        let expected = Counts::expected(&org);
        drop(org);
        let mut child = Command::new(fake_bin)
            .args(["--persons", &persons.to_string(), "--seed", &seed.to_string(), "--today"])
            .arg(spec.today.format("%Y-%m-%d").to_string())
            .args(flags)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("could not start {}", fake_bin.display()))?;
        let stdout = child.stdout.take().context("the fake has no stdout")?;
        let (mut base_url, mut org_id, mut token) = (None, None, None);
        for line in BufReader::new(stdout).lines() {
            let line = line.context("could not read the fake's output")?;
            let field = |name: &str| line.strip_prefix(name).map(|v| v.trim().to_owned());
            base_url = base_url.or_else(|| field("base_url:"));
            org_id = org_id.or_else(|| field("org_id:"));
            token = token.or_else(|| field("token:"));
            if line.contains("Ctrl-C") {
                break;
            }
        }
        let (Some(base_url), Some(org_id), Some(token)) = (base_url, org_id, token) else {
            let _ = child.kill();
            bail!("the fake ChartHop did not print its address, org id and token");
        };
        eprintln!("==> fake org (release process): {persons} persons, {} groups, no delay", expected.groups);
        Ok(ExternalFake { child, base_url, org_id, token, expected })
    }

    /// The variables that point the binary at this fake's org (service mode reads no flags).
    pub fn env(&self) -> [(&'static str, &str); 3] {
        [
            ("BATON_API_TOKEN", &self.token),
            ("BATON_ORG_ID", &self.org_id),
            ("BATON_CHARTHOP_URL", &self.base_url),
        ]
    }

    /// `bin` set up to sync this fake's org into `file` (as `LocalFake::sync_command`).
    pub fn sync_command(&self, bin: &Path, file: &Path) -> Command {
        let mut cmd = Command::new(bin);
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("BATON_") {
                cmd.env_remove(name);
            }
        }
        cmd.env("BATON_API_TOKEN", &self.token)
            .arg("--org-id")
            .arg(&self.org_id)
            .arg("--charthop-url")
            .arg(&self.base_url)
            .arg("--file")
            .arg(file);
        cmd
    }
}

impl Drop for ExternalFake {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a file holds, through `inspect --output json` with a cap large enough for the largest
/// org (the interactive default of 1 GiB is smaller than a 300,000-person database).
pub fn counts(bin: &Path, file: &Path) -> Result<Counts> {
    let output = Command::new(bin)
        .arg("inspect")
        .arg(file)
        .args(["--output", "json", "--max-decompressed-bytes", "8GiB"])
        .output()
        .with_context(|| format!("could not run {} inspect", bin.display()))?;
    if !output.status.success() {
        bail!("inspect {} failed: {}", file.display(), String::from_utf8_lossy(&output.stderr).trim());
    }
    let summary: serde_json::Value =
        serde_json::from_slice(&output.stdout).context("inspect printed invalid JSON")?;
    let number = |v: &serde_json::Value| v.as_u64().unwrap_or(0);
    Ok(Counts {
        persons: number(&summary["resourcesByType"]["person"]),
        groups: number(&summary["resourcesByType"]["group"]),
        entitlements: number(&summary["entitlements"]),
        grants: number(&summary["grants"]),
    })
}
