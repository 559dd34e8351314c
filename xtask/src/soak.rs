//! `cargo xtask faults --soak`: service mode over a long run. The release daemon takes 200
//! consecutive sync tasks of 5,000 persons, one at a time, with the allocator settings the
//! deploy image sets ([`IMAGE_MALLOC_ENV`]), from an in-process fake C1 that keeps every upload, against the
//! release fake ChartHop. It fails unless every upload holds the fake's org, RSS after the last
//! task is within 10% of RSS after task 10, the idle daemon holds no more descriptors than after
//! tasks 10 to 19, neither its work directory nor its TMPDIR holds anything but the state file,
//! and SIGTERM ends it with exit 0.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use c1_fake::{FakeC1, Knobs, Recorded};
use c1_proto::connectorapi::baton::v1::Task;
use c1_proto::connectorapi::baton::v1::baton_service_finish_task_request::FinalState;
use c1_proto::connectorapi::baton::v1::task::{SyncFullTask, TaskType};
use tokio::runtime::Runtime;

use crate::bench::external::{self, ExternalFake};
use crate::bench::report::{mib, ratio, table};
use crate::bench::service::{Daemon, IMAGE_MALLOC_ENV, Sample, daemon_command, open_fds};
use crate::binary::{self, Profile};
use crate::inspect::Counts;

const PERSONS: usize = 5_000;
const TASKS: usize = 200;
/// The baseline for RSS and descriptors: the first tasks warm up pools and the
/// allocator, growth after it is what a long-running pod would keep paying.
const BASE_TASK: usize = 10;
const MAX_RSS_GROWTH: f64 = 1.10;
/// After which tasks the table shows a row (1-based).
const SAMPLES: [usize; 10] = [1, 10, 25, 50, 75, 100, 125, 150, 175, 200];
const SEED: u64 = 7;
/// 200 tasks take a few minutes; this only stops a hung daemon (then killed, the run failed).
const TIMEOUT: Duration = Duration::from_secs(1800);
/// How long SIGTERM may take: the daemon is idle by then, so it should exit at once.
const STOP_GRACE: Duration = Duration::from_secs(30);
/// How long an idle daemon may take to close a connection it dropped (see `fd_verdict`).
const FD_SETTLE: Duration = Duration::from_secs(5);
/// The one file the daemon keeps in its work directory: the counts of the last sync C1
/// accepted (`baton-charthop-last-sync-<org>.json`, README, service mode).
const STATE_PREFIX: &str = "baton-charthop-last-sync-";

pub fn run() -> Result<()> {
    let binaries = binary::build(&["baton-charthop", "charthop-fake"], Profile::Release, false)?;
    let scratch = std::env::temp_dir().join(format!("xtask-soak-{}", std::process::id()));
    let outcome = soak(binaries.get("baton-charthop")?, binaries.get("charthop-fake")?, &scratch);
    let _ = std::fs::remove_dir_all(&scratch);
    outcome
}

