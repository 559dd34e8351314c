//! The `.c1z` writer is blocking: it runs on its own thread and takes batches from a channel,
//! so SQLite work overlaps with ChartHop requests and mapping.
//!
//! It also has the last word on repeated persons: the list may name a person twice (the org
//! changed while it was listed). The writer's live index of resource ids finds the later row as
//! it is written (no set of ids is held here), and this thread then leaves out that row's grants
//! and counts only the persons kept ([`Tally`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use c1_proto::connector::v2::{Entitlement, Grant, Resource, ResourceType};
use c1z::{C1zWriter, Comparison, ReaderOptions, WriteSummary, WriterOptions};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::SyncError;
use crate::writer_pace::WriterPace;

use crate::coverage::Lacks;
use crate::report::Coverage;

/// Rows handed to the writer together.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    pub resource_types: Vec<ResourceType>,
    pub resources: Vec<Resource>,
    pub entitlements: Vec<Entitlement>,
    pub grants: Vec<Grant>,
    /// For a batch of persons: one entry per resource, in order, and `grants` holds each
    /// person's grants in the same order. Empty for other batches.
    pub persons: Vec<PersonRow>,
}

/// What one person row of a batch adds to the sync's counts, if the writer keeps it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PersonRow {
    /// Employment state label.
    pub status: &'static str,
    /// Its grants in [`Batch::grants`].
    pub grants: usize,
    /// Memberships naming a group that is not in the sync.
    pub skipped_memberships: u64,
    /// Memberships in listed groups outside the sync's group types.
    pub out_of_scope: u64,
    pub lacks: Lacks,
}

/// The counts of the persons the writer kept (a repeated person counts once, with its first
/// row), and how many rows it left out as repeats.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tally {
    pub persons_by_status: BTreeMap<String, u64>,
    pub grants: u64,
    pub skipped_memberships: u64,
    pub out_of_scope: u64,
    pub coverage: Coverage,
    pub duplicate_persons: u64,
}

type CompareReply = oneshot::Sender<Result<Option<Comparison>, c1z::WriteError>>;
type KeepReply = oneshot::Sender<Result<Option<String>, c1z::WriteError>>;

enum Command {
    Write(Batch),
    Compare(PathBuf, CompareReply),
    KeepPrevious(PathBuf, KeepReply),
    Tally(oneshot::Sender<Tally>),
    Finish,
}

/// Handle to the writer thread. Dropping it without [`WriterThread::finish`] abandons the
/// file: the writer removes its temporary files and the target stays as it was.
pub(crate) struct WriterThread {
    commands: mpsc::Sender<Command>,
    thread: JoinHandle<Result<Option<WriteSummary>, c1z::WriteError>>,
}

