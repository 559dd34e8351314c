//! The same input with the same injected clock and sync id gives the same bytes.

use std::fs;

use c1z::{C1zWriter, WriterOptions};

use crate::model::{fixed_options, org};

fn write(dir: &std::path::Path, options: WriterOptions) -> Vec<u8> {
    let target = dir.join("sync.c1z");
    let mut writer = C1zWriter::create(&target, options).expect("creates");
    org(300, 7).write(&mut writer).expect("writes");
    writer.finish().expect("finishes");
    fs::read(&target).expect("reads back")
}

#[test]
fn two_writes_are_byte_identical() {
    let (a, b) = (tempfile::tempdir().expect("temp dir"), tempfile::tempdir().expect("temp dir"));
    // Small batches: several transactions, so batching must be deterministic too.
    let options = WriterOptions { batch_size: 50, ..fixed_options() };
    let first = write(a.path(), options.clone());
    let second = write(b.path(), options);
    assert!(first == second, "two writes of the same input differ");
}

#[test]
fn the_sync_id_is_part_of_the_bytes() {
    let (a, b) = (tempfile::tempdir().expect("temp dir"), tempfile::tempdir().expect("temp dir"));
    let first = write(a.path(), fixed_options());
    let other = WriterOptions { sync_id: Some("2ZqH3x8mY1tK7wQpLr5vN0aBcDf".to_owned()), ..fixed_options() };
    assert!(first != write(b.path(), other), "a different sync id must change the file");
}

#[test]
fn without_injection_each_write_gets_a_new_sync_id() {
    let dir = tempfile::tempdir().expect("temp dir");
    let a = C1zWriter::create(dir.path().join("a.c1z"), WriterOptions::default()).expect("creates");
    let b = C1zWriter::create(dir.path().join("b.c1z"), WriterOptions::default()).expect("creates");
    assert!(c1z::is_valid_sync_id(a.sync_id()), "{}", a.sync_id());
    assert_ne!(a.sync_id(), b.sync_id());
}
