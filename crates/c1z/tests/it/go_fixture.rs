//! A file written by the Go SDK opens, and reads as the SDK would show it.

use c1z::{C1zReader, ReaderOptions};

use crate::support::{GO_FIXTURE_SYNC_ID, go_fixture};

#[test]
fn its_one_sync_is_reported_unfinished() {
    let Some(fixture) = go_fixture() else { return };
    let reader = C1zReader::open(&fixture, ReaderOptions::default()).expect("the Go SDK file opens");
    let syncs = reader.syncs().expect("lists syncs");
    assert_eq!(syncs.len(), 1, "{syncs:?}");
    let sync = &syncs[0];
    assert_eq!(sync.id, GO_FIXTURE_SYNC_ID);
    assert_eq!(sync.sync_type, "full");
    assert!(!sync.is_finished(), "{sync:?}");
    assert_eq!(sync.started_at.to_string(), "2026-03-03 09:45:13.056791");
    assert!(sync.grants_backfilled);
    assert!(!sync.supports_diff);
    assert_eq!(
        reader.latest_finished_full_sync().expect("queries"),
        None,
        "an unfinished sync shows nothing"
    );
}

#[test]
fn by_its_sync_id_it_holds_79_resources_in_5_types() {
    let Some(fixture) = go_fixture() else { return };
    let reader = C1zReader::open(&fixture, ReaderOptions::default()).expect("the Go SDK file opens");
    let counts = reader.counts(GO_FIXTURE_SYNC_ID).expect("counts");
    assert_eq!(counts.resources, 79);
    let types: Vec<&str> = counts.resources_by_type.keys().map(String::as_str).collect();
    assert_eq!(types, ["group", "project", "role", "scoped_role", "user"]);
    assert_eq!(counts.resources_by_type.values().sum::<u64>(), 79);
    assert_eq!(counts.resources_by_type["user"], 10);
}

#[test]
fn an_unknown_sync_id_is_a_typed_error() {
    let Some(fixture) = go_fixture() else { return };
    let reader = C1zReader::open(&fixture, ReaderOptions::default()).expect("the Go SDK file opens");
    let err = reader.counts("2NotInThisFile0000000000000").expect_err("no such sync");
    assert!(matches!(err, c1z::ReadError::SyncNotFound { .. }), "{err:?}");
}
