//! `WriterOptions::keep_first`: a repeated id keeps its first row and is counted, before and
//! after the unique indexes exist.

use c1z::{C1zWriter, Counts, ReaderOptions, WriterOptions};

use crate::model::{fixed_options, org};
use crate::support::open_db;

fn keep_first() -> WriterOptions {
    WriterOptions { keep_first: true, ..fixed_options() }
}

fn one_of_each() -> Counts {
    let mut counts = Counts { resources: 1, entitlements: 1, grants: 1, ..Counts::default() };
    counts.resources_by_type.insert("person".to_owned(), 1);
    counts
}

/// How many rows of `table` carry `id`.
fn rows_named(db: &rusqlite::Connection, table: &str, id: &str) -> i64 {
    db.query_row(&format!("SELECT count(*) FROM {table} WHERE external_id = ?1"), [id], |row| row.get(0))
        .expect("counts")
}

#[test]
fn repeats_found_at_finish_keep_the_first_row_and_are_counted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("sync.c1z");
    let org = org(3, 1);
    let mut writer = C1zWriter::create(&target, keep_first()).expect("creates");
    org.write(&mut writer).expect("writes");
    let mut renamed = org.resources[1].clone();
    renamed.display_name = "the later copy".to_owned();
    writer.put_resource(&renamed).expect("checked at finish");
    writer.put_entitlement(&org.entitlements[0]).expect("checked at finish");
    writer.put_grant(&org.grants[2]).expect("checked at finish");
    writer.put_grant(&org.grants[2]).expect("checked at finish");
    let summary = writer.finish().expect("repeats are left out, not fatal");
    let mut expected = one_of_each();
    expected.grants = 2;
    assert_eq!(summary.repeats, expected);
    assert_eq!((summary.counts.resources, summary.counts.entitlements, summary.counts.grants), (4, 1, 3));
    assert_eq!(summary.counts.resources_by_type.get("person"), Some(&3));
    let db = open_db(&target, dir.path());
    assert_eq!(rows_named(&db, "v1_resources", "person:60aa00000000"), 1);
    assert_eq!(rows_named(&db, "v1_grants", "group:5f1c00000000:member:person:60aa00000002"), 1);
    let reader = c1z::C1zReader::open(&target, ReaderOptions::default()).expect("opens");
    let sync = reader.latest_finished_full_sync().expect("reads").expect("a sync");
    assert_eq!(reader.counts(&sync.id).expect("counts"), summary.counts);
    let names: Vec<String> =
        reader.resources(&sync.id).expect("lists").map(|r| r.expect("decodes").display_name).collect();
    assert!(!names.iter().any(|n| n == "the later copy"), "{names:?}");
}

#[test]
fn after_a_comparison_repeats_are_left_out_at_once_and_counted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("sync.c1z");
    let org = org(3, 1);
    let mut first = C1zWriter::create(&target, fixed_options()).expect("creates");
    org.write(&mut first).expect("writes");
    first.finish().expect("publishes");
    let mut writer = C1zWriter::create(&target, keep_first()).expect("creates");
    org.write(&mut writer).expect("writes");
    writer.compare_with(&target, &ReaderOptions::default()).expect("compares");
    writer.put_resource(&org.resources[1]).expect("left out");
    writer.put_entitlement(&org.entitlements[0]).expect("left out");
    writer.put_grant(&org.grants[2]).expect("left out");
    assert_eq!(writer.counts().resources, 4);
    let summary = writer.finish().expect("finishes");
    assert_eq!(summary.repeats, one_of_each());
    assert_eq!((summary.counts.resources, summary.counts.grants), (4, 3));
}

#[test]
fn with_live_resource_ids_a_repeated_resource_is_left_out_as_it_is_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("sync.c1z");
    let org = org(3, 1);
    let options = WriterOptions { live_resource_ids: true, ..keep_first() };
    let mut writer = C1zWriter::create(&target, options).expect("creates");
    org.write(&mut writer).expect("writes");
    let before = writer.counts().resources;
    let mut renamed = org.resources[1].clone();
    renamed.display_name = "the later copy".to_owned();
    writer.put_resource(&renamed).expect("left out");
    assert_eq!(writer.counts().resources, before, "the count shows the repeat at once");
    writer.put_grant(&org.grants[2]).expect("grants are still checked at finish");
    let summary = writer.finish().expect("finishes");
    assert_eq!(summary.repeats, one_of_each_but_entitlements());
    let db = open_db(&target, dir.path());
    assert_eq!(rows_named(&db, "v1_resources", "person:60aa00000000"), 1);
}

#[test]
fn with_live_resource_ids_and_no_keep_first_a_repeated_resource_fails_at_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let org = org(3, 1);
    let options = WriterOptions { live_resource_ids: true, ..fixed_options() };
    let mut writer = C1zWriter::create(dir.path().join("sync.c1z"), options).expect("creates");
    org.write(&mut writer).expect("writes");
    let err = writer.put_resource(&org.resources[1]).expect_err("a repeat");
    assert!(err.to_string().contains("person:60aa00000000"), "{err}");
    writer.finish().expect("the writer stays usable");
}

fn one_of_each_but_entitlements() -> Counts {
    Counts { entitlements: 0, ..one_of_each() }
}
