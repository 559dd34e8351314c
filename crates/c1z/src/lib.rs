//! The `.c1z` v1 file of ConductorOne Baton: `C1ZF\0` followed by one zstd frame holding a
//! SQLite database with the `v1_*` tables (`docs/c1-wire.md`, "c1z file").
//!
//! [`C1zWriter`] writes one full sync and publishes it atomically; [`C1zReader`] opens any v1
//! file (ours or the Go SDK's) with bounded resources. Both are blocking.
//!
//! This crate never knows about ChartHop, never holds a whole database in memory, never
//! touches a target file until it is complete and integrity-checked, never leaves a
//! temporary file behind when it fails or is dropped (a killed process can), and never
//! panics on corrupt input.
//!
//! Data safety, for the callers that decide what to publish:
//! - the target must be absent or a regular file ([`check_target`], also run by
//!   [`C1zWriter::create`]); one writer per target at a time (a lock file beside it,
//!   [`WriteError::TargetBusy`] for the second);
//! - [`remove_stale_files`] deletes what killed writers left beside a target;
//! - [`WriterOptions::cancel`] stops `finish()` before the rename, publishing nothing;
//! - [`C1zWriter::compare_with`] tells how the sync differs from the previous file (vanished and
//!   newly disabled resources, vanished grants) before it replaces it;
//! - the reader caps decompression as it goes ([`ReaderOptions::interactive`] for 1 GiB), refuses
//!   schemas that compute on read (views, triggers, virtual tables, generated columns) and
//!   interrupts any query that runs past a deadline.

// No `forbid(unsafe_code)`: the workspace denies it, and `writer::memory` alone is allowed the
// one call to glibc's `malloc_trim`.

mod error;
#[doc(hidden)]
pub mod fuzz;
mod reader;
mod schema;
#[doc(hidden)]
pub mod stages;
mod sync_id;
mod timefmt;
mod writer;

use std::collections::BTreeMap;

pub use error::{DecodeError, ReadError, RowKind, SqliteError, WriteError};
pub use reader::{C1zReader, ReaderOptions, Rows, SyncRun};
pub use schema::REQUIRED_TABLES;
pub use sync_id::{SYNC_ID_LEN, is_valid_sync_id};
pub use timefmt::{format_timestamp, parse_timestamp};
pub use writer::{C1zWriter, Clock, WriteSummary, WriterOptions, check_target, remove_stale_files};

/// The five bytes every v1 `.c1z` starts with.
pub const MAGIC: &[u8; 5] = b"C1ZF\0";

/// Row counts of one sync.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub resource_types: u64,
    pub resources: u64,
    pub entitlements: u64,
    pub grants: u64,
    /// Resources per resource type id.
    pub resources_by_type: BTreeMap<String, u64>,
}

/// How the sync being written differs from the previous file's latest finished full sync
/// ([`C1zWriter::compare_with`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comparison {
    /// Row counts of the previous sync.
    pub previous: Counts,
    /// Previous resources whose id is absent from the new sync, per resource type id.
    pub vanished_by_type: BTreeMap<String, u64>,
    /// Resources in both syncs that were not DISABLED before and are DISABLED now, per type id.
    pub disabled_by_type: BTreeMap<String, u64>,
    /// Previous grants whose id is absent from the new sync.
    pub grants_vanished: u64,
}