fn soak(bin: &Path, fake_bin: &Path, scratch: &Path) -> Result<()> {
    let (work, tmp) = (scratch.join("work"), scratch.join("tmp"));
    for dir in [&work, &tmp] {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let charthop = ExternalFake::start(fake_bin, PERSONS, SEED)?;
    let c1 = LocalC1::start(TASKS)?;
    let mut cmd = daemon_command(bin, &charthop, &c1.env, &work);
    cmd.env("TMPDIR", &tmp).envs(IMAGE_MALLOC_ENV);
    let image_env: Vec<String> = IMAGE_MALLOC_ENV.iter().map(|(k, v)| format!("{k}={v}")).collect();
    println!(
        "soak: the release daemon, {TASKS} consecutive sync tasks of {PERSONS} persons, concurrency 1,\n\
         {} (as the deploy image sets them), BATON_WORK_DIR and TMPDIR of its own, against\n\
         an in-process fake C1 and the release fake ChartHop (127.0.0.1); {} cores",
        image_env.join(" "),
        std::thread::available_parallelism().map_or(1, |n| n.get()),
    );
    // The daemon inherits the rest of our environment: say which allocator settings came along.
    for (name, value) in std::env::vars() {
        let set_here = IMAGE_MALLOC_ENV.iter().any(|(k, _)| *k == name);
        if (name.starts_with("MALLOC_") && !set_here) || name == "GLIBC_TUNABLES" {
            println!("  inherited: {name}={value}");
        }
    }
    let mut daemon = Daemon::spawn(cmd)?;
    let started = Instant::now();
    let deadline = started + TIMEOUT;
    let mut samples = Vec::with_capacity(TASKS);
    while samples.len() < TASKS {
        let sample = daemon.next_task(deadline).with_context(|| {
            format!("soak: the daemon finished {} of {TASKS} tasks within {TIMEOUT:?}", samples.len())
        })?;
        samples.push(sample);
        if samples.len() % 25 == 0 {
            eprintln!("    {} of {TASKS} tasks, {:.0} s", samples.len(), started.elapsed().as_secs_f64());
        }
    }
    let elapsed = started.elapsed();
    // Per-task directories are deleted before the task is finished, so this is not a race.
    let stray_while_running = stray_files(&work, &tmp)?;
    let fds_idle = fd_verdict(&samples, daemon.pid(), FD_SETTLE)?;
    let exit = daemon.terminate(STOP_GRACE)?;
    let stray_after_stop = stray_files(&work, &tmp)?;
    let (recorded, task_ids) = c1.finish();

    print_samples(&samples, elapsed);
    let verdicts = [
        uploads_verdict(bin, recorded, &task_ids, charthop.expected, scratch)?,
        rss_verdict(&samples)?,
        fds_idle,
        files_verdict("while idle after the last task", &stray_while_running),
        files_verdict("after SIGTERM", &stray_after_stop),
        match exit {
            Some(status) if status.success() => Verdict::ok(format!("SIGTERM: exited 0 ({status})")),
            Some(status) => Verdict::failed(format!("SIGTERM: exited {status}, not 0")),
            None => Verdict::failed(format!("SIGTERM: still running after {STOP_GRACE:?}; killed")),
        },
    ];
    let failed = verdicts.iter().filter(|v| !v.ok).count();
    for verdict in &verdicts {
        println!("  {} {}", if verdict.ok { "ok    " } else { "FAILED" }, verdict.text);
    }
    if failed > 0 {
        bail!("soak: {failed} of {} checks failed (see above)", verdicts.len());
    }
    println!("soak passed");
    Ok(())
}

/// The fake C1 on a tokio runtime of its own, with `TASKS` sync tasks queued.
struct LocalC1 {
    fake: FakeC1,
    runtime: Runtime,
    task_ids: Vec<String>,
    /// The variables that point the daemon at it (the client secret among them: never printed).
    env: Vec<(String, String)>,
}

impl LocalC1 {
    fn start(tasks: usize) -> Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .thread_name("fake-c1")
            .build()
            .context("could not start a tokio runtime for the fake C1")?;
        let knobs = Knobs { next_poll: Duration::from_millis(50), ..Knobs::default() };
        let fake = runtime.block_on(FakeC1::start(knobs)).context("could not start the fake C1")?;
        let credentials = fake.mint_credentials("tenant.example");
        let mut task_ids = Vec::with_capacity(tasks);
        for _ in 0..tasks {
            let task_type = Some(TaskType::SyncFull(SyncFullTask::default()));
            let task = Task { id: c1_fake::new_task_id(), task_type, ..Task::default() };
            task_ids.push(task.id.clone());
            fake.push_task(task);
        }
        let env = vec![
            ("BATON_C1_API_HOST".to_owned(), fake.api_host()),
            ("SSL_CERT_FILE".to_owned(), fake.ca_file().to_string_lossy().into_owned()),
            ("BATON_CLIENT_ID".to_owned(), credentials.client_id),
            ("BATON_CLIENT_SECRET".to_owned(), credentials.client_secret),
        ];
        Ok(LocalC1 { fake, runtime, task_ids, env })
    }

    /// Everything the fake recorded, then the fake stopped. It holds every upload in memory (a
    /// 5,000-person file is about 2 MB, so some 400 MB for the run); they are copied once, here.
    fn finish(self) -> (Recorded, Vec<String>) {
        let recorded = self.fake.recorded();
        drop(self.fake);
        drop(self.runtime);
        (recorded, self.task_ids)
    }
}

