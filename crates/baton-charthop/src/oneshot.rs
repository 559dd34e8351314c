//! One-shot mode: sync ChartHop into a `.c1z` file and say what was written.

use anyhow::Result;
use charthop_connector::{SyncReport, sync};
use tokio_util::sync::CancellationToken;

use crate::progress::Reporter;
use crate::settings::Settings;
use crate::wiring;

pub async fn run(settings: &Settings) -> Result<()> {
    let client = wiring::charthop_client(settings)?;
    if settings.skip_full_sync {
        client.validate_access().await?;
        println!("ChartHop access checked; --skip-full-sync set, nothing written");
        return Ok(());
    }
    let options = wiring::sync_options(settings);
    let cancel = CancellationToken::new();
    let on_interrupt = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            tracing::warn!("interrupted: stopping the sync; the previous file stays as it was");
            on_interrupt.cancel();
        }
    });
    tracing::info!(file = %settings.file.display(), "sync started");
    let reporter = Reporter::new(client.clone());
    let outcome = sync(&client, &settings.file, &options, &reporter, &cancel).await;
    reporter.clear();
    let report = outcome?;
    println!("{}", summary_line(&report));
    Ok(())
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
