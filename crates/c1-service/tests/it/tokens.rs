//! The client assertion as the fake checks it, and token refresh.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use c1_fake::Knobs;
use c1_proto::connectorapi::baton::v1::task::{SyncFullTask, TaskType};
use serde_json::json;

use crate::support::{Behaviour, DummyHandler, Harness, TENANT_HOST, WAIT, task};

#[tokio::test]
async fn the_assertion_is_signed_and_claims_the_tenant_host_as_audience() {
    let harness = Harness::start(Knobs::default()).await;
    let mut running = harness.spawn(DummyHandler::new(Behaviour::Write(10)));
    tokio::time::timeout(WAIT, running.ready.wait_for(|ready| *ready)).await.unwrap().unwrap();
    let recorded = harness.fake.recorded();
    let request = &recorded.token_requests[0];
    // The fake verified the signature with the registered public key and every claim.
    assert_eq!(request.outcome, Ok(()));
    assert_eq!(request.client_id, harness.credentials.client_id);
    assert_eq!(request.http_version, "HTTP/2.0", "h2 negotiated by ALPN, as Go clients do");
    let header = request.assertion_header.as_ref().unwrap();
    assert_eq!(header["alg"], "EdDSA");
    let nonce = URL_SAFE_NO_PAD.decode(header["nonce"].as_str().unwrap()).unwrap();
    assert_eq!(nonce.len(), 16);
    let claims = request.assertion_claims.as_ref().unwrap();
    assert_eq!(claims["iss"], harness.credentials.client_id.as_str());
    assert_eq!(claims["sub"], harness.credentials.client_id.as_str());
    // The tenant host, not the 127.0.0.1 override the connection went to.
    assert_eq!(claims["aud"], json!([TENANT_HOST]));
    let iat = claims["iat"].as_i64().unwrap();
    assert_eq!(claims["nbf"].as_i64().unwrap(), iat - 120);
    assert_eq!(claims["exp"].as_i64().unwrap(), iat + 120);
    // One token serves every call while it is valid.
    assert_eq!(recorded.token_requests.len(), 1);
    assert!(running.shutdown().await.is_ok());
}

#[tokio::test]
async fn an_expiring_token_is_refreshed_before_calls_fail() {
    let harness = Harness::start(Knobs { token_lifetime_secs: 1, ..Knobs::default() }).await;
    let sync = task(TaskType::SyncFull(SyncFullTask::default()));
    harness.fake.push_task(sync.clone());
    let handler = DummyHandler::new(Behaviour::SlowWrite(Duration::from_millis(2500), 100));
    let running = harness.spawn(handler);
    let (finished, recorded) = harness.fake.wait_for(WAIT, |r| !r.finishes_of(&sync.id).is_empty()).await;
    assert!(finished, "{recorded:?}");
    assert!(recorded.token_requests.len() >= 3, "{} token requests", recorded.token_requests.len());
    assert!(recorded.token_requests.iter().all(|request| request.outcome.is_ok()));
    assert!(recorded.heartbeats_of(&sync.id) >= 5);
    let unauthenticated: Vec<_> =
        recorded.refused.iter().filter(|call| call.code == tonic::Code::Unauthenticated).collect();
    assert!(unauthenticated.is_empty(), "{unauthenticated:?}");
    assert!(recorded.uploads[0].complete);
    assert!(running.shutdown().await.is_ok());
}
