//! `cargo xtask bench [--quick]`: the release binary against the in-process fake ChartHop,
//! every comparison measured side by side in one run and printed as ratios, then written to
//! `target/bench/report.json`. It fails when list mode needs more requests than the lower bound.

pub(crate) mod external;
mod latency;
mod limits;
mod plot;
pub mod report;
pub mod rss;
pub(crate) mod service;
mod stages;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use charthop_fake::{Knobs, OrgSpec};
use serde_json::{Value, json};

use crate::binary::{self, Profile};
use crate::inspect::Counts;
use crate::local_fake::LocalFake;
use report::{mib, ratio, seconds, table};

/// How long after its request each answer of the fake leaves, to model a network between
/// connector and ChartHop.
const LATENCY: Duration = Duration::from_millis(20);
const SEED: u64 = 7;
const MEMBERSHIP_PERSONS: usize = 2_000;
const MEMORY_PERSONS: [usize; 2] = [5_000, 50_000];
const PAGE_SIZE_PERSONS: usize = 5_000;

/// One sync of the binary, measured.
struct Outcome {
    wall: Duration,
    requests: u64,
    peak_rss_kib: u64,
    usage: rss::Usage,
    grants: u64,
    file_bytes: u64,
}

struct Bench {
    bin: PathBuf,
    fake_bin: PathBuf,
    c1_fake_bin: PathBuf,
    stages: stages::Examples,
    scratch: PathBuf,
}

pub fn run(args: &[String]) -> Result<()> {
    let (quick, only) = options(args)?;
    let binaries = binary::build(&["baton-charthop", "charthop-fake", "c1-fake"], Profile::Release, false)?;
    let stages = stages::build()?;
    let scratch = std::env::temp_dir().join(format!("xtask-bench-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).with_context(|| format!("cannot create {}", scratch.display()))?;
    let bench = Bench {
        bin: binaries.get("baton-charthop")?.clone(),
        fake_bin: binaries.get("charthop-fake")?.clone(),
        c1_fake_bin: binaries.get("c1-fake")?.clone(),
        stages,
        scratch,
    };
    let started = Instant::now();
    println!(
        "baton-charthop bench{}: the release binary against the fake ChartHop (in-process, 127.0.0.1),\n\
         {} cores. Compare the lines of one run with each other (the ratios); absolute numbers depend\n\
         on the machine.",
        if quick { " --quick" } else { "" },
        std::thread::available_parallelism().map_or(1, |n| n.get()),
    );
    let outcome = match only.as_deref() {
        Some("b2") => latency::run(&bench).map(drop),
        Some("b6") => service::run(&bench).map(drop),
        _ => limits_and_legacy(&bench, quick, started),
    };
    let _ = std::fs::remove_dir_all(&bench.scratch);
    outcome
}

/// `--quick` and `--only b2|b6` (one scenario alone, no report: for working on it).
fn options(args: &[String]) -> Result<(bool, Option<String>)> {
    let (mut quick, mut only) = (false, None);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => quick = true,
            "--only" => match args.next().map(String::as_str) {
                Some(name @ ("b2" | "b6")) => only = Some(name.to_owned()),
                other => bail!("bench: --only takes b2 or b6, not {other:?}"),
            },
            other => bail!("bench: unknown option '{other}' (--quick, --only b2|b6)"),
        }
    }
    Ok((quick, only))
}

