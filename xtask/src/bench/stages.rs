//! The stages alone: c1z's `stages` example rewrites a file the sync wrote and prints how long
//! each writer stage took; charthop-connector's `sync_stages` example lists the same org twice,
//! timing (a) fetch and decode and (b) the mapping (`name=value` lines, both).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde_json::Value;

/// Stage times of one rewrite.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stages {
    pub rows: u64,
    pub read: Duration,
    pub read_and_write: Duration,
    pub index_and_check: Duration,
    pub compress_and_publish: Duration,
    pub raw_bytes: u64,
    pub compressed_bytes: u64,
}

/// The two stage examples, built in release.
pub struct Examples {
    /// c1z's `stages`: the writer's stages.
    pub writer: PathBuf,
    /// charthop-connector's `sync_stages`: fetch and decode, then map.
    pub sync: PathBuf,
}

/// Builds both examples in release and returns their paths.
pub fn build() -> Result<Examples> {
    Ok(Examples {
        writer: build_example("c1z", "stages")?,
        sync: build_example("charthop-connector", "sync_stages")?,
    })
}

fn build_example(package: &str, example: &str) -> Result<PathBuf> {
    let mut cmd = crate::cargo();
    cmd.args([
        "build",
        "--release",
        "-p",
        package,
        "--example",
        example,
        "--message-format=json-render-diagnostics",
    ]);
    eprintln!("==> building {package}'s {example} example (release)");
    let output = cmd.stderr(Stdio::inherit()).output().context("could not start cargo build")?;
    if !output.status.success() {
        bail!("cargo build -p {package} --example {example} failed ({})", output.status);
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == example)
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .with_context(|| format!("cargo built no {example} example"))
}

/// Stage times of the sync before the writer, on one org.
#[derive(Debug, Clone, Copy, Default)]
pub struct SyncStages {
    pub persons: u64,
    pub rows: u64,
    /// (a) Every group and person page fetched and decoded, one after the other.
    pub fetch_and_decode: Duration,
    /// (b) Mapping those rows to protobuf, the listing not counted.
    pub map: Duration,
}

/// Runs `sync_stages` against the org the variables `env` point at (page size 1000).
pub fn run_sync(example: &Path, env: &[(&str, &str)]) -> Result<SyncStages> {
    let out = Command::new(example)
        .envs(env.iter().copied())
        .arg("1000")
        .output()
        .context("could not run the sync_stages example")?;
    if !out.status.success() {
        bail!("the sync_stages example failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(SyncStages {
        persons: int(&text, "persons")?,
        rows: int(&text, "rows")?,
        fetch_and_decode: secs(&text, "fetch_and_decode_s")?,
        map: secs(&text, "map_s")?,
    })
}

/// Rewrites `input` into `output` at zstd `level` and reads the stage times.
pub fn run(example: &Path, input: &Path, output: &Path, level: i32) -> Result<Stages> {
    let out = Command::new(example)
        .arg(input)
        .arg(output)
        .arg(level.to_string())
        .output()
        .context("could not run the stages example")?;
    if !out.status.success() {
        bail!("the stages example failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    let _ = std::fs::remove_file(output);
    parse(&String::from_utf8_lossy(&out.stdout))
}

fn parse(text: &str) -> Result<Stages> {
    Ok(Stages {
        rows: int(text, "rows")?,
        read: secs(text, "read_s")?,
        read_and_write: secs(text, "read_and_write_s")?,
        index_and_check: secs(text, "index_and_check_s")?,
        compress_and_publish: secs(text, "compress_and_publish_s")?,
        raw_bytes: int(text, "raw_bytes")?,
        compressed_bytes: int(text, "compressed_bytes")?,
    })
}

/// The value of the `name=value` line of an example's output.
fn value<'t>(text: &'t str, name: &str) -> Result<&'t str> {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix('='))
        .with_context(|| format!("the stages example printed no {name}"))
}

fn secs(text: &str, name: &str) -> Result<Duration> {
    let v: f64 = value(text, name)?.parse().with_context(|| format!("{name} is not a number"))?;
    Ok(Duration::from_secs_f64(v))
}

fn int(text: &str, name: &str) -> Result<u64> {
    value(text, name)?.parse().with_context(|| format!("{name} is not a number"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_examples_lines_parse() {
        let text = "rows=10\nread_s=0.5\nread_and_write_s=1.5\nindex_and_check_s=2.000\n\
                    compress_and_publish_s=0.25\nraw_bytes=100\ncompressed_bytes=20\n";
        let s = parse(text).unwrap();
        assert_eq!((s.rows, s.raw_bytes, s.compressed_bytes), (10, 100, 20));
        assert_eq!(s.index_and_check, Duration::from_secs(2));
        assert!(parse("rows=10\n").is_err());
    }
}
