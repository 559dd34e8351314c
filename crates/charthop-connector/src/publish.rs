//! The end of a sync: compare with the baseline, refuse a mass change, keep the previous sync
//! when asked, finish the file. A
//! cancellation from here on sets the writer's cancel flag, so the file is never published
//! once the sync was cancelled (the writer looks at the flag up to the rename).

use std::future::Future;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use c1z::WriteSummary;
use tokio_util::sync::CancellationToken;

use crate::guard::{self, Scope};
use crate::writer_thread::WriterThread;
use crate::{Baseline, BaselineComparison, BaselineCounts, Progress, SyncError, SyncEvent, SyncOptions};

/// Where the sync ends up and what the guard needs.
pub(crate) struct Ending<'a> {
    pub target: &'a Path,
    pub options: &'a SyncOptions,
    /// This sync's counts.
    pub now: BaselineCounts,
    pub cancel: &'a CancellationToken,
    pub cancel_flag: &'a AtomicBool,
}

/// Publishes the file unless the guard refuses or the sync is cancelled; either way nothing
/// is published and the writer removes its temporary files.
pub(crate) async fn publish(
    writer: WriterThread,
    ending: Ending<'_>,
    progress: &dyn Progress,
) -> Result<(WriteSummary, Option<BaselineComparison>), SyncError> {
    let compared = flagging(compare(&writer, &ending), &ending).await;
    let comparison = match compared.and_then(|c| refuse_mass_change(c, &ending)) {
        Ok(comparison) => comparison,
        Err(error) => {
            let writer_error = writer.abandon().await;
            // The writer's own error explains a closed channel better than "writer gone".
            return Err(match (error, writer_error) {
                (SyncError::WriterGone, Err(writer_error)) => writer_error,
                (error, _) => error,
            });
        }
    };
    if ending.options.keep_previous {
        keep_previous(&writer, &ending).await?;
    }
    if ending.cancel_flag.load(Ordering::SeqCst) {
        let _ = writer.abandon().await;
        return Err(SyncError::Cancelled);
    }
    progress.event(&SyncEvent::Finishing);
    match flagging(writer.finish(), &ending).await {
        Ok(file) => Ok((file, comparison)),
        Err(SyncError::Write(c1z::WriteError::Cancelled)) => Err(SyncError::Cancelled),
        Err(error) => Err(error),
    }
}

async fn compare(
    writer: &WriterThread,
    ending: &Ending<'_>,
) -> Result<Option<BaselineComparison>, SyncError> {
    match &ending.options.baseline {
        Baseline::None => Ok(None),
        Baseline::Counts(previous) => Ok(Some(BaselineComparison::from_counts(*previous, ending.now))),
        Baseline::PreviousFile => match writer.compare(ending.target).await {
            Ok(comparison) => Ok(comparison.as_ref().map(BaselineComparison::from_file)),
            // Not a readable .c1z: there is nothing to protect from a mass change in it.
            Err(SyncError::Write(error @ c1z::WriteError::Previous { .. })) => {
                tracing::warn!(
                    error = %error_reporter::Report::new(&error),
                    "the file this sync replaces could not be read as a sync; it is not compared"
                );
                Ok(None)
            }
            Err(error) => Err(error),
        },
    }
}

/// The previous sync, kept in the new file when asked; one that cannot be read is not kept.
async fn keep_previous(writer: &WriterThread, ending: &Ending<'_>) -> Result<(), SyncError> {
    match flagging(writer.keep_previous(ending.target), ending).await {
        Ok(Some(sync_id)) => tracing::info!(sync_id, "kept the previous sync in the new file"),
        Ok(None) => tracing::info!("no previous sync to keep"),
        Err(SyncError::Write(error @ c1z::WriteError::KeptSyncNotOlder { .. })) => {
            tracing::warn!(error = %error_reporter::Report::new(&error), "the previous sync is not kept")
        }
        Err(SyncError::Write(error @ c1z::WriteError::KeepPrevious { .. })) => tracing::warn!(
            error = %error_reporter::Report::new(&error),
            "the file this sync replaces could not be read as a sync; the new file holds only the new sync"
        ),
        Err(error) => return Err(error),
    }
    Ok(())
}

fn refuse_mass_change(
    comparison: Option<BaselineComparison>,
    ending: &Ending<'_>,
) -> Result<Option<BaselineComparison>, SyncError> {
    if let Some(comparison) = &comparison {
        let options = ending.options;
        let scope = Scope { persons: options.writes_persons(), grants: options.writes_grants() };
        guard::check(comparison, ending.now.persons, options.max_removed_ratio, scope)?;
    }
    Ok(comparison)
}

/// Runs `work` to its end; when the sync is cancelled meanwhile, sets the writer's cancel flag
/// so that the work refuses to publish.
async fn flagging<T>(work: impl Future<Output = T>, ending: &Ending<'_>) -> T {
    let mut work = std::pin::pin!(work);
    tokio::select! {
        biased;
        out = &mut work => out,
        () = ending.cancel.cancelled() => {
            ending.cancel_flag.store(true, Ordering::SeqCst);
            work.await
        }
    }
}
