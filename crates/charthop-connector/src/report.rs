use std::collections::BTreeMap;
use std::time::Duration;

use c1z::WriteSummary;

#[cfg(doc)]
use crate::Baseline;
use crate::{BaselineComparison, BaselineCounts};

/// What a sync did, for the final log line and for service-mode logs.
#[derive(Debug, Clone)]
pub struct SyncReport {
    /// Persons written, by employment state label (`active`, `departed`, ...).
    pub persons_by_status: BTreeMap<String, u64>,
    /// Departed persons left out because the options exclude them.
    pub departed_excluded: u64,
    /// Groups written, by group type name (`unknown` when the type could not be resolved).
    pub groups_by_type: BTreeMap<String, u64>,
    pub entitlements: u64,
    pub grants: u64,
    /// Memberships naming a group that is not in the sync: skipped, never written.
    pub skipped_memberships: u64,
    /// Memberships in listed groups whose type is outside [`crate::SyncOptions::group_types`]:
    /// left out on purpose.
    pub memberships_out_of_scope: u64,
    /// Extra field codes ([`crate::SyncOptions::extra_fields`]) that no written person's row
    /// carried: misspelled, or not readable with the token.
    pub extra_fields_never_seen: Vec<String>,
    /// Per-person membership requests made (fallback or per-person mode).
    pub membership_requests: u64,
    /// Person rows the list repeated; each person is written once.
    pub duplicate_persons: u64,
    pub requests: u64,
    pub retries: u64,
    pub rate_limited: u64,
    pub rate_limit_wait: Duration,
    pub duration: Duration,
    pub file: WriteSummary,
    /// How complete the person data was.
    pub coverage: Coverage,
    /// What the mapping left out, cut or refused to keep every value valid, per row mapped (a
    /// person the list repeated is mapped, and counted here, once per row; it is written once).
    pub mapping: MappingCounts,
    /// How this sync compared with its baseline, when there was one.
    pub comparison: Option<BaselineComparison>,
}

impl SyncReport {
    pub fn persons(&self) -> u64 {
        self.persons_by_status.values().sum()
    }

    pub fn groups(&self) -> u64 {
        self.groups_by_type.values().sum()
    }

    /// What a later sync compares with when there is no previous file ([`Baseline::Counts`]).
    pub fn baseline_counts(&self) -> BaselineCounts {
        BaselineCounts { persons: self.persons(), grants: self.grants }
    }
}

/// How many written persons lack data C1 uses to match accounts, and which fields no person
/// row carried at all (the token most likely cannot read them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Persons written without any (valid) email.
    pub without_any_email: u64,
    /// Persons written without a (valid) work email.
    pub without_work_email: u64,
    pub without_employee_id: u64,
    /// Fields missing on every person row of a sync that wrote persons.
    pub unreadable_fields: Vec<UnreadableField>,
}

/// A ChartHop field that no person row carried, and the access it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnreadableField {
    /// The ChartHop field code, e.g. `contact.workEmail`.
    pub field: &'static str,
    /// What the API token must be allowed to read for ChartHop to send it.
    pub access: &'static str,
}

/// Values the mapping changed or refused so that every emitted value is valid.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MappingCounts {
    /// Values left out because they cannot be valid (an invalid email), by field.
    pub dropped: BTreeMap<&'static str, u64>,
    /// Values cut to their limit, by field.
    pub cut: BTreeMap<&'static str, u64>,
    /// Persons not written: a value over the field cap, or an over-long id.
    pub refused_persons: u64,
    /// Groups not written (nor their entitlement).
    pub refused_groups: u64,
    /// Memberships not written because their person was refused (those naming a refused group
    /// count among `skipped_memberships`, as the group is not in the sync).
    pub refused_memberships: u64,
}

impl MappingCounts {
    pub(crate) fn note(&mut self, notes: &c1_mapping::MappingNotes) {
        for field in &notes.dropped {
            *self.dropped.entry(field).or_default() += 1;
        }
        for field in &notes.cut {
            *self.cut.entry(field).or_default() += 1;
        }
    }
}

/// Progress of a running sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncEvent {
    /// Groups listed and written.
    GroupsDone { groups: u64 },
    /// Another page of persons written; totals so far.
    PersonsProgress { persons: u64, grants: u64 },
    /// All persons written; the file is being finished (integrity check, compression).
    Finishing,
}

/// Receives progress events (the binary draws a bar or logs lines).
pub trait Progress: Send + Sync {
    fn event(&self, event: &SyncEvent);
}

/// Ignores progress.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn event(&self, _event: &SyncEvent) {}
}
