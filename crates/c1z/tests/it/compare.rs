//! `C1zWriter::compare_with`: what would vanish or turn disabled if the sync being written
//! replaced the previous file.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use c1_proto::connector::v2::{Resource, UserTrait, status, user_trait};
use c1_proto::{find_annotation, pack_any};
use c1z::{C1zWriter, Comparison, ReaderOptions, WriteError, WriterOptions};

use crate::model::{self, fixed_options, org};
use crate::support::write_file;

fn publish(target: &Path, people: usize) {
    let mut writer = C1zWriter::create(target, fixed_options()).expect("creates");
    org(people, 2).write(&mut writer).expect("writes");
    writer.finish().expect("finishes");
}

fn disabled_by_resource_status(mut p: Resource) -> Resource {
    p.status.as_mut().expect("persons have a status").status = status::ResourceStatus::Disabled as i32;
    p
}

fn disabled_by_trait_only(mut p: Resource) -> Resource {
    p.status = None;
    let mut user: UserTrait = find_annotation(&p.annotations).expect("decodes").expect("a user trait");
    user.status.as_mut().expect("a status").status = user_trait::status::Status::Disabled as i32;
    p.annotations = vec![pack_any(&user)];
    p
}

fn by_type(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

#[test]
fn vanished_and_newly_disabled_rows_are_counted_per_type() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("sync.c1z");
    publish(&target, 20);

    // The new sync: persons 0..3 gone (with their grants), 4 disabled by Resource.status, 5 by
    // its UserTrait only, 6 changed otherwise, the rest as they were, and one new person.
    let previous = org(20, 2);
    let options =
        WriterOptions { sync_id: Some("2ZqH3x8mY1tK7wQpLr5vN0aBcDf".to_owned()), ..fixed_options() };
    let mut writer = C1zWriter::create(&target, options).expect("creates");
    previous.resource_types.iter().for_each(|rt| writer.put_resource_type(rt).expect("writes"));
    for r in &previous.resources {
        let id = &r.id.as_ref().expect("id").resource;
        let person = (0..20).find(|n| *id == format!("60aa{n:08x}"));
        let written = match person {
            Some(0..=2) => continue,
            Some(4) => disabled_by_resource_status(r.clone()),
            Some(5) => disabled_by_trait_only(r.clone()),
            Some(6) => Resource { display_name: "Renamed".to_owned(), ..r.clone() },
            _ => r.clone(),
        };
        writer.put_resource(&written).expect("writes");
    }
    writer.put_resource(&model::person(99)).expect("writes");
    previous.entitlements.iter().for_each(|e| writer.put_entitlement(e).expect("writes"));
    for g in previous.grants.iter().skip(3) {
        writer.put_grant(g).expect("writes");
    }

    let comparison =
        writer.compare_with(&target, &ReaderOptions::default()).expect("compares").expect("some");
    assert_eq!(comparison.previous.resources_by_type, by_type(&[("group", 2), ("person", 20)]));
    assert_eq!(comparison.previous.grants, 20);
    assert_eq!(
        comparison,
        Comparison {
            previous: comparison.previous.clone(),
            vanished_by_type: by_type(&[("person", 3)]),
            disabled_by_type: by_type(&[("person", 2)]),
            grants_vanished: 3,
        }
    );
    // The writer goes on after a comparison, and still publishes a whole file.
    writer.put_resource(&model::person(100)).expect("still writes");
    let summary = writer.finish().expect("finishes after comparing");
    assert_eq!(summary.counts.resources, 2 + 17 + 2);
}

