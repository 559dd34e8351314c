//! Project automation. `cargo xtask ci` is the one command CI runs; `cargo xtask demo` is the
//! README's first command.

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

mod arrows;
mod bench;
mod binary;
mod codegen;
mod demo;
mod faults;
mod inspect;
mod local_fake;
mod schemas;
mod soak;

const USAGE: &str =
    "usage: cargo xtask <ci | codegen [--check] | demo | bench | schemas [--check] | faults [--soak]>";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let check = args.iter().any(|a| a == "--check");
    let root = workspace_root();
    match args.first().map(String::as_str) {
        Some("ci") => ci(&root),
        Some("codegen") => codegen::run(&root, check),
        Some("schemas") => schemas::run(&root, check),
        Some("demo") => demo::run(),
        Some("bench") => bench::run(&args[1..]),
        Some("faults") => faults::run(&args[1..]),
        // Internal: how `bench` measures a child's peak memory exactly (see bench/rss.rs).
        Some(bench::rss::PROBE_TASK) => bench::rss::probe(&args[1..]),
        Some(other) => bail!("unknown task '{other}'\n{USAGE}"),
        None => bail!("{USAGE}"),
    }
}

/// The root of the workspace (the parent of `xtask/`).
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(workspace_root());
    cmd
}

/// Runs a step, printing it first; fails on a non-zero exit.
fn run(step: &str, mut cmd: Command) -> Result<()> {
    eprintln!("==> {step}: {cmd:?}");
    let status = cmd.status().with_context(|| format!("could not start {step}"))?;
    if !status.success() {
        bail!("{step} failed ({status})");
    }
    Ok(())
}

/// Runs an in-process step, printing it first.
fn run_here(step: &str, task: impl FnOnce() -> Result<()>) -> Result<()> {
    eprintln!("==> {step}");
    task().with_context(|| format!("{step} failed"))
}

fn ci(root: &Path) -> Result<()> {
    let mut fmt = cargo();
    fmt.args(["fmt", "--all", "--check"]);
    run("format", fmt)?;

    run_here("generated code is fresh (codegen --check)", || codegen::run(root, true))?;
    run_here("crate dependencies follow docs/ARCHITECTURE.md", || arrows::check(root))?;

    let mut clippy = cargo();
    clippy.args(["clippy", "--workspace", "--all-targets", "--locked", "--", "-D", "warnings"]);
    run("clippy", clippy)?;

    let mut test = cargo();
    test.args(["test", "--workspace", "--locked"]);
    run("tests", test)?;

    // After the tests: the binary is built by then, so this costs seconds.
    run_here("committed JSON files are fresh (schemas --check)", || schemas::run(root, true))?;
    // Exact request counts only (B1 at its lower bound); no timing is asserted here.
    run_here("bench --quick runs and B1 is the lower bound", || bench::run(&["--quick".to_owned()]))?;

    eprintln!("==> ci passed");
    Ok(())
}
