//! The SQLite database under construction: schema, batched inserts, sync row.

use std::cell::Cell;
use std::path::Path;

use rusqlite::{Connection, params};
use tempfile::TempPath;

use super::rows::{EntitlementRow, GrantRow, ResourceRow, ResourceTypeRow};
use super::{Cancel, Clock, integrity, target};
use crate::Counts;
use crate::error::{RowKind, WriteError};
use crate::schema::{Stage, index_table, statements};
use crate::timefmt::TimestampFormatter;

// Side tables for the trait check; TEMP tables live outside the database file we publish.
const CREATE_TRAIT_TABLES: &str = "
CREATE TEMP TABLE c1z_type_traits (
    type_id text primary key,
    declares_user integer not null,
    declares_group integer not null
);
CREATE TEMP TABLE c1z_resources_lacking_traits (
    resource_row integer primary key,
    external_id text not null,
    resource_type_id text not null,
    lacks_user integer not null,
    lacks_group integer not null
);";

// Resource types keep their unique index live: `on conflict do nothing` turns a repeated id into
// "0 rows changed", reported by name without a half-applied statement. The large tables have no
// unique index until finish (or a comparison) builds it; a repeated id is found then.
const INSERT_RESOURCE_TYPE: &str = "INSERT INTO v1_resource_types (external_id, data, sync_id, discovered_at) \
     VALUES (?1, ?2, ?3, ?4) ON CONFLICT (external_id, sync_id) DO NOTHING";
const INSERT_TYPE_TRAITS: &str =
    "INSERT INTO temp.c1z_type_traits (type_id, declares_user, declares_group) VALUES (?1, ?2, ?3)";
const INSERT_RESOURCE: &str = "INSERT INTO v1_resources (resource_type_id, external_id, parent_resource_type_id, \
     parent_resource_id, data, sync_id, discovered_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
const INSERT_RESOURCE_LACKING: &str = "INSERT INTO temp.c1z_resources_lacking_traits \
     (resource_row, external_id, resource_type_id, lacks_user, lacks_group) VALUES (?1, ?2, ?3, ?4, ?5)";
const INSERT_ENTITLEMENT: &str = "INSERT INTO v1_entitlements (resource_type_id, resource_id, external_id, data, \
     sync_id, discovered_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
const INSERT_GRANT: &str = "INSERT INTO v1_grants (resource_type_id, resource_id, entitlement_id, \
     principal_resource_type_id, principal_resource_id, external_id, expansion, needs_expansion, data, sync_id, \
     discovered_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
const INSERT_SYNC_RUN: &str = "INSERT INTO v1_sync_runs (sync_id, started_at, ended_at, sync_token, sync_type, \
     parent_sync_id, linked_sync_id, supports_diff, grants_backfilled, stats) \
     VALUES (?1, ?2, NULL, '', 'full', '', '', 0, 0, NULL)";
const END_SYNC_RUN: &str =
    "UPDATE v1_sync_runs SET ended_at = ?2, supports_diff = 1, grants_backfilled = 1 WHERE sync_id = ?1";

const RESOURCES: &str = "v1_resources";

/// The open database. Dropping it closes SQLite and deletes the file.
pub(crate) struct BuildDb {
    // Field order matters: the connection closes before the file is deleted.
    conn: Connection,
    path: TempPath,
    sync_id: String,
    clock: Clock,
    batch_size: usize,
    rows_in_batch: usize,
    // Rows since the allocator was last trimmed (checked when a batch commits).
    rows_since_trim: u64,
    counts: Counts,
    // Timestamps repeat (a fixed clock, many rows per second): reuse the formatted text.
    timestamps: TimestampFormatter,
    // Whether the large tables' unique indexes exist (built by a comparison or at finish).
    unique_built: Cell<bool>,
    // Whether the non-unique indexes exist too (`build_indexes`), so finish builds none.
    all_built: bool,
    // Keep the first row of a repeated resource, entitlement or grant id and count the rest.
    keep_first: bool,
    // Whether the resources' indexes are live from the start (`WriterOptions::live_resource_ids`).
    live_resources: bool,
    repeats: Counts,
}

/// A finished, closed database file, deleted when dropped.
pub(crate) struct BuiltDb {
    path: TempPath,
    pub sync_id: String,
    pub counts: Counts,
    pub repeats: Counts,
}

impl BuiltDb {
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Deletes the database file once the target is published. The sync succeeded by then, so a
    /// failure is logged, not returned.
    pub(crate) fn remove_after_publish(self) {
        let shown = self.path.to_path_buf();
        if let Err(error) = self.path.close() {
            tracing::warn!(
                path = %shown.display(),
                %error,
                "the .c1z was published, but its temporary database could not be removed: delete it by hand"
            );
        }
    }
}

