//! The schema a reader accepts, checked before any query touches the data: the v1 tables with
//! the columns the reader reads, and nothing that runs code or computes values on read (views,
//! triggers, virtual tables, generated or hidden columns). Extra plain tables and columns are
//! fine: newer SDK versions add some.

use std::path::Path;

use rusqlite::{Connection, params};

use crate::error::ReadError;
use crate::schema::REQUIRED_TABLES;

/// The columns the reader reads, per required table.
const READ_COLUMNS: [(&str, &[&str]); 5] = [
    ("v1_resource_types", &["id", "external_id", "data", "sync_id"]),
    ("v1_resources", &["id", "resource_type_id", "external_id", "data", "sync_id"]),
    ("v1_entitlements", &["id", "external_id", "data", "sync_id"]),
    ("v1_grants", &["id", "external_id", "data", "sync_id"]),
    ("v1_sync_runs", &["id", "sync_id", "started_at", "ended_at", "sync_token"]),
];

fn refuse(path: &Path, found: String) -> ReadError {
    ReadError::UnsupportedSchema { path: path.to_path_buf(), found }
}

pub(crate) fn check_schema(
    conn: &Connection,
    path: &Path,
    open_error: impl Fn(rusqlite::Error) -> ReadError,
) -> Result<(), ReadError> {
    let entries: Vec<(String, String, Option<String>)> = conn
        .prepare("SELECT type, name, sql FROM sqlite_master ORDER BY rowid")
        .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect())
        .map_err(&open_error)?;
    let mut tables = Vec::new();
    for (kind, name, sql) in entries {
        match kind.as_str() {
            "table" => {
                let virtual_table = sql
                    .as_deref()
                    .map(|s| {
                        s.trim_start()
                            .get(..20)
                            .is_some_and(|p| p.eq_ignore_ascii_case("CREATE VIRTUAL TABLE"))
                    })
                    .unwrap_or(false);
                if virtual_table {
                    return Err(refuse(path, format!("a virtual table {name:?}")));
                }
                tables.push(name);
            }
            "index" => {}
            "view" => return Err(refuse(path, format!("a view {name:?}"))),
            "trigger" => return Err(refuse(path, format!("a trigger {name:?}"))),
            other => return Err(refuse(path, format!("a schema entry {name:?} of type {other:?}"))),
        }
    }
    for required in REQUIRED_TABLES {
        if !tables.iter().any(|t| t == required) {
            return Err(ReadError::MissingTable { path: path.to_path_buf(), table: required });
        }
    }
    let mut columns =
        conn.prepare("SELECT name, hidden FROM pragma_table_xinfo(?1) ORDER BY cid").map_err(&open_error)?;
    for table in &tables {
        let found: Vec<(String, i64)> = columns
            .query_map(params![table], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect())
            .map_err(&open_error)?;
        // hidden: 0 plain, 1 hidden (virtual tables), 2 and 3 generated (virtual, stored).
        if let Some((column, _)) = found.iter().find(|(_, hidden)| *hidden != 0) {
            return Err(refuse(path, format!("a generated or hidden column {table}.{column}")));
        }
        if let Some((_, read)) = READ_COLUMNS.iter().find(|(t, _)| t == table)
            && let Some(missing) = read.iter().find(|c| !found.iter().any(|(f, _)| f == *c))
        {
            return Err(ReadError::MissingColumn {
                path: path.to_path_buf(),
                table: REQUIRED_TABLES.into_iter().find(|t| t == table).unwrap_or("v1"),
                column: missing,
            });
        }
    }
    Ok(())
}
