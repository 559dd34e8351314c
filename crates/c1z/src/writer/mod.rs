//! [`C1zWriter`]: one full sync into a SQLite database built next to the target, published as a
//! `.c1z` by `finish()`.

mod compare;
mod db;
mod integrity;
mod keep;
mod memory;
mod publish;
mod rows;
mod target;
mod typed;

use std::fmt;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

pub(crate) use self::db::BuildDb;
pub(crate) use self::rows::{EntitlementRow, GrantRow, ResourceRow, ResourceTypeRow};
pub use self::target::{check_target, remove_stale_files};
use crate::Counts;
use crate::error::WriteError;
use crate::sync_id::{is_valid_sync_id, new_sync_id};

/// A source of "now" (UTC). Inject a fixed one for byte-identical output.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// How a [`C1zWriter`] builds its file.
#[derive(Clone)]
pub struct WriterOptions {
    /// zstd level (1..=22; default 3). Every level keeps the window within 128 MiB.
    pub compression_level: i32,
    /// The sync id (a KSUID); generated from the clock when `None`.
    pub sync_id: Option<String>,
    /// Where timestamps come from; the system clock when `None`.
    pub clock: Option<Clock>,
    /// Rows per SQLite transaction (default 1_000). The rollback journal is in memory and holds
    /// a copy of every page a transaction touches, so bigger batches cost memory for little speed.
    pub batch_size: usize,
    /// Set to `true` to cancel: `finish()` then returns [`WriteError::Cancelled`] and publishes
    /// nothing. It looks before the integrity check, between chunks while compressing and right
    /// before the rename; after the rename the sync is published.
    pub cancel: Option<Arc<AtomicBool>>,
    /// zstd worker threads for compressing at finish (default: the cores available, at most
    /// 4); 0 compresses on the calling thread. The file is one frame either way.
    pub compression_threads: u32,
    /// Keep the first row of a repeated resource, entitlement or grant id and leave out the
    /// later ones, counted in [`WriteSummary::repeats`] (default `false`: a repeat fails with
    /// [`WriteError::DuplicateId`]). Nothing per id is held in memory: the store finds repeats.
    pub keep_first: bool,
    /// Keep the resources' indexes live while rows go in (default `false`: built at finish),
    /// so a repeated resource id is found as it is written: refused at once, or with
    /// `keep_first` left out at once and counted, which [`C1zWriter::counts`] then shows (its
    /// resource count does not grow). Costs three index updates per resource while streaming
    /// and saves the finish its passes over the resources; entitlements and grants keep theirs
    /// for finish.
    pub live_resource_ids: bool,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions {
            compression_level: 3,
            sync_id: None,
            clock: None,
            batch_size: 1_000,
            cancel: None,
            compression_threads: worker_threads(),
            keep_first: false,
            live_resource_ids: false,
        }
    }
}

/// The cores available, at most 4: zstd workers and SQLite sorter threads at finish.
pub(crate) fn worker_threads() -> u32 {
    std::thread::available_parallelism().map_or(1, |n| u32::try_from(n.get()).unwrap_or(1).min(4))
}

/// The optional cancel flag, looked at by `finish()`.
#[derive(Clone, Default)]
pub(crate) struct Cancel(Option<Arc<AtomicBool>>);

impl Cancel {
    pub(crate) fn is_set(&self) -> bool {
        self.0.as_ref().is_some_and(|flag| flag.load(Ordering::SeqCst))
    }

    pub(crate) fn check(&self) -> Result<(), WriteError> {
        if self.is_set() { Err(WriteError::Cancelled) } else { Ok(()) }
    }
}

impl fmt::Debug for WriterOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WriterOptions")
            .field("compression_level", &self.compression_level)
            .field("sync_id", &self.sync_id)
            .field("clock", &self.clock.as_ref().map(|_| "injected"))
            .field("batch_size", &self.batch_size)
            .field("cancel", &self.cancel.as_ref().map(|flag| flag.load(Ordering::SeqCst)))
            .field("compression_threads", &self.compression_threads)
            .field("keep_first", &self.keep_first)
            .field("live_resource_ids", &self.live_resource_ids)
            .finish()
    }
}

/// What `finish()` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteSummary {
    /// The published `.c1z`.
    pub path: PathBuf,
    pub sync_id: String,
    /// Rows written, per table and resources per type.
    pub counts: Counts,
    /// Size of the SQLite database before compression.
    pub raw_bytes: u64,
    /// Size of the published file (magic included).
    pub compressed_bytes: u64,
    /// Rows left out as later copies of an id already written ([`WriterOptions::keep_first`]).
    pub repeats: Counts,
}

/// How long the stages of `finish()` took.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FinishTimes {
    /// Building the indexes, the duplicate and integrity checks, closing the database.
    pub index_and_check: Duration,
    /// Compressing, fsyncing and renaming.
    pub compress_and_publish: Duration,
}

/// Writes one full sync into a `.c1z` file.
///
/// The database is built in a temporary file in the target's directory. Nothing touches the
/// target until [`C1zWriter::finish`] succeeds; dropping the writer (or any failure) removes
/// the temporary files and leaves a previous target as it was. Blocking: run it on a blocking
/// thread in async code.
pub struct C1zWriter {
    target: PathBuf,
    compression_level: i32,
    compression_threads: u32,
    db: Option<BuildDb>,
    cancel: Cancel,
    // Reused encoding buffer, so `data` costs no allocation per row.
    scratch: Vec<u8>,
    // The file this sync replaces, as `compare_with` opened it, for `keep_previous` to reuse
    // (one decompression, not two); dropped when finishing begins.
    previous: Option<(PathBuf, crate::C1zReader)>,
    // Held (locked) until the writer drops, after the temporary files are gone.
    _lock: File,
}

