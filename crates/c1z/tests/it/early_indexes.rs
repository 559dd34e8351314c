//! `C1zWriter::build_indexes`: indexes built while rows still go in give the file the same
//! rows and the same indexes as indexes built at finish, and repeats are then found at once.

use c1z::{C1zWriter, WriteError, WriterOptions};

use crate::model::{Org, fixed_options, org};
use crate::support::open_db;

/// Writes half of `org`'s resources and grants, maybe builds the indexes, writes the rest.
fn write_in_halves(org: &Org, target: &std::path::Path, options: WriterOptions, early: bool) {
    let mut writer = C1zWriter::create(target, options).expect("creates");
    org.resource_types.iter().for_each(|rt| writer.put_resource_type(rt).expect("writes"));
    let (first, rest) = org.resources.split_at(org.resources.len() / 2);
    first.iter().for_each(|r| writer.put_resource(r).expect("writes"));
    org.entitlements.iter().for_each(|e| writer.put_entitlement(e).expect("writes"));
    let (first_grants, rest_grants) = org.grants.split_at(org.grants.len() / 2);
    first_grants.iter().for_each(|g| writer.put_grant(g).expect("writes"));
    if early {
        writer.build_indexes().expect("builds the indexes");
        writer.build_indexes().expect("a second call has nothing left to build");
    }
    rest.iter().for_each(|r| writer.put_resource(r).expect("writes"));
    rest_grants.iter().for_each(|g| writer.put_grant(g).expect("writes"));
    writer.finish().expect("finishes");
}

/// Every row of the three large tables, by row order, and the indexes the file declares.
fn contents(db: &rusqlite::Connection) -> Vec<String> {
    let mut out = Vec::new();
    for sql in [
        "SELECT external_id || ' ' || hex(data) FROM v1_resources ORDER BY id",
        "SELECT external_id || ' ' || hex(data) FROM v1_entitlements ORDER BY id",
        "SELECT external_id || ' ' || hex(data) FROM v1_grants ORDER BY id",
        "SELECT name || ' ' || sql FROM sqlite_master WHERE type = 'index' ORDER BY name",
    ] {
        let mut statement = db.prepare(sql).expect("prepares");
        let rows = statement.query_map([], |row| row.get::<_, String>(0)).expect("queries");
        out.extend(rows.map(|r| r.expect("reads")));
    }
    out
}

#[test]
fn indexes_built_early_give_the_rows_and_indexes_of_indexes_built_at_finish() {
    let org = org(40, 3);
    let dir = tempfile::tempdir().expect("temp dir");
    for live_resource_ids in [false, true] {
        let options = || WriterOptions { live_resource_ids, ..fixed_options() };
        let (at_finish, early) = (dir.path().join("at-finish.c1z"), dir.path().join("early.c1z"));
        write_in_halves(&org, &at_finish, options(), false);
        write_in_halves(&org, &early, options(), true);
        let expected = contents(&open_db(&at_finish, dir.path()));
        assert!(expected.iter().filter(|line| line.starts_with("idx_grants")).count() >= 5, "{expected:?}");
        assert_eq!(contents(&open_db(&early, dir.path())), expected, "live_resource_ids {live_resource_ids}");
    }
}

/// A writer holding all of `org`, strict or keeping the first of a repeated id.
fn holding(org: &Org, dir: &std::path::Path, keep_first: bool) -> C1zWriter {
    let name = if keep_first { "keep-first.c1z" } else { "strict.c1z" };
    let options = WriterOptions { keep_first, ..fixed_options() };
    let mut writer = C1zWriter::create(dir.join(name), options).expect("creates");
    org.write(&mut writer).expect("writes");
    writer
}

#[test]
fn after_early_indexes_a_repeated_grant_is_found_as_it_is_written() {
    let org = org(4, 1);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut writer = holding(&org, dir.path(), false);
    writer.build_indexes().expect("builds");
    let repeated = &org.grants[1];
    match writer.put_grant(repeated) {
        Err(WriteError::DuplicateId { id, .. }) => assert_eq!(id, repeated.id),
        other => panic!("expected DuplicateId at once, got {other:?}"),
    }

    let mut writer = holding(&org, dir.path(), true);
    writer.build_indexes().expect("builds");
    let before = writer.counts().grants;
    writer.put_grant(repeated).expect("left out");
    assert_eq!(writer.counts().grants, before);
    assert_eq!(writer.finish().expect("finishes").repeats.grants, 1);
}

#[test]
fn building_early_over_a_repeat_already_written_fails_or_keeps_the_first_as_finish_would() {
    let org = org(4, 1);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut writer = holding(&org, dir.path(), false);
    writer.put_grant(&org.grants[0]).expect("not checked before the index exists");
    let err = writer.build_indexes().expect_err("the index build meets the repeat");
    assert!(matches!(&err, WriteError::DuplicateId { id, .. } if *id == org.grants[0].id), "{err}");

    let mut writer = holding(&org, dir.path(), true);
    writer.put_grant(&org.grants[0]).expect("not checked before the index exists");
    writer.build_indexes().expect("keep-first drops the later copy");
    assert_eq!(writer.finish().expect("finishes").repeats.grants, 1);
}
