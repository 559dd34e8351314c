//! B6 service mode: the release daemon against the fake C1 and the release fake ChartHop, running
//! consecutive sync tasks; its RSS after some of them shows memory that is not returned between
//! tasks.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use super::external::ExternalFake;
use super::report::{mib, ratio, table};
use super::{Bench, cells};

const PERSONS: usize = 5_000;
const TASKS: usize = 30;
/// After which tasks RSS is read (1-based).
const SAMPLES: [usize; 4] = [1, 10, 20, 30];
/// 30 tasks of 5,000 persons take well under a minute; this only stops a hung daemon.
const TIMEOUT: Duration = Duration::from_secs(600);

/// Kills its child when dropped, so an error path leaves no process behind.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// B6: RSS of the daemon after tasks 1, 10, 20 and 30, and task 30 against task 10.
pub fn run(bench: &Bench) -> Result<Value> {
    let charthop = ExternalFake::start(&bench.fake_bin, PERSONS, super::SEED)?;
    let (c1, c1_env) = start_c1(&bench.c1_fake_bin)?;
    let work = bench.scratch.join("service-work");
    std::fs::create_dir_all(&work).with_context(|| format!("cannot create {}", work.display()))?;

    let mut cmd = Command::new(&bench.bin);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("BATON_") {
            cmd.env_remove(name);
        }
    }
    cmd.envs(charthop.env())
        .envs(c1_env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .env("BATON_WORK_DIR", &work)
        .env("BATON_LOG_FORMAT", "json")
        .env("BATON_MAX_REMOVED_RATIO", "1")
        .env("BATON_TASK_CONCURRENCY", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut daemon = Killed(cmd.spawn().with_context(|| format!("could not start {}", bench.bin.display()))?);
    let pid = daemon.0.id();
    let (tx, rx) = mpsc::channel();
    for stream in [
        daemon.0.stdout.take().map(|s| Box::new(s) as Box<dyn Read + Send>),
        daemon.0.stderr.take().map(|s| Box::new(s) as Box<dyn Read + Send>),
    ]
    .into_iter()
    .flatten()
    {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                // RSS is read on the reading thread, right when the line arrives.
                let event = Event::of(&line).map(|e| (e, vm_rss_kib(pid)));
                if tx.send((line, event)).is_err() {
                    break;
                }
            }
        });
    }
    drop(tx);

    eprintln!("==> service mode: {TASKS} sync tasks of {PERSONS} persons, one at a time");
    let started = Instant::now();
    let mut rss_after = Vec::new();
    let mut tail: Vec<String> = Vec::new();
    while rss_after.len() < TASKS {
        let left = TIMEOUT.checked_sub(started.elapsed()).unwrap_or_default();
        let (line, event) = match rx.recv_timeout(left) {
            Ok(got) => got,
            Err(_) => bail!(
                "B6: the daemon finished {} of {TASKS} tasks, then {}:\n{}",
                rss_after.len(),
                if daemon.0.try_wait()?.is_some() { "exited" } else { "stopped answering" },
                tail.join("\n")
            ),
        };
        tail.push(line);
        if tail.len() > 5 {
            tail.remove(0);
        }
        match event {
            Some((Event::Finished, rss)) => rss_after.push(rss.unwrap_or(0)),
            Some((Event::Failed, _)) => bail!("B6: a sync task failed:\n{}", tail.join("\n")),
            None => {}
        }
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
         ({:.0} s); VmRSS when it logs each task finished\n{}\n  task 30 / task 10 = {}",
        elapsed.as_secs_f64(),
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

fn vm_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
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
    fn only_the_end_of_a_task_counts_and_an_error_is_a_failure() {
        let ok = r#"{"level":"INFO","fields":{"message":"finished a task","task_id":"t1"}}"#;
        let failed = r#"{"level":"WARN","fields":{"message":"finished a task with an error"}}"#;
        assert_eq!(Event::of(ok), Some(Event::Finished));
        assert_eq!(Event::of(failed), Some(Event::Failed));
        assert_eq!(Event::of(r#"{"fields":{"message":"started a task"}}"#), None);
    }

    #[test]
    fn this_process_has_a_resident_size() {
        assert!(vm_rss_kib(std::process::id()).is_some_and(|kib| kib > 0));
    }
}
