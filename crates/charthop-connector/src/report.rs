use std::collections::BTreeMap;
use std::time::Duration;

use c1z::WriteSummary;

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
    /// Per-person membership requests made (fallback or per-person mode).
    pub membership_requests: u64,
    pub requests: u64,
    pub retries: u64,
    pub rate_limited: u64,
    pub rate_limit_wait: Duration,
    pub duration: Duration,
    pub file: WriteSummary,
}

impl SyncReport {
    pub fn persons(&self) -> u64 {
        self.persons_by_status.values().sum()
    }

    pub fn groups(&self) -> u64 {
        self.groups_by_type.values().sum()
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
