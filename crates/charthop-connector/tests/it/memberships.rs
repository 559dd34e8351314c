//! Per-person membership answers that do not carry `groupIds` fail the sync: a token without
//! access to memberships must never look like an org where nobody is in a group.

use axum::extract::Path;
use axum::routing::get;
use charthop_client::{ChartHopClient, ClientConfig, Url};
use charthop_connector::{MembershipSource, NoProgress, SyncError, SyncOptions, sync};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::harness::*;

const ORG: &str = "5f0000000000000000000001";

/// A ChartHop whose person list never carries `groupIds` and whose per-person answer for `p2`
/// is `p2_answer`.
async fn stub(p2_answer: Value) -> String {
    two_person_stub(get(move |Path((_, person)): Path<(String, String)>| {
        let p2_answer = p2_answer.clone();
        async move {
            if person == "p2" {
                axum::Json(p2_answer)
            } else {
                axum::Json(json!({"id": person, "groupIds": ["g1"]}))
            }
        }
    }))
    .await
}

async fn sync_against(
    base: &str,
    options: &SyncOptions,
) -> (Result<charthop_connector::SyncReport, SyncError>, bool) {
    let config = ClientConfig::new("token", ORG).with_base_url(Url::parse(base).unwrap());
    let client = ChartHopClient::new(config).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("sync.c1z");
    std::fs::write(&target, b"previous").unwrap();
    let outcome = sync(&client, &target, options, &NoProgress, &CancellationToken::new()).await;
    let untouched = std::fs::read(&target).unwrap() == b"previous" && temp_files(dir.path()).is_empty();
    (outcome, untouched)
}

fn assert_names_the_person_and_the_access(error: &SyncError) {
    let message = error.to_string();
    assert!(message.contains("'p2'"), "{message}");
    assert!(message.contains("group membership"), "{message}");
    assert!(error.is_permanent(), "{message}");
}

#[tokio::test]
async fn auto_fails_when_the_per_person_answer_lacks_group_ids_too() {
    let base = stub(json!({"id": "p2"})).await;
    let (outcome, untouched) = sync_against(&base, &options()).await;
    let error = outcome.unwrap_err();
    assert_names_the_person_and_the_access(&error);
    assert!(untouched, "the previous file stays and no temporary file is left");
}

#[tokio::test]
async fn per_person_fails_on_group_ids_of_the_wrong_type() {
    let base = stub(json!({"id": "p2", "groupIds": "g1"})).await;
    let options = SyncOptions { membership_source: MembershipSource::PerPerson, ..options() };
    let (outcome, untouched) = sync_against(&base, &options).await;
    assert_names_the_person_and_the_access(&outcome.unwrap_err());
    assert!(untouched);
}

#[tokio::test]
async fn answers_with_group_ids_sync_as_before() {
    let base = stub(json!({"id": "p2", "groupIds": []})).await;
    let (outcome, _) = sync_against(&base, &options()).await;
    let report = outcome.unwrap();
    assert_eq!((report.persons(), report.grants, report.membership_requests), (2, 1, 2));
}
