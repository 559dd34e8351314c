//! Setting a trial up: a directory with a previous good file, the binary run in a clean
//! environment, and the ordinary row (an org, the fake's knobs, a proxy, flags).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use charthop_fake::{Knobs, Org, OrgSpec};
use tempfile::TempDir;

use crate::harness::{Fake, binary};
use crate::trial::{Expect, PAGE_SIZE, Previous, TARGET, Trial};

/// A fresh directory for one trial, optionally holding a previous good file of `spec`'s org.
pub fn target_dir(spec: &OrgSpec, with_previous: bool) -> (TempDir, Previous) {
    let dir = tempfile::Builder::new().prefix("faults-").tempdir().expect("a temporary directory");
    if !with_previous {
        return (dir, Previous::Absent);
    }
    let bytes = previous_file(spec);
    std::fs::write(dir.path().join(TARGET), &*bytes).expect("write the previous file");
    (dir, Previous::File(bytes.to_vec()))
}

/// A real `.c1z` from a good sync of `spec`'s org, made once per spec.
fn previous_file(spec: &OrgSpec) -> Arc<Vec<u8>> {
    static CACHE: Mutex<Vec<(OrgSpec, Arc<Vec<u8>>)>> = Mutex::new(Vec::new());
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, bytes)) = cache.iter().find(|(s, _)| s == spec) {
        return bytes.clone();
    }
    let fake = Fake::with_spec(spec.clone(), Knobs::default());
    let dir = tempfile::tempdir().expect("a temporary directory");
    let status = command(dir.path(), &fake.sync_args(PAGE_SIZE)).output().expect("the binary runs");
    assert!(status.status.success(), "the good sync failed: {}", String::from_utf8_lossy(&status.stderr));
    let bytes = Arc::new(std::fs::read(dir.path().join(TARGET)).expect("the good sync wrote its file"));
    cache.push((spec.clone(), bytes.clone()));
    bytes
}

/// The binary in `dir` with a clean environment (nothing of the developer's `BATON_*`).
pub fn command(dir: &Path, args: &[String]) -> Command {
    with_clean_env(Command::new(binary()), dir, args)
}

/// The binary under a 2 GiB address-space limit, for inputs built to exhaust memory.
pub fn limited_command(dir: &Path, args: &[String]) -> Command {
    let mut sh = Command::new("/bin/sh");
    sh.args(["-c", "ulimit -v 2097152 && exec \"$0\" \"$@\""]).arg(binary());
    with_clean_env(sh, dir, args)
}

fn with_clean_env(mut cmd: Command, dir: &Path, args: &[String]) -> Command {
    cmd.env_clear().env("HOME", dir).current_dir(dir).args(args).args(["-f", TARGET]);
    cmd.stdin(Stdio::null());
    cmd
}

/// Starts the binary, output captured.
pub fn spawn(dir: &Path, args: &[String]) -> Child {
    command(dir, args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("the binary starts")
}

/// Runs to the end; `(exit code, output)` as [`finish`] gives them.
pub fn run(dir: &Path, args: &[String]) -> (Option<i32>, String) {
    finish(spawn(dir, args))
}

/// Waits; `(exit code, output)`, the output being stdout then stderr (so stderr ends it).
pub fn finish(child: Child) -> (Option<i32>, String) {
    let output = child.wait_with_output().expect("wait for the binary");
    let text = format!(
        "--- stdout\n{}--- stderr\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code(), text)
}

/// Setting up one ordinary row: an org, the fake's knobs, extra flags.
pub struct Setup {
    pub spec: OrgSpec,
    pub knobs: Knobs,
    pub previous: bool,
    /// Changes the generated org before the fake serves it (and the truth with it).
    pub alter: fn(&mut Org),
    /// Changes only the truth the file is held to: what the binary is meant to leave out.
    pub truth: fn(&mut Org),
    pub tamper: Option<crate::proxy::Tamper>,
    /// The binary's flags (the fake's own by default).
    pub args: fn(&Fake) -> Vec<String>,
}

impl Setup {
    pub fn new(persons: usize) -> Self {
        Setup {
            spec: OrgSpec::new(persons, 7),
            knobs: Knobs::default(),
            previous: true,
            alter: |_| {},
            truth: |_| {},
            tamper: None,
            args: |fake| fake.sync_args(PAGE_SIZE),
        }
    }

    pub fn run(self, expect: Expect) -> Trial {
        let mut org = charthop_fake::generate_org(&self.spec);
        (self.alter)(&mut org);
        let fake = Fake::with_org(org.clone(), self.knobs);
        let (dir, previous) = target_dir(&self.spec, self.previous);
        let mut args = (self.args)(&fake);
        let proxy = self.tamper.map(|tamper| crate::proxy::Proxy::start(fake.addr(), tamper));
        if let Some(proxy) = &proxy {
            replace_url(&mut args, &proxy.base_url());
        }
        let (code, stderr) = run(dir.path(), &args);
        (self.truth)(&mut org);
        Trial::new(expect, dir.path(), previous, &org, code, stderr)
    }
}

/// Points `--charthop-url` at `url`.
pub fn replace_url(args: &mut [String], url: &str) {
    if let Some(i) = args.iter().position(|a| a == "--charthop-url") {
        args[i + 1] = url.to_owned();
    }
}
