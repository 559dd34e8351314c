//! A large-ish sync: 200k grants in small transactions, streamed back page by page (memory is
//! measured by `cargo xtask bench`, not here).

use c1z::{C1zReader, C1zWriter, ReaderOptions, WriterOptions};

use crate::model::{self, SYNC_ID, fixed_options};

#[test]
fn two_hundred_thousand_grants() {
    const PEOPLE: usize = 20_000;
    const GROUPS: usize = 10;
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("sync.c1z");
    let options = WriterOptions { compression_level: 1, ..fixed_options() };
    let mut writer = C1zWriter::create(&target, options).expect("creates");
    writer.put_resource_type(&model::group_type()).expect("writes");
    writer.put_resource_type(&model::person_type()).expect("writes");
    let groups: Vec<_> = (0..GROUPS).map(model::group).collect();
    let entitlements: Vec<_> = groups.iter().map(model::member_entitlement).collect();
    for g in &groups {
        writer.put_resource(g).expect("writes");
    }
    for e in &entitlements {
        writer.put_entitlement(e).expect("writes");
    }
    // Every person is in every group; people are built one at a time, never held.
    for n in 0..PEOPLE {
        let person = model::person(n);
        writer.put_resource(&person).expect("writes");
        for e in &entitlements {
            writer.put_grant(&model::grant(e, &person)).expect("writes");
        }
    }
    let summary = writer.finish().expect("finishes");
    assert_eq!(summary.counts.grants, (PEOPLE * GROUPS) as u64);

    let reader = C1zReader::open(&target, ReaderOptions::default()).expect("opens");
    let mut seen = 0usize;
    for grant in reader.grants(SYNC_ID).expect("query") {
        let grant = grant.expect("decodes");
        let expected_group = seen % GROUPS;
        assert_eq!(grant.entitlement.expect("embedded").id, entitlements[expected_group].id);
        seen += 1;
    }
    assert_eq!(seen, PEOPLE * GROUPS);
}
