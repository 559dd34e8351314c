//! B6 service mode: the release daemon against the fake C1 and the release fake ChartHop, running
//! consecutive sync tasks; its RSS after some of them shows memory that is not returned between
//! tasks.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use nix::sys::signal::{self, Signal};
use nix::unistd::Pid;
use serde_json::{Value, json};

use super::external::ExternalFake;
use super::report::{mib, ratio, table};
use super::{Bench, cells};

/// glibc's allocator as `deploy/Dockerfile` sets it (a test holds the two together): two arenas
/// instead of one per thread, and a fixed mmap threshold, so that freed large blocks go back
/// to the system between tasks instead of raising the threshold and staying in the heap.
pub(crate) const IMAGE_MALLOC_ENV: [(&str, &str); 2] =
    [("MALLOC_ARENA_MAX", "2"), ("MALLOC_MMAP_THRESHOLD_", "131072")];

const PERSONS: usize = 5_000;
const TASKS: usize = 30;
/// After which tasks RSS is read (1-based).
const SAMPLES: [usize; 4] = [1, 10, 20, 30];
/// 30 tasks of 5,000 persons take well under a minute; this only stops a hung daemon.
const TIMEOUT: Duration = Duration::from_secs(600);

/// B6: RSS of the daemon after tasks 1, 10, 20 and 30, and task 30 against task 10.
pub(super) fn run(bench: &Bench) -> Result<Value> {
    let charthop = ExternalFake::start(&bench.fake_bin, PERSONS, super::SEED)?;
    let (c1, c1_env) = start_c1(&bench.c1_fake_bin)?;
    let work = bench.scratch.join("service-work");
    std::fs::create_dir_all(&work).with_context(|| format!("cannot create {}", work.display()))?;
    // As the image runs it: the allocator settings are part of how the daemon is deployed.
    let mut cmd = daemon_command(&bench.bin, &charthop, &c1_env, &work);
    cmd.envs(IMAGE_MALLOC_ENV);
    let mut daemon = Daemon::spawn(cmd)?;

    eprintln!("==> service mode: {TASKS} sync tasks of {PERSONS} persons, one at a time");
    let started = Instant::now();
    let deadline = started + TIMEOUT;
    let mut rss_after = Vec::new();
    while rss_after.len() < TASKS {
        let sample = daemon
            .next_task(deadline)
            .with_context(|| format!("B6: the daemon finished {} of {TASKS} tasks", rss_after.len()))?;
        rss_after.push(sample.rss_kib.unwrap_or(0));
    }
    let elapsed = started.elapsed();
    drop(daemon);
    drop(c1);

    let at = |task: usize| rss_after[task - 1];
    let mut rows = vec![cells(["after task", "RSS", "vs task 1", "vs task 10"])];
    for task in SAMPLES {
        rows.push(vec![
            task.to_string(),
            mib(at(task)),
            ratio(at(task) as f64, at(1) as f64),
            ratio(at(task) as f64, at(10) as f64),
        ]);
    }
    println!(
        "\nB6 service mode: the daemon against the fake C1, {TASKS} consecutive sync tasks of {PERSONS} persons \
         ({:.0} s), glibc's allocator set as the image sets it ({}); VmRSS when it logs each task finished\n{}\n  task 30 / task 10 = {}",
        elapsed.as_secs_f64(),
        IMAGE_MALLOC_ENV.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" "),
        table(&rows),
        ratio(at(30) as f64, at(10) as f64),
    );
    Ok(json!({
        "persons": PERSONS,
        "tasks": TASKS,
        "elapsed_s": elapsed.as_secs_f64(),
        "rss_kib_after_task": rss_after,
        "task30_vs_task10": at(30) as f64 / at(10).max(1) as f64,
    }))
}

