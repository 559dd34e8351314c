//! Bounds on what a hostile database can cost once open: SQLite limits, `trusted_schema=OFF`,
//! and a progress handler that interrupts any one query running past a deadline.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rusqlite::Connection;
use rusqlite::limits::Limit;

/// One query (a page of rows, a count) may run this long; far more than any v1 file needs.
const QUERY_BUDGET: Duration = Duration::from_secs(120);
/// SQLite virtual machine steps between two looks at the clock.
const STEPS_PER_CHECK: i32 = 100_000;
/// No string or blob in a v1 file comes near this (a resource's `data` is kilobytes).
const MAX_VALUE_BYTES: i32 = 256 << 20;

/// Arms the deadline of the next query. Cheap to clone; shared with the progress handler.
#[derive(Clone)]
pub(crate) struct QueryGuard {
    start: Instant,
    // Milliseconds after `start` at which the running query is interrupted.
    deadline_ms: Arc<AtomicU64>,
}

impl QueryGuard {
    /// Restarts the clock for the query about to run.
    pub(crate) fn arm(&self) {
        let deadline = self.start.elapsed() + QUERY_BUDGET;
        self.deadline_ms.store(u64::try_from(deadline.as_millis()).unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    fn expired(&self) -> bool {
        let now = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        now > self.deadline_ms.load(Ordering::Relaxed)
    }
}

/// Applies the limits to a freshly opened connection and installs the progress handler.
pub(crate) fn install(conn: &mut Connection) -> rusqlite::Result<QueryGuard> {
    // Functions named in the schema (defaults, indexes, CHECKs) run only if innocuous.
    conn.execute_batch("PRAGMA trusted_schema = OFF")?;
    conn.set_limit(Limit::SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)?;
    conn.set_limit(Limit::SQLITE_LIMIT_ATTACHED, 0)?;
    conn.set_limit(Limit::SQLITE_LIMIT_EXPR_DEPTH, 100)?;
    conn.set_limit(Limit::SQLITE_LIMIT_TRIGGER_DEPTH, 0)?;
    let guard = QueryGuard { start: Instant::now(), deadline_ms: Arc::new(AtomicU64::new(0)) };
    guard.arm();
    let handler = guard.clone();
    conn.progress_handler(STEPS_PER_CHECK, Some(move || handler.expired()))?;
    Ok(guard)
}
