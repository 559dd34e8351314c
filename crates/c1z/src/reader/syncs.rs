//! The `v1_sync_runs` table. Older SDK files lack some columns; missing ones read as their
//! schema defaults.

use chrono::NaiveDateTime;
use rusqlite::{Connection, Row};

use crate::error::ReadError;
use crate::timefmt::parse_timestamp;

/// One row of `v1_sync_runs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncRun {
    pub id: String,
    /// `full`, `partial`, ... (`full` in files that predate the column).
    pub sync_type: String,
    pub started_at: NaiveDateTime,
    /// `None` while the sync is unfinished; readers show nothing of such a sync.
    pub ended_at: Option<NaiveDateTime>,
    pub sync_token: String,
    pub parent_sync_id: String,
    pub supports_diff: bool,
    pub grants_backfilled: bool,
}

impl SyncRun {
    pub fn is_finished(&self) -> bool {
        self.ended_at.is_some()
    }
}

/// The SELECT list for the columns this file has.
pub(crate) fn select_list(conn: &Connection) -> Result<String, ReadError> {
    let mut statement = conn
        .prepare("SELECT name FROM pragma_table_info('v1_sync_runs')")
        .map_err(ReadError::sqlite("reading the columns of v1_sync_runs"))?;
    let present: Vec<String> = statement
        .query_map([], |row| row.get(0))
        .and_then(|rows| rows.collect())
        .map_err(ReadError::sqlite("reading the columns of v1_sync_runs"))?;
    let column = |name: &str, default: &str| {
        if present.iter().any(|p| p == name) { name.to_owned() } else { format!("{default} AS {name}") }
    };
    Ok([
        "sync_id".to_owned(),
        "started_at".to_owned(),
        "ended_at".to_owned(),
        "sync_token".to_owned(),
        column("sync_type", "'full'"),
        column("parent_sync_id", "''"),
        column("supports_diff", "0"),
        column("grants_backfilled", "0"),
    ]
    .join(", "))
}

pub(crate) fn from_row(row: &Row<'_>) -> rusqlite::Result<RawSyncRun> {
    Ok(RawSyncRun {
        id: row.get(0)?,
        started_at: row.get(1)?,
        ended_at: row.get(2)?,
        sync_token: row.get::<_, Option<String>>(3)?.unwrap_or_default(),
        sync_type: row.get(4)?,
        parent_sync_id: row.get(5)?,
        supports_diff: row.get::<_, Option<i64>>(6)?.unwrap_or(0) != 0,
        grants_backfilled: row.get::<_, Option<i64>>(7)?.unwrap_or(0) != 0,
    })
}

/// A row before its timestamps are parsed (parsing errors are ours, not SQLite's).
pub(crate) struct RawSyncRun {
    id: String,
    started_at: String,
    ended_at: Option<String>,
    sync_token: String,
    sync_type: String,
    parent_sync_id: String,
    supports_diff: bool,
    grants_backfilled: bool,
}

impl RawSyncRun {
    pub(crate) fn parse(self) -> Result<SyncRun, ReadError> {
        let bad = |column: &'static str, value: &str| ReadError::BadTimestamp {
            sync_id: self.id.clone(),
            column,
            value: value.to_owned(),
        };
        let started_at =
            parse_timestamp(&self.started_at).ok_or_else(|| bad("started_at", &self.started_at))?;
        let ended_at = match &self.ended_at {
            None => None,
            Some(text) => Some(parse_timestamp(text).ok_or_else(|| bad("ended_at", text))?),
        };
        Ok(SyncRun {
            id: self.id,
            sync_type: self.sync_type,
            started_at,
            ended_at,
            sync_token: self.sync_token,
            parent_sync_id: self.parent_sync_id,
            supports_diff: self.supports_diff,
            grants_backfilled: self.grants_backfilled,
        })
    }
}
