//! [`C1zReader`]: opens a v1 `.c1z` (ours or the Go SDK's) read-only from a private
//! decompressed copy.

mod check;
mod decompress;
mod guard;
mod rows;
mod syncs;
mod typed;

use std::fmt;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use tempfile::TempPath;

use self::guard::QueryGuard;
pub(crate) use self::rows::DataTable;
pub use self::rows::Rows;
pub use self::syncs::SyncRun;
use crate::Counts;
use crate::error::ReadError;

/// Limits and places for a [`C1zReader`].
#[derive(Debug, Clone)]
pub struct ReaderOptions {
    /// Refuse files whose database decodes to more than this (default 10 GiB, 1 GiB for
    /// [`ReaderOptions::interactive`]). Counted as the data is decompressed, whatever the frame
    /// header declares.
    pub max_decoded_bytes: u64,
    /// Where the decompressed database goes (default: the system temp directory).
    pub temp_dir: Option<PathBuf>,
}

impl Default for ReaderOptions {
    fn default() -> Self {
        ReaderOptions { max_decoded_bytes: 10 << 30, temp_dir: None }
    }
}

impl ReaderOptions {
    /// For a person looking at a file: a 1 GiB cap on the decompressed database, so a hostile
    /// file costs little disk and time; raise `max_decoded_bytes` for a larger trusted file.
    pub fn interactive() -> Self {
        ReaderOptions { max_decoded_bytes: 1 << 30, ..ReaderOptions::default() }
    }
}

/// An open `.c1z`. The decompressed copy is deleted when the reader drops.
pub struct C1zReader {
    // Field order matters: SQLite closes before its file is deleted.
    conn: Connection,
    _db: TempPath,
    path: PathBuf,
    sync_columns: String,
    guard: QueryGuard,
}

impl C1zReader {
    /// Checks the magic, decompresses within the limits, opens the database read-only with
    /// bounded queries, and checks its schema before reading anything else: the v1 tables and
    /// the columns the reader reads must be there, and views, triggers, virtual tables and
    /// generated columns are refused ([`ReadError::UnsupportedSchema`]).
    pub fn open(path: impl AsRef<Path>, options: ReaderOptions) -> Result<Self, ReadError> {
        let path = path.as_ref().to_path_buf();
        let temp_dir = options.temp_dir.unwrap_or_else(std::env::temp_dir);
        let db = decompress::decompress_to_temp(&path, &temp_dir, options.max_decoded_bytes)?;
        let mut conn = open_read_only(&db).map_err(|e| sqlite_open_error(&path, e))?;
        let guard = guard::install(&mut conn).map_err(|e| sqlite_open_error(&path, e))?;
        check::check_schema(&conn, &path, |e| sqlite_open_error(&path, e))?;
        let sync_columns = syncs::select_list(&conn)?;
        Ok(C1zReader { conn, _db: db, path, sync_columns, guard })
    }

    /// The private decompressed database (for ATTACH by the writer's comparison).
    pub(crate) fn db_path(&self) -> &Path {
        &self._db
    }

    /// The `.c1z` this reader opened.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every sync run in the file, oldest row first.
    pub fn syncs(&self) -> Result<Vec<SyncRun>, ReadError> {
        self.guard.arm();
        let sql = format!("SELECT {} FROM v1_sync_runs ORDER BY id", self.sync_columns);
        let raw = self
            .conn
            .prepare(&sql)
            .and_then(|mut s| s.query_map([], syncs::from_row)?.collect::<Result<Vec<_>, _>>())
            .map_err(ReadError::sqlite("listing sync runs"))?;
        raw.into_iter().map(syncs::RawSyncRun::parse).collect()
    }

    /// The sync run with this id.
    pub fn sync(&self, sync_id: &str) -> Result<SyncRun, ReadError> {
        self.guard.arm();
        let sql = format!("SELECT {} FROM v1_sync_runs WHERE sync_id = ?1", self.sync_columns);
        self.conn
            .query_row(&sql, params![sync_id], syncs::from_row)
            .optional()
            .map_err(ReadError::sqlite("reading a sync run"))?
            .ok_or_else(|| ReadError::SyncNotFound { sync_id: sync_id.to_owned() })?
            .parse()
    }

    /// The sync readers show: the latest finished `full` sync (by `ended_at`), if any.
    pub fn latest_finished_full_sync(&self) -> Result<Option<SyncRun>, ReadError> {
        self.guard.arm();
        // When the file predates `sync_type`, the select list aliases `'full' AS sync_type`, and
        // SQLite resolves that alias in WHERE: every finished sync then counts as full.
        let sql = format!(
            "SELECT {} FROM v1_sync_runs WHERE ended_at IS NOT NULL AND sync_type = 'full' \
             ORDER BY ended_at DESC, id DESC LIMIT 1",
            self.sync_columns
        );
        let raw = self
            .conn
            .query_row(&sql, [], syncs::from_row)
            .optional()
            .map_err(ReadError::sqlite("finding the latest finished full sync"))?;
        raw.map(syncs::RawSyncRun::parse).transpose()
    }

    /// Row counts of one sync, and its resources per type.
    pub fn counts(&self, sync_id: &str) -> Result<Counts, ReadError> {
        self.sync(sync_id)?;
        let count = |table: &str| -> Result<u64, ReadError> {
            self.guard.arm();
            self.conn
                .query_row(
                    &format!("SELECT count(*) FROM {table} WHERE sync_id = ?1"),
                    params![sync_id],
                    |r| r.get::<_, i64>(0),
                )
                .map(|n| u64::try_from(n).unwrap_or(0))
                .map_err(ReadError::sqlite("counting rows"))
        };
        let mut by_type = self
            .conn
            .prepare(
                "SELECT resource_type_id, count(*) FROM v1_resources WHERE sync_id = ?1 \
                 GROUP BY resource_type_id ORDER BY resource_type_id",
            )
            .map_err(ReadError::sqlite("counting resources per type"))?;
        self.guard.arm();
        let resources_by_type = by_type
            .query_map(params![sync_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(ReadError::sqlite("counting resources per type"))?
            .into_iter()
            .map(|(t, n)| (t, u64::try_from(n).unwrap_or(0)))
            .collect();
        Ok(Counts {
            resource_types: count("v1_resource_types")?,
            resources: count("v1_resources")?,
            entitlements: count("v1_entitlements")?,
            grants: count("v1_grants")?,
            resources_by_type,
        })
    }

    /// Decoded rows of `table` for `sync_id`, streamed page by page.
    pub(crate) fn rows<T>(&self, table: DataTable, sync_id: &str) -> Result<Rows<'_, T>, ReadError> {
        self.sync(sync_id)?;
        Ok(Rows::new(&self.conn, &self.guard, table, sync_id))
    }
}

impl fmt::Debug for C1zReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("C1zReader").field("path", &self.path).finish_non_exhaustive()
    }
}

fn open_read_only(db: &Path) -> rusqlite::Result<Connection> {
    // `immutable=1`: the copy is private and never changes, so SQLite needs no locks and no
    // `-wal`/`-shm` files, even for SDK files whose header says WAL mode.
    let uri = format!("file:{}?immutable=1", uri_escape(&db.to_string_lossy()));
    Connection::open_with_flags(
        uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
}

pub(crate) fn uri_escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3f"),
            '#' => out.push_str("%23"),
            c => out.push(c),
        }
    }
    out
}

fn sqlite_open_error(path: &Path, e: rusqlite::Error) -> ReadError {
    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) {
        ReadError::NotSqlite { path: path.to_path_buf() }
    } else {
        ReadError::sqlite("opening the decompressed database")(e)
    }
}
