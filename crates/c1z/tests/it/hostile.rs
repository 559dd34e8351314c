//! Hostile files: the reader accepts only the schema it knows and caps decompression as it goes.

use std::fs;
use std::path::{Path, PathBuf};

use c1z::{C1zReader, C1zWriter, ReadError, ReaderOptions};
use rusqlite::Connection;

use crate::model::{SYNC_ID, fixed_options, org};
use crate::support::{c1z_bytes, decompress, dir_entries, write_file};

/// A valid file's database, changed by `sql`, packed again as a `.c1z`.
fn altered(dir: &Path, sql: &str) -> PathBuf {
    let good = dir.join("good.c1z");
    if !good.exists() {
        let mut writer = C1zWriter::create(&good, fixed_options()).expect("creates");
        org(4, 2).write(&mut writer).expect("writes");
        writer.finish().expect("finishes");
    }
    let db_path = dir.join("altered.db");
    fs::write(&db_path, decompress(&good)).expect("writes the database");
    let conn = Connection::open(&db_path).expect("opens");
    conn.execute_batch(sql).expect("alters the database");
    drop(conn);
    let bytes = c1z_bytes(&fs::read(&db_path).expect("reads"));
    fs::remove_file(&db_path).expect("removes");
    write_file(dir, "altered.c1z", &bytes)
}

fn refused(sql: &str) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let err = C1zReader::open(altered(dir.path(), sql), ReaderOptions::default()).expect_err("refused");
    assert!(matches!(err, ReadError::UnsupportedSchema { .. }), "{err:?}");
    err.to_string()
}

#[test]
fn views_triggers_virtual_tables_and_generated_columns_are_refused_by_name() {
    let shown = refused("CREATE VIEW v_all AS SELECT * FROM v1_grants");
    assert!(shown.contains("a view \"v_all\""), "{shown}");
    let shown = refused("CREATE TRIGGER t_sneaky AFTER INSERT ON v1_grants BEGIN DELETE FROM v1_grants; END");
    assert!(shown.contains("a trigger \"t_sneaky\""), "{shown}");
    let shown = refused("CREATE VIRTUAL TABLE v_idx USING rtree(id, minx, maxx)");
    assert!(shown.contains("a virtual table \"v_idx\""), "{shown}");
    let shown =
        refused("ALTER TABLE v1_grants ADD COLUMN slow GENERATED ALWAYS AS (length(data) * 2) VIRTUAL");
    assert!(shown.contains("v1_grants.slow"), "{shown}");
    let shown = refused("CREATE TABLE extra (a integer, b integer GENERATED ALWAYS AS (a + 1) STORED)");
    assert!(shown.contains("extra.b"), "{shown}");
}

#[test]
fn extra_plain_tables_and_columns_are_fine() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = altered(
        dir.path(),
        "CREATE TABLE v2_future (id integer primary key, note text);
         ALTER TABLE v1_resources ADD COLUMN future text;",
    );
    let reader = C1zReader::open(path, ReaderOptions::default()).expect("opens");
    assert_eq!(reader.resources(SYNC_ID).expect("query").count(), 6);
}

#[test]
fn a_v1_table_without_a_column_the_reader_reads_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = altered(dir.path(), "ALTER TABLE v1_sync_runs DROP COLUMN sync_token");
    let err = C1zReader::open(path, ReaderOptions::default()).expect_err("refused");
    assert!(
        matches!(err, ReadError::MissingColumn { table: "v1_sync_runs", column: "sync_token", .. }),
        "{err:?}"
    );
}

#[test]
fn a_bomb_without_a_declared_size_stops_at_the_cap_and_leaves_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scratch = tempfile::tempdir().expect("scratch dir");
    let mut encoder = zstd::stream::write::Encoder::new(Vec::new(), 19).expect("encoder");
    encoder.include_contentsize(false).expect("no content size");
    // 64 MiB of zeros in a few kilobytes.
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..64 {
        std::io::Write::write_all(&mut encoder, &zeros).expect("compresses");
    }
    let mut bytes = c1z::MAGIC.to_vec();
    bytes.extend(encoder.finish().expect("finishes"));
    assert!(bytes.len() < 64 << 10, "{} bytes", bytes.len());
    let options = ReaderOptions { max_decoded_bytes: 1 << 20, temp_dir: Some(scratch.path().to_path_buf()) };
    let err = C1zReader::open(write_file(dir.path(), "bomb.c1z", &bytes), options).expect_err("capped");
    assert!(matches!(err, ReadError::TooLarge { limit: 1_048_576, .. }), "{err:?}");
    let shown = err.to_string();
    assert!(shown.contains("cap of 1 MiB") && shown.contains("raise the cap"), "{shown}");
    assert!(!shown.contains("--") && !shown.contains("BATON_"), "{shown}");
    assert!(dir_entries(scratch.path()).is_empty(), "the partial copy is removed");
}

#[test]
fn the_interactive_options_cap_at_one_gibibyte() {
    assert_eq!(ReaderOptions::interactive().max_decoded_bytes, 1 << 30);
    assert!(ReaderOptions::default().max_decoded_bytes > ReaderOptions::interactive().max_decoded_bytes);
    let err = ReadError::TooLarge { path: "s.c1z".into(), limit: 1 << 30 };
    assert!(err.to_string().contains("cap of 1 GiB (1073741824 bytes)"), "{err}");
}
