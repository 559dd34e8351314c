//! A child's exact peak resident memory.
//!
//! `getrusage(RUSAGE_CHILDREN)` reports the largest peak among ALL children a process has waited
//! for, so xtask re-runs itself as a probe whose only child is the measured program: the probe
//! waits on it, prints the peak on a marker line, and exits with the child's code. Polling
//! `/proc/<pid>/status` instead would miss whatever the child allocates after the last poll.

use std::process::{Command, ExitStatus};

use anyhow::{Context, Result, bail};
use nix::sys::resource::{UsageWho, getrusage};

/// The hidden xtask task that runs the probe.
pub const PROBE_TASK: &str = "__peak-rss";
const MARKER: &str = "xtask-peak-rss-kib=";

/// `cmd` wrapped in the probe: same program, arguments and environment changes.
pub fn wrapped(cmd: &Command) -> Result<Command> {
    let xtask = std::env::current_exe().context("cannot find the running xtask executable")?;
    let mut probe = Command::new(xtask);
    probe.arg(PROBE_TASK).arg(cmd.get_program()).args(cmd.get_args());
    for (name, value) in cmd.get_envs() {
        match value {
            Some(value) => probe.env(name, value),
            None => probe.env_remove(name),
        };
    }
    if let Some(dir) = cmd.get_current_dir() {
        probe.current_dir(dir);
    }
    Ok(probe)
}

/// The probe itself: `args` = program and its arguments.
pub fn probe(args: &[String]) -> Result<()> {
    let (program, rest) = args.split_first().context("usage: xtask __peak-rss PROGRAM [ARGS...]")?;
    let (status, peak_kib) = run_and_measure(Command::new(program).args(rest))?;
    println!("{MARKER}{peak_kib}");
    match status.code() {
        Some(0) => Ok(()),
        Some(code) => std::process::exit(code),
        None => bail!("{program} was killed ({status})"),
    }
}

/// Runs `cmd` to its end; its peak RSS in KiB is exact only when it is this process's only child.
fn run_and_measure(cmd: &mut Command) -> Result<(ExitStatus, u64)> {
    let status = cmd.status().with_context(|| format!("could not start {:?}", cmd.get_program()))?;
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).context("getrusage(RUSAGE_CHILDREN) failed")?;
    // Linux reports ru_maxrss in KiB.
    Ok((status, u64::try_from(usage.max_rss()).unwrap_or(0)))
}

/// The peak the probe printed, from the probe's whole standard output.
pub fn peak_rss_kib(stdout: &str) -> Option<u64> {
    stdout.lines().rev().find_map(|line| line.strip_prefix(MARKER)?.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marker_line_is_found_after_the_programs_own_output() {
        let stdout = "wrote x.c1z: 5000 persons\nxtask-peak-rss-kib=41234\n";
        assert_eq!(peak_rss_kib(stdout), Some(41234));
    }

    #[test]
    fn no_marker_or_a_garbled_one_is_none() {
        assert_eq!(peak_rss_kib("wrote x.c1z\n"), None);
        assert_eq!(peak_rss_kib("xtask-peak-rss-kib=lots\n"), None);
    }

    #[test]
    fn wrapping_keeps_arguments_and_environment_changes() {
        let mut cmd = Command::new("/bin/echo");
        cmd.args(["-f", "a b.c1z"]).env("BATON_API_TOKEN", "t").env_remove("BATON_CLIENT_ID");
        let probe = wrapped(&cmd).unwrap();
        let args: Vec<_> = probe.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
        assert_eq!(args, [PROBE_TASK, "/bin/echo", "-f", "a b.c1z"]);
        let envs: Vec<_> = probe.get_envs().map(|(k, v)| (k.to_owned(), v.map(|v| v.to_owned()))).collect();
        assert!(envs.contains(&("BATON_API_TOKEN".into(), Some("t".into()))));
        assert!(envs.contains(&("BATON_CLIENT_ID".into(), None)));
    }

    #[test]
    fn a_child_holding_64_mib_is_measured_above_64_mib() {
        // `sort` must hold a single 64 MiB line in memory to sort it.
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "head -c 67108864 /dev/zero | sort > /dev/null"]);
        let (status, peak_kib) = run_and_measure(&mut cmd).unwrap();
        assert!(status.success());
        // At least the line; far less than 64 Mi KiB (which would mean the unit is bytes).
        assert!((64 * 1024..1024 * 1024).contains(&peak_kib), "peak {peak_kib} KiB");
    }
}
