//! A child's exact peak resident memory (and its CPU time).
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
const CPU_MARKER: &str = "xtask-cpu-ms=";

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
    let (status, usage) = run_and_measure(Command::new(program).args(rest))?;
    println!("{CPU_MARKER}{} {}", usage.user_ms, usage.sys_ms);
    println!("{MARKER}{}", usage.peak_kib);
    match status.code() {
        Some(0) => Ok(()),
        Some(code) => std::process::exit(code),
        None => bail!("{program} was killed ({status})"),
    }
}

/// What the only child used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    pub peak_kib: u64,
    pub user_ms: u64,
    pub sys_ms: u64,
}

/// Runs `cmd` to its end; the usage is exact only when it is this process's only child.
fn run_and_measure(cmd: &mut Command) -> Result<(ExitStatus, Usage)> {
    let status = cmd.status().with_context(|| format!("could not start {:?}", cmd.get_program()))?;
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).context("getrusage(RUSAGE_CHILDREN) failed")?;
    let ms = |t: nix::sys::time::TimeVal| {
        u64::try_from(t.tv_sec()).unwrap_or(0) * 1000 + u64::try_from(t.tv_usec()).unwrap_or(0) / 1000
    };
    Ok((
        status,
        Usage {
            // Linux reports ru_maxrss in KiB.
            peak_kib: u64::try_from(usage.max_rss()).unwrap_or(0),
            user_ms: ms(usage.user_time()),
            sys_ms: ms(usage.system_time()),
        },
    ))
}

/// The usage the probe printed, from the probe's whole standard output.
pub fn usage(stdout: &str) -> Option<Usage> {
    let cpu = stdout.lines().rev().find_map(|line| line.strip_prefix(CPU_MARKER))?;
    let (user, sys) = cpu.trim().split_once(' ')?;
    Some(Usage { peak_kib: peak_rss_kib(stdout)?, user_ms: user.parse().ok()?, sys_ms: sys.parse().ok()? })
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
    fn cpu_time_is_read_with_the_peak() {
        let stdout = "out\nxtask-cpu-ms=1200 300\nxtask-peak-rss-kib=41234\n";
        assert_eq!(usage(stdout), Some(Usage { peak_kib: 41234, user_ms: 1200, sys_ms: 300 }));
        assert_eq!(usage("xtask-peak-rss-kib=41234\n"), None);
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
        let (status, usage) = run_and_measure(&mut cmd).unwrap();
        assert!(status.success());
        let peak_kib = usage.peak_kib;
        // At least the line; far less than 64 Mi KiB (which would mean the unit is bytes).
        assert!((64 * 1024..1024 * 1024).contains(&peak_kib), "peak {peak_kib} KiB");
    }
}
