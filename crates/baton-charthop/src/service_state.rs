//! Service mode's memory between tasks: the person and grant counts of the last full sync
//! C1 accepted, in a small JSON file in the work directory. Each task's sync is compared with
//! them (the mass-change guard), since service mode has no previous file to compare with.
//! A finished sync's counts wait in [`PendingCounts`] until C1 has accepted its upload: a sync
//! C1 never received must not become the baseline.

use std::collections::VecDeque;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use charthop_connector::BaselineCounts;
use serde_json::{Value, json};

/// A state file is a few dozen bytes; anything larger is not ours.
const MAX_STATE_BYTES: u64 = 4096;

pub struct StateFile {
    path: PathBuf,
    /// Tasks run concurrently: one read-modify-write at a time.
    lock: Mutex<()>,
}

impl StateFile {
    /// One file per org, so pointing the service at another org never compares the two.
    pub fn new(dir: &Path, org: &str) -> Self {
        let org: String = org
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' })
            .take(64)
            .collect();
        Self { path: dir.join(format!("baton-charthop-last-sync-{org}.json")), lock: Mutex::new(()) }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The counts stored last; `None` when there are none yet or the file is unreadable
    /// (then logged: the guard has nothing to compare with until the next sync stores counts).
    pub fn load(&self) -> Option<BaselineCounts> {
        let _held = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let mut text = String::new();
        match std::fs::File::open(&self.path) {
            Ok(file) => {
                if let Err(error) = file.take(MAX_STATE_BYTES).read_to_string(&mut text) {
                    tracing::warn!(path = %self.path.display(), %error, "cannot read the last sync's counts");
                    return None;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(error) => {
                tracing::warn!(path = %self.path.display(), %error, "cannot read the last sync's counts");
                return None;
            }
        }
        let parsed = parse(&text);
        if parsed.is_none() {
            tracing::warn!(path = %self.path.display(), "the last sync's counts are unreadable; not comparing");
        }
        parsed
    }

    /// Replaces the stored counts (through a temporary file and a rename: never half written).
    pub fn store(&self, counts: BaselineCounts) -> std::io::Result<()> {
        let _held = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let text = json!({ "persons": counts.persons, "grants": counts.grants }).to_string();
        let temp = self.path.with_extension("json.tmp");
        std::fs::write(&temp, text)?;
        std::fs::rename(&temp, &self.path)
    }
}

/// Counts of finished syncs whose upload C1 has not accepted yet, by task id. Bounded: a task
/// whose upload failed never comes back for its entry, so the oldest entries beyond the cap go.
pub struct PendingCounts {
    cap: usize,
    entries: Mutex<VecDeque<(String, BaselineCounts)>>,
}

impl PendingCounts {
    pub fn new(cap: usize) -> Self {
        Self { cap: cap.max(1), entries: Mutex::new(VecDeque::new()) }
    }

    pub fn insert(&self, task_id: &str, counts: BaselineCounts) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.retain(|(id, _)| id != task_id);
        entries.push_back((task_id.to_owned(), counts));
        while entries.len() > self.cap {
            if let Some((id, _)) = entries.pop_front() {
                tracing::debug!(task = %id, "dropped the counts of a sync whose upload never completed");
            }
        }
    }

    pub fn take(&self, task_id: &str) -> Option<BaselineCounts> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let at = entries.iter().position(|(id, _)| id == task_id)?;
        entries.remove(at).map(|(_, counts)| counts)
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap().len()
    }
}

fn parse(text: &str) -> Option<BaselineCounts> {
    let value: Value = serde_json::from_str(text).ok()?;
    Some(BaselineCounts { persons: value.get("persons")?.as_u64()?, grants: value.get("grants")?.as_u64()? })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_survive_a_round_trip_per_org() {
        let dir = tempfile::tempdir().unwrap();
        let acme = StateFile::new(dir.path(), "acme");
        assert_eq!(acme.load(), None);
        acme.store(BaselineCounts { persons: 120, grants: 900 }).unwrap();
        assert_eq!(acme.load(), Some(BaselineCounts { persons: 120, grants: 900 }));
        let text = std::fs::read_to_string(acme.path()).unwrap();
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), json!({"persons": 120, "grants": 900}));
        let other = StateFile::new(dir.path(), "../other org");
        assert_eq!(other.load(), None, "another org has its own file");
        assert!(other.path().starts_with(dir.path()) && other.path().parent() == Some(dir.path()));
    }

    #[test]
    fn pending_counts_are_taken_once_and_bounded() {
        let pending = PendingCounts::new(2);
        let counts = |n| BaselineCounts { persons: n, grants: n * 10 };
        pending.insert("t1", counts(1));
        pending.insert("t2", counts(2));
        pending.insert("t2", counts(22));
        assert_eq!(pending.len(), 2, "a task id holds one entry");
        pending.insert("t3", counts(3));
        assert_eq!(pending.len(), 2);
        assert_eq!(pending.take("t1"), None, "the oldest went first");
        assert_eq!(pending.take("t2"), Some(counts(22)));
        assert_eq!(pending.take("t2"), None, "taken once");
        assert_eq!(pending.take("t3"), Some(counts(3)));
    }

    #[test]
    fn a_damaged_file_means_no_baseline() {
        let dir = tempfile::tempdir().unwrap();
        let state = StateFile::new(dir.path(), "acme");
        std::fs::write(state.path(), "{\"persons\": -1}").unwrap();
        assert_eq!(state.load(), None);
    }
}
