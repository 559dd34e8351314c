//! Rows that need more than a knob: a server that goes away, signals, a full disk, odd data.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use charthop_fake::{Knobs, Org, OrgSpec};

use crate::harness::Fake;
use crate::trial::{
    Expect, PAGE_SIZE, Previous, Setup, TARGET, Trial, finish, limited_command, run, spawn, target_dir,
};

/// Names and emails with non-ASCII letters, emoji, a right-to-left mark and control characters.
pub fn odd_characters(org: &mut Org) {
    let odd = ["Zoë\u{0007}", "山田\t太郎", "\u{202e}evil", "Ñoño\r\n", "😀", "a\u{0000}b"];
    for (i, person) in org.persons.iter_mut().enumerate().take(60) {
        let text = odd[i % odd.len()];
        person.name.first = Some(text.to_owned());
        person.name.last = Some(format!("{text}{i}"));
        person.title = Some(format!("\u{001b}[31m{text}"));
        if i % 2 == 0 {
            person.work_email = Some(format!("zoë.{i}@exämple.com"));
        }
    }
}

pub fn forbidden() -> Trial {
    const GROUPS_ONLY: &str = "faults-groups-only-token";
    let knobs = Knobs { token_without_person_access: Some(GROUPS_ONLY.to_owned()), ..Knobs::default() };
    Setup {
        knobs,
        args: |f| [f.args_without_token(PAGE_SIZE), vec!["--api-token".into(), GROUPS_ONLY.into()]].concat(),
        ..Setup::new(100)
    }
    .run(Expect::Fails(&["403"]))
}

pub fn unknown_org() -> Trial {
    Setup {
        args: |f| {
            let mut args = f.sync_args(PAGE_SIZE);
            let i = args.iter().position(|a| a == "--org-id").expect("the fake's args name the org");
            args[i + 1] = "0123456789abcdef01234567".to_owned();
            args
        },
        ..Setup::new(100)
    }
    .run(Expect::Fails(&["404"]))
}

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

#[derive(Debug, Clone, Copy)]
pub enum DiskFull {
    /// Room for the previous file and a few KiB: the build database cannot grow.
    DuringBuild,
    /// Room for the previous file and the whole build database, but not for the compressed
    /// file beside them.
    DuringCompression,
}