/// B1, B3/B4/B7, then (full run only) B2, B6 and the older ratio tables; writes the report.
fn limits_and_legacy(bench: &Bench, quick: bool, started: Instant) -> Result<()> {
    let sizes = if quick { &limits::QUICK } else { &limits::FULL };
    let (requests, at_bound) = limits::requests(bench, sizes)?;
    let growth = limits::growth(bench, sizes)?;
    // B2 takes about a minute (per-person mode pays one delay per 8 persons): full run only.
    let latency = if quick { Value::Null } else { latency::run(bench)? };
    // B6 runs 30 service-mode tasks (about 10 s): full run only.
    let service = if quick { Value::Null } else { service::run(bench)? };
    let report = json!({
        "quick": quick,
        "cores": std::thread::available_parallelism().map_or(1, |n| n.get()),
        "b1_requests": requests,
        "b3_b4_b7": growth,
        "b2_latency": latency,
        "b6_service": service,
    });
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| crate::workspace_root().join("target"), PathBuf::from)
        .join("bench");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let plot = dir.join("growth.png");
    std::fs::write(&plot, plot::growth_png(&limits::growth_points(&report["b3_b4_b7"]))?)
        .with_context(|| format!("cannot write {}", plot.display()))?;
    println!("\nplot: {}", plot.display());
    let path = dir.join("report.json");
    std::fs::write(&path, serde_json::to_string_pretty(&report)?)
        .with_context(|| format!("cannot write {}", path.display()))?;
    println!(
        "
report: {}",
        path.display()
    );
    if !at_bound {
        bail!("B1: list mode needs more requests than the lower bound (see the table above)");
    }
    if quick {
        println!(
            "
bench --quick took {:.0} s",
            started.elapsed().as_secs_f64()
        );
        return Ok(());
    }
    legacy(bench)?;
    println!(
        "
bench took {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The ratio tables between modes, with a network delay added.
fn legacy(bench: &Bench) -> Result<()> {
    println!(
        "\nThe ratio tables: each answer {} ms after its request, {} cores. One sync per line.",
        LATENCY.as_millis(),
        std::thread::available_parallelism().map_or(1, |n| n.get()),
    );
    membership_sources(bench).and_then(|()| memory(bench)).and_then(|()| page_sizes(bench))
}

impl Bench {
    /// Starts a fake org of `persons` with the bench latency.
    fn fake(&self, persons: usize) -> Result<LocalFake> {
        let knobs = Knobs { latency: LATENCY, ..Knobs::default() };
        let local = LocalFake::start(&OrgSpec::new(persons, SEED), knobs)?;
        eprintln!("==> fake org: {persons} persons, {} groups", local.org().groups.len());
        Ok(local)
    }

    /// Syncs `local`'s org with `args` added and checks the file holds exactly the org.
    fn sync(&self, local: &LocalFake, label: &str, args: &[&str]) -> Result<Outcome> {
        self.sync_keeping(local, label, args, None)
    }

    /// Syncs the release fake process's org; its requests are not counted (B1 counts them).
    fn sync_external(
        &self,
        fake: &external::ExternalFake,
        label: &str,
        keep: Option<&Path>,
    ) -> Result<Outcome> {
        let file = self.scratch.join("bench.c1z");
        let cmd = fake.sync_command(&self.bin, &file);
        self.measure(cmd, &file, label, fake.expected, || 0, keep)
    }

    /// [`Bench::sync`], moving the file to `keep` instead of deleting it.
    fn sync_keeping(
        &self,
        local: &LocalFake,
        label: &str,
        args: &[&str],
        keep: Option<&Path>,
    ) -> Result<Outcome> {
        let file = self.scratch.join("bench.c1z");
        let mut cmd = local.sync_command(&self.bin, &file);
        cmd.args(args);
        local.fake().reset_request_counts();
        let expected = Counts::expected(local.org());
        self.measure(cmd, &file, label, expected, || local.fake().total_requests(), keep)
    }

    /// Runs one sync under the probe and checks the file holds exactly `expected`.
    fn measure(
        &self,
        sync: std::process::Command,
        file: &Path,
        label: &str,
        expected: Counts,
        requests: impl Fn() -> u64,
        keep: Option<&Path>,
    ) -> Result<Outcome> {
        let mut cmd = rss::wrapped(&sync)?;
        cmd.stdin(Stdio::null());
        let started = Instant::now();
        let output = cmd.output().with_context(|| format!("could not run the sync '{label}'"))?;
        let wall = started.elapsed();
        let requests = requests();
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
            bail!(
                "sync '{label}' failed ({}):\n{}",
                output.status,
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        let usage =
            rss::usage(&stdout).with_context(|| format!("sync '{label}': the probe printed no usage"))?;
        let peak_rss_kib = usage.peak_kib;
        let counts = external::counts(&self.bin, file)?;
        if counts != expected {
            bail!(
                "sync '{label}' wrote {counts:?}, but the fake's org has {expected:?}: a wrong result is no benchmark"
            );
        }
        let file_bytes = std::fs::metadata(file).map_or(0, |m| m.len());
        match keep {
            Some(keep) => {
                std::fs::rename(file, keep).with_context(|| format!("cannot keep {}", file.display()))?
            }
            None => {
                std::fs::remove_file(file).with_context(|| format!("cannot remove {}", file.display()))?
            }
        }
        eprintln!("    {label}: {}", seconds(wall));
        Ok(Outcome { wall, requests, peak_rss_kib, usage, grants: counts.grants, file_bytes })
    }
}

/// (a) Where memberships come from: one list request per page, or one request per person.
fn membership_sources(bench: &Bench) -> Result<()> {
    let local = bench.fake(MEMBERSHIP_PERSONS)?;
    // Untimed: warms the page cache for the binary and the fake's first answers.
    bench.sync(&local, "warm-up", &["--membership-source", "list"])?;
    let mut runs = Vec::new();
    for (label, source, list_has_group_ids) in [
        ("list", "list", true),
        ("auto", "auto", true),
        ("per-person", "per-person", true),
        ("auto, list ignores groupIds", "auto", false),
    ] {
        local.fake().update_knobs(|k| k.list_honours_group_ids = list_has_group_ids);
        runs.push((label, bench.sync(&local, label, &["--membership-source", source])?));
    }
    local.stop();

    let base = &runs[0].1;
    let mut rows = vec![cells(["run", "wall", "requests", "grants", "wall vs list", "requests vs list"])];
    for (label, run) in &runs {
        rows.push(vec![
            (*label).to_owned(),
            seconds(run.wall),
            run.requests.to_string(),
            run.grants.to_string(),
            ratio(run.wall.as_secs_f64(), base.wall.as_secs_f64()),
            ratio(run.requests as f64, base.requests as f64),
        ]);
    }
    println!(
        "\n(a) membership source: {MEMBERSHIP_PERSONS} persons, page size 1000 (default), 8 per-person requests at once\n{}",
        table(&rows)
    );
    Ok(())
}

/// (b) Peak memory while the org grows tenfold: the sync streams pages, so it should stay flat.
fn memory(bench: &Bench) -> Result<()> {
    let mut runs = Vec::new();
    for persons in MEMORY_PERSONS {
        let local = bench.fake(persons)?;
        runs.push((persons, bench.sync(&local, &format!("{persons} persons"), &[])?));
        local.stop();
    }
    let (small_persons, small) = &runs[0];
    let mut rows =
        vec![cells(["persons", "peak RSS", "wall", "grants", "persons vs first", "peak RSS vs first"])];
    for (persons, run) in &runs {
        rows.push(vec![
            persons.to_string(),
            mib(run.peak_rss_kib),
            seconds(run.wall),
            run.grants.to_string(),
            ratio(*persons as f64, *small_persons as f64),
            ratio(run.peak_rss_kib as f64, small.peak_rss_kib as f64),
        ]);
    }
    println!(
        "\n(b) memory: peak RSS of the binary (getrusage of the only child), page size 1000\n{}",
        table(&rows)
    );
    Ok(())
}

/// (c) Rows per page: fewer, larger pages mean fewer round trips.
fn page_sizes(bench: &Bench) -> Result<()> {
    let local = bench.fake(PAGE_SIZE_PERSONS)?;
    let mut runs = Vec::new();
    for size in ["1000", "100"] {
        runs.push((size, bench.sync(&local, &format!("page size {size}"), &["--page-size", size])?));
    }
    local.stop();
    let base = &runs[0].1;
    let mut rows =
        vec![cells(["page size", "wall", "requests", "peak RSS", "wall vs 1000", "requests vs 1000"])];
    for (size, run) in &runs {
        rows.push(vec![
            (*size).to_owned(),
            seconds(run.wall),
            run.requests.to_string(),
            mib(run.peak_rss_kib),
            ratio(run.wall.as_secs_f64(), base.wall.as_secs_f64()),
            ratio(run.requests as f64, base.requests as f64),
        ]);
    }
    println!("\n(c) page size: {PAGE_SIZE_PERSONS} persons, membership source auto\n{}", table(&rows));
    Ok(())
}

fn cells<const N: usize>(texts: [&str; N]) -> Vec<String> {
    texts.iter().map(|t| (*t).to_owned()).collect()
}