struct Verdict {
    ok: bool,
    text: String,
}

impl Verdict {
    fn ok(text: String) -> Self {
        Verdict { ok: true, text }
    }

    fn failed(text: String) -> Self {
        Verdict { ok: false, text }
    }
}

/// Every task finished with success and uploaded exactly one complete file (its SHA-256
/// matched, the fake checks that), and every file holds the fake's whole org.
fn uploads_verdict(
    bin: &Path,
    recorded: Recorded,
    task_ids: &[String],
    expected: Counts,
    scratch: &Path,
) -> Result<Verdict> {
    let mut problems = Vec::new();
    for id in task_ids {
        let finishes = recorded.finishes_of(id);
        let successes =
            finishes.iter().filter(|f| matches!(f.final_state, Some(FinalState::Success(_)))).count();
        if finishes.len() != 1 || successes != 1 {
            problems.push(format!("task {id}: {} finishes, {successes} of them success", finishes.len()));
        }
    }
    let mut per_task: BTreeMap<&str, usize> = BTreeMap::new();
    for upload in &recorded.uploads {
        *per_task.entry(upload.task_id.as_str()).or_default() += 1;
    }
    for id in task_ids {
        if per_task.get(id.as_str()) != Some(&1) {
            problems.push(format!("task {id}: {} uploads, not 1", per_task.get(id.as_str()).unwrap_or(&0)));
        }
    }
    let file = scratch.join("upload.c1z");
    let (total, mut valid) = (recorded.uploads.len(), 0);
    // Consumed one by one, so each upload's bytes go as soon as it is checked.
    for upload in recorded.uploads {
        if !upload.complete {
            problems.push(format!("task {}: an upload without a matching eof", upload.task_id));
            continue;
        }
        std::fs::write(&file, &upload.data).with_context(|| format!("cannot write {}", file.display()))?;
        match external::counts(bin, &file) {
            Ok(counts) if counts == expected => valid += 1,
            Ok(counts) => problems.push(format!("task {}: the upload holds {counts:?}", upload.task_id)),
            Err(error) => {
                problems.push(format!("task {}: the upload is unreadable: {error:#}", upload.task_id))
            }
        }
    }
    let _ = std::fs::remove_file(&file);
    let summary = format!(
        "uploads: {valid} of {} tasks uploaded one file holding the fake's org ({} persons, {} groups, {} \
         entitlements, {} grants), each read back",
        task_ids.len(),
        expected.persons,
        expected.groups,
        expected.entitlements,
        expected.grants
    );
    if problems.is_empty() && valid == task_ids.len() && total == task_ids.len() {
        return Ok(Verdict::ok(summary));
    }
    let shown: Vec<String> = problems.iter().take(5).map(|p| format!("\n           {p}")).collect();
    let more = problems.len().saturating_sub(shown.len());
    let more = if more > 0 { format!("\n           ... and {more} more") } else { String::new() };
    Ok(Verdict::failed(format!("{summary}; {total} uploads in all{}{more}", shown.concat())))
}

fn rss_verdict(samples: &[Sample]) -> Result<Verdict> {
    let rss = |task: usize| -> Result<u64> {
        samples[task - 1].rss_kib.with_context(|| format!("soak: no RSS could be read after task {task}"))
    };
    let (base, last) = (rss(BASE_TASK)?, rss(TASKS)?);
    let growth = last as f64 / base.max(1) as f64;
    let text = format!(
        "RSS: task {TASKS} / task {BASE_TASK} = {} ({} -> {}; limit {MAX_RSS_GROWTH:.2}x)",
        ratio(last as f64, base as f64),
        mib(base),
        mib(last)
    );
    Ok(if growth <= MAX_RSS_GROWTH { Verdict::ok(text) } else { Verdict::failed(text) })
}