/// The largest sizes the build database and the staging file reach in a normal run.
fn temp_file_sizes(args: &[String], spec: &OrgSpec) -> (u64, u64) {
    let (dir, _) = target_dir(spec, true);
    let mut child = spawn(dir.path(), args);
    let (mut build, mut staging) = (0, 0);
    while child.try_wait().expect("poll the binary").is_none() {
        for entry in std::fs::read_dir(dir.path()).expect("list the directory").flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let len = entry.metadata().map_or(0, |m| m.len());
            if name.ends_with(".db-build") {
                build = build.max(len);
            } else if name.ends_with(".tmp") {
                staging = staging.max(len);
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let (code, stderr) = finish(child);
    assert_eq!(code, Some(0), "the measuring run failed:\n{stderr}");
    (build, staging)
}

/// A tmpfs mounted on the trial's directory; unmounted when dropped.
pub struct Mount(std::path::PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn mount_tmpfs(dir: &Path, bytes: u64) -> Result<Mount, String> {
    let out = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={bytes}"), "tmpfs"])
        .arg(dir)
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(Mount(dir.to_owned()))
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
    }
}

/// A sync onto a filesystem too small for it; an empty list (printed) when tmpfs cannot be mounted.
pub fn disk_full(when: DiskFull) -> Vec<Trial> {
    let spec = OrgSpec::new(2000, 7);
    let fake = Fake::with_spec(spec.clone(), Knobs::default());
    let (dir, previous) = target_dir(&spec, true);
    let Previous::File(previous) = previous else { unreachable!("target_dir wrote a previous file") };
    let args = fake.sync_args(PAGE_SIZE);
    let room = match when {
        DiskFull::DuringBuild => previous.len() as u64 + 64 * 1024,
        DiskFull::DuringCompression => {
            let (build, staging) = temp_file_sizes(&args, &spec);
            assert!(staging > 64 * 1024, "the staging file ({staging} bytes) is too small to cut short");
            previous.len() as u64 + build + staging / 2
        }
    };
    let mount = match mount_tmpfs(dir.path(), room) {
        Ok(mount) => mount,
        Err(why) => {
            println!("disk full ({when:?}): skipped, cannot mount a tmpfs: {why}");
            return Vec::new();
        }
    };
    std::fs::write(dir.path().join(TARGET), &previous).expect("write the previous file on the tmpfs");
    let (code, stderr) = run(dir.path(), &args);
    let needle: &'static [&'static str] = match when {
        DiskFull::DuringBuild => &["disk is full"],
        DiskFull::DuringCompression => &["compressing", "no space left"],
    };
    let trial =
        Trial::new(Expect::Fails(needle), dir.path(), Previous::File(previous), fake.org(), code, stderr);
    drop(mount);
    vec![trial]
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

/// What `-f` names instead of a regular file.
#[derive(Debug, Clone, Copy)]
pub enum Unsafe {
    Symlink,
    Directory,
    Fifo,
}

/// `-f` names something that is not a regular file: refused before any request, left as it was.
pub fn unsafe_target(what: Unsafe) -> Trial {
    let spec = OrgSpec::new(100, 7);
    let fake = Fake::with_spec(spec.clone(), Knobs::default());
    let (dir, _) = target_dir(&spec, false);
    let target = dir.path().join(TARGET);
    let elsewhere = tempfile::tempdir().expect("a temporary directory");
    let linked = elsewhere.path().join("precious.c1z");
    std::fs::write(&linked, b"not to be replaced").expect("write the link's file");
    let (needle, kind): (&'static [&'static str], _) = match what {
        Unsafe::Symlink => {
            std::os::unix::fs::symlink(&linked, &target).expect("make a symlink");
            (&["symbolic link"], "symlink")
        }
        Unsafe::Directory => {
            std::fs::create_dir(&target).expect("make a directory");
            (&["directory"], "dir")
        }
        Unsafe::Fifo => {
            let made = Command::new("mkfifo").arg(&target).status();
            assert!(made.is_ok_and(|s| s.success()), "mkfifo failed");
            (&["FIFO"], "fifo")
        }
    };
    let (code, stderr) = run(dir.path(), &fake.sync_args(PAGE_SIZE));
    let mut trial =
        Trial::new(Expect::Fails(needle), dir.path(), Previous::Kind(kind), fake.org(), code, stderr);
    if std::fs::read(&linked).ok().as_deref() != Some(b"not to be replaced".as_slice()) {
        trial.verdict.observed.push_str("; the symlink's file changed");
        trial.verdict.data_lost = true;
        trial.verdict.ok = false;
    }
    if fake.total_requests() > 0 {
        trial.verdict.observed.push_str("; refused only after requests");
        trial.verdict.ok = false;
    }
    trial
}

/// A second sync to the same target while the first is running: the second is refused, the
/// first publishes the whole org.
pub fn concurrent_syncs() -> Vec<Trial> {
    let spec = OrgSpec::new(600, 7);
    let fake =
        Fake::with_spec(spec.clone(), Knobs { latency: Duration::from_millis(40), ..Knobs::default() });
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

/// The first 100 persons who are active become departed (a day ago): disabled in the new file.
pub fn depart_hundred(org: &mut Org) {
    let today = org.today;
    let active = org.persons.iter_mut().filter(|p| Org::is_current(p, today)).take(100);
    for person in active {
        person.end_date = today.pred_opt();
    }
}

/// The previous file holds 300 persons; the org now has 30 of them: refused, file kept, unless
/// `allowed` passes `--max-removed-ratio=1`.
pub fn mass_change(allowed: bool) -> Trial {
    let setup = Setup {
        alter: |org| {
            org.persons.truncate(30);
            let kept: std::collections::HashSet<String> = org.persons.iter().map(|p| p.id.clone()).collect();
            org.memberships.retain(|m| kept.contains(&m.person_id));
        },
        ..Setup::new(300)
    };
    if allowed {
        Setup { args: |f| [f.sync_args(PAGE_SIZE), vec!["--max-removed-ratio=1".into()]].concat(), ..setup }
            .run(Expect::Truth)
    } else {
        setup.run(Expect::Fails(&["max-removed-ratio"]))
    }
}

/// A tiny `.baton.yaml` whose aliases would expand to 9^9 strings: refused, nothing written.
pub fn yaml_alias_bomb() -> Trial {
    let spec = OrgSpec::new(50, 7);
    let fake = Fake::with_spec(spec.clone(), Knobs::default());
    let (dir, previous) = target_dir(&spec, true);
    let mut yaml = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for level in 1..9 {
        let prev = format!("*a{}", level - 1);
        yaml.push_str(&format!("a{level}: &a{level} [{}]\n", vec![prev; 9].join(", ")));
    }
    std::fs::write(dir.path().join(".baton.yaml"), yaml).expect("write .baton.yaml");
    let child = limited_command(dir.path(), &fake.sync_args(PAGE_SIZE))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("sh starts the binary");
    let (code, stderr) = finish(child);
    Trial::new(Expect::Fails(&["alias"]), dir.path(), previous, fake.org(), code, stderr)
}

/// Keeps the first person page's first row, to serve it again on the third page.
static FIRST_ROW: std::sync::Mutex<Option<serde_json::Value>> = std::sync::Mutex::new(None);

/// The third person page repeats a person of the first.
pub fn duplicate_across_pages(x: &crate::proxy::Exchange<'_>) -> crate::proxy::Action {
    use crate::proxy::Action;
    if !x.is_person_list() || x.status != 200 || !(x.nth == 0 || x.nth == 2) {
        return Action::Pass;
    }
    let Some(mut page) = x.json() else { return Action::Pass };
    let mut first = FIRST_ROW.lock().unwrap_or_else(|e| e.into_inner());
    match (x.nth, page["data"].as_array_mut()) {
        (0, Some(rows)) => *first = rows.first().cloned(),
        (_, Some(rows)) => rows.extend(first.clone()),
        _ => {}
    }
    Action::Replace(200, page.to_string().into_bytes())
}

/// The fake echoes the refused token in its error bodies, in several encodings: the run fails
/// on the 401 and prints none of them.
pub fn token_echo() -> Trial {
    use base64::Engine;
    const WRONG: &str = "faults-echoed-token-7d41c2";
    let mut trial = Setup {
        knobs: Knobs { echo_token_in_errors: true, ..Knobs::default() },
        args: |f| [f.args_without_token(PAGE_SIZE), vec!["--api-token".into(), WRONG.into()]].concat(),
        ..Setup::new(80)
    }
    .run(Expect::Fails(&["401"]));
    let forms = [
        WRONG.to_owned(),
        WRONG.to_uppercase(),
        base64::engine::general_purpose::STANDARD.encode(WRONG),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(WRONG),
    ];
    for form in forms.iter().filter(|form| trial.stderr.contains(form.as_str())) {
        trial.verdict.observed.push_str(&format!("; the output shows the token as {form:?}"));
        trial.verdict.ok = false;
    }
    trial
}

/// The first person's title is 1 MiB: that person (and their memberships) is left out with a
/// warning naming them, and the rest of the org is written as it is.
pub fn huge_title() -> Trial {
    let mut trial = Setup {
        knobs: Knobs { huge_title: Some(1 << 20), ..Knobs::default() },
        truth: |org| {
            let first = org.persons.remove(0).id;
            org.memberships.retain(|m| m.person_id != first);
        },
        ..Setup::new(100)
    }
    .run(Expect::Truth);
    let warned = trial.stderr.lines().any(|l| l.contains("WARN") && l.contains("is left out"));
    if !warned {
        trial.verdict.observed.push_str("; no warning names the person left out");
        trial.verdict.ok = false;
    }
    trial
}

fn wait_for(condition: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for the sync to start");
        std::thread::sleep(Duration::from_millis(5));
    }
}