/// Kills its child when dropped, so an error path leaves no process behind.
pub(crate) struct Killed(pub(crate) Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The daemon pointed at `charthop` and at the fake C1 whose variables are `c1_env`, one task
/// at a time, its state and task files in `work`; no `BATON_*` variable of ours leaks in.
pub(crate) fn daemon_command(
    bin: &Path,
    charthop: &ExternalFake,
    c1_env: &[(String, String)],
    work: &Path,
) -> Command {
    let mut cmd = Command::new(bin);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("BATON_") {
            cmd.env_remove(name);
        }
    }
    cmd.envs(charthop.env())
        .envs(c1_env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .env("BATON_WORK_DIR", work)
        .env("BATON_LOG_FORMAT", "json")
        .env("BATON_MAX_REMOVED_RATIO", "1")
        .env("BATON_TASK_CONCURRENCY", "1");
    cmd
}

/// What is read of the daemon the moment it logs the end of a task.
#[derive(Clone, Debug, Default)]
pub(crate) struct Sample {
    pub(crate) rss_kib: Option<u64>,
    /// The anonymous part of it (the heap; the rest is mostly the mapped binary).
    pub(crate) rss_anon_kib: Option<u64>,
    /// What each open descriptor points at (`socket:[123]`, a path, ...), in fd order.
    pub(crate) fds: Option<Vec<String>>,
}

impl Sample {
    fn of(pid: u32) -> Sample {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        Sample {
            rss_kib: status_kib(&status, "VmRSS:"),
            rss_anon_kib: status_kib(&status, "RssAnon:"),
            fds: open_fds(pid),
        }
    }
}

/// The daemon as a child process whose log lines are read (and sampled) on threads of their own.
pub(crate) struct Daemon {
    child: Killed,
    lines: mpsc::Receiver<(String, Option<(Event, Sample)>)>,
    /// The last lines it logged, for the error when it fails.
    tail: VecDeque<String>,
}

impl Daemon {
    /// Spawns `cmd` with its output piped here; stdin is closed.
    pub(crate) fn spawn(mut cmd: Command) -> Result<Daemon> {
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let program = cmd.get_program().to_owned();
        let mut child =
            Killed(cmd.spawn().with_context(|| format!("could not start {}", program.to_string_lossy()))?);
        let pid = child.0.id();
        let (tx, rx) = mpsc::channel();
        for stream in [
            child.0.stdout.take().map(|s| Box::new(s) as Box<dyn Read + Send>),
            child.0.stderr.take().map(|s| Box::new(s) as Box<dyn Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    // Sampled on the reading thread, right when the line arrives.
                    let event = Event::of(&line).map(|e| (e, Sample::of(pid)));
                    if tx.send((line, event)).is_err() {
                        break;
                    }
                }
            });
        }
        Ok(Daemon { child, lines: rx, tail: VecDeque::new() })
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.0.id()
    }

    /// Waits for the end of the next task and returns the sample taken then; fails when the
    /// task failed, or the daemon exits or says nothing more before `deadline`.
    pub(crate) fn next_task(&mut self, deadline: Instant) -> Result<Sample> {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let (line, event) = match self.lines.recv_timeout(left) {
                Ok(got) => got,
                Err(_) => {
                    let how = if self.child.0.try_wait()?.is_some() { "exited" } else { "stopped answering" };
                    bail!("then it {how}; its last lines:\n{}", self.tail())
                }
            };
            self.tail.push_back(line);
            if self.tail.len() > 5 {
                self.tail.pop_front();
            }
            match event {
                Some((Event::Finished, sample)) => return Ok(sample),
                Some((Event::Failed, _)) => bail!("then a sync task failed:\n{}", self.tail()),
                None => {}
            }
        }
    }

    /// SIGTERM, as Kubernetes stops a pod, then waits up to `grace` for the exit (killing it
    /// after that); returns how it exited, or `None` when it had to be killed.
    pub(crate) fn terminate(self, grace: Duration) -> Result<Option<ExitStatus>> {
        let pid = Pid::from_raw(i32::try_from(self.pid()).context("a pid beyond i32")?);
        signal::kill(pid, Signal::SIGTERM).context("could not send SIGTERM to the daemon")?;
        let mut daemon = self;
        let until = Instant::now() + grace;
        while Instant::now() < until {
            if let Some(status) = daemon.child.0.try_wait().context("could not wait for the daemon")? {
                return Ok(Some(status));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        // Dropping kills it.
        Ok(None)
    }

    fn tail(&self) -> String {
        self.tail.iter().map(String::as_str).collect::<Vec<_>>().join("\n")
    }
}

#[derive(Debug, PartialEq)]
enum Event {
    Finished,
    Failed,
}

impl Event {
    /// The daemon's JSON log line for the end of a task, if `line` is one.
    fn of(line: &str) -> Option<Event> {
        if line.contains("\"finished a task with an error\"") {
            Some(Event::Failed)
        } else if line.contains("\"finished a task\"") {
            Some(Event::Finished)
        } else {
            None
        }
    }
}

/// A `<field> <n> kB` line of `/proc/PID/status`.
fn status_kib(status: &str, field: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The targets of `/proc/PID/fd/*`, ordered by descriptor number.
pub(crate) fn open_fds(pid: u32) -> Option<Vec<String>> {
    let mut fds: Vec<(u64, String)> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .ok()?
        .map_while(Result::ok)
        .filter_map(|entry| {
            let number = entry.file_name().to_str()?.parse().ok()?;
            let target = std::fs::read_link(entry.path()).ok()?;
            Some((number, target.to_string_lossy().into_owned()))
        })
        .collect();
    fds.sort();
    Some(fds.into_iter().map(|(_, target)| target).collect())
}

/// Starts the fake C1 with the tasks queued; returns it and the variables it printed.
fn start_c1(bin: &Path) -> Result<(Killed, Vec<(String, String)>)> {
    let mut child = Killed(
        Command::new(bin)
            .args(["--sync-tasks", &TASKS.to_string(), "--next-poll-ms", "50"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("could not start {}", bin.display()))?,
    );
    let stdout = child.0.stdout.take().context("the fake C1 has no stdout")?;
    let mut env = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.context("could not read the fake C1's output")?;
        if let Some((name, value)) = line.split_once('=') {
            env.push((name.to_owned(), value.to_owned()));
        }
        if line.contains("queued") {
            break;
        }
    }
    let wanted = ["BATON_C1_API_HOST", "SSL_CERT_FILE", "BATON_CLIENT_ID", "BATON_CLIENT_SECRET"];
    if !wanted.iter().all(|w| env.iter().any(|(name, _)| name == w)) {
        bail!("the fake C1 did not print {}", wanted.join(", "));
    }
    Ok((child, env))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_image_sets_the_allocator_as_the_bench_and_the_soak_run_it() {
        let dockerfile = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/Dockerfile");
        let text = std::fs::read_to_string(&dockerfile).unwrap();
        for (name, value) in IMAGE_MALLOC_ENV {
            let line = format!("ENV {name}={value}");
            assert!(text.lines().any(|l| l.trim() == line), "{} lacks `{line}`", dockerfile.display());
        }
    }

    #[test]
    fn only_the_end_of_a_task_counts_and_an_error_is_a_failure() {
        let ok = r#"{"level":"INFO","fields":{"message":"finished a task","task_id":"t1"}}"#;
        let failed = r#"{"level":"WARN","fields":{"message":"finished a task with an error"}}"#;
        assert_eq!(Event::of(ok), Some(Event::Finished));
        assert_eq!(Event::of(failed), Some(Event::Failed));
        assert_eq!(Event::of(r#"{"fields":{"message":"started a task"}}"#), None);
    }

    #[test]
    fn open_fds_name_what_each_descriptor_points_at() {
        let file = std::env::current_exe().unwrap();
        let before = open_fds(std::process::id()).unwrap();
        let opened = std::fs::File::open(&file).unwrap();
        let after = open_fds(std::process::id()).unwrap();
        drop(opened);
        let target = file.to_string_lossy().into_owned();
        let count = |fds: &[String]| fds.iter().filter(|t| **t == target).count();
        assert_eq!(count(&after), count(&before) + 1, "{before:?} -> {after:?}");
    }

    #[test]
    fn this_process_has_a_resident_size() {
        let sample = Sample::of(std::process::id());
        assert!(sample.rss_kib.is_some_and(|kib| kib > 0));
        assert!(sample.rss_anon_kib.is_some_and(|anon| anon > 0 && Some(anon) <= sample.rss_kib));
    }
}
