//! The ChartHop sync: reads group types, groups and persons with `charthop-client`, maps them
//! with `c1-mapping`, and writes a `.c1z` with `c1z`.
//!
//! Data flow: group types and groups first (a few pages), then person pages streamed with
//! `groupIds`, the next page already in flight while the current one is mapped and written.
//! Memory holds one page, the group index and the ids of the persons seen, never the org.
//! Profiles name every listed group; [`SyncOptions::group_types`] limits which groups (and
//! memberships) are written. The manager's email and name come from each person's own row.
//!
//! Completeness guards: the connector is the only one who can tell an empty answer from a
//! forbidden one, so it never publishes a silently partial sync. A membership answer without
//! `groupIds` fails the sync; the report and the logs carry the coverage of the person data
//! ([`Coverage`]: persons without email or employee id, fields no row carried) and what the
//! mapping left out or cut ([`MappingCounts`]); and before publishing, the mass-change guard
//! compares with a [`Baseline`] and refuses ([`SyncError::MassChange`]) when more than
//! [`SyncOptions::max_removed_ratio`] of the persons or grants would go. A cancellation up to
//! the final rename never publishes.
//!
//! [`ChartHopBackend`] serves the same rows over the connector gRPC API
//! (`c1_connector_server::ConnectorBackend`): groups from the group listing, persons page by
//! page with the ChartHop cursor as the page token, each group's `member` entitlement, and
//! memberships as each person's grants, answered from a bounded cache the person pages fill.
//!
//! Architecture invariants: the only crate that orchestrates a sync (one-shot or served). It never decodes ChartHop
//! JSON (the client does), never builds a C1 id (the mapping does), and never touches SQLite
//! (the writer does). No grant it writes ever dangles.

#![forbid(unsafe_code)]

mod backend;
mod coverage;
mod error;
mod guard;
mod memberships;
mod options;
mod prefetch;
mod publish;
mod report;
pub mod stages;
mod sync;
mod writer_pace;
mod writer_thread;

pub use backend::ChartHopBackend;
pub use error::SyncError;
pub use guard::{Baseline, BaselineComparison, BaselineCounts, MIN_REMOVED};
pub use options::{DEFAULT_MAX_REMOVED_RATIO, MembershipSource, ResourceTypeFilter, SyncOptions};
pub use report::{Coverage, MappingCounts, NoProgress, Progress, SyncEvent, SyncReport, UnreadableField};
pub use sync::sync;