impl C1zWriter {
    /// Starts a full sync that will be published at `target`.
    ///
    /// The target must be absent or a regular file ([`check_target`]), and no other writer may
    /// be writing it: this one holds an exclusive lock on `.<name>.lock` beside the target until
    /// it finishes or drops, and a second one fails with [`WriteError::TargetBusy`].
    pub fn create(target: impl AsRef<Path>, options: WriterOptions) -> Result<Self, WriteError> {
        let target = target.as_ref().to_path_buf();
        check_target(&target)?;
        let range = zstd::compression_level_range();
        if !(1..=*range.end()).contains(&options.compression_level) {
            return Err(WriteError::InvalidOption(format!(
                "compression_level {} is outside 1..={}",
                options.compression_level,
                range.end()
            )));
        }
        if options.batch_size == 0 {
            return Err(WriteError::InvalidOption("batch_size must be at least 1".to_owned()));
        }
        let clock: Clock = options.clock.unwrap_or_else(|| Arc::new(Utc::now));
        let sync_id = match options.sync_id {
            Some(id) if is_valid_sync_id(&id) => id,
            Some(id) => return Err(WriteError::InvalidSyncId { sync_id: id }),
            None => new_sync_id(clock()),
        };
        let dir = publish::target_dir(&target)?;
        let lock = target::lock(&dir, &target)?;
        let db = BuildDb::create(
            &dir,
            &target,
            sync_id,
            clock,
            options.batch_size,
            options.keep_first,
            options.live_resource_ids,
        )?;
        Ok(C1zWriter {
            target,
            compression_level: options.compression_level,
            compression_threads: options.compression_threads,
            db: Some(db),
            cancel: Cancel(options.cancel),
            scratch: Vec::new(),
            previous: None,
            _lock: lock,
        })
    }

    /// The id of the sync being written.
    pub fn sync_id(&self) -> &str {
        self.db().sync_id()
    }

    /// Rows written so far.
    pub fn counts(&self) -> &Counts {
        self.db().counts()
    }

    /// Builds the indexes now instead of at finish; the rows written after are indexed as they
    /// go in. That costs more in all than one sorted pass per index at the end, but it moves the
    /// work to a time the caller chooses: worth it when rows come slowly (the sync waits on the
    /// network and this thread on it) and the finish is what is left to wait for. A repeated
    /// id already written is handled as at finish (`keep_first`, or [`WriteError::DuplicateId`]).
    pub fn build_indexes(&mut self) -> Result<(), WriteError> {
        self.db_mut().build_indexes()
    }

    /// Writes a resource type row (raw form; the typed `put_*` methods build these rows).
    pub(crate) fn put_resource_type_row(&mut self, row: &ResourceTypeRow<'_>) -> Result<(), WriteError> {
        self.db_mut().insert_resource_type(row)
    }

    /// Writes a resource row.
    pub(crate) fn put_resource_row(&mut self, row: &ResourceRow<'_>) -> Result<(), WriteError> {
        self.db_mut().insert_resource(row)
    }

    /// Writes an entitlement row.
    pub(crate) fn put_entitlement_row(&mut self, row: &EntitlementRow<'_>) -> Result<(), WriteError> {
        self.db_mut().insert_entitlement(row)
    }

    /// Writes a grant row.
    pub(crate) fn put_grant_row(&mut self, row: &GrantRow<'_>) -> Result<(), WriteError> {
        self.db_mut().insert_grant(row)
    }

    /// Checks referential integrity, ends the sync, compresses the database and atomically
    /// replaces the target with it.
    pub fn finish(self) -> Result<WriteSummary, WriteError> {
        self.finish_timed().map(|(summary, _)| summary)
    }

    /// `finish()`, also telling how long its two stages took.
    pub(crate) fn finish_timed(mut self) -> Result<(WriteSummary, FinishTimes), WriteError> {
        // Its decompressed copy need not sit on disk beside the compression.
        self.previous = None;
        let db = self.db.take().expect("the database is only taken by finish, which consumes self");
        let started = Instant::now();
        memory::release_freed_memory();
        // On any error `db` drops here, which deletes the temporary database.
        let built = db.finish(&self.cancel)?;
        let indexed = Instant::now();
        memory::release_freed_memory();
        let (raw_bytes, compressed_bytes) = publish::compress_and_replace(
            built.path(),
            &self.target,
            self.compression_level,
            self.compression_threads,
            &self.cancel,
        )?;
        let summary = WriteSummary {
            path: self.target.clone(),
            sync_id: built.sync_id.clone(),
            counts: built.counts.clone(),
            raw_bytes,
            compressed_bytes,
            repeats: built.repeats.clone(),
        };
        built.remove_after_publish();
        let times =
            FinishTimes { index_and_check: indexed - started, compress_and_publish: indexed.elapsed() };
        tracing::debug!(
            index_and_check_ms = times.index_and_check.as_millis() as u64,
            compress_and_publish_ms = times.compress_and_publish.as_millis() as u64,
            raw_bytes,
            compressed_bytes,
            "published the .c1z"
        );
        Ok((summary, times))
    }

    fn db(&self) -> &BuildDb {
        self.db.as_ref().expect("the database is present until finish")
    }

    fn db_mut(&mut self) -> &mut BuildDb {
        self.db.as_mut().expect("the database is present until finish")
    }
}

impl Drop for C1zWriter {
    fn drop(&mut self) {
        // Unfinished: close SQLite and delete the temporary database; the target stays as it was.
        if let Some(db) = self.db.take() {
            db.discard();
        }
    }
}

impl fmt::Debug for C1zWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("C1zWriter")
            .field("target", &self.target)
            .field("sync_id", &self.db.as_ref().map(BuildDb::sync_id))
            .finish_non_exhaustive()
    }
}
