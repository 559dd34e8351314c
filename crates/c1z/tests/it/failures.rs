//! Failing writes: the error names the culprit, the previous target stays byte-identical, and
//! no temporary file is left behind.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Barrier;
use std::thread;

use c1_proto::connector::v2::{Grant, Resource};
use c1z::{C1zReader, C1zWriter, ReaderOptions, RowKind, WriteError, WriterOptions};

use crate::model::{self, fixed_options, org, rid};
use crate::support::dir_entries;

/// A directory holding a good `sync.c1z` (and nothing else).
fn dir_with_good_file() -> (tempfile::TempDir, PathBuf, Vec<u8>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("sync.c1z");
    let mut writer = C1zWriter::create(&target, WriterOptions::default()).expect("creates");
    org(5, 2).write(&mut writer).expect("writes");
    writer.finish().expect("finishes");
    let bytes = fs::read(&target).expect("reads");
    (dir, target, bytes)
}

fn assert_untouched(dir: &Path, target: &Path, before: &[u8]) {
    assert!(fs::read(target).expect("still there") == before, "the previous file changed");
    assert_eq!(dir_entries(dir), ["sync.c1z"], "temporary files were left behind");
}

/// Writes `org(5, 2)` plus `extra`, then finishes.
fn finish_with(target: &Path, extra: impl FnOnce(&mut C1zWriter)) -> WriteError {
    let mut writer = C1zWriter::create(target, fixed_options()).expect("creates");
    org(5, 2).write(&mut writer).expect("writes the valid part");
    extra(&mut writer);
    writer.finish().expect_err("finish must refuse")
}

#[test]
fn a_grant_whose_entitlement_was_never_written_is_refused_by_name() {
    let (dir, target, before) = dir_with_good_file();
    let err = finish_with(&target, |w| {
        let ghost = model::member_entitlement(&model::group(0));
        let ghost =
            c1_proto::connector::v2::Entitlement { id: "group:5f1c00000000:owner".to_owned(), ..ghost };
        w.put_grant(&model::grant(&ghost, &model::person(1))).expect("grants are checked at finish");
    });
    match &err {
        WriteError::DanglingReference {
            kind: RowKind::Grant,
            id,
            missing_kind: RowKind::Entitlement,
            missing_id,
        } => {
            assert_eq!(id, "group:5f1c00000000:owner:person:60aa00000001");
            assert_eq!(missing_id, "group:5f1c00000000:owner");
        }
        other => panic!("wrong error: {other:?}"),
    }
    assert!(err.to_string().contains("group:5f1c00000000:owner"), "{err}");
    assert_untouched(dir.path(), &target, &before);
}

#[test]
fn a_grant_to_an_unknown_principal_is_refused_by_name() {
    let (dir, target, before) = dir_with_good_file();
    let err = finish_with(&target, |w| {
        let entitlement = model::member_entitlement(&model::group(0));
        w.put_grant(&model::grant(&entitlement, &model::person(99))).expect("checked at finish");
    });
    assert!(
        matches!(&err, WriteError::DanglingReference { missing_kind: RowKind::Resource, missing_id, .. }
            if missing_id == "person:60aa00000063"),
        "{err:?}"
    );
    assert_untouched(dir.path(), &target, &before);
}

#[test]
fn an_entitlement_on_an_unknown_resource_is_refused_by_name() {
    let (dir, target, before) = dir_with_good_file();
    let err = finish_with(&target, |w| {
        w.put_entitlement(&model::member_entitlement(&model::group(42))).expect("checked at finish");
    });
    assert!(
        matches!(&err, WriteError::DanglingReference { kind: RowKind::Entitlement, id, missing_id, .. }
            if id == "group:5f1c0000002a:member" && missing_id == "group:5f1c0000002a"),
        "{err:?}"
    );
    assert_untouched(dir.path(), &target, &before);
}

#[test]
fn a_resource_of_an_unknown_type_is_refused_by_name() {
    let (dir, target, before) = dir_with_good_file();
    let err = finish_with(&target, |w| {
        let r = Resource { id: Some(rid("team", "t1")), ..Resource::default() };
        w.put_resource(&r).expect("checked at finish");
    });
    assert!(
        matches!(&err, WriteError::DanglingReference { kind: RowKind::Resource, id, missing_kind: RowKind::ResourceType, missing_id }
            if id == "team:t1" && missing_id == "team"),
        "{err:?}"
    );
    assert_untouched(dir.path(), &target, &before);
}

#[test]
fn a_user_without_its_user_trait_is_refused_by_name() {
    let (dir, target, before) = dir_with_good_file();
    let err = finish_with(&target, |w| {
        let mut p = model::person(77);
        p.annotations.clear();
        w.put_resource(&p).expect("checked at finish");
    });
    assert!(
        matches!(&err, WriteError::MissingTrait { resource_id, resource_type, trait_name }
            if resource_id == "person:60aa0000004d" && resource_type == "person" && trait_name.contains("UserTrait")),
        "{err:?}"
    );
    assert_untouched(dir.path(), &target, &before);
}

