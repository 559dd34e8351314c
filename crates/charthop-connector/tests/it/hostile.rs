//! Hostile or broken ChartHop answers from the fake: the sync fails naming the cause, or
//! writes exactly the ground truth of what it could trust. Never a silently partial file.

use charthop_connector::SyncError;
use charthop_fake::{GroupIdsAnswer, Knobs};

use crate::harness::*;

const PERSONS: usize = 250;

/// Runs over a previous file; returns the outcome and whether that file and the directory
/// stayed as they were.
async fn over_previous(knobs: Knobs) -> (Result<charthop_connector::SyncReport, SyncError>, bool) {
    let fake = fake(PERSONS, knobs).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("sync.c1z");
    std::fs::write(&target, b"previous").unwrap();
    let outcome = run(&fake, &target, &options()).await;
    let untouched = std::fs::read(&target).unwrap() == b"previous" && temp_files(dir.path()).is_empty();
    (outcome, untouched)
}

#[tokio::test]
async fn memberships_left_out_of_every_answer_fail_the_sync() {
    for answer in [GroupIdsAnswer::Absent, GroupIdsAnswer::Text] {
        let knobs = Knobs { list_honours_group_ids: false, person_get_group_ids: answer, ..Knobs::default() };
        let (outcome, untouched) = over_previous(knobs).await;
        let error = outcome.unwrap_err();
        assert!(
            matches!(&error, SyncError::ChartHop(charthop_client::Error::MembershipUnreadable { .. })),
            "{answer:?}: {error}"
        );
        assert!(error.to_string().contains("group membership"), "{error}");
        assert!(error.is_permanent());
        assert!(untouched, "{answer:?}");
    }
}

#[tokio::test]
async fn a_person_list_of_null_fails_instead_of_writing_no_one() {
    let (outcome, untouched) = over_previous(Knobs { person_list_data_null: true, ..Knobs::default() }).await;
    let error = outcome.unwrap_err();
    assert!(matches!(error, SyncError::ChartHop(_)), "{error}");
    assert!(untouched);
}

#[tokio::test]
async fn a_huge_title_is_left_out_and_the_person_keeps_every_membership() {
    let fake = fake(PERSONS, Knobs { huge_title: Some(200 * 1024), ..Knobs::default() }).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("sync.c1z");
    let report = run(&fake, &target, &options()).await.unwrap();

    let first = fake.org().persons[0].id.clone();
    let contents = read(&target);
    assert!(
        contents.person_statuses.contains_key(&first),
        "the person stays: C1 must not revoke their access"
    );
    assert_eq!(report.mapping.refused_persons, 0);
    assert_eq!(report.mapping.dropped.get("title"), Some(&1));
    assert_eq!(contents.memberships, truth(&fake));
}

#[tokio::test]
async fn a_person_repeated_pages_later_is_written_once() {
    let fake = fake(PERSONS, Knobs { duplicate_person_across_pages: true, ..Knobs::default() }).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("sync.c1z");
    let report = run(&fake, &target, &options()).await.unwrap();

    let contents = read(&target);
    assert_eq!(contents.resources_by_type["person"], fake.org().persons.len() as u64);
    assert_eq!(contents.memberships, truth(&fake));
    assert_eq!(report.persons(), fake.org().persons.len() as u64);
    assert_eq!(report.grants, truth(&fake).len() as u64);
    assert!(report.duplicate_persons > 0);
}
