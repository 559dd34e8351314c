//! What the writer took, the reader gives back, field for field.

use c1_proto::prost::Message;
use c1z::{C1zReader, C1zWriter, ReaderOptions};

use crate::model::{self, SYNC_ID, fixed_options, org};
use crate::support::open_db;

/// resource_type_id, external_id, parent type, parent id, sync_id, discovered_at
type ResourceColumns = (String, String, Option<String>, Option<String>, String, String);
/// resource type/id, entitlement_id, principal type/id, external_id, expansion, needs_expansion
type GrantColumns = (String, String, String, String, String, String, Option<Vec<u8>>, i64);

fn collect<T>(rows: impl Iterator<Item = Result<T, c1z::ReadError>>) -> Vec<T> {
    rows.collect::<Result<Vec<_>, _>>().expect("every row decodes")
}

#[test]
fn every_message_comes_back_equal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("sync.c1z");
    let mut org = org(25, 4);
    let expandable = model::expandable_grant(&org.entitlements[0], &org.resources[1]);
    org.grants.push(expandable);

    let mut writer = C1zWriter::create(&target, fixed_options()).expect("creates");
    assert_eq!(writer.sync_id(), SYNC_ID);
    org.write(&mut writer).expect("writes");
    let summary = writer.finish().expect("finishes");
    assert_eq!(summary.sync_id, SYNC_ID);
    assert_eq!(summary.path, target);
    assert_eq!(summary.counts.resource_types, 2);
    assert_eq!(summary.counts.resources, 29);
    assert_eq!(summary.counts.entitlements, 4);
    assert_eq!(summary.counts.grants, 26);
    assert_eq!(summary.compressed_bytes, std::fs::metadata(&target).expect("exists").len());
    assert!(summary.raw_bytes > summary.compressed_bytes, "{summary:?}");

    let reader = C1zReader::open(&target, ReaderOptions::default()).expect("opens");
    assert_eq!(collect(reader.resource_types(SYNC_ID).expect("query")), org.resource_types);
    assert_eq!(collect(reader.resources(SYNC_ID).expect("query")), org.resources);
    assert_eq!(collect(reader.entitlements(SYNC_ID).expect("query")), org.entitlements);
    assert_eq!(collect(reader.grants(SYNC_ID).expect("query")), org.grants);
    let counts = reader.counts(SYNC_ID).expect("counts");
    assert_eq!(counts, summary.counts);
    assert_eq!(counts.resources_by_type.get("person"), Some(&25));
    assert_eq!(counts.resources_by_type.get("group"), Some(&4));
}

#[test]
fn the_sync_row_is_a_finished_full_sync() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("sync.c1z");
    let mut writer = C1zWriter::create(&target, fixed_options()).expect("creates");
    org(3, 1).write(&mut writer).expect("writes");
    writer.finish().expect("finishes");

    let reader = C1zReader::open(&target, ReaderOptions::default()).expect("opens");
    let latest = reader.latest_finished_full_sync().expect("queries").expect("one finished sync");
    assert_eq!(latest.id, SYNC_ID);
    assert_eq!(latest.sync_type, "full");
    assert!(latest.supports_diff && latest.grants_backfilled, "{latest:?}");
    assert_eq!(latest.started_at.to_string(), "2026-11-28 09:45:13.060056");
    assert_eq!(latest.ended_at.map(|t| t.to_string()).as_deref(), Some("2026-11-28 09:45:13.060056"));
    assert_eq!(reader.syncs().expect("lists"), vec![latest]);

    // The columns the spec fixes, as stored.
    let conn = open_db(&target, dir.path());
    let row: (String, String, String, String, String, Option<String>, i64, i64) = conn
        .query_row(
            "SELECT sync_token, sync_type, parent_sync_id, linked_sync_id, started_at, stats, supports_diff, \
             grants_backfilled FROM v1_sync_runs",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?)),
        )
        .expect("one sync row");
    assert_eq!(
        row,
        ("".into(), "full".into(), "".into(), "".into(), "2026-11-28 09:45:13.060056".into(), None, 1, 1)
    );
}

#[test]
fn columns_follow_the_row_rules() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("sync.c1z");
    let mut org = org(2, 2);
    let expandable = model::expandable_grant(&org.entitlements[0], &org.resources[1]);
    org.grants.push(expandable.clone());
    let mut writer = C1zWriter::create(&target, fixed_options()).expect("creates");
    org.write(&mut writer).expect("writes");
    writer.finish().expect("finishes");
    let conn = open_db(&target, dir.path());
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).expect("checks");
    assert_eq!(check, "ok");

    let resources: Vec<ResourceColumns> = conn
        .prepare(
            "SELECT resource_type_id, external_id, parent_resource_type_id, parent_resource_id, sync_id, \
             discovered_at FROM v1_resources ORDER BY id",
        )
        .and_then(|mut s| {
            s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))?
                .collect()
        })
        .expect("reads resources");
    let first_group = ("group".into(), "group:5f1c00000000".into(), None, None);
    assert_eq!(
        (resources[0].0.clone(), resources[0].1.clone(), resources[0].2.clone(), resources[0].3.clone()),
        first_group
    );
    assert_eq!(resources[1].2.as_deref(), Some("group"), "a parent fills the parent columns");
    assert_eq!(resources[1].3.as_deref(), Some("5f1c00000000"));
    assert_eq!(resources[2].1, "person:60aa00000000");
    assert!(resources.iter().all(|r| r.4 == SYNC_ID && r.5 == "2026-11-28 09:45:13.060056"));

    let grants: Vec<GrantColumns> = conn
        .prepare(
            "SELECT resource_type_id, resource_id, entitlement_id, principal_resource_type_id, \
             principal_resource_id, external_id, expansion, needs_expansion FROM v1_grants ORDER BY id",
        )
        .and_then(|mut s| {
            s.query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
            })?
            .collect()
        })
        .expect("reads grants");
    assert_eq!(
        grants[0],
        (
            "group".into(),
            "5f1c00000000".into(),
            "group:5f1c00000000:member".into(),
            "person".into(),
            "60aa00000000".into(),
            "group:5f1c00000000:member:person:60aa00000000".into(),
            None,
            0
        )
    );
    let last = grants.last().expect("the expandable grant");
    let expected_expansion = expandable.annotations[0].value.clone();
    assert_eq!(
        (last.3.as_str(), last.6.as_deref(), last.7),
        ("group", Some(expected_expansion.as_slice()), 1)
    );

    let data: Vec<u8> = conn
        .query_row("SELECT data FROM v1_entitlements ORDER BY id LIMIT 1", [], |r| r.get(0))
        .expect("an entitlement");
    assert_eq!(data, org.entitlements[0].encode_to_vec(), "data is the plain protobuf encoding");
}