#[test]
fn a_trait_annotation_is_recognised_by_its_message_name_whatever_the_host() {
    // As in the Go SDK (and c1-proto's has_annotation), only the name after the last '/' counts.
    let dir = tempfile::tempdir().expect("temp dir");
    let mut writer = C1zWriter::create(dir.path().join("sync.c1z"), fixed_options()).expect("creates");
    org(2, 1).write(&mut writer).expect("writes");
    let mut p = model::person(77);
    for annotation in &mut p.annotations {
        annotation.type_url = annotation.type_url.replace("type.googleapis.com", "example.com/types");
    }
    assert!(p.annotations.iter().any(|a| a.type_url == "example.com/types/c1.connector.v2.UserTrait"));
    writer.put_resource(&p).expect("writes");
    let summary = writer.finish().expect("the trait is there");
    assert_eq!(summary.counts.resources_by_type.get("person"), Some(&3));
}

#[test]
fn a_group_without_its_group_trait_is_refused_by_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut writer = C1zWriter::create(dir.path().join("sync.c1z"), fixed_options()).expect("creates");
    // The resource comes before its type: the check runs at finish, whatever the order.
    let mut g = model::group(3);
    g.annotations.clear();
    writer.put_resource(&g).expect("checked at finish");
    writer.put_resource_type(&model::group_type()).expect("writes");
    let err = writer.finish().expect_err("refused");
    assert!(
        matches!(&err, WriteError::MissingTrait { trait_name, .. } if trait_name.contains("GroupTrait")),
        "{err:?}"
    );
    assert!(dir_entries(dir.path()).is_empty(), "{:?}", dir_entries(dir.path()));
}

fn dup(e: WriteError) -> (RowKind, String) {
    match e {
        WriteError::DuplicateId { kind, id } => (kind, id),
        other => panic!("wrong error: {other:?}"),
    }
}

#[test]
fn a_repeated_resource_type_is_refused_at_once_and_the_writer_stays_usable() {
    let dir = tempfile::tempdir().expect("temp dir");
    let org = org(3, 1);
    let mut writer = C1zWriter::create(dir.path().join("sync.c1z"), fixed_options()).expect("creates");
    org.write(&mut writer).expect("writes");
    let e = dup(writer.put_resource_type(&model::person_type()).expect_err("dup"));
    assert_eq!(e, (RowKind::ResourceType, "person".to_owned()));
    assert!(
        writer.put_resource_type(&model::person_type()).unwrap_err().to_string().contains("written twice")
    );
    let summary = writer.finish().expect("the rejected duplicate left nothing behind");
    assert_eq!((summary.counts.resource_types, summary.counts.resources), (2, 4));
}

/// Writes one row of the org a second time.
type Repeat = fn(&mut C1zWriter, &model::Org);

#[test]
fn a_repeated_id_fails_finish_naming_it_and_publishes_nothing() {
    let org = org(3, 1);
    let cases: [(&str, Repeat, RowKind, &str); 3] = [
        (
            "resource",
            |w, o| w.put_resource(&o.resources[1]).expect("checked at finish"),
            RowKind::Resource,
            "person:60aa00000000",
        ),
        (
            "entitlement",
            |w, o| w.put_entitlement(&o.entitlements[0]).expect("checked at finish"),
            RowKind::Entitlement,
            "group:5f1c00000000:member",
        ),
        (
            "grant",
            |w, o| w.put_grant(&o.grants[2]).expect("checked at finish"),
            RowKind::Grant,
            "group:5f1c00000000:member:person:60aa00000002",
        ),
    ];
    for (label, repeat, kind, id) in cases {
        let (dir, target, before) = dir_with_good_file();
        let mut writer = C1zWriter::create(&target, fixed_options()).expect("creates");
        org.write(&mut writer).expect("writes");
        repeat(&mut writer, &org);
        let err = writer.finish().expect_err(label);
        assert!(err.to_string().contains("written twice"), "{label}: {err}");
        assert_eq!(dup(err), (kind, id.to_owned()), "{label}");
        assert_eq!(fs::read(&target).expect("reads"), before, "{label}: the previous file stays");
        assert_eq!(dir_entries(dir.path()), ["sync.c1z"], "{label}");
    }
}

#[test]
fn after_a_comparison_a_repeated_id_is_refused_at_once_and_the_writer_stays_usable() {
    let (_dir, target, _before) = dir_with_good_file();
    let org = org(3, 1);
    let mut writer = C1zWriter::create(&target, fixed_options()).expect("creates");
    org.write(&mut writer).expect("writes");
    writer.compare_with(&target, &ReaderOptions::default()).expect("compares");
    let e = dup(writer.put_resource(&org.resources[1]).expect_err("dup"));
    assert_eq!(e, (RowKind::Resource, "person:60aa00000000".to_owned()));
    let e = dup(writer.put_entitlement(&org.entitlements[0]).expect_err("dup"));
    assert_eq!(e, (RowKind::Entitlement, "group:5f1c00000000:member".to_owned()));
    let e = dup(writer.put_grant(&org.grants[2]).expect_err("dup"));
    assert_eq!(e, (RowKind::Grant, "group:5f1c00000000:member:person:60aa00000002".to_owned()));
    let summary = writer.finish().expect("the rejected duplicates left nothing behind");
    assert_eq!((summary.counts.resources, summary.counts.grants), (4, 3));
}

