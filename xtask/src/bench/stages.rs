//! The writer's stages alone: c1z's `stages` example rewrites a file the sync wrote and prints
//! how long each stage took (`name=value` lines).

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

/// Builds the example in release and returns its path.
pub fn build() -> Result<PathBuf> {
    let mut cmd = crate::cargo();
    cmd.args([
        "build",
        "--release",
        "-p",
        "c1z",
        "--example",
        "stages",
        "--message-format=json-render-diagnostics",
    ]);
    eprintln!("==> building c1z's stages example (release)");
    let output = cmd.stderr(Stdio::inherit()).output().context("could not start cargo build")?;
    if !output.status.success() {
        bail!("cargo build -p c1z --example stages failed ({})", output.status);
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "stages")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .context("cargo built no stages example")
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
    let value = |name: &str| -> Result<&str> {
        text.lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix('='))
            .with_context(|| format!("the stages example printed no {name}"))
    };
    let secs = |name: &str| -> Result<Duration> {
        let v: f64 = value(name)?.parse().with_context(|| format!("{name} is not a number"))?;
        Ok(Duration::from_secs_f64(v))
    };
    let int = |name: &str| -> Result<u64> {
        value(name)?.parse().with_context(|| format!("{name} is not a number"))
    };
    Ok(Stages {
        rows: int("rows")?,
        read: secs("read_s")?,
        read_and_write: secs("read_and_write_s")?,
        index_and_check: secs("index_and_check_s")?,
        compress_and_publish: secs("compress_and_publish_s")?,
        raw_bytes: int("raw_bytes")?,
        compressed_bytes: int("compressed_bytes")?,
    })
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
