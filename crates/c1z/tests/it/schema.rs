//! The schema of a written file: the spec's tables, columns, defaults and index names (insta
//! snapshot), and the difference from a file the Go SDK wrote.

use std::path::Path;

use c1z::C1zWriter;
use rusqlite::Connection;

use crate::model::{fixed_options, org};
use crate::support::{decompress, go_fixture};

type MasterRow = (String, String, String, Option<String>);

fn sqlite_master(db: &[u8], dir: &Path, name: &str) -> Vec<MasterRow> {
    let path = dir.join(name);
    std::fs::write(&path, db).expect("writes the database");
    let conn = Connection::open(&path).expect("opens");
    let mut statement =
        conn.prepare("select type, name, tbl_name, sql from sqlite_master order by name").expect("prepares");
    statement
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .and_then(|rows| rows.collect())
        .expect("reads sqlite_master")
}

fn written_db(dir: &Path) -> Vec<u8> {
    let target = dir.join("sync.c1z");
    let mut writer = C1zWriter::create(&target, fixed_options()).expect("creates");
    org(2, 1).write(&mut writer).expect("writes");
    writer.finish().expect("finishes");
    decompress(&target)
}

#[test]
fn sqlite_master_matches_the_spec() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = written_db(dir.path());
    let rows = sqlite_master(&db, dir.path(), "ours.db");
    let text: String = rows
        .iter()
        .map(|(kind, name, table, sql)| {
            format!("{kind} | {name} | {table}\n{}\n\n", sql.as_deref().unwrap_or(""))
        })
        .collect();
    insta::assert_snapshot!(text);
}

#[test]
fn the_database_is_closed_in_rollback_journal_mode() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = written_db(dir.path());
    assert_eq!(&db[..16], b"SQLite format 3\0");
    // Header bytes 18/19: file format write/read versions, 1 = rollback journal, 2 = WAL.
    assert_eq!((db[18], db[19]), (1, 1));
    assert_eq!(u16::from_be_bytes([db[16], db[17]]), 4096, "page size");
}

/// The Go SDK file is the truth for everything it has. Ours differs only by what `docs/c1-wire.md#c1z-tables` adds
/// from a newer SDK: four `v1_sync_runs` columns and one grants index.
#[test]
fn differs_from_the_go_sdk_schema_only_by_newer_sdk_additions() {
    let Some(fixture) = go_fixture() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let ours = sqlite_master(&written_db(dir.path()), dir.path(), "ours.db");
    let theirs = sqlite_master(&decompress(&fixture), dir.path(), "theirs.db");

    let only_ours: Vec<&str> =
        ours.iter().filter(|row| !theirs.iter().any(|t| t.1 == row.1)).map(|row| row.1.as_str()).collect();
    let only_theirs: Vec<&str> =
        theirs.iter().filter(|row| !ours.iter().any(|o| o.1 == row.1)).map(|row| row.1.as_str()).collect();
    assert_eq!(only_ours, ["idx_grants_entitlement_sync_grant_v1"]);
    assert!(only_theirs.is_empty(), "{only_theirs:?}");

    let differing: Vec<&str> =
        theirs.iter().filter(|t| ours.iter().any(|o| o.1 == t.1 && o != *t)).map(|t| t.1.as_str()).collect();
    assert_eq!(differing, ["v1_sync_runs"], "every other statement is the SDK's, byte for byte");

    let columns = |name: &str| -> Vec<String> {
        let conn = Connection::open(dir.path().join(name)).expect("opens");
        let mut s = conn.prepare("select name from pragma_table_info('v1_sync_runs')").expect("prepares");
        s.query_map([], |r| r.get(0)).and_then(|rows| rows.collect()).expect("reads columns")
    };
    let (ours, theirs) = (columns("ours.db"), columns("theirs.db"));
    assert_eq!(ours[..theirs.len()], theirs[..], "the SDK's columns come first, in its order");
    assert_eq!(
        ours[theirs.len()..],
        ["stats", "ingest_invariant_generation", "ingest_invariant_coverage", "ingest_invariant_mode"]
    );
}