#[test]
fn messages_without_ids_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut writer = C1zWriter::create(dir.path().join("sync.c1z"), fixed_options()).expect("creates");
    let err = writer.put_resource(&Resource { display_name: "nameless".into(), ..Resource::default() });
    assert!(
        matches!(err, Err(WriteError::MissingField { kind: RowKind::Resource, field: "id", .. })),
        "{err:?}"
    );
    let err = writer.put_grant(&Grant { id: "g1".into(), ..Grant::default() });
    assert!(matches!(err, Err(WriteError::MissingField { field: "entitlement", .. })), "{err:?}");
}

#[test]
fn dropping_an_unfinished_writer_leaves_the_previous_file_and_no_temp_files() {
    let (dir, target, before) = dir_with_good_file();
    let mut writer = C1zWriter::create(&target, fixed_options()).expect("creates");
    org(50, 3).write(&mut writer).expect("writes");
    assert_eq!(dir_entries(dir.path()).len(), 2, "the database is built next to the target");
    drop(writer);
    assert_untouched(dir.path(), &target, &before);
}

#[test]
fn another_runs_staging_file_is_left_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("sync.c1z");
    // The names another run (or the SDK) could be staging under right now.
    let others = ["sync.c1z.tmp", ".sync.c1z.other.tmp"];
    for name in others {
        fs::write(dir.path().join(name), name).expect("writes");
    }
    let mut writer = C1zWriter::create(&target, fixed_options()).expect("creates");
    org(2, 1).write(&mut writer).expect("writes");
    writer.finish().expect("finishes");
    for name in others {
        assert_eq!(fs::read_to_string(dir.path().join(name)).expect("still there"), name);
    }
    assert_eq!(dir_entries(dir.path()), [".sync.c1z.other.tmp", "sync.c1z", "sync.c1z.tmp"]);
    C1zReader::open(&target, ReaderOptions::default()).expect("the published file is whole");
}

#[test]
fn concurrent_writers_to_one_target_let_one_in_and_refuse_the_others() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("sync.c1z");
    let barrier = Barrier::new(4);
    let outcomes: Vec<Result<String, WriteError>> = thread::scope(|scope| {
        let runs: Vec<_> = (0..4)
            .map(|n| {
                let (target, barrier) = (&target, &barrier);
                scope.spawn(move || {
                    let created = C1zWriter::create(target, WriterOptions::default());
                    // Every run has tried to create before any finishes (and releases the lock).
                    barrier.wait();
                    let mut writer = created?;
                    org(20 + n, 2).write(&mut writer)?;
                    writer.finish().map(|summary| summary.sync_id)
                })
            })
            .collect();
        runs.into_iter().map(|run| run.join().expect("the run did not panic")).collect()
    });
    let published: Vec<&String> = outcomes.iter().filter_map(|o| o.as_ref().ok()).collect();
    assert_eq!(published.len(), 1, "{outcomes:?}");
    for refused in outcomes.iter().filter_map(|o| o.as_ref().err()) {
        assert!(matches!(refused, WriteError::TargetBusy { path } if path == &target), "{refused:?}");
    }
    let reader = C1zReader::open(&target, ReaderOptions::default()).expect("a whole file");
    assert_eq!(&reader.latest_finished_full_sync().expect("reads").expect("one sync").id, published[0]);
    assert_eq!(dir_entries(dir.path()), ["sync.c1z"], "temporary files were left behind");
}

#[test]
fn the_written_file_is_private() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("sync.c1z");
    let mut writer = C1zWriter::create(&target, fixed_options()).expect("creates");
    org(2, 1).write(&mut writer).expect("writes");
    writer.finish().expect("finishes");
    let mode = fs::metadata(&target).expect("exists").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "mode {mode:o}");
}

#[test]
fn bad_options_are_refused_up_front() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("sync.c1z");
    let bad_id = WriterOptions { sync_id: Some("not-a-ksuid".into()), ..WriterOptions::default() };
    assert!(matches!(C1zWriter::create(&target, bad_id), Err(WriteError::InvalidSyncId { .. })));
    let bad_level = WriterOptions { compression_level: 0, ..WriterOptions::default() };
    assert!(matches!(C1zWriter::create(&target, bad_level), Err(WriteError::InvalidOption(_))));
    let no_dir = C1zWriter::create(dir.path().join("missing/sync.c1z"), WriterOptions::default());
    assert!(matches!(no_dir, Err(WriteError::InvalidTarget { .. })), "{no_dir:?}");
    assert!(dir_entries(dir.path()).is_empty());
}
