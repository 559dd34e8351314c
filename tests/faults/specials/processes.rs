//! Rows about processes: the server going away, signals, kill -9, stale files, two writers.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use charthop_fake::{Knobs, OrgSpec};

use crate::harness::Fake;
use crate::trial::{Expect, PAGE_SIZE, Previous, TARGET, Trial, finish, run, spawn, target_dir};

/// The fake stops answering (port closed) once the sync has made a few requests.
pub fn server_vanishes() -> Trial {
    let spec = OrgSpec::new(400, 7);
    let fake =
        Fake::with_spec(spec.clone(), Knobs { latency: Duration::from_millis(100), ..Knobs::default() });
    let org = fake.org().clone();
    let (dir, previous) = target_dir(&spec, true);
    let child = spawn(dir.path(), &fake.sync_args(PAGE_SIZE));
    wait_for(|| fake.total_requests() >= 3);
    drop(fake);
    let (code, stderr) = finish(child);
    Trial::new(Expect::Fails(&["connect"]), dir.path(), previous, &org, code, stderr)
}

/// SIGKILL at ten moments spread over a sync: the previous file must stay byte-identical.
pub fn kill_nine() -> Vec<Trial> {
    let spec = OrgSpec::new(3000, 7);
    let fake = Fake::with_spec(spec.clone(), Knobs::default());
    let args = [fake.sync_args(100), vec!["--membership-source".into(), "list".into()]].concat();
    // How long a whole sync takes here, to space the moments through it.
    let (dir, _) = target_dir(&spec, true);
    let started = Instant::now();
    let (code, stderr) = run(dir.path(), &args);
    assert_eq!(code, Some(0), "the timing run failed:\n{stderr}");
    let whole = started.elapsed();

    // All ten in one directory, as repeated runs of a cron job would be.
    let (dir, _) = target_dir(&spec, true);
    let mut trials: Vec<Trial> = (0..10)
        .map(|moment| {
            let previous =
                Previous::File(std::fs::read(dir.path().join(TARGET)).expect("the target is there"));
            let mut child = spawn(dir.path(), &args);
            // Up to 85% of the timed run: later ones would mostly find the process gone.
            std::thread::sleep(whole.mul_f64((f64::from(moment) + 0.5) / 10.0 * 0.85));
            let _ = child.kill();
            let (code, stderr) = finish(child);
            Trial::new(Expect::Killed, dir.path(), previous, fake.org(), code, stderr)
        })
        .collect();
    // What the kills left, aged past an hour, is gone after the next run.
    age_strays(dir.path());
    let (code, stderr) = run(dir.path(), &args);
    trials.push(Trial::new(Expect::Truth, dir.path(), Previous::Absent, fake.org(), code, stderr));
    trials
}

/// Sets the mtime of every stray file in `dir` two hours back.
fn age_strays(dir: &Path) {
    let two_hours_ago = std::time::SystemTime::now() - Duration::from_secs(2 * 3600);
    for name in crate::trial::strays(dir) {
        let file = std::fs::File::options().write(true).open(dir.join(name)).expect("open a stray file");
        file.set_modified(two_hours_ago).expect("age a stray file");
    }
}

/// `signal` (a `kill -s` name) once the sync has made a few requests.
pub fn signal_mid_sync(signal: &str, needles: &'static [&'static str]) -> Trial {
    let spec = OrgSpec::new(600, 7);
    let fake =
        Fake::with_spec(spec.clone(), Knobs { latency: Duration::from_millis(60), ..Knobs::default() });
    let (dir, previous) = target_dir(&spec, true);
    let child = spawn(dir.path(), &fake.sync_args(PAGE_SIZE));
    wait_for(|| fake.total_requests() >= 3);
    let sent = Command::new("kill").args(["-s", signal, &child.id().to_string()]).status();
    assert!(sent.is_ok_and(|s| s.success()), "kill -s {signal} failed");
    let (code, stderr) = finish(child);
    Trial::new(Expect::Fails(needles), dir.path(), previous, fake.org(), code, stderr)
}

/// `signal` the moment the binary says it is checking and compressing the file (the last
/// step before publishing).
pub fn signal_while_compressing(signal: &str) -> Trial {
    use std::io::BufRead;
    let spec = OrgSpec::new(3000, 7);
    let fake = Fake::with_spec(spec.clone(), Knobs::default());
    let (dir, previous) = target_dir(&spec, true);
    let mut child = spawn(dir.path(), &fake.sync_args(100));
    let pid = child.id().to_string();
    let stderr = child.stderr.take().expect("stderr is piped");
    let mut text = String::new();
    for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
        if line.contains("checking and compressing") {
            // A failure here means the run already ended: judged as what it left.
            let _ = Command::new("kill").args(["-s", signal, &pid]).status();
        }
        text.push_str(&line);
        text.push('\n');
    }
    let code = child.wait().expect("wait for the binary").code();
    assert!(text.contains("checking and compressing"), "the run never reached compression:\n{text}");
    Trial::new(Expect::Interrupted, dir.path(), previous, fake.org(), code, text)
}

/// A run killed mid-build leaves its build file; aged past an hour, the next run removes it.
pub fn stale_files_removed() -> Vec<Trial> {
    let spec = OrgSpec::new(1000, 7);
    let fake =
        Fake::with_spec(spec.clone(), Knobs { latency: Duration::from_millis(30), ..Knobs::default() });
    let args = fake.sync_args(PAGE_SIZE);
    let (dir, previous) = target_dir(&spec, true);
    let mut child = spawn(dir.path(), &args);
    wait_for(|| fake.requests(charthop_fake::Endpoint::PersonList) >= 3);
    let _ = child.kill();
    let (code, stderr) = finish(child);
    let killed = Trial::new(Expect::Killed, dir.path(), previous, fake.org(), code, stderr);
    let left = crate::trial::strays(dir.path());
    assert!(!left.is_empty(), "a run killed mid-build left no build file to clean up");
    age_strays(dir.path());
    let (code, stderr) = run(dir.path(), &args);
    let next = Trial::new(Expect::Truth, dir.path(), Previous::Absent, fake.org(), code, stderr);
    vec![killed, next]
}

/// A second sync to the same target while the first is running: the second is refused, the
/// first publishes the whole org.
pub fn concurrent_syncs() -> Vec<Trial> {
    let spec = OrgSpec::new(600, 7);
    let fake =
        Fake::with_spec(spec.clone(), Knobs { latency: Duration::from_millis(80), ..Knobs::default() });
    let args = fake.sync_args(PAGE_SIZE);
    let (dir, previous) = target_dir(&spec, true);
    let first = spawn(dir.path(), &args);
    wait_for(|| fake.requests(charthop_fake::Endpoint::PersonList) >= 2);
    // The first run's build file is not the second's stray.
    let firsts = crate::trial::strays(dir.path());
    let (code, stderr) = run(dir.path(), &args);
    let second = Trial::new(
        Expect::Fails(&["another sync is writing"]),
        dir.path(),
        previous,
        fake.org(),
        code,
        stderr,
    )
    .ignoring(&firsts, dir.path());
    let (code, stderr) = finish(first);
    let first = Trial::new(Expect::Truth, dir.path(), Previous::Absent, fake.org(), code, stderr);
    vec![second, first]
}

pub(super) fn wait_for(condition: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for the sync to start");
        std::thread::sleep(Duration::from_millis(5));
    }
}
