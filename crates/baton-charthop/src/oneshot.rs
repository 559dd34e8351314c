//! One-shot mode: sync ChartHop into a `.c1z` file and say what was written.

use error_reporter::Report;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::{Context, Result};
use charthop_connector::{SyncError, SyncReport, sync};
use tokio_util::sync::CancellationToken;

use crate::progress::Reporter;
use crate::settings::Settings;
use crate::signals::{Signal, Signals};
use crate::wiring;

/// Temporary files of a killed run older than this are removed at start.
const STALE_AFTER: Duration = Duration::from_secs(3600);

/// A sync stopped by a signal. The exit code is the signal's (see `--help`).
#[derive(Debug, thiserror::Error)]
#[error("interrupted by {signal}: {}", what_happened(*published, path))]
pub struct Interrupted {
    pub signal: Signal,
    /// The sync had already replaced the file when the signal came.
    pub published: bool,
    pub path: PathBuf,
}

fn what_happened(published: bool, path: &Path) -> String {
    if published {
        format!("the sync had already finished; {} holds it", path.display())
    } else {
        format!("nothing was published; {} is as it was", path.display())
    }
}

pub async fn run(settings: &Settings) -> Result<()> {
    if !settings.skip_full_sync {
        // Before any request: a target we may not replace fails now, not after the whole sync.
        c1z::check_target(&settings.file)?;
        for path in c1z::remove_stale_files(&settings.file, STALE_AFTER) {
            tracing::info!(path = %path.display(), "removed a temporary file an interrupted sync left behind");
        }
    }
    let client = wiring::charthop_client(settings)?;
    if settings.skip_full_sync {
        client.validate_access().await?;
        println!("ChartHop access checked; --skip-full-sync set, nothing written");
        return Ok(());
    }
    let options = wiring::sync_options(settings);
    let cancel = CancellationToken::new();
    let received = Arc::new(OnceLock::new());
    let signals = Signals::install().context("cannot catch SIGINT, SIGTERM and SIGHUP")?;
    tokio::spawn(stop_on_signals(signals, cancel.clone(), received.clone()));
    tracing::info!(file = %settings.file.display(), "sync started");
    let reporter = Reporter::new(client.clone());
    let outcome = sync(&client, &settings.file, &options, &reporter, &cancel).await;
    reporter.clear();
    if let Some(&signal) = received.get() {
        if let Err(error) = &outcome
            && !matches!(error, SyncError::Cancelled | SyncError::Write(c1z::WriteError::Cancelled))
        {
            tracing::warn!("the sync also failed: {}", Report::new(error));
        }
        return Err(Interrupted { signal, published: outcome.is_ok(), path: settings.file.clone() }.into());
    }
    let report = outcome?;
    println!("{}", summary_line(&report));
    Ok(())
}

/// The first signal cancels the sync (it winds down and publishes nothing); a second one
/// exits at once, leaving the temporary files to the next run's clean-up.
async fn stop_on_signals(mut signals: Signals, cancel: CancellationToken, received: Arc<OnceLock<Signal>>) {
    let signal = signals.recv().await;
    let _ = received.set(signal);
    tracing::warn!("{signal} received: stopping the sync (send it again to exit at once)");
    cancel.cancel();
    let again = signals.recv().await;
    tracing::warn!("{again} received again: exiting without waiting for the sync to stop");
    std::process::exit(again.exit_code().into());
}

/// The last line of a one-shot run: what was written, and what it cost.
pub fn summary_line(report: &SyncReport) -> String {
    let statuses: Vec<String> = report.persons_by_status.iter().map(|(s, n)| format!("{n} {s}")).collect();
    let mut line = format!(
        "wrote {}: {} persons ({}), {} groups, {} entitlements, {} grants",
        report.file.path.display(),
        report.persons(),
        statuses.join(", "),
        report.groups(),
        report.entitlements,
        report.grants,
    );
    if report.skipped_memberships > 0 {
        line += &format!(", {} memberships of unknown groups skipped", report.skipped_memberships);
    }
    if report.departed_excluded > 0 {
        line += &format!(", {} departed persons left out", report.departed_excluded);
    }
    let coverage = &report.coverage;
    for (n, what) in [
        (report.mapping.refused_persons, "persons refused (an id that cannot be valid)"),
        (coverage.without_any_email, "persons without any email"),
        (coverage.without_work_email, "without a work email"),
        (coverage.without_employee_id, "without an employee id"),
    ] {
        if n > 0 {
            line += &format!(", {n} {what}");
        }
    }
    line += &format!(
        "; {} ChartHop requests, {} retries, {:.1} s waiting on rate limits; {} bytes in {:.1} s",
        report.requests,
        report.retries,
        report.rate_limit_wait.as_secs_f64(),
        report.file.compressed_bytes,
        report.duration.as_secs_f64(),
    );
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interruption_says_what_became_of_the_file() {
        let path = PathBuf::from("out/sync.c1z");
        let before = Interrupted { signal: Signal::Terminate, published: false, path: path.clone() };
        assert_eq!(
            before.to_string(),
            "interrupted by SIGTERM: nothing was published; out/sync.c1z is as it was"
        );
        let after = Interrupted { signal: Signal::Interrupt, published: true, path };
        assert!(after.to_string().contains("already finished; out/sync.c1z holds it"), "{after}");
    }
}