impl BuildDb {
    pub(crate) fn create(
        dir: &Path,
        target: &Path,
        sync_id: String,
        clock: Clock,
        batch_size: usize,
        keep_first: bool,
        live_resources: bool,
    ) -> Result<Self, WriteError> {
        let path = tempfile::Builder::new()
            .prefix(&target::temp_prefix(target))
            .suffix(target::BUILD_SUFFIX)
            .rand_bytes(target::RANDOM_CHARS)
            .tempfile_in(dir)
            .map_err(WriteError::io("creating a temporary database in", dir))?
            .into_temp_path();
        let conn = Connection::open(&path).map_err(WriteError::sqlite("opening the temporary database"))?;
        let mut db = BuildDb {
            conn,
            path,
            sync_id,
            clock,
            batch_size,
            rows_in_batch: 0,
            rows_since_trim: 0,
            counts: Counts::default(),
            timestamps: TimestampFormatter::default(),
            unique_built: Cell::new(false),
            all_built: false,
            keep_first,
            live_resources,
            repeats: Counts::default(),
        };
        db.init()?;
        Ok(db)
    }

    fn init(&mut self) -> Result<(), WriteError> {
        // The file is private until published and fsynced as a whole, so no durability is needed
        // here; an in-memory rollback journal still lets a failed statement undo itself and
        // leaves no sidecar file (the published header says rollback-journal mode, not WAL).
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = MEMORY", [], |row| row.get(0))
            .map_err(WriteError::sqlite("setting the journal mode"))?;
        debug_assert_eq!(mode.to_ascii_lowercase(), "memory");
        self.conn
            .execute_batch(
                "PRAGMA trusted_schema = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE; PRAGMA temp_store = FILE; \
                 PRAGMA page_size = 4096;",
            )
            .map_err(WriteError::sqlite("configuring the temporary database"))?;
        // Helper threads for the sorts of the index builds at finish, when nothing else runs.
        let threads = super::worker_threads();
        self.conn
            .query_row(&format!("PRAGMA threads = {threads}"), [], |_| Ok(()))
            .map_err(WriteError::sqlite("configuring the temporary database"))?;
        let started_at = self.now_text();
        let tx = self.conn.transaction().map_err(WriteError::sqlite("starting the schema transaction"))?;
        // The large tables' indexes are built at finish, one sorted pass each, instead of being
        // updated row by row.
        for statement in statements(Stage::Create) {
            tx.execute_batch(statement).map_err(WriteError::sqlite("creating the v1 schema"))?;
        }
        if self.live_resources {
            // All three of the resources' indexes: the unique one finds repeats as they come,
            // and the other two then cost the finish no pass over the table either.
            let finish_stages = statements(Stage::UniqueAtFinish).chain(statements(Stage::AtFinish));
            for statement in finish_stages.filter(|s| index_table(s) == RESOURCES) {
                tx.execute_batch(statement).map_err(WriteError::sqlite("creating the v1 schema"))?;
            }
        }
        tx.execute_batch(CREATE_TRAIT_TABLES)
            .map_err(WriteError::sqlite("creating the trait check tables"))?;
        tx.execute(INSERT_SYNC_RUN, params![self.sync_id, started_at])
            .map_err(WriteError::sqlite("starting the sync run"))?;
        tx.commit().map_err(WriteError::sqlite("committing the schema"))?;
        self.conn.execute_batch("BEGIN").map_err(WriteError::sqlite("starting a batch"))
    }

    pub(crate) fn sync_id(&self) -> &str {
        &self.sync_id
    }

    pub(crate) fn counts(&self) -> &Counts {
        &self.counts
    }

    /// Runs `f` with the database at `path` attached read-only as `schema`. ATTACH cannot run in
    /// a transaction, so the current batch is committed first and a new one begun after.
    pub(crate) fn with_attached<R>(
        &self,
        path: &Path,
        schema: &str,
        f: impl FnOnce(&Connection) -> Result<R, WriteError>,
    ) -> Result<R, WriteError> {
        self.conn.execute_batch("COMMIT").map_err(WriteError::sqlite("committing a batch"))?;
        let uri = format!("file:{}?mode=ro&immutable=1", crate::reader::uri_escape(&path.to_string_lossy()));
        let attached = self
            .conn
            .execute(&format!("ATTACH DATABASE ?1 AS {schema}"), params![uri])
            .map_err(WriteError::sqlite("attaching the previous database"));
        let result = attached.and_then(|_| {
            let result = f(&self.conn);
            let detached = self
                .conn
                .execute_batch(&format!("DETACH DATABASE {schema}"))
                .map_err(WriteError::sqlite("detaching the previous database"));
            result.and_then(|r| detached.map(|()| r))
        });
        let begun = self.conn.execute_batch("BEGIN").map_err(WriteError::sqlite("starting a batch"));
        result.and_then(|r| begun.map(|()| r))
    }

