//! The mass-change guard refuses a sync that removes too much; cancellation never publishes.

use std::path::Path;

use charthop_connector::{Baseline, BaselineCounts, Progress, SyncError, SyncEvent, SyncOptions, sync};
use charthop_domain::Employment;
use charthop_fake::{FakeChartHop, Knobs, Org, OrgSpec, generate_org};
use tokio_util::sync::CancellationToken;

use crate::harness::*;

fn org(persons: usize) -> Org {
    generate_org(&OrgSpec::new(persons, 42).with_today(today()))
}

async fn serve(org: &Org) -> FakeChartHop {
    FakeChartHop::start(org.clone(), Knobs::default()).await.unwrap()
}

/// The org without its first `n` persons (and their memberships).
fn without_persons(org: &Org, n: usize) -> Org {
    let mut org = org.clone();
    let gone: Vec<String> = org.persons.drain(..n).map(|p| p.id).collect();
    org.memberships.retain(|m| !gone.contains(&m.person_id));
    org
}

/// A good previous sync of `org` at `target`; returns its bytes.
async fn previous_sync(org: &Org, target: &Path) -> Vec<u8> {
    run(&serve(org).await, target, &options()).await.unwrap();
    std::fs::read(target).unwrap()
}

fn assert_untouched(target: &Path, previous: &[u8]) {
    assert!(std::fs::read(target).unwrap() == previous, "the previous file changed");
    assert_eq!(temp_files(target.parent().unwrap()), Vec::<String>::new());
}

#[tokio::test]
async fn too_many_vanished_persons_are_refused_and_the_previous_file_stays() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("sync.c1z");
    let before = org(200);
    let previous = previous_sync(&before, &target).await;

    let after = serve(&without_persons(&before, 60)).await;
    let error = run(&after, &target, &options()).await.unwrap_err();
    let SyncError::MassChange { comparison, persons, ratio } = &error else { panic!("{error}") };
    assert_eq!((comparison.previous_persons, comparison.persons_vanished, *persons), (200, 60, 140));
    assert_eq!(*ratio, 0.2);
    assert!(error.is_permanent());
    let message = error.to_string();
    assert!(message.contains("200") && message.contains("60") && message.contains(" to 1"), "{message}");
    assert_untouched(&target, &previous);

    // Allowed when the ratio is raised to 1; the report carries the numbers.
    let allowed = SyncOptions { max_removed_ratio: 1.0, ..options() };
    let report = run(&after, &target, &allowed).await.unwrap();
    let comparison = report.comparison.expect("compared with the previous file");
    assert_eq!((comparison.previous_persons, comparison.persons_vanished), (200, 60));
    assert_eq!(read(&target).resources_by_type["person"], 140);
}

#[tokio::test]
async fn a_few_vanished_persons_pass_and_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("sync.c1z");
    let before = org(200);
    previous_sync(&before, &target).await;

    let report = run(&serve(&without_persons(&before, 12)).await, &target, &options()).await.unwrap();
    let comparison = report.comparison.unwrap();
    assert_eq!((comparison.persons_vanished, comparison.persons_disabled), (12, 0));
    assert_eq!(report.baseline_counts(), BaselineCounts { persons: 188, grants: report.grants });
}

#[tokio::test]
async fn persons_turning_disabled_count_as_removed() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("sync.c1z");
    let before = org(200);
    let previous = previous_sync(&before, &target).await;

    let mut after = before.clone();
    let yesterday = today().pred_opt().unwrap();
    let mut disabled = 0;
    for person in &mut after.persons {
        if disabled < 50 && person.employment_at(today()) == Employment::Active {
            person.end_date = Some(yesterday);
            disabled += 1;
        }
    }
    assert_eq!(disabled, 50);
    let error = run(&serve(&after).await, &target, &options()).await.unwrap_err();
    let SyncError::MassChange { comparison, .. } = &error else { panic!("{error}") };
    assert_eq!((comparison.persons_vanished, comparison.persons_disabled), (0, 50));
    assert_untouched(&target, &previous);
}

#[tokio::test]
async fn vanished_grants_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("sync.c1z");
    let before = org(200);
    let previous = previous_sync(&before, &target).await;

    let mut after = before.clone();
    for person in &mut after.persons {
        person.group_ids = Some(Vec::new());
    }
    after.memberships.clear();
    let error = run(&serve(&after).await, &target, &options()).await.unwrap_err();
    let SyncError::MassChange { comparison, .. } = &error else { panic!("{error}") };
    assert_eq!(comparison.grants_vanished, comparison.previous_grants);
    assert!(comparison.previous_grants >= 10);
    assert_untouched(&target, &previous);
}

#[tokio::test]
async fn an_empty_person_list_after_a_non_empty_sync_is_refused_whatever_the_ratio() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("sync.c1z");
    let before = org(5);
    let previous = previous_sync(&before, &target).await;

    let empty = serve(&without_persons(&before, 5)).await;
    let lenient = SyncOptions { max_removed_ratio: 0.99, ..options() };
    let error = run(&empty, &target, &lenient).await.unwrap_err();
    assert!(matches!(error, SyncError::MassChange { persons: 0, .. }), "{error}");
    assert_untouched(&target, &previous);
}

#[tokio::test]
async fn counts_baseline_compares_by_the_drop_and_none_skips_the_guard() {
    let dir = tempfile::tempdir().unwrap();
    let fake = serve(&org(100)).await;
    let previous = BaselineCounts { persons: 1000, grants: 0 };
    let counted = SyncOptions { baseline: Baseline::Counts(previous), ..options() };
    let error = run(&fake, &dir.path().join("sync.c1z"), &counted).await.unwrap_err();
    let SyncError::MassChange { comparison, .. } = &error else { panic!("{error}") };
    assert_eq!((comparison.previous_persons, comparison.persons_vanished), (1000, 900));
    assert!(!dir.path().join("sync.c1z").exists());

    let unguarded = SyncOptions { baseline: Baseline::None, ..counted };
    let report = run(&fake, &dir.path().join("sync.c1z"), &unguarded).await.unwrap();
    assert_eq!(report.comparison, None);
}

/// Cancels the sync when it reaches its last step.
struct CancelWhenFinishing(CancellationToken);

impl Progress for CancelWhenFinishing {
    fn event(&self, event: &SyncEvent) {
        if *event == SyncEvent::Finishing {
            self.0.cancel();
        }
    }
}

#[tokio::test]
async fn a_cancel_while_finishing_never_publishes() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("sync.c1z");
    let before = org(300);
    let previous = previous_sync(&before, &target).await;

    let fake = serve(&before).await;
    let cancel = CancellationToken::new();
    let progress = CancelWhenFinishing(cancel.clone());
    let error = sync(&client(&fake), &target, &options(), &progress, &cancel).await.unwrap_err();
    assert!(matches!(error, SyncError::Cancelled), "{error}");
    assert!(cancel.is_cancelled());
    assert_untouched(&target, &previous);
}
