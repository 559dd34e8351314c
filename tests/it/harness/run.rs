//! Runs the binary as a child process with nothing of the developer's environment: no
//! `BATON_*` variable, no `RUST_LOG`, and a fresh working directory (so no stray
//! `.baton.yaml` and no `sync.c1z` outside the test's own directory).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

use super::binary;

/// One invocation of `baton-charthop`, built up and then run.
pub struct Baton {
    work_dir: TempDir,
    args: Vec<OsString>,
    env: Vec<(String, OsString)>,
}

/// What a finished run left behind.
#[derive(Debug)]
pub struct Outcome {
    /// `None` when a signal ended the process.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Baton {
    pub fn new() -> Self {
        let work_dir = tempfile::Builder::new().prefix("e2e-").tempdir().expect("a temporary directory");
        Baton { work_dir, args: Vec::new(), env: Vec::new() }
    }

    /// The process's working directory (removed when `self` drops).
    pub fn dir(&self) -> &Path {
        self.work_dir.path()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir().join(name)
    }

    /// Writes `.baton.yaml` into the working directory.
    pub fn config_file(self, yaml: &str) -> Self {
        std::fs::write(self.path(".baton.yaml"), yaml).expect("write .baton.yaml");
        self
    }

    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: Into<OsString>>(mut self, args: I) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn env(mut self, name: &str, value: impl Into<OsString>) -> Self {
        self.env.push((name.to_owned(), value.into()));
        self
    }

    /// Runs to completion; `self` stays usable (its directory holds what the run wrote).
    pub fn run(&self) -> Outcome {
        let output = Command::new(binary())
            .env_clear()
            // Nothing in one-shot mode needs more than a home for well-behaved libraries.
            .env("HOME", self.dir())
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .current_dir(self.dir())
            .args(&self.args)
            .output()
            .expect("the binary starts");
        Outcome {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Names of the files in the working directory, sorted, leaving out the lock files
    /// (`.<target>.lock`) a writer keeps beside its target on purpose.
    pub fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.dir())
            .expect("read the working directory")
            .map(|entry| entry.expect("a directory entry").file_name().to_string_lossy().into_owned())
            .filter(|name| !(name.starts_with('.') && name.ends_with(".lock")))
            .collect();
        names.sort();
        names
    }
}

impl Outcome {
    /// Panics with the whole output unless the run exited 0.
    pub fn assert_success(&self) -> &Self {
        assert_eq!(self.code, Some(0), "the run failed:\n{self}");
        self
    }

    /// Panics with the whole output unless the run exited non-zero (and was not killed).
    pub fn assert_failure(&self) -> &Self {
        assert!(matches!(self.code, Some(code) if code != 0), "the run should have failed:\n{self}");
        self
    }

    /// Panics if `secret` shows up anywhere in what the process printed.
    pub fn assert_hides(&self, secret: &str) -> &Self {
        assert!(!secret.is_empty());
        assert!(!self.stdout.contains(secret), "stdout shows the secret:\n{}", self.stdout);
        assert!(!self.stderr.contains(secret), "stderr shows the secret:\n{}", self.stderr);
        self
    }

    pub fn last_stdout_line(&self) -> &str {
        self.stdout.lines().last().unwrap_or_default()
    }

    /// The lines a failed run ends with (`baton-charthop: <error>`, then any hint), joined.
    pub fn error_message(&self) -> String {
        let lines: Vec<&str> = self.stderr.lines().filter(|l| l.starts_with("baton-charthop: ")).collect();
        lines.join("\n")
    }

    pub fn last_stderr_line(&self) -> &str {
        self.stderr.lines().last().unwrap_or_default()
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit code: {:?}\n--- stdout\n{}--- stderr\n{}", self.code, self.stdout, self.stderr)
    }
}
