//! A person deleted between the list and the per-person membership request.

use axum::http::StatusCode;
use axum::routing::get;
use charthop_client::{ChartHopClient, ClientConfig, Url};
use charthop_connector::{NoProgress, sync};
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::harness::*;

const ORG: &str = "5f0000000000000000000001";

async fn stub() -> String {
    two_person_stub(get(
        |axum::extract::Path((_, person)): axum::extract::Path<(String, String)>| async move {
            if person == "p1" {
                Ok(axum::Json(json!({"id": "p1", "groupIds": ["g1"]})))
            } else {
                Err((StatusCode::NOT_FOUND, axum::Json(json!({"code": 404, "message": "not found"}))))
            }
        },
    ))
    .await
}

#[tokio::test]
async fn a_person_gone_before_its_membership_request_is_kept_without_grants() {
    let base = stub().await;
    let config = ClientConfig::new("token", ORG).with_base_url(Url::parse(&base).unwrap());
    let client = ChartHopClient::new(config).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("sync.c1z");

    let report = sync(&client, &target, &options(), &NoProgress, &CancellationToken::new()).await.unwrap();
    assert_eq!(report.persons(), 2);
    assert_eq!(report.membership_requests, 2);
    let contents = read(&target);
    assert_eq!(contents.memberships, [("g1".to_owned(), "p1".to_owned())].into_iter().collect());
}
