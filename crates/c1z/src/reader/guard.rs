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
    budget: Duration,
    // Milliseconds after `start` at which the running query is interrupted.
    deadline_ms: Arc<AtomicU64>,
}

impl QueryGuard {
    /// Restarts the clock for the query about to run.
    pub(crate) fn arm(&self) {
        let deadline = self.start.elapsed() + self.budget;
        self.deadline_ms.store(u64::try_from(deadline.as_millis()).unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    fn expired(&self) -> bool {
        let now = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        now > self.deadline_ms.load(Ordering::Relaxed)
    }
}

/// Applies the limits to a freshly opened connection and installs the progress handler.
pub(crate) fn install(conn: &mut Connection) -> rusqlite::Result<QueryGuard> {
    install_with_budget(conn, QUERY_BUDGET)
}

fn install_with_budget(conn: &mut Connection, budget: Duration) -> rusqlite::Result<QueryGuard> {
    // Functions named in the schema (defaults, indexes, CHECKs) run only if innocuous.
    conn.execute_batch("PRAGMA trusted_schema = OFF")?;
    conn.set_limit(Limit::SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)?;
    conn.set_limit(Limit::SQLITE_LIMIT_ATTACHED, 0)?;
    conn.set_limit(Limit::SQLITE_LIMIT_EXPR_DEPTH, 100)?;
    conn.set_limit(Limit::SQLITE_LIMIT_TRIGGER_DEPTH, 0)?;
    let guard = QueryGuard { start: Instant::now(), budget, deadline_ms: Arc::new(AtomicU64::new(0)) };
    guard.arm();
    let handler = guard.clone();
    conn.progress_handler(STEPS_PER_CHECK, Some(move || handler.expired()))?;
    Ok(guard)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_past_its_deadline_is_interrupted_and_the_next_one_runs() {
        let mut conn = Connection::open_in_memory().expect("opens");
        let guard = install_with_budget(&mut conn, Duration::from_millis(200)).expect("installs");
        let endless =
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n";
        guard.arm();
        let started = Instant::now();
        let err = conn.query_row(endless, [], |r| r.get::<_, i64>(0)).expect_err("interrupted");
        assert_eq!(err.sqlite_error_code(), Some(rusqlite::ErrorCode::OperationInterrupted), "{err}");
        assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
        guard.arm();
        let one: i64 = conn.query_row("SELECT 1", [], |r| r.get(0)).expect("a fresh deadline");
        assert_eq!(one, 1);
    }

    #[test]
    fn limits_are_applied() {
        let mut conn = Connection::open_in_memory().expect("opens");
        install(&mut conn).expect("installs");
        assert_eq!(conn.limit(Limit::SQLITE_LIMIT_ATTACHED).expect("reads"), 0);
        assert_eq!(conn.limit(Limit::SQLITE_LIMIT_LENGTH).expect("reads"), MAX_VALUE_BYTES);
        let trusted: i64 = conn.query_row("PRAGMA trusted_schema", [], |r| r.get(0)).expect("reads");
        assert_eq!(trusted, 0);
    }
}
