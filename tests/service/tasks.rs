//! Tasks this connector refuses, and a sync C1 cancels through a heartbeat.

use std::time::Duration;

use c1_fake::Knobs;
use c1_proto::connectorapi::baton::v1::task::SyncFullTask;
use c1_proto::tonic::Code;

use crate::harness::{ChartHopSetup, World, error_of, eventually, grant_task, sync_task};

#[tokio::test]
async fn a_grant_task_finishes_failed_precondition_and_non_retryable() {
    let world = World::start(Knobs::default()).await;
    let task = grant_task();
    world.c1.push_task(task.clone());
    let service = world.spawn(&[]);
    let recorded =
        world.expect_c1(&service, "the grant's FinishTask", |r| !r.finishes_of(&task.id).is_empty()).await;

    let (code, message, non_retryable) = error_of(recorded.finishes_of(&task.id)[0]);
    assert_eq!(code, Code::FailedPrecondition);
    assert!(message.contains("provisioning"), "the message says why: {message}");
    assert!(non_retryable, "a retry cannot make a read-only connector provision");
    assert!(recorded.uploads.is_empty());
    assert_eq!(world.charthop.total_requests(), 0, "a grant task never reaches ChartHop");
}

#[tokio::test]
async fn a_heartbeat_cancellation_aborts_the_sync_without_finishing_it() {
    // Slow enough that the sync (about 35 requests at 10 persons a page) outlives the
    // cancelling heartbeat (the second one, which the binary sends after at least 1 s).
    let charthop = ChartHopSetup {
        knobs: charthop_fake::Knobs { latency: Duration::from_millis(150), ..Default::default() },
        ..ChartHopSetup::default()
    };
    let world = World::start_with(Knobs::default(), charthop).await;
    let sync = sync_task(SyncFullTask::default());
    world.c1.set_knobs(|knobs| knobs.cancel_task_after_heartbeats = Some((sync.id.clone(), 2)));
    world.c1.push_task(sync.clone());
    let full_sync_requests = world.charthop.expected_list_requests(10).total();
    let service = world.spawn(&["--page-size", "10"]);

    let started = eventually(Duration::from_secs(10), || !world.temp_entries().is_empty()).await;
    assert!(started, "the sync never made a temporary file; logs:\n{}", service.logs());
    world.expect_c1(&service, "the cancelling heartbeat", |r| r.heartbeats_of(&sync.id) >= 2).await;
    let cleaned = eventually(Duration::from_secs(5), || world.temp_entries().is_empty()).await;
    assert!(cleaned, "left behind: {:?}\nlogs:\n{}", world.temp_entries(), service.logs());

    // The sync has stopped asking ChartHop for pages (one answer may have been in flight).
    let requests_at_abort = world.charthop.total_requests();
    tokio::time::sleep(Duration::from_millis(800)).await;
    let requests_after = world.charthop.total_requests();
    assert!(requests_after <= requests_at_abort + 1, "{requests_at_abort} -> {requests_after}");
    assert!(requests_after < full_sync_requests, "{requests_after} of {full_sync_requests}: not aborted");

    // The service goes on: a later task is finished, but the cancelled one never is.
    let later = grant_task();
    world.c1.push_task(later.clone());
    let recorded = world
        .expect_c1(&service, "the later task's FinishTask", |r| !r.finishes_of(&later.id).is_empty())
        .await;
    assert!(recorded.finishes_of(&sync.id).is_empty(), "{:?}", recorded.finishes_of(&sync.id));
    assert!(recorded.uploads.is_empty());
    assert_eq!(recorded.heartbeats_of(&sync.id), 2, "no heartbeat after the cancellation");
    assert_eq!(service.log_lines_with("C1 cancelled the task").len(), 1, "{}", service.logs());
    let observed =
        format!("aborted after {requests_after} of {full_sync_requests} requests; no upload, no temp file");
    crate::harness::fault_row(
        "heartbeat cancellation",
        "cancel_task_after_heartbeats=2",
        "sync aborted, not finished",
        &observed,
    );
}
