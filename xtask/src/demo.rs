//! `cargo xtask demo`: the real binary syncs a 2,000-person fake ChartHop org into `demo.c1z`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use charthop_fake::{Knobs, OrgSpec};

use crate::binary::{self, Profile};
use crate::inspect::{self, Counts};
use crate::local_fake::LocalFake;

const PERSONS: usize = 2_000;
const SEED: u64 = 1;
const SAMPLE_GRANTS: usize = 5;
/// A debug build shares every dependency already compiled for xtask itself (same profile), so
/// from a fresh clone it is ready minutes sooner than a release build, and a 2,000-person sync
/// takes seconds either way (measured: see the report of the xtask work / BENCHMARKS.md).
const PROFILE: Profile = Profile::Debug;

pub fn run() -> Result<()> {
    let binaries = binary::build(&["baton-charthop"], PROFILE, false)?;
    let bin = binaries.get("baton-charthop")?;
    let file = PathBuf::from("demo.c1z");

    let local = LocalFake::start(&OrgSpec::new(PERSONS, SEED), Knobs::default())?;
    let org = local.org();
    let expected = Counts::expected(org);
    println!(
        "==> fake ChartHop at {}: org {} ({}), {} persons, {} groups, {} memberships",
        local.fake().base_url(),
        org.org_id,
        org.name,
        expected.persons,
        expected.groups,
        expected.grants,
    );
    println!(
        "==> {} --org-id {} --charthop-url {} --file {}   (API token in BATON_API_TOKEN)",
        bin.display(),
        org.org_id,
        local.fake().base_url(),
        file.display()
    );
    let started = Instant::now();
    let status = local.sync_command(bin, &file).status().context("could not start baton-charthop")?;
    let took = started.elapsed();
    let requests = local.fake().total_requests();
    local.stop();
    if !status.success() {
        bail!("baton-charthop failed ({status}) against the fake ChartHop; see its output above");
    }
    println!("==> synced in {:.1} s with {requests} ChartHop requests", took.as_secs_f64());

    let counts = inspect::counts(bin, &file)?;
    if counts != expected {
        bail!("demo.c1z holds {counts:?}, but the fake's org has {expected:?}");
    }
    println!("==> {} inspect {} --grants (first {SAMPLE_GRANTS} rows)", bin.display(), file.display());
    println!("{}", inspect::trim_table(&grants_table(bin, &file)?, SAMPLE_GRANTS));
    println!(
        "==> demo.c1z matches the fake's ground truth ({} persons, {} groups, {} grants)",
        counts.persons, counts.groups, counts.grants
    );
    Ok(())
}

fn grants_table(bin: &Path, file: &Path) -> Result<String> {
    let output = Command::new(bin).arg("inspect").arg(file).arg("--grants").output()?;
    if !output.status.success() {
        bail!("inspect --grants failed: {}", String::from_utf8_lossy(&output.stderr).trim());
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}
