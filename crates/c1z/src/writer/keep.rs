//! [`C1zWriter::keep_previous`]: the latest finished full sync of the file being replaced is
//! copied into the new file beside the sync being written, as the Go SDK keeps earlier syncs,
//! so that one file can answer "what changed". Readers still take the newest finished full sync,
//! the one being written. Only that one sync is kept, never the syncs it kept itself.

use std::collections::BTreeSet;
use std::path::Path;

use rusqlite::{Connection, params};

use super::C1zWriter;
use crate::error::{ReadError, WriteError};
use crate::{C1zReader, ReaderOptions};

const SCHEMA: &str = "c1z_kept";
/// The tables holding one sync's rows, in an order where references exist before their users.
const TABLES: [&str; 5] =
    ["v1_sync_runs", "v1_resource_types", "v1_resources", "v1_entitlements", "v1_grants"];

impl C1zWriter {
    /// Copies the latest finished full sync of `previous` into the file being written and
    /// returns its id; `None` when `previous` does not exist or holds no finished full sync.
    /// The previous file is read within `options`' limits and checked like any file
    /// [`C1zReader`] opens, unless [`C1zWriter::compare_with`] opened it already.
    pub fn keep_previous(
        &mut self,
        previous: &Path,
        options: &ReaderOptions,
    ) -> Result<Option<String>, WriteError> {
        let failed = |source: ReadError| WriteError::KeepPrevious { path: previous.to_path_buf(), source };
        if !previous.exists() {
            return Ok(None);
        }
        let reader = match self.previous.take() {
            Some((path, reader)) if path == previous => reader,
            _ => C1zReader::open(previous, options.clone()).map_err(failed)?,
        };
        let Some(sync) = reader.latest_finished_full_sync().map_err(failed)? else {
            return Ok(None);
        };
        let db = self.db();
        if sync.id == db.sync_id() {
            return Ok(None);
        }
        let new_sync = db.sync_id().to_owned();
        let copied = db.with_attached(reader.db_path(), SCHEMA, |conn| {
            // Readers take the finished full sync that ended last: a kept one must have ended
            // before this one started, or it would be read in this sync's place.
            if !ended_before(conn, &sync.id, &new_sync)
                .map_err(WriteError::sqlite("comparing the syncs' times"))?
            {
                return Ok(false);
            }
            // A previous file this writer cannot copy (a column it needs is missing) is not
            // kept; the copy is undone whole.
            copy_sync(conn, &sync.id).map_err(|e| failed(ReadError::sqlite("copying its latest sync")(e)))?;
            Ok(true)
        })?;
        if !copied {
            return Err(WriteError::KeptSyncNotOlder { path: previous.to_path_buf(), sync_id: sync.id });
        }
        Ok(Some(sync.id))
    }
}

/// Whether the kept sync ended before the new one started (times compared as instants, so
/// files whose timestamps are written differently compare right too).
fn ended_before(conn: &Connection, kept: &str, new: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        &format!(
            "SELECT coalesce(julianday((SELECT ended_at FROM {SCHEMA}.v1_sync_runs WHERE sync_id = ?1)) \
             < julianday((SELECT started_at FROM main.v1_sync_runs WHERE sync_id = ?2)), 0)"
        ),
        params![kept, new],
        |row| row.get(0),
    )
}

/// Rows a kept sync keeps, beyond being of that sync: the first row of each id (a file written
/// elsewhere may repeat one), and only rows whose references the kept sync holds, so the new
/// file passes the writer's checks whatever the previous one held.
fn condition(table: &str) -> &'static str {
    match table {
        "v1_resources" => {
            " AND EXISTS (SELECT 1 FROM main.v1_resource_types t \
             WHERE t.external_id = k.resource_type_id AND t.sync_id = ?1)"
        }
        "v1_entitlements" => {
            " AND EXISTS (SELECT 1 FROM main.v1_resources r \
             WHERE r.external_id = k.resource_type_id || ':' || k.resource_id AND r.sync_id = ?1)"
        }
        "v1_grants" => {
            " AND EXISTS (SELECT 1 FROM main.v1_entitlements e WHERE e.external_id = k.entitlement_id AND e.sync_id = ?1) \
             AND EXISTS (SELECT 1 FROM main.v1_resources r \
             WHERE r.external_id = k.resource_type_id || ':' || k.resource_id AND r.sync_id = ?1) \
             AND EXISTS (SELECT 1 FROM main.v1_resources r \
             WHERE r.external_id = k.principal_resource_type_id || ':' || k.principal_resource_id AND r.sync_id = ?1)"
        }
        _ => "",
    }
}

/// Copies the kept sync's rows, all or nothing.
fn copy_sync(conn: &Connection, sync_id: &str) -> rusqlite::Result<()> {
    conn.execute_batch("SAVEPOINT c1z_keep")?;
    let copied = TABLES.iter().try_for_each(|table| copy_table(conn, table, sync_id));
    match copied {
        Ok(()) => conn.execute_batch("RELEASE c1z_keep"),
        Err(error) => {
            let _ = conn.execute_batch("ROLLBACK TO c1z_keep; RELEASE c1z_keep");
            Err(error)
        }
    }
}

fn copy_table(conn: &Connection, table: &str, sync_id: &str) -> rusqlite::Result<()> {
    // A file written by another version may lack newer columns (or have others): the columns
    // both have, defaults for the rest. Row ids are the new file's own.
    let ours = columns(conn, "main", table)?;
    let theirs = columns(conn, SCHEMA, table)?;
    let shared: Vec<&str> = ours.intersection(&theirs).map(String::as_str).filter(|c| *c != "id").collect();
    let list = shared.join(", ");
    // Times in this writer's form (UTC, no zone suffix), so that the text order readers sort by
    // is time order: a `T` or an offset in the previous file's times would sort differently.
    let values: Vec<String> = shared
        .iter()
        .map(|c| match *c {
            "started_at" | "ended_at" | "discovered_at" => {
                // strftime gives `.SSS`; trailing zeros go, as this writer writes times.
                format!("coalesce(rtrim(rtrim(strftime('%Y-%m-%d %H:%M:%f', k.{c}), '0'), '.'), k.{c})")
            }
            _ => format!("k.{c}"),
        })
        .collect();
    // The kept run goes before the new one, so a listing by row id and a tie on `ended_at`
    // both put the new sync last.
    let (id_column, id_value) = match table {
        "v1_sync_runs" => ("id, ", "(SELECT coalesce(min(id), 1) - 1 FROM main.v1_sync_runs), "),
        _ => ("", ""),
    };
    let first_of_each = match table {
        "v1_sync_runs" => String::new(),
        _ => format!(
            " AND k.id IN (SELECT min(id) FROM {SCHEMA}.{table} WHERE sync_id = ?1 GROUP BY external_id)"
        ),
    };
    conn.execute(
        &format!(
            "INSERT INTO main.{table} ({id_column}{list}) SELECT {id_value}{} FROM {SCHEMA}.{table} k \
             WHERE k.sync_id = ?1{first_of_each}{} ORDER BY k.id",
            values.join(", "),
            condition(table),
        ),
        params![sync_id],
    )?;
    Ok(())
}

fn columns(conn: &Connection, schema: &str, table: &str) -> rusqlite::Result<BTreeSet<String>> {
    let mut statement =
        conn.prepare(&format!("SELECT name FROM pragma_table_info('{table}', '{schema}')"))?;
    statement.query_map([], |row| row.get(0))?.collect()
}