    fn now_text(&mut self) -> String {
        self.timestamps.format((self.clock)())
    }

    pub(crate) fn insert_resource_type(&mut self, row: &ResourceTypeRow<'_>) -> Result<(), WriteError> {
        let now = self.now_text();
        let changed = self
            .conn
            .prepare_cached(INSERT_RESOURCE_TYPE)
            .and_then(|mut s| s.execute(params![row.external_id, row.data, self.sync_id, now]))
            .map_err(WriteError::sqlite("inserting a resource type"))?;
        duplicate_check(changed, RowKind::ResourceType, row.external_id)?;
        if row.declares_user || row.declares_group {
            self.conn
                .prepare_cached(INSERT_TYPE_TRAITS)
                .and_then(|mut s| s.execute(params![row.external_id, row.declares_user, row.declares_group]))
                .map_err(WriteError::sqlite("recording a resource type's traits"))?;
        }
        self.counts.resource_types += 1;
        self.row_done()
    }

    pub(crate) fn insert_resource(&mut self, row: &ResourceRow<'_>) -> Result<(), WriteError> {
        let now = self.now_text();
        let (parent_type, parent_id) = row.parent.unzip();
        let inserted = self
            .conn
            .prepare_cached(INSERT_RESOURCE)
            .and_then(|mut s| {
                s.execute(params![
                    row.resource_type_id,
                    row.external_id,
                    parent_type,
                    parent_id,
                    row.data,
                    self.sync_id,
                    now
                ])
            })
            .map_err(insert_error(RowKind::Resource, row.external_id, "inserting a resource"));
        if self.repeated(inserted)? {
            self.repeats.resources += 1;
            *self.repeats.resources_by_type.entry(row.resource_type_id.to_owned()).or_default() += 1;
            return Ok(());
        }
        if !(row.has_user_trait && row.has_group_trait) {
            let resource_row = self.conn.last_insert_rowid();
            self.conn
                .prepare_cached(INSERT_RESOURCE_LACKING)
                .and_then(|mut s| {
                    s.execute(params![
                        resource_row,
                        row.external_id,
                        row.resource_type_id,
                        !row.has_user_trait,
                        !row.has_group_trait
                    ])
                })
                .map_err(WriteError::sqlite("recording a resource's traits"))?;
        }
        self.counts.resources += 1;
        match self.counts.resources_by_type.get_mut(row.resource_type_id) {
            Some(n) => *n += 1,
            None => {
                self.counts.resources_by_type.insert(row.resource_type_id.to_owned(), 1);
            }
        }
        self.row_done()
    }

    pub(crate) fn insert_entitlement(&mut self, row: &EntitlementRow<'_>) -> Result<(), WriteError> {
        let now = self.now_text();
        let inserted = self
            .conn
            .prepare_cached(INSERT_ENTITLEMENT)
            .and_then(|mut s| {
                s.execute(params![
                    row.resource_type_id,
                    row.resource_id,
                    row.external_id,
                    row.data,
                    self.sync_id,
                    now
                ])
            })
            .map_err(insert_error(RowKind::Entitlement, row.external_id, "inserting an entitlement"));
        if self.repeated(inserted)? {
            self.repeats.entitlements += 1;
            return Ok(());
        }
        self.counts.entitlements += 1;
        self.row_done()
    }

    pub(crate) fn insert_grant(&mut self, row: &GrantRow<'_>) -> Result<(), WriteError> {
        let now = self.now_text();
        let inserted = self
            .conn
            .prepare_cached(INSERT_GRANT)
            .and_then(|mut s| {
                s.execute(params![
                    row.resource_type_id,
                    row.resource_id,
                    row.entitlement_id,
                    row.principal_resource_type_id,
                    row.principal_resource_id,
                    row.external_id,
                    row.expansion,
                    row.expansion.is_some(),
                    row.data,
                    self.sync_id,
                    now
                ])
            })
            .map_err(insert_error(RowKind::Grant, row.external_id, "inserting a grant"));
        if self.repeated(inserted)? {
            self.repeats.grants += 1;
            return Ok(());
        }
        self.counts.grants += 1;
        self.row_done()
    }