#[test]
fn an_unchanged_sync_compares_as_no_change_and_a_disabled_person_stays_uncounted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("sync.c1z");
    let mut writer = C1zWriter::create(&target, fixed_options()).expect("creates");
    let mut before = org(5, 1);
    before.resources[2] = disabled_by_resource_status(before.resources[2].clone());
    before.write(&mut writer).expect("writes");
    writer.finish().expect("finishes");

    let mut writer = C1zWriter::create(&target, fixed_options()).expect("creates");
    let mut after = org(5, 1);
    // Disabled before and now, with other changes: not newly disabled.
    after.resources[2] =
        Resource { display_name: "x".into(), ..disabled_by_resource_status(after.resources[2].clone()) };
    after.write(&mut writer).expect("writes");
    let comparison =
        writer.compare_with(&target, &ReaderOptions::default()).expect("compares").expect("some");
    assert!(
        comparison.vanished_by_type.is_empty() && comparison.disabled_by_type.is_empty(),
        "{comparison:?}"
    );
    assert_eq!(comparison.grants_vanished, 0);
    assert_eq!(comparison.previous.resources, 6);
}

#[test]
fn no_previous_file_is_none_and_an_unreadable_one_is_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("sync.c1z");
    let mut writer = C1zWriter::create(&target, fixed_options()).expect("creates");
    org(3, 1).write(&mut writer).expect("writes");
    assert_eq!(writer.compare_with(&target, &ReaderOptions::default()).expect("no file"), None);

    let garbage = write_file(dir.path(), "garbage.c1z", b"not a c1z at all");
    let err = writer.compare_with(&garbage, &ReaderOptions::default()).expect_err("unreadable");
    assert!(matches!(&err, WriteError::Previous { path, .. } if path == &garbage), "{err:?}");
    let cause = std::error::Error::source(&err).expect("chained").to_string();
    assert!(cause.contains("bad magic"), "{cause}");
    writer.finish().expect("the writer is unaffected");
}

#[test]
fn the_previous_file_is_read_within_the_reader_limits() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("sync.c1z");
    publish(&target, 50);
    let mut writer = C1zWriter::create(&target, fixed_options()).expect("creates");
    org(3, 1).write(&mut writer).expect("writes");
    let tight = ReaderOptions { max_decoded_bytes: 4096, ..ReaderOptions::default() };
    let err = writer.compare_with(&target, &tight).expect_err("over the cap");
    let cause = std::error::Error::source(&err).expect("chained");
    assert!(
        matches!(cause.downcast_ref::<c1z::ReadError>(), Some(c1z::ReadError::TooLarge { .. })),
        "{cause}"
    );
}

/// 300,000 persons against 300,000 (one in ten gone, one in a hundred disabled). Run with
/// `cargo test -p c1z --release -- --ignored compare`; the comparison itself takes seconds.
#[test]
#[ignore = "a large sync: run in release"]
fn three_hundred_thousand_persons_compare_in_seconds() {
    const PEOPLE: usize = 300_000;
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("sync.c1z");
    let write = |writer: &mut C1zWriter, new: bool| {
        writer.put_resource_type(&model::person_type()).expect("writes");
        for n in 0..PEOPLE {
            let p = model::person(n);
            match (new, n % 100) {
                (true, 0..10) => {}
                (true, 10) => writer.put_resource(&disabled_by_resource_status(p)).expect("writes"),
                _ => writer.put_resource(&p).expect("writes"),
            }
        }
    };
    let options = || WriterOptions { compression_level: 1, ..fixed_options() };
    let mut writer = C1zWriter::create(&target, options()).expect("creates");
    write(&mut writer, false);
    writer.finish().expect("finishes");
    let mut writer = C1zWriter::create(&target, options()).expect("creates");
    write(&mut writer, true);
    let started = Instant::now();
    let comparison =
        writer.compare_with(&target, &ReaderOptions::default()).expect("compares").expect("some");
    let took = started.elapsed();
    assert_eq!(comparison.vanished_by_type, by_type(&[("person", (PEOPLE / 10) as u64)]));
    assert_eq!(comparison.disabled_by_type, by_type(&[("person", (PEOPLE / 100) as u64)]));
    assert!(took.as_secs() < 10, "the comparison took {took:?}");
    eprintln!("compared {PEOPLE} persons in {took:?}");
}
