//! Every kind of corrupt input gives its own typed error, never a panic.

use std::fs;

use c1z::{C1zReader, ReadError, ReaderOptions};
use rusqlite::Connection;

use crate::support::{c1z_bytes, go_fixture, write_file};

fn open(path: &std::path::Path) -> ReadError {
    C1zReader::open(path, ReaderOptions::default()).expect_err("corrupt input must not open")
}

#[test]
fn wrong_magic_says_so() {
    let Some(fixture) = go_fixture() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let mut bytes = fs::read(&fixture).expect("fixture");
    bytes[3] = b'X';
    let err = open(&write_file(dir.path(), "bad.c1z", &bytes));
    assert!(matches!(err, ReadError::BadMagic { .. }), "{err:?}");
    assert!(err.to_string().contains("not a .c1z file (bad magic)"), "{err}");

    let short = open(&write_file(dir.path(), "short.c1z", b"C1"));
    assert!(matches!(short, ReadError::BadMagic { .. }), "{short:?}");
}

#[test]
fn the_v3_format_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let err = open(&write_file(dir.path(), "v3.c1z", b"C1Z3\0whatever"));
    assert!(matches!(err, ReadError::UnsupportedFormat { .. }), "{err:?}");
}

#[test]
fn a_truncated_frame_is_truncated() {
    let Some(fixture) = go_fixture() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let bytes = fs::read(&fixture).expect("fixture");
    for keep in [5, bytes.len() / 2, bytes.len() - 1] {
        let err = open(&write_file(dir.path(), "cut.c1z", &bytes[..keep]));
        assert!(matches!(err, ReadError::Truncated { .. }), "keeping {keep} bytes: {err:?}");
    }
}

#[test]
fn a_damaged_frame_is_corrupt() {
    let Some(fixture) = go_fixture() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let mut bytes = fs::read(&fixture).expect("fixture");
    let middle = bytes.len() / 2;
    for b in &mut bytes[middle..middle + 64] {
        *b ^= 0x5a;
    }
    let err = open(&write_file(dir.path(), "damaged.c1z", &bytes));
    assert!(matches!(err, ReadError::CorruptFrame { .. }), "{err:?}");

    let garbage = open(&write_file(dir.path(), "garbage.c1z", b"C1ZF\0this is no zstd frame at all"));
    assert!(matches!(garbage, ReadError::CorruptFrame { .. }), "{garbage:?}");
}

#[test]
fn a_frame_without_sqlite_is_not_sqlite() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = b"plain text, long enough to fill a SQLite header and then some".repeat(10);
    let err = open(&write_file(dir.path(), "text.c1z", &c1z_bytes(&text)));
    assert!(matches!(err, ReadError::NotSqlite { .. }), "{err:?}");

    let empty = open(&write_file(dir.path(), "empty.c1z", &c1z_bytes(b"")));
    assert!(matches!(empty, ReadError::NotSqlite { .. }), "{empty:?}");

    // A SQLite header followed by garbage pages.
    let mut fake = b"SQLite format 3\0".to_vec();
    fake.extend(std::iter::repeat_n(0xAB, 8192));
    let err = open(&write_file(dir.path(), "fake.c1z", &c1z_bytes(&fake)));
    assert!(matches!(err, ReadError::NotSqlite { .. }), "{err:?}");
}

#[test]
fn too_large_names_the_limit() {
    let Some(fixture) = go_fixture() else { return };
    let options = ReaderOptions { max_decoded_bytes: 4096, ..ReaderOptions::default() };
    let err = C1zReader::open(&fixture, options).expect_err("the fixture decodes to 136 KiB");
    assert!(matches!(err, ReadError::TooLarge { limit: 4096, .. }), "{err:?}");
    assert!(err.to_string().contains("4096"), "{err}");
}

#[test]
fn too_large_is_caught_while_streaming_when_the_frame_declares_no_size() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut encoder = zstd::stream::write::Encoder::new(Vec::new(), 1).expect("encoder");
    encoder.include_contentsize(false).expect("no content size");
    std::io::Write::write_all(&mut encoder, &vec![0u8; 1 << 20]).expect("compresses");
    let mut bytes = c1z::MAGIC.to_vec();
    bytes.extend(encoder.finish().expect("finishes"));
    let options = ReaderOptions { max_decoded_bytes: 100_000, ..ReaderOptions::default() };
    let err = C1zReader::open(write_file(dir.path(), "big.c1z", &bytes), options).expect_err("too large");
    assert!(matches!(err, ReadError::TooLarge { limit: 100_000, .. }), "{err:?}");
}

#[test]
fn a_database_without_v1_tables_names_the_missing_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db_path = dir.path().join("plain.db");
    let conn = Connection::open(&db_path).expect("creates a database");
    conn.execute_batch(
        "CREATE TABLE v1_resource_types (id integer primary key);
         CREATE TABLE v1_resources (id integer primary key);
         CREATE TABLE v1_entitlements (id integer primary key);
         CREATE TABLE v1_sync_runs (id integer primary key);",
    )
    .expect("creates tables");
    drop(conn);
    let db = fs::read(&db_path).expect("reads the database");
    let err = open(&write_file(dir.path(), "partial.c1z", &c1z_bytes(&db)));
    assert!(matches!(err, ReadError::MissingTable { table: "v1_grants", .. }), "{err:?}");
    assert!(err.to_string().contains("v1_grants"), "{err}");
}

#[test]
fn a_missing_file_is_an_io_error() {
    let err = open(std::path::Path::new("/nonexistent/dir/sync.c1z"));
    assert!(matches!(err, ReadError::Io { .. }), "{err:?}");
}