impl WriterThread {
    /// Starts the writer; repeated resource ids keep their first row (the options' `keep_first`
    /// and `live_resource_ids` are set here). `pace` says whether it may build the indexes
    /// early.
    pub fn start(target: &Path, options: WriterOptions, mut pace: WriterPace) -> Result<Self, SyncError> {
        let options = WriterOptions { keep_first: true, live_resource_ids: true, ..options };
        let mut writer = C1zWriter::create(target, options)?;
        // One batch of slack keeps both sides busy; more only holds more pages in memory
        // (measured: 4 batches cost ~20 MiB more peak memory for no speed).
        let (commands, mut inbox) = mpsc::channel::<Command>(1);
        let thread = tokio::task::spawn_blocking(move || {
            let mut tally = Tally::default();
            let mut waiting = Instant::now();
            while let Some(command) = inbox.blocking_recv() {
                match command {
                    Command::Write(batch) => {
                        let (waited, working) = (waiting.elapsed(), Instant::now());
                        write_batch(&mut writer, &batch, &mut tally)?;
                        if !batch.persons.is_empty() && pace.person_batch(waited, working.elapsed()) {
                            writer.build_indexes()?;
                        }
                        waiting = Instant::now();
                    }
                    Command::Tally(reply) => {
                        let _ = reply.send(tally.clone());
                    }
                    Command::Compare(previous, reply) => {
                        // The receiver gone means the sync stopped: nothing to tell.
                        let _ = reply.send(writer.compare_with(&previous, &ReaderOptions::default()));
                    }
                    Command::KeepPrevious(previous, reply) => {
                        let _ = reply.send(writer.keep_previous(&previous, &ReaderOptions::default()));
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

    /// Copies the latest full sync of `previous` into the file; its id, if there was one.
    pub async fn keep_previous(&self, previous: &Path) -> Result<Option<String>, SyncError> {
        let (reply, answer) = oneshot::channel();
        let command = Command::KeepPrevious(previous.to_path_buf(), reply);
        self.commands.send(command).await.map_err(|_| SyncError::WriterGone)?;
        Ok(answer.await.map_err(|_| SyncError::WriterGone)??)
    }

    /// The counts of every batch sent so far, once they are written.
    pub async fn tally(&self) -> Result<Tally, SyncError> {
        let (reply, answer) = oneshot::channel();
        self.commands.send(Command::Tally(reply)).await.map_err(|_| SyncError::WriterGone)?;
        answer.await.map_err(|_| SyncError::WriterGone)
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

fn write_batch(writer: &mut C1zWriter, batch: &Batch, tally: &mut Tally) -> Result<(), c1z::WriteError> {
    for resource_type in &batch.resource_types {
        writer.put_resource_type(resource_type)?;
    }
    if batch.persons.is_empty() {
        for resource in &batch.resources {
            writer.put_resource(resource)?;
        }
    }
    for entitlement in &batch.entitlements {
        writer.put_entitlement(entitlement)?;
    }
    if batch.persons.is_empty() {
        for grant in &batch.grants {
            writer.put_grant(grant)?;
        }
        return Ok(());
    }
    debug_assert_eq!(batch.persons.len(), batch.resources.len());
    let mut grants = batch.grants.as_slice();
    for (resource, person) in batch.resources.iter().zip(&batch.persons) {
        let (own, rest) = grants.split_at(person.grants.min(grants.len()));
        grants = rest;
        let kept_before = writer.counts().resources;
        writer.put_resource(resource)?;
        if writer.counts().resources == kept_before {
            // A later row of a person already written: its grants go with it.
            tally.duplicate_persons += 1;
            continue;
        }
        for grant in own {
            writer.put_grant(grant)?;
        }
        *tally.persons_by_status.entry(person.status.to_owned()).or_default() += 1;
        tally.grants += own.len() as u64;
        tally.skipped_memberships += person.skipped_memberships;
        tally.out_of_scope += person.out_of_scope;
        person.lacks.count_into(&mut tally.coverage);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use c1_mapping::{GroupDirectory, MappingOptions, group_resource, member_entitlement};
    use charthop_client::PersonRecord;
    use charthop_domain::{Group, Person};

    use super::*;
    use crate::SyncOptions;
    use crate::sync::map_person_page;

    fn person(id: &str, groups: &[&str], end: Option<&str>) -> PersonRecord {
        let person = Person {
            id: id.into(),
            work_email: Some(format!("{id}@example.com")),
            start_date: Some("2020-01-01".parse().unwrap()),
            end_date: end.map(|d| d.parse().unwrap()),
            group_ids: Some(groups.iter().map(|g| (*g).to_owned()).collect()),
            ..Default::default()
        };
        PersonRecord { person, ..Default::default() }
    }

    #[tokio::test]
    async fn a_repeated_person_keeps_its_first_row_and_counts_once() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("sync.c1z");
        let options = SyncOptions {
            include_departed: true,
            ..SyncOptions::new(MappingOptions {
                today: "2026-06-01".parse().unwrap(),
                include_personal_email: false,
            })
        };
        let groups: Vec<Group> =
            ["g1", "g2"].map(|id| Group { id: id.into(), name: id.into(), ..Default::default() }).into();
        let directory = GroupDirectory::new(&groups);
        let writer = WriterThread::start(&target, WriterOptions::default(), WriterPace::timed()).unwrap();
        let mut setup = Batch { resource_types: c1_mapping::resource_types(), ..Default::default() };
        for group in &groups {
            setup.resources.push(group_resource(group, &directory).unwrap().value);
            setup.entitlements.push(member_entitlement(group, &directory).unwrap().value);
        }
        writer.write(setup).await.unwrap();
        let page = |rows: &[PersonRecord]| map_person_page(rows, &directory, &directory, &options);
        writer.write(page(&[person("p1", &["g1"], None), person("p2", &[], None)])).await.unwrap();
        // Listed again a page later, departed by now and in another group: the first row stays.
        writer.write(page(&[person("p1", &["g1", "g2"], Some("2026-01-01"))])).await.unwrap();

        let tally = writer.tally().await.unwrap();
        assert_eq!(tally.persons_by_status, BTreeMap::from([("active".to_owned(), 2)]));
        assert_eq!((tally.grants, tally.duplicate_persons), (1, 1));
        let summary = writer.finish().await.unwrap();
        assert_eq!(summary.counts.grants, 1, "the later row's grants are left out with it");
        assert_eq!(summary.counts.resources_by_type.get("person"), Some(&2));
        assert_eq!(summary.repeats.resources, 1);
    }
}
