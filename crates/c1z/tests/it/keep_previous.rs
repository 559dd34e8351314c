//! `C1zWriter::keep_previous`: the file being replaced gives its latest finished full sync to
//! the new file; readers still take the new sync, and the kept one reads back whole.

use std::path::Path;
use std::sync::Arc;

use c1z::{C1zReader, C1zWriter, ReaderOptions, WriteError, WriterOptions};
use chrono::{TimeZone, Utc};

use crate::model::{fixed_options, org};

const FIRST: &str = "2ZqH3x8mY1tK7wQpLr5vN0aBcDf";
const SECOND: &str = "2ZqH3x8mY1tK7wQpLr5vN0aBcDg";
const THIRD: &str = "2ZqH3x8mY1tK7wQpLr5vN0aBcDh";

/// Writes a sync whose clock reads `hour` o'clock.
fn write_at(
    target: &Path,
    sync_id: &str,
    hour: u32,
    people: usize,
    keep: bool,
) -> Result<Option<String>, WriteError> {
    let at = Utc.with_ymd_and_hms(2026, 11, 28, hour, 0, 0).single().expect("valid time");
    let clock = Some(Arc::new(move || at) as c1z::Clock);
    let options = WriterOptions { sync_id: Some(sync_id.to_owned()), clock, ..fixed_options() };
    let mut writer = C1zWriter::create(target, options).expect("creates");
    org(people, 2).write(&mut writer).expect("writes");
    let kept = if keep { writer.keep_previous(target, &ReaderOptions::default())? } else { None };
    writer.finish().expect("finishes");
    Ok(kept)
}

/// Each sync of a test an hour after the one before.
fn publish(target: &Path, sync_id: &str, people: usize, keep: bool) -> Option<String> {
    let hour = [FIRST, SECOND, THIRD].iter().position(|id| *id == sync_id).expect("a test sync id") as u32;
    write_at(target, sync_id, 9 + hour, people, keep).expect("keeps")
}

#[test]
fn the_previous_sync_is_kept_beside_the_new_one_which_readers_take() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("sync.c1z");
    assert_eq!(publish(&target, FIRST, 20, true), None, "nothing to keep yet");
    assert_eq!(publish(&target, SECOND, 25, true).as_deref(), Some(FIRST));

    let reader = C1zReader::open(&target, ReaderOptions::default()).expect("opens");
    let ids: Vec<String> = reader.syncs().expect("lists").into_iter().map(|s| s.id).collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert!(ids.contains(&FIRST.to_owned()) && ids.contains(&SECOND.to_owned()), "{ids:?}");
    let latest = reader.latest_finished_full_sync().expect("reads").expect("a full sync");
    assert_eq!(latest.id, SECOND, "readers (and C1) take the new sync");
    let (first, second) = (reader.counts(FIRST).expect("counts"), reader.counts(SECOND).expect("counts"));
    assert_eq!(first.resources_by_type["person"], 20);
    assert_eq!(second.resources_by_type["person"], 25);
    assert!(first.grants > 0 && first.entitlements > 0, "{first:?}");
    assert_eq!(reader.grants(FIRST).expect("reads").count() as u64, first.grants);
}

#[test]
fn only_the_latest_sync_is_kept_so_the_file_does_not_grow_with_each_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("sync.c1z");
    publish(&target, FIRST, 10, true);
    publish(&target, SECOND, 11, true);
    assert_eq!(publish(&target, THIRD, 12, true).as_deref(), Some(SECOND));
    let reader = C1zReader::open(&target, ReaderOptions::default()).expect("opens");
    let mut ids: Vec<String> = reader.syncs().expect("lists").into_iter().map(|s| s.id).collect();
    ids.sort();
    assert_eq!(ids, [SECOND, THIRD]);
}

#[test]
fn without_keeping_the_new_file_holds_one_sync() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("sync.c1z");
    publish(&target, FIRST, 10, false);
    publish(&target, SECOND, 10, false);
    let reader = C1zReader::open(&target, ReaderOptions::default()).expect("opens");
    assert_eq!(reader.syncs().expect("lists").len(), 1);
}

