use charthop_connector::{MembershipSource, SyncError};
use charthop_domain::Employment;
use charthop_fake::Knobs;

use crate::harness::*;

const PERSONS: usize = 450;

#[tokio::test]
async fn list_mode_matches_ground_truth_in_the_lower_bound_of_requests() {
    let fake = fake(PERSONS, Knobs::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("sync.c1z");
    let report = run(&fake, &target, &options()).await.unwrap();

    let org = fake.org();
    let contents = read(&target);
    assert_eq!(contents.resources_by_type["person"], org.persons.len() as u64);
    assert_eq!(contents.resources_by_type["group"], org.groups.len() as u64);
    assert_eq!(contents.entitlement_ids.len(), org.groups.len());
    assert_eq!(contents.memberships, truth(&fake));
    assert_eq!(report.grants, org.memberships.len() as u64);
    assert_eq!(report.persons(), org.persons.len() as u64);

    // Statuses follow employment: ENABLED=1, DISABLED=2, UNSPECIFIED=0.
    for person in &org.persons {
        let expected = match person.employment_at(today()) {
            Employment::Active => 1,
            Employment::Departed { .. } => 2,
            Employment::PreHire { .. } | Employment::Unknown => 0,
        };
        assert_eq!(contents.person_statuses[&person.id], expected, "person {}", person.id);
    }
    for state in ["active", "departed", "pre-hire", "unknown"] {
        let in_org = org.persons_in_state(state).count() as u64;
        assert_eq!(report.persons_by_status.get(state).copied().unwrap_or(0), in_org, "{state}");
    }

    let expected = fake.expected_list_requests(PAGE_SIZE as usize).total();
    assert_eq!(fake.total_requests(), expected);
    assert_eq!(report.requests, expected);
}

#[tokio::test]
async fn auto_mode_falls_back_per_person_when_the_list_ignores_group_ids() {
    let knobs = Knobs { list_honours_group_ids: false, ..Knobs::default() };
    let fake = fake(PERSONS, knobs).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("sync.c1z");
    let report = run(&fake, &target, &options()).await.unwrap();

    assert_eq!(read(&target).memberships, truth(&fake));
    let persons = fake.org().persons.len() as u64;
    assert_eq!(report.membership_requests, persons);
    let lower_bound = fake.expected_list_requests(PAGE_SIZE as usize).total();
    assert_eq!(fake.total_requests(), lower_bound + persons);
}

#[tokio::test]
async fn per_person_mode_asks_once_per_person() {
    let fake = fake(PERSONS, Knobs::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("sync.c1z");
    let options =
        charthop_connector::SyncOptions { membership_source: MembershipSource::PerPerson, ..options() };
    run(&fake, &target, &options).await.unwrap();

    assert_eq!(read(&target).memberships, truth(&fake));
    let persons = fake.org().persons.len() as u64;
    let lower_bound = fake.expected_list_requests(PAGE_SIZE as usize).total();
    assert_eq!(fake.total_requests(), lower_bound + persons);
}

#[tokio::test]
async fn list_mode_refuses_a_list_without_group_ids_and_keeps_the_old_file() {
    let knobs = Knobs { list_honours_group_ids: false, ..Knobs::default() };
    let fake = fake(120, knobs).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("sync.c1z");
    std::fs::write(&target, b"previous good file").unwrap();
    let options = charthop_connector::SyncOptions { membership_source: MembershipSource::List, ..options() };

    let error = run(&fake, &target, &options).await.unwrap_err();
    assert!(matches!(error, SyncError::ListWithoutGroupIds { page: 1 }), "{error}");
    let message = error.to_string();
    assert!(!message.contains("--") && !message.contains("BATON_"), "names no flag: {message}");
    assert!(error.is_permanent());
    assert_eq!(std::fs::read(&target).unwrap(), b"previous good file");
    assert_eq!(temp_files(dir.path()), Vec::<String>::new());
}

#[tokio::test]
async fn paging_quirks_change_nothing_in_the_file() {
    let knobs = Knobs { from_inclusive: true, nested_rows: true, page_cap: Some(37), ..Knobs::default() };
    let fake = fake(300, knobs).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("sync.c1z");
    run(&fake, &target, &options()).await.unwrap();

    let contents = read(&target);
    assert_eq!(contents.resources_by_type["person"], fake.org().persons.len() as u64);
    assert_eq!(contents.memberships, truth(&fake));
    assert_eq!(fake.total_requests(), fake.expected_list_requests(PAGE_SIZE as usize).total());
}
