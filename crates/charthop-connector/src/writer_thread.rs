//! The `.c1z` writer is blocking: it runs on its own thread and takes batches from a channel,
//! so SQLite work overlaps with ChartHop requests and mapping.

use std::path::{Path, PathBuf};

use c1_proto::connector::v2::{Entitlement, Grant, Resource, ResourceType};
use c1z::{C1zWriter, Comparison, ReaderOptions, WriteSummary, WriterOptions};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::SyncError;

/// Rows handed to the writer together.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    pub resource_types: Vec<ResourceType>,
    pub resources: Vec<Resource>,
    pub entitlements: Vec<Entitlement>,
    pub grants: Vec<Grant>,
}

type CompareReply = oneshot::Sender<Result<Option<Comparison>, c1z::WriteError>>;

enum Command {
    Write(Batch),
    Compare(PathBuf, CompareReply),
    Finish,
}

/// Handle to the writer thread. Dropping it without [`WriterThread::finish`] abandons the
/// file: the writer removes its temporary files and the target stays as it was.
pub(crate) struct WriterThread {
    commands: mpsc::Sender<Command>,
    thread: JoinHandle<Result<Option<WriteSummary>, c1z::WriteError>>,
}

impl WriterThread {
    pub fn start(target: &Path, options: WriterOptions) -> Result<Self, SyncError> {
        let mut writer = C1zWriter::create(target, options)?;
        // One batch of slack keeps both sides busy; more only holds more pages in memory
        // (measured: 4 batches cost ~20 MiB more peak memory for no speed).
        let (commands, mut inbox) = mpsc::channel::<Command>(1);
        let thread = tokio::task::spawn_blocking(move || {
            while let Some(command) = inbox.blocking_recv() {
                match command {
                    Command::Write(batch) => write_batch(&mut writer, &batch)?,
                    Command::Compare(previous, reply) => {
                        // The receiver gone means the sync stopped: nothing to tell.
                        let _ = reply.send(writer.compare_with(&previous, &ReaderOptions::default()));
                    }
                    Command::Finish => return writer.finish().map(Some),
                }
            }
            // The sender went away without Finish: abandon (the writer's Drop cleans up).
            Ok(None)
        });
        Ok(Self { commands, thread })
    }

    pub async fn write(&self, batch: Batch) -> Result<(), SyncError> {
        self.commands.send(Command::Write(batch)).await.map_err(|_| SyncError::WriterGone)
    }

    /// Compares the rows written so far with the latest full sync of `previous`.
    pub async fn compare(&self, previous: &Path) -> Result<Option<Comparison>, SyncError> {
        let (reply, answer) = oneshot::channel();
        let command = Command::Compare(previous.to_path_buf(), reply);
        self.commands.send(command).await.map_err(|_| SyncError::WriterGone)?;
        Ok(answer.await.map_err(|_| SyncError::WriterGone)??)
    }

    /// Waits for every batch, then finishes the file.
    pub async fn finish(self) -> Result<WriteSummary, SyncError> {
        let sent = self.commands.send(Command::Finish).await;
        let outcome = self.join().await?;
        match (sent, outcome) {
            (Ok(()), Some(summary)) => Ok(summary),
            _ => Err(SyncError::WriterGone),
        }
    }

    /// Abandons the file and waits until the writer has cleaned up. A write error the thread
    /// hit first is returned, as it explains why the sync stopped.
    pub async fn abandon(self) -> Result<(), SyncError> {
        self.join().await.map(|_| ())
    }

    async fn join(self) -> Result<Option<WriteSummary>, SyncError> {
        drop(self.commands);
        match self.thread.await {
            Ok(result) => Ok(result?),
            Err(_) => Err(SyncError::WriterGone),
        }
    }
}

fn write_batch(writer: &mut C1zWriter, batch: &Batch) -> Result<(), c1z::WriteError> {
    for resource_type in &batch.resource_types {
        writer.put_resource_type(resource_type)?;
    }
    for resource in &batch.resources {
        writer.put_resource(resource)?;
    }
    for entitlement in &batch.entitlements {
        writer.put_entitlement(entitlement)?;
    }
    for grant in &batch.grants {
        writer.put_grant(grant)?;
    }
    Ok(())
}