    /// Whether an insert was refused as a repeated id that keep-first leaves out (only possible
    /// once the unique indexes are live); other errors pass through.
    fn repeated(&self, inserted: Result<usize, WriteError>) -> Result<bool, WriteError> {
        match inserted {
            Ok(_) => Ok(false),
            Err(WriteError::DuplicateId { .. }) if self.keep_first => Ok(true),
            Err(error) => Err(error),
        }
    }

    /// Keep-first, when building `table`'s unique index found a repeated id: deletes every later
    /// copy of a repeated id in it (one grouped pass) and counts them as repeats.
    fn drop_later_copies(&mut self, table: &str) -> Result<(), WriteError> {
        let failed = |e| WriteError::sqlite("leaving out repeated ids")(e);
        let later = format!("id NOT IN (SELECT min(id) FROM {table} GROUP BY external_id, sync_id)");
        if table == RESOURCES {
            let by_type: Vec<(String, i64)> = {
                let sql = format!(
                    "SELECT resource_type_id, count(*) FROM v1_resources WHERE {later} GROUP BY resource_type_id"
                );
                let mut statement = self.conn.prepare(&sql).map_err(failed)?;
                let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?))).map_err(failed)?;
                rows.collect::<Result<_, _>>().map_err(failed)?
            };
            for (type_id, n) in by_type {
                let n = n.unsigned_abs();
                self.counts.resources -= n;
                self.repeats.resources += n;
                if let Some(count) = self.counts.resources_by_type.get_mut(&type_id) {
                    *count -= n;
                }
                *self.repeats.resources_by_type.entry(type_id).or_default() += n;
            }
            self.conn.execute(&format!("DELETE FROM v1_resources WHERE {later}"), []).map_err(failed)?;
            self.conn
                .execute(
                    "DELETE FROM temp.c1z_resources_lacking_traits WHERE resource_row NOT IN (SELECT id FROM v1_resources)",
                    [],
                )
                .map_err(failed)?;
            return Ok(());
        }
        let n = self.conn.execute(&format!("DELETE FROM {table} WHERE {later}"), []).map_err(failed)? as u64;
        let (count, repeats) = if table == "v1_grants" {
            (&mut self.counts.grants, &mut self.repeats.grants)
        } else {
            (&mut self.counts.entitlements, &mut self.repeats.entitlements)
        };
        *count -= n;
        *repeats += n;
        Ok(())
    }

    /// Builds the large tables' unique indexes once, in the open transaction. A repeated id makes
    /// the build fail; one query then names the first repeated id (by row order).
    pub(crate) fn build_unique_indexes(&mut self) -> Result<(), WriteError> {
        if self.unique_built.get() {
            return Ok(());
        }
        let pending = self.pending_indexes(Stage::UniqueAtFinish);
        for statement in pending {
            let table = index_table(statement);
            let mut built = self.conn.execute_batch(statement);
            // Repeats are rare, and finding them is a grouped pass over the table: keep-first
            // looks for them only when the index build has met one, then builds it again.
            if self.keep_first && built.as_ref().is_err_and(is_unique_violation) {
                self.drop_later_copies(table)?;
                built = self.conn.execute_batch(statement);
            }
            let Err(error) = built else { continue };
            if !is_unique_violation(&error) {
                return Err(WriteError::sqlite("building the v1 unique indexes")(error));
            }
            let repeated: String = self
                .conn
                .query_row(
                    &format!(
                        "SELECT external_id FROM {table} GROUP BY external_id, sync_id \
                         HAVING count(*) > 1 ORDER BY min(id) LIMIT 1"
                    ),
                    [],
                    |row| row.get(0),
                )
                .map_err(WriteError::sqlite("looking for a repeated id"))?;
            return Err(WriteError::DuplicateId { kind: row_kind(table), id: repeated });
        }
        self.unique_built.set(true);
        Ok(())
    }

    fn row_done(&mut self) -> Result<(), WriteError> {
        self.rows_in_batch += 1;
        self.rows_since_trim += 1;
        if self.rows_in_batch >= self.batch_size {
            self.conn.execute_batch("COMMIT; BEGIN").map_err(WriteError::sqlite("committing a batch"))?;
            self.rows_in_batch = 0;
            if self.rows_since_trim >= super::memory::TRIM_EVERY_ROWS {
                super::memory::release_freed_memory();
                self.rows_since_trim = 0;
            }
        }
        Ok(())
    }

    /// The index statements of `stage` not created with the tables (the resources' are, when
    /// they are live).
    fn pending_indexes(&self, stage: Stage) -> impl Iterator<Item = &'static str> + use<> {
        let live = self.live_resources;
        statements(stage).filter(move |s| !(live && index_table(s) == RESOURCES))
    }

    /// Builds every index that does not exist yet, in the open transaction: unique ones first
    /// (a repeated id is handled as at finish), then the others. Rows written later are indexed
    /// as they go in.
    pub(crate) fn build_indexes(&mut self) -> Result<(), WriteError> {
        self.build_unique_indexes()?;
        if self.all_built {
            return Ok(());
        }
        for statement in self.pending_indexes(Stage::AtFinish) {
            self.conn.execute_batch(statement).map_err(WriteError::sqlite("building the v1 indexes"))?;
        }
        self.all_built = true;
        Ok(())
    }

    /// Checks integrity, ends the sync run and closes the database.
    pub(crate) fn finish(mut self, cancel: &Cancel) -> Result<BuiltDb, WriteError> {
        cancel.check()?;
        // In the last batch's transaction; before the integrity check, which reads through them.
        self.build_indexes()?;
        self.conn.execute_batch("COMMIT").map_err(WriteError::sqlite("committing the last batch"))?;
        cancel.check()?;
        integrity::check(&self.conn, &self.sync_id)?;
        cancel.check()?;
        let ended_at = self.now_text();
        self.conn
            .execute(END_SYNC_RUN, params![self.sync_id, ended_at])
            .map_err(WriteError::sqlite("ending the sync run"))?;
        let BuildDb { conn, path, sync_id, counts, repeats, .. } = self;
        conn.close().map_err(|(_, e)| WriteError::sqlite("closing the database")(e))?;
        Ok(BuiltDb { path, sync_id, counts, repeats })
    }

    /// Closes and deletes the unfinished database, ignoring errors (nothing is published).
    pub(crate) fn discard(self) {
        let BuildDb { conn, path, .. } = self;
        let _closed = conn.close();
        let _removed = path.close();
    }
}

