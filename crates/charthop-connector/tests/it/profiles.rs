//! Profiles and scope: the manager's email and name, the org's own fields, group types.

use std::collections::BTreeMap;
use std::path::Path;

use c1_proto::connector::v2::Resource;
use c1z::{C1zReader, ReaderOptions};
use charthop_connector::SyncError;
use charthop_fake::{Endpoint, Knobs};

use crate::harness::*;

const PERSONS: usize = 200;

/// Profiles by resource id, of the resources of `resource_type`.
fn profiles(path: &Path, resource_type: &str) -> BTreeMap<String, serde_json::Value> {
    let reader = C1zReader::open(path, ReaderOptions::default()).unwrap();
    let sync = reader.latest_finished_full_sync().unwrap().unwrap();
    reader
        .resources(&sync.id)
        .unwrap()
        .map(|r| r.unwrap())
        .filter(|r: &Resource| r.id.as_ref().unwrap().resource_type == resource_type)
        .map(|r| {
            let json = c1_proto::json::to_json_value(&r);
            (r.id.unwrap().resource, json["profile"].clone())
        })
        .collect()
}

fn text(profile: &serde_json::Value, key: &str) -> Option<String> {
    profile.get(key).and_then(|v| v.as_str()).map(str::to_owned)
}

#[tokio::test]
async fn manager_and_extra_fields_come_from_the_rows_flat_or_nested_without_extra_requests() {
    for nested_rows in [false, true] {
        let fake = fake(PERSONS, Knobs { nested_rows, ..Knobs::default() }).await;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("sync.c1z");
        let options = charthop_connector::SyncOptions {
            extra_fields: vec!["shirtSize".into(), "fte".into(), "noSuchField".into()],
            ..options()
        };
        let report = run(&fake, &target, &options).await.unwrap();
        assert_eq!(fake.total_requests(), fake.expected_list_requests(PAGE_SIZE as usize).total());
        assert_eq!(report.extra_fields_never_seen, ["noSuchField"]);

        let org = fake.org();
        let profiles = profiles(&target, "person");
        let mut managed = 0;
        for person in &org.persons {
            let profile = &profiles[&person.id];
            let manager = person.manager_id.as_deref().and_then(|m| org.person(m));
            managed += usize::from(manager.is_some());
            assert_eq!(text(profile, "manager_email"), manager.and_then(|m| m.work_email.clone()));
            let name = manager.map(|m| {
                let first = m.name.preferred_first.as_ref().or(m.name.first.as_ref()).unwrap();
                format!("{first} {}", m.name.last.as_ref().unwrap())
            });
            assert_eq!(text(profile, "manager_name"), name, "nested {nested_rows}");
            for (code, key) in [("shirtSize", "custom_shirtsize"), ("fte", "custom_fte")] {
                let served = charthop_fake::custom_field(person, code).map(|v| match v {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                });
                assert_eq!(text(profile, key), served, "{key} of {}", person.id);
            }
        }
        assert!(managed > PERSONS / 2, "{managed}");
        if !nested_rows {
            let one = org.persons.iter().find(|p| p.manager_id.is_some() && p.job_id.is_some()).unwrap();
            insta::assert_json_snapshot!(profiles[&one.id]);
        }
        fake.shutdown().await;
    }
}

#[tokio::test]
async fn an_extra_field_that_is_not_a_plain_code_fails_before_any_request() {
    let fake = fake(20, Knobs::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("sync.c1z");
    let options = charthop_connector::SyncOptions { extra_fields: vec!["fte,groupIds".into()], ..options() };
    let err = run(&fake, &target, &options).await.unwrap_err();
    assert!(
        matches!(&err, SyncError::ChartHop(charthop_client::Error::InvalidFieldCode { code, .. }) if code == "fte,groupIds"),
        "{err}"
    );
    assert!(err.is_permanent());
    assert_eq!(fake.total_requests(), 0);
    assert!(!target.exists());
    fake.shutdown().await;
}

#[tokio::test]
async fn group_types_limit_groups_and_memberships_but_persons_stay_whole() {
    let fake = fake(PERSONS, Knobs::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("sync.c1z");
    let options = charthop_connector::SyncOptions {
        group_types: Some(vec!["team".into(), " Location ".into()]),
        ..options()
    };
    let report = run(&fake, &target, &options).await.unwrap();

    let org = fake.org();
    let type_of = |group_id: &str| {
        let group = org.groups.iter().find(|g| g.id == group_id)?;
        org.group_types.iter().find(|t| Some(&t.id) == group.type_id.as_ref()).map(|t| t.name.as_str())
    };
    let kept = |group_id: &str| matches!(type_of(group_id), Some("TEAM" | "LOCATION"));
    let contents = read(&target);
    let expected_groups = org.groups.iter().filter(|g| kept(&g.id)).count() as u64;
    assert!(expected_groups > 0 && expected_groups < org.groups.len() as u64);
    assert_eq!(contents.resources_by_type["group"], expected_groups);
    assert_eq!(contents.entitlement_ids.len() as u64, expected_groups);
    let expected: std::collections::BTreeSet<_> = truth(&fake).into_iter().filter(|(g, _)| kept(g)).collect();
    assert_eq!(contents.memberships, expected);
    assert_eq!(report.memberships_out_of_scope, org.memberships.len() as u64 - expected.len() as u64);
    assert_eq!(report.skipped_memberships, 0, "the spec generates no dangling ids by default");
    assert_eq!(contents.resources_by_type["person"], org.persons.len() as u64, "persons stay whole");
    let departments = profiles(&target, "person").values().filter(|p| p.get("department").is_some()).count();
    assert!(departments > 0, "profiles still name the department");
    // A team's parent department is not written, but its name is still known.
    let groups = profiles(&target, "group");
    assert!(groups.values().any(|p| p.get("parent_group_name").is_some()));
    assert!(groups.values().all(|p| matches!(p["type"].as_str(), Some("TEAM" | "LOCATION"))));
    fake.shutdown().await;
}

#[tokio::test]
async fn a_group_type_the_org_does_not_have_fails_listing_the_types_it_has() {
    let fake = fake(20, Knobs::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("sync.c1z");
    let options = charthop_connector::SyncOptions {
        group_types: Some(vec!["TEAM".into(), "teams".into(), "Cost Center".into()]),
        ..options()
    };
    let err = run(&fake, &target, &options).await.unwrap_err();
    let SyncError::ChartHop(charthop_client::Error::UnknownGroupTypes { unknown, available }) = &err else {
        panic!("{err}")
    };
    assert_eq!(unknown, &["teams", "Cost Center"]);
    for name in ["COST_CENTER", "DEPARTMENT", "LOCATION", "TEAM"] {
        assert!(available.iter().any(|a| a == name), "{available:?}");
    }
    let message = err.to_string();
    assert!(message.contains("'teams' or 'Cost Center'") && message.contains("TEAM"), "{message}");
    assert!(!message.contains("--") && !message.contains("BATON_"), "{message}");
    assert!(err.is_permanent());
    assert!(!target.exists());
    assert_eq!(fake.requests(Endpoint::PersonList), 0, "no person is read");
    fake.shutdown().await;
}
