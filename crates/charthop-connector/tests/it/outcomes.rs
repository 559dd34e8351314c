use std::time::Duration;

use charthop_client::{ChartHopClient, ClientConfig, Url};
use charthop_connector::{NoProgress, ResourceTypeFilter, SyncError, sync};
use charthop_domain::Employment;
use charthop_fake::{Knobs, OrgSpec};
use tokio_util::sync::CancellationToken;

use crate::harness::*;

#[tokio::test]
async fn memberships_of_unknown_groups_are_skipped_and_counted() {
    let spec = OrgSpec { dangling_group_ids: 7, ..OrgSpec::new(200, 9).with_today(today()) };
    let fake = fake_with(spec, Knobs::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("sync.c1z");
    let report = run(&fake, &target, &options()).await.unwrap();

    assert_eq!(report.skipped_memberships, 7);
    assert_eq!(read(&target).memberships, truth(&fake));
}

#[tokio::test]
async fn departed_persons_can_be_left_out() {
    let fake = fake(300, Knobs::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("sync.c1z");
    let options = charthop_connector::SyncOptions { include_departed: false, ..options() };
    let report = run(&fake, &target, &options).await.unwrap();

    let org = fake.org();
    let departed: Vec<_> = org
        .persons
        .iter()
        .filter(|p| matches!(p.employment_at(today()), Employment::Departed { .. }))
        .map(|p| p.id.clone())
        .collect();
    assert!(!departed.is_empty());
    assert_eq!(report.departed_excluded, departed.len() as u64);
    let contents = read(&target);
    assert_eq!(contents.resources_by_type["person"], (org.persons.len() - departed.len()) as u64);
    assert!(contents.memberships.iter().all(|(_, person)| !departed.contains(person)));
    assert!(departed.iter().all(|id| !contents.person_statuses.contains_key(id)));
}

#[tokio::test]
async fn skip_options_and_type_filters_leave_no_dangling_rows() {
    let fake = fake(150, Knobs::default()).await;
    let dir = tempfile::tempdir().unwrap();

    let no_grants = dir.path().join("no-grants.c1z");
    let skip = charthop_connector::SyncOptions { skip_grants: true, ..options() };
    run(&fake, &no_grants, &skip).await.unwrap();
    let contents = read(&no_grants);
    assert!(contents.memberships.is_empty());
    assert_eq!(contents.entitlement_ids.len(), fake.org().groups.len());

    let persons_only = dir.path().join("persons-only.c1z");
    let only = charthop_connector::SyncOptions {
        resource_types: ResourceTypeFilter::Only(vec!["person".into()]),
        ..options()
    };
    let report = run(&fake, &persons_only, &only).await.unwrap();
    let contents = read(&persons_only);
    assert_eq!(contents.resources_by_type.keys().collect::<Vec<_>>(), ["person"]);
    assert!(contents.entitlement_ids.is_empty() && contents.memberships.is_empty());
    assert_eq!(report.file.counts.resource_types, 1);

    let no_entitlements = dir.path().join("no-entitlements.c1z");
    let skip = charthop_connector::SyncOptions { skip_entitlements_and_grants: true, ..options() };
    run(&fake, &no_entitlements, &skip).await.unwrap();
    let contents = read(&no_entitlements);
    assert!(contents.entitlement_ids.is_empty() && contents.memberships.is_empty());
    assert_eq!(contents.resources_by_type["group"], fake.org().groups.len() as u64);
}

#[tokio::test]
async fn a_rejected_token_is_permanent_and_leaves_the_old_file() {
    let fake = fake(50, Knobs::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("sync.c1z");
    std::fs::write(&target, b"previous").unwrap();
    let config = ClientConfig::new("wrong-token", fake.org().org_id.clone())
        .with_base_url(Url::parse(&fake.base_url()).unwrap());
    let client = ChartHopClient::new(config).unwrap();

    let error = sync(&client, &target, &options(), &NoProgress, &CancellationToken::new()).await.unwrap_err();
    assert!(matches!(&error, SyncError::ChartHop(e) if e.status() == Some(401)), "{error}");
    assert!(error.is_permanent());
    assert_eq!(std::fs::read(&target).unwrap(), b"previous");
    assert_eq!(temp_files(dir.path()), Vec::<String>::new());
}

#[tokio::test]
async fn cancellation_stops_the_sync_and_cleans_up() {
    let knobs = Knobs { latency: Duration::from_millis(50), ..Knobs::default() };
    let fake = fake(2_000, knobs).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("sync.c1z");
    let cancel = CancellationToken::new();
    let canceller = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        canceller.cancel();
    });

    let error = sync(&client(&fake), &target, &options(), &NoProgress, &cancel).await.unwrap_err();
    assert!(matches!(error, SyncError::Cancelled), "{error}");
    assert!(!target.exists());
    assert_eq!(temp_files(dir.path()), Vec::<String>::new());
}

#[tokio::test]
async fn a_reused_client_reports_only_this_syncs_requests() {
    let fake = fake(150, Knobs::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let client = client(&fake);
    let lower_bound = fake.expected_list_requests(PAGE_SIZE as usize).total();
    for name in ["first.c1z", "second.c1z"] {
        let report =
            sync(&client, &dir.path().join(name), &options(), &NoProgress, &CancellationToken::new())
                .await
                .unwrap();
        assert_eq!(report.requests, lower_bound, "{name}");
    }
    assert_eq!(client.stats().requests, 2 * lower_bound);
}