fn duplicate_check(changed: usize, kind: RowKind, id: &str) -> Result<(), WriteError> {
    if changed == 0 { Err(WriteError::DuplicateId { kind, id: id.to_owned() }) } else { Ok(()) }
}

/// An insert refused by a live unique index (after a comparison built them) is a repeated id.
fn insert_error(kind: RowKind, id: &str, action: &'static str) -> impl FnOnce(rusqlite::Error) -> WriteError {
    move |e| match e.sqlite_error().map(|f| f.extended_code) {
        Some(rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE) => WriteError::DuplicateId { kind, id: id.to_owned() },
        _ => WriteError::sqlite(action)(e),
    }
}

fn is_unique_violation(error: &rusqlite::Error) -> bool {
    error.sqlite_error().map(|f| f.extended_code) == Some(rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE)
}

fn row_kind(table: &str) -> RowKind {
    match table {
        "v1_resources" => RowKind::Resource,
        "v1_entitlements" => RowKind::Entitlement,
        _ => RowKind::Grant,
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::*;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("not poisoned").extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn build_indexes_leaves_every_declared_index_in_place_before_finish() {
        let dir = tempfile::tempdir().expect("temp dir");
        let declared = crate::schema::CREATE_STATEMENTS.iter().filter(|s| s.contains(" INDEX ")).count();
        for live_resource_ids in [false, true] {
            let options = crate::WriterOptions { live_resource_ids, ..Default::default() };
            let mut writer = crate::C1zWriter::create(dir.path().join("sync.c1z"), options).expect("creates");
            writer.build_indexes().expect("builds");
            let built: i64 = writer
                .db()
                .conn
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
                    [],
                    |row| row.get(0),
                )
                .expect("counts");
            assert_eq!(usize::try_from(built).ok(), Some(declared), "live_resource_ids {live_resource_ids}");
            writer.finish().expect("finish builds none twice");
        }
    }

    #[test]
    fn a_failed_removal_after_publishing_is_a_warning() {
        let dir = tempfile::tempdir().expect("temp dir");
        let gone = dir.path().join(".sync.c1z.abc.db-build");
        let built = BuiltDb {
            path: TempPath::try_from_path(&gone).expect("an absolute path"),
            sync_id: String::new(),
            counts: Counts::default(),
            repeats: Counts::default(),
        };
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber =
            tracing_subscriber::fmt().with_ansi(false).with_writer(move || writer.clone()).finish();
        tracing::subscriber::with_default(subscriber, || built.remove_after_publish());
        let log = String::from_utf8(captured.0.lock().expect("not poisoned").clone()).expect("utf-8");
        assert!(log.contains("WARN"), "{log}");
        assert!(log.contains("could not be removed") && log.contains(".sync.c1z.abc.db-build"), "{log}");
    }
}