/// Descriptors are compared while the daemon has nothing in flight. When it logs the end of a
/// task, a connection it has dropped may still be closing in the background (single samples
/// held 1 or 2 sockets more than the rest), so the baseline is the fewest it held after tasks
/// 10 to 19, and the last count is what it holds idle after the last task, read again for up
/// to `settle` until it is no higher. A leaked descriptor stays open and fails the check.
fn fd_verdict(samples: &[Sample], pid: u32, settle: Duration) -> Result<Verdict> {
    let base = samples[BASE_TASK - 1..BASE_TASK + 9]
        .iter()
        .filter_map(|s| s.fds.as_ref())
        .min_by_key(|fds| fds.len())
        .with_context(|| {
            format!("soak: no fds could be read after tasks {BASE_TASK} to {}", BASE_TASK + 9)
        })?;
    let until = Instant::now() + settle;
    let last = loop {
        let fds = open_fds(pid).context("soak: the daemon's fds could not be read after the last task")?;
        if fds.len() <= base.len() || Instant::now() >= until {
            break fds;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let text = format!(
        "fds: {} after tasks {BASE_TASK}-{} (fewest), {} idle after task {TASKS}",
        base.len(),
        BASE_TASK + 9,
        last.len()
    );
    if last.len() <= base.len() {
        return Ok(Verdict::ok(text));
    }
    Ok(Verdict::failed(format!(
        "{text}; only before: {:?}; only after: {:?}",
        without(base, &last),
        without(&last, base)
    )))
}

/// The entries of `a` beyond those of `b`, counted as multisets.
fn without(a: &[String], b: &[String]) -> Vec<String> {
    let mut left: Vec<&String> = b.iter().collect();
    a.iter()
        .filter(|item| match left.iter().position(|other| other == item) {
            Some(at) => {
                left.swap_remove(at);
                false
            }
            None => true,
        })
        .cloned()
        .collect()
}

/// What the work directory holds beside the state file, and whatever TMPDIR holds, plus an
/// entry saying so when the state file is missing (then the daemon did not use `work`).
fn stray_files(work: &Path, tmp: &Path) -> Result<Vec<PathBuf>> {
    let list = |dir: &Path| -> Result<Vec<PathBuf>> {
        let entries = std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?;
        entries.map(|e| Ok(e?.path())).collect::<std::io::Result<_>>().map_err(Into::into)
    };
    let in_work = list(work)?;
    let is_state = |path: &PathBuf| {
        path.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(STATE_PREFIX) && n.ends_with(".json"))
    };
    let states = in_work.iter().filter(|p| is_state(p)).count();
    let mut stray: Vec<PathBuf> = in_work.into_iter().filter(|p| !is_state(p)).collect();
    if states != 1 {
        stray.push(work.join(format!("({states} state files, expected 1: {STATE_PREFIX}<org>.json)")));
    }
    stray.extend(list(tmp)?);
    Ok(stray)
}

fn files_verdict(when: &str, stray: &[PathBuf]) -> Verdict {
    if stray.is_empty() {
        return Verdict::ok(format!("files {when}: the work dir holds the state file only, TMPDIR is empty"));
    }
    let names: Vec<String> = stray.iter().map(|p| p.display().to_string()).collect();
    Verdict::failed(format!("files {when}: stray {}", names.join(", ")))
}

fn print_samples(samples: &[Sample], elapsed: Duration) {
    let mut rows = vec![["task", "RSS", "vs task 10", "of it anonymous", "fds"].map(str::to_owned).to_vec()];
    let base = samples[BASE_TASK - 1].rss_kib.unwrap_or(0);
    for task in SAMPLES {
        let sample = &samples[task - 1];
        let rss = sample.rss_kib.unwrap_or(0);
        rows.push(vec![
            task.to_string(),
            mib(rss),
            ratio(rss as f64, base as f64),
            sample.rss_anon_kib.map_or("?".to_owned(), mib),
            sample.fds.as_ref().map_or("?".to_owned(), |fds| fds.len().to_string()),
        ]);
    }
    println!(
        "\n{TASKS} tasks in {:.0} s ({:.2} s a task); VmRSS and open fds when the daemon logs each task finished\n{}",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() / TASKS as f64,
        table(&rows)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_counts_repeated_entries() {
        let of = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let base = of(&["/dev/null", "socket:[1]", "pipe:[2]"]);
        let last = of(&["/dev/null", "socket:[1]", "socket:[1]", "pipe:[2]", "socket:[9]"]);
        assert_eq!(without(&last, &base), of(&["socket:[1]", "socket:[9]"]));
        assert!(without(&base, &last).is_empty());
    }

    #[test]
    fn the_idle_count_is_held_to_the_fewest_after_tasks_10_to_19() {
        // This process stands in for the daemon: it holds a few descriptors (std streams at least).
        let me = std::process::id();
        let holding = |n: usize| Sample { fds: Some(vec!["socket:[1]".to_owned(); n]), ..Sample::default() };
        let mut samples: Vec<Sample> = (0..TASKS).map(|_| holding(10_000)).collect();
        let verdict = fd_verdict(&samples, me, Duration::ZERO).unwrap();
        assert!(verdict.ok, "{}", verdict.text);
        samples[BASE_TASK + 4] = holding(0);
        let verdict = fd_verdict(&samples, me, Duration::from_millis(200)).unwrap();
        assert!(!verdict.ok && verdict.text.contains("only after"), "{}", verdict.text);
        // Outside tasks 10 to 19, a low count is no baseline.
        samples[BASE_TASK + 4] = holding(10_000);
        samples[BASE_TASK + 10] = holding(0);
        assert!(fd_verdict(&samples, me, Duration::ZERO).unwrap().ok);
    }

    #[test]
    fn a_task_without_a_success_or_a_complete_upload_fails_the_uploads() {
        let upload =
            c1_fake::UploadRecord { task_id: "t2".to_owned(), complete: false, ..Default::default() };
        let recorded = Recorded { uploads: vec![upload], ..Recorded::default() };
        let ids = ["t1".to_owned(), "t2".to_owned()];
        let counts = Counts { persons: 1, groups: 1, entitlements: 1, grants: 1 };
        // No complete upload, so the binary is never asked to read one.
        let verdict =
            uploads_verdict(Path::new("/nonexistent"), recorded, &ids, counts, Path::new("/tmp")).unwrap();
        assert!(!verdict.ok);
        for expected in
            ["0 of 2 tasks", "task t1: 0 finishes", "task t1: 0 uploads", "task t2: an upload without"]
        {
            assert!(verdict.text.contains(expected), "{expected:?} in {}", verdict.text);
        }
    }

    #[test]
    fn only_the_state_file_may_stay() {
        let dir = std::env::temp_dir().join(format!("xtask-soak-test-{}", std::process::id()));
        let (work, tmp) = (dir.join("work"), dir.join("tmp"));
        std::fs::create_dir_all(&work).unwrap();
        std::fs::create_dir_all(&tmp).unwrap();
        let missing = stray_files(&work, &tmp).unwrap();
        assert_eq!(missing.len(), 1, "no state file is a finding: {missing:?}");
        std::fs::write(work.join("baton-charthop-last-sync-acme.json"), "{}").unwrap();
        assert!(stray_files(&work, &tmp).unwrap().is_empty());
        std::fs::create_dir(work.join("baton-task-x1")).unwrap();
        std::fs::write(tmp.join("left.db"), "").unwrap();
        let stray = stray_files(&work, &tmp).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(stray, vec![work.join("baton-task-x1"), tmp.join("left.db")]);
    }
}
