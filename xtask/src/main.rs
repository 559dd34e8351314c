//! Project automation. `cargo xtask ci` is the one command CI runs.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

mod codegen;

const USAGE: &str = "usage: cargo xtask <ci | codegen [--check] | demo | bench | schemas [--check]>";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let check = args.iter().any(|a| a == "--check");
    match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("codegen") => codegen::run(&workspace_root(), check),
        Some(other) => bail!("unknown task '{other}' (check={check})\n{USAGE}"),
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

fn ci() -> Result<()> {
    let mut fmt = cargo();
    fmt.args(["fmt", "--all", "--check"]);
    run("format", fmt)?;

    let mut clippy = cargo();
    clippy.args(["clippy", "--workspace", "--all-targets", "--locked", "--", "-D", "warnings"]);
    run("clippy", clippy)?;

    let mut test = cargo();
    test.args(["test", "--workspace", "--locked"]);
    run("tests", test)?;

    eprintln!("==> ci passed");
    Ok(())
}