#[test]
fn a_previous_sync_that_did_not_end_before_this_one_started_is_not_kept() {
    // A clock ahead on the machine that wrote the previous file: keeping its sync would make
    // readers take it instead of the new one.
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("sync.c1z");
    write_at(&target, FIRST, 12, 10, false).expect("writes");
    let error = write_at(&target, SECOND, 10, 12, true).expect_err("not kept");
    assert!(matches!(&error, WriteError::KeptSyncNotOlder { sync_id, .. } if sync_id == FIRST), "{error:?}");
    // The caller may go on: the file then holds the new sync alone, and readers take it.
    let options = WriterOptions { sync_id: Some(SECOND.to_owned()), ..fixed_options() };
    let mut writer = C1zWriter::create(&target, options).expect("creates");
    org(12, 2).write(&mut writer).expect("writes");
    assert!(writer.keep_previous(&target, &ReaderOptions::default()).is_err());
    writer.finish().expect("finishes after a refused keep");
    let reader = C1zReader::open(&target, ReaderOptions::default()).expect("opens");
    assert_eq!(reader.syncs().expect("lists").len(), 1);
    assert_eq!(reader.latest_finished_full_sync().expect("reads").expect("a sync").id, SECOND);
}

/// The file at `target`, rewritten from its database after `edit` ran on it.
fn tamper(target: &Path, edit: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = crate::support::open_db(target, dir.path());
    db.execute_batch(edit).expect("edits the database");
    drop(db);
    let bytes = std::fs::read(dir.path().join("inspect.db")).expect("reads the database");
    std::fs::write(target, crate::support::c1z_bytes(&bytes)).expect("writes the file");
}

#[test]
fn a_kept_sync_from_another_writer_is_made_consistent_and_never_read_as_the_latest() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("sync.c1z");
    write_at(&target, FIRST, 9, 10, false).expect("writes");
    // As another writer may leave it: times with a `T` and a zone (text that sorts after this
    // writer's later times), a repeated resource, a grant whose principal is not in the file.
    tamper(
        &target,
        "UPDATE v1_sync_runs SET started_at = '2026-11-28T08:59:00Z', ended_at = '2026-11-28T09:00:00+00:00';
         DROP INDEX IF EXISTS idx_resources_parent_resource_id_v1;
         INSERT INTO v1_resources (resource_type_id, external_id, parent_resource_type_id, parent_resource_id, data, sync_id, discovered_at)
           SELECT resource_type_id, external_id, parent_resource_type_id, parent_resource_id, data, sync_id, discovered_at
           FROM v1_resources WHERE resource_type_id = 'person' LIMIT 1;
         DROP INDEX IF EXISTS idx_grants_external_sync_v1;
         INSERT INTO v1_grants (resource_type_id, resource_id, entitlement_id, principal_resource_type_id, principal_resource_id, external_id, data, sync_id, discovered_at)
           SELECT resource_type_id, resource_id, entitlement_id, 'person', 'nobody', external_id || '-dangling', data, sync_id, discovered_at
           FROM v1_grants LIMIT 1;",
    );
    let before = C1zReader::open(&target, ReaderOptions::default()).expect("opens");
    let kept_counts = before.counts(FIRST).expect("counts");
    drop(before);

    assert_eq!(write_at(&target, SECOND, 10, 12, true).expect("keeps").as_deref(), Some(FIRST));
    let reader = C1zReader::open(&target, ReaderOptions::default()).expect("opens");
    assert_eq!(reader.latest_finished_full_sync().expect("reads").expect("a sync").id, SECOND);
    let kept = reader.counts(FIRST).expect("counts");
    assert_eq!(
        kept.resources_by_type["person"] + 1,
        kept_counts.resources_by_type["person"],
        "one row an id"
    );
    assert_eq!(kept.grants + 1, kept_counts.grants, "the dangling grant is left out");
    assert_eq!(reader.counts(SECOND).expect("counts").resources_by_type["person"], 12);
}

#[test]
fn after_a_comparison_the_sync_it_read_is_the_one_kept() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("sync.c1z");
    write_at(&target, FIRST, 9, 10, false).expect("writes");
    let at = Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).single().expect("valid time");
    let clock = Some(Arc::new(move || at) as c1z::Clock);
    let options = WriterOptions { sync_id: Some(SECOND.to_owned()), clock, ..fixed_options() };
    let mut writer = C1zWriter::create(&target, options).expect("creates");
    org(8, 2).write(&mut writer).expect("writes");
    let comparison =
        writer.compare_with(&target, &ReaderOptions::default()).expect("compares").expect("some");
    assert_eq!(comparison.previous.resources_by_type["person"], 10);
    assert_eq!(
        writer.keep_previous(&target, &ReaderOptions::default()).expect("keeps").as_deref(),
        Some(FIRST)
    );
    writer.finish().expect("finishes");
    let reader = C1zReader::open(&target, ReaderOptions::default()).expect("opens");
    assert_eq!(reader.counts(FIRST).expect("counts").resources_by_type["person"], 10);
    assert_eq!(reader.latest_finished_full_sync().expect("reads").expect("a sync").id, SECOND);
    assert_eq!(crate::support::dir_entries(dir.path()), ["sync.c1z"], "no temporary file stays");
}
