//! Task dispatch, uploads, heartbeats, cancellation, shutdown.

use std::sync::atomic::Ordering;
use std::time::Duration;

use c1_fake::{Knobs, Recorded};
use c1_proto::connectorapi::baton::v1::baton_service_finish_task_request::FinalState;
use c1_proto::connectorapi::baton::v1::task::{
    CreateAccountTask, CreateResourceTask, DeleteResourceTask, EventFeedTask, GrantTask, IssueCredentialTask,
    ListEventFeedsTask, RevokeTask, RotateCredentialsTask, SyncFullTask, TaskType,
};
use c1_proto::connectorapi::baton::v1::{BatonServiceFinishTaskRequest, Task};
use c1_service::{CancellationToken, ProvisioningTask, SyncRequest, TaskError, TaskHandler, TaskResponse};
use sha2::{Digest as _, Sha256};

use crate::support::{Behaviour, DummyHandler, Harness, WAIT, capture_logs, content, task};

const CHUNK: usize = 512 * 1024;

fn sync_task() -> Task {
    task(TaskType::SyncFull(SyncFullTask::default()))
}

async fn finish_of(harness: &Harness, task_id: &str) -> (BatonServiceFinishTaskRequest, Recorded) {
    let (seen, recorded) = harness.fake.wait_for(WAIT, |r| !r.finishes_of(task_id).is_empty()).await;
    assert!(seen, "no FinishTask for {task_id}: {recorded:?}");
    (recorded.finishes_of(task_id)[0].clone(), recorded)
}

fn error_of(finish: &BatonServiceFinishTaskRequest) -> (tonic::Code, String, bool) {
    let status = finish.status.as_ref().expect("a status");
    let Some(FinalState::Error(error)) = &finish.final_state else {
        panic!("expected an error final state: {finish:?}");
    };
    (tonic::Code::from(status.code), status.message.clone(), error.non_retryable)
}

#[tokio::test]
async fn sync_full_uploads_exactly_the_written_bytes_in_512_kib_chunks() {
    let harness = Harness::start(Knobs::default()).await;
    let len = 2 * CHUNK + 12_345;
    let mut sync = sync_task();
    sync.task_type = Some(TaskType::SyncFull(SyncFullTask {
        skip_grants: true,
        sync_resource_type_ids: vec!["group".to_owned()],
        ..SyncFullTask::default()
    }));
    harness.fake.push_task(sync.clone());
    let handler = DummyHandler::new(Behaviour::Write(len));
    let running = harness.spawn(handler.clone());
    let (finish, recorded) = finish_of(&harness, &sync.id).await;

    assert!(matches!(finish.final_state, Some(FinalState::Success(_))), "{finish:?}");
    assert_eq!(*handler.uploaded.lock().unwrap(), [sync.id.clone()], "told once C1 took the file");
    assert_eq!(finish.host_id, "test-host");
    assert_eq!(recorded.uploads.len(), 1);
    let upload = &recorded.uploads[0];
    assert!(upload.complete);
    assert_eq!((upload.host_id.as_str(), upload.task_id.as_str()), ("test-host", sync.id.as_str()));
    assert_eq!(upload.chunk_sizes, vec![CHUNK, CHUNK, 12_345]);
    assert_eq!(upload.data, content(len));
    assert_eq!(upload.sha256_checksum, Sha256::digest(content(len)).to_vec());
    assert_eq!(
        handler.requests.lock().unwrap()[0],
        SyncRequest {
            task_id: sync.id.clone(),
            skip_grants: true,
            skip_entitlements_and_grants: false,
            resource_type_ids: vec!["group".to_owned()],
            debug_log: None,
        }
    );
    // Heartbeats ran with the task's id in both fields.
    let beat = recorded.heartbeats.iter().find(|beat| beat.task_id == sync.id).expect("a heartbeat");
    assert_eq!(beat.task_ids, vec![sync.id.clone()]);
    assert!(running.shutdown().await.is_ok());
    assert_eq!(harness.leftovers(), Vec::<std::path::PathBuf>::new());
    let output = handler.outputs.lock().unwrap()[0].clone();
    assert!(output.starts_with(harness.work_dir.path()) && !output.exists());
}

#[tokio::test]
async fn a_debug_task_uploads_its_debug_log_after_the_sync_file() {
    let harness = Harness::start(Knobs::default()).await;
    let sync = Task { debug: true, ..sync_task() };
    harness.fake.push_task(sync.clone());
    let handler = DummyHandler::new(Behaviour::Write(1000));
    let running = harness.spawn(handler.clone());
    let (finish, recorded) = finish_of(&harness, &sync.id).await;

    assert!(matches!(finish.final_state, Some(FinalState::Success(_))), "{finish:?}");
    let log = handler.requests.lock().unwrap()[0].debug_log.clone().expect("a debug log path");
    assert!(log.starts_with(harness.work_dir.path()) && !log.exists(), "removed with the task: {log:?}");
    let uploads: Vec<_> = recorded.uploads.iter().filter(|u| u.task_id == sync.id).collect();
    assert_eq!(uploads.len(), 2, "{uploads:?}");
    assert!(uploads.iter().all(|u| u.complete));
    assert_eq!(uploads[0].data, content(1000), "the sync file first");
    assert_eq!(String::from_utf8_lossy(&uploads[1].data), format!("debug log of {}\n", sync.id));
    assert!(running.shutdown().await.is_ok());
    assert_eq!(harness.leftovers(), Vec::<std::path::PathBuf>::new());
}

#[tokio::test]
async fn a_dropped_upload_is_retried_and_succeeds() {
    let harness = Harness::start(Knobs { drop_next_upload: true, ..Knobs::default() }).await;
    let sync = sync_task();
    harness.fake.push_task(sync.clone());
    let len = CHUNK + 100;
    let running = harness.spawn(DummyHandler::new(Behaviour::Write(len)));
    let (finish, recorded) = finish_of(&harness, &sync.id).await;
    assert!(matches!(finish.final_state, Some(FinalState::Success(_))), "{finish:?}");
    assert_eq!(recorded.uploads.len(), 2);
    assert!(recorded.uploads[0].dropped && !recorded.uploads[0].complete);
    assert_eq!(recorded.uploads[0].chunk_sizes, vec![CHUNK]);
    assert!(recorded.uploads[1].complete);
    assert_eq!(recorded.uploads[1].data, content(len));
    assert!(running.shutdown().await.is_ok());
}

#[tokio::test]
async fn a_failed_sync_is_finished_with_its_code_message_and_retryability() {
    let harness = Harness::start(Knobs::default()).await;
    let sync = sync_task();
    harness.fake.push_task(sync.clone());
    let failure = TaskError::permanent(tonic::Code::PermissionDenied, "ChartHop rejected the API token");
    let running = harness.spawn(DummyHandler::new(Behaviour::Fail(failure)));
    let (finish, recorded) = finish_of(&harness, &sync.id).await;
    assert_eq!(
        error_of(&finish),
        (tonic::Code::PermissionDenied, "ChartHop rejected the API token".to_owned(), true)
    );
    assert!(recorded.uploads.is_empty());
    assert!(running.shutdown().await.is_ok());
    assert!(harness.leftovers().is_empty());
}

#[tokio::test]
async fn a_panicking_sync_is_logged_and_finished_internal_and_retryable() {
    let (logs, _guard) = capture_logs();
    let harness = Harness::start(Knobs::default()).await;
    let sync = sync_task();
    harness.fake.push_task(sync.clone());
    let running = harness.spawn(DummyHandler::new(Behaviour::Panic));
    let (finish, recorded) = finish_of(&harness, &sync.id).await;
    let (code, message, non_retryable) = error_of(&finish);
    assert_eq!(code, tonic::Code::Internal);
    assert!(message.contains("panic") && message.contains("can be run again"), "{message}");
    assert!(!non_retryable);
    assert!(recorded.uploads.is_empty());
    wait_until(|| harness.leftovers().is_empty()).await;
    // The heartbeat loop stopped with the task.
    let beats = harness.fake.recorded().heartbeats_of(&sync.id);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(harness.fake.recorded().heartbeats_of(&sync.id), beats);
    let logged = logs.lines().into_iter().find(|line| line.contains("the task panicked"));
    let logged = logged.expect("the panic is logged");
    assert!(logged.contains("ERROR") && logged.contains(&sync.id), "{logged}");
    assert!(logged.contains("the dummy connector panics on purpose"), "{logged}");
    assert!(running.shutdown().await.is_ok());
    assert_eq!(harness.fake.recorded().finishes_of(&sync.id).len(), 1);
}

#[tokio::test]
async fn provisioning_tasks_finish_failed_precondition_and_non_retryable() {
    let harness = Harness::start(Knobs::default()).await;
    let provisioning = [
        TaskType::Grant(GrantTask::default()),
        TaskType::Revoke(RevokeTask::default()),
        TaskType::CreateAccount(CreateAccountTask::default()),
        TaskType::CreateResource(CreateResourceTask::default()),
        TaskType::DeleteResource(DeleteResourceTask::default()),
        TaskType::RotateCredentials(RotateCredentialsTask::default()),
        TaskType::IssueCredential(IssueCredentialTask::default()),
    ];
    let tasks: Vec<Task> = provisioning.into_iter().map(task).collect();
    for task in &tasks {
        harness.fake.push_task(task.clone());
    }
    let handler = DummyHandler::new(Behaviour::Write(10));
    let running = harness.spawn(handler.clone());
    for task in &tasks {
        let (finish, _) = finish_of(&harness, &task.id).await;
        let (code, message, non_retryable) = error_of(&finish);
        assert_eq!(code, tonic::Code::FailedPrecondition);
        assert!(message.contains("does not support provisioning"), "{message}");
        assert!(non_retryable);
    }
    assert_eq!(handler.started(), 0);
    assert!(running.shutdown().await.is_ok());
}

#[tokio::test]
async fn other_task_types_finish_unknown_and_retryable() {
    let harness = Harness::start(Knobs::default()).await;
    let event_feed = task(TaskType::EventFeed(EventFeedTask::default()));
    let unset = Task { task_type: None, ..task(TaskType::EventFeed(EventFeedTask::default())) };
    let feeds = task(TaskType::ListEventFeeds(ListEventFeedsTask::default()));
    harness.fake.push_task(event_feed.clone());
    harness.fake.push_task(unset.clone());
    harness.fake.push_task(feeds.clone());
    let running = harness.spawn(DummyHandler::new(Behaviour::Write(10)));
    let (finish, _) = finish_of(&harness, &event_feed.id).await;
    assert_eq!(
        error_of(&finish),
        (tonic::Code::Unknown, "unsupported task type: event_feed".to_owned(), false)
    );
    let (finish, _) = finish_of(&harness, &unset.id).await;
    assert_eq!(error_of(&finish), (tonic::Code::Unknown, "unsupported task type: unset".to_owned(), false));
    let (finish, _) = finish_of(&harness, &feeds.id).await;
    let expected = (tonic::Code::Unknown, "unsupported task type: list_event_feeds".to_owned(), false);
    assert_eq!(error_of(&finish), expected);
    assert!(running.shutdown().await.is_ok());
}

#[tokio::test]
async fn a_heartbeat_cancellation_aborts_the_sync_without_finishing_it() {
    let harness = Harness::start(Knobs::default()).await;
    let sync = sync_task();
    harness.set_cancel_after(&sync.id, 2);
    harness.fake.push_task(sync.clone());
    let handler = DummyHandler::new(Behaviour::WaitForCancel);
    let running = harness.spawn(handler.clone());
    let (seen, _) = harness.fake.wait_for(WAIT, |r| r.heartbeats_of(&sync.id) >= 2).await;
    assert!(seen);
    wait_until(|| harness.leftovers().is_empty()).await;
    // Give a wrongly sent FinishTask or heartbeat time to arrive.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let recorded = harness.fake.recorded();
    assert!(recorded.finishes_of(&sync.id).is_empty(), "{:?}", recorded.finishes);
    assert_eq!(recorded.heartbeats_of(&sync.id), 2);
    assert!(recorded.uploads.is_empty());
    assert!(handler.outputs.lock().unwrap()[0].starts_with(harness.work_dir.path()));
    assert!(running.shutdown().await.is_ok());
    assert!(harness.leftovers().is_empty());
}

#[tokio::test]
async fn ten_failed_heartbeats_abort_the_sync_and_finish_it_with_an_error() {
    let harness = Harness::start(Knobs::default()).await;
    let sync = sync_task();
    harness.fake.push_task(sync.clone());
    let mut config = harness.config();
    // One slot: no polling while the task runs, so only heartbeats meet the failures.
    config.task_concurrency = 1;
    let handler = DummyHandler::new(Behaviour::WaitForCancel);
    let running = harness.spawn_with(config, handler.clone());
    wait_until(|| handler.started() == 1).await;
    harness.fake.set_knobs(|knobs| knobs.unavailable_calls = 10);
    let (finish, recorded) = finish_of(&harness, &sync.id).await;
    let (code, message, non_retryable) = error_of(&finish);
    assert_eq!(code, tonic::Code::Unavailable);
    assert!(message.contains("10 heartbeats"), "{message}");
    assert!(!non_retryable);
    let failed = recorded.refused.iter().filter(|call| call.rpc == "Heartbeat").count();
    assert_eq!(failed, 10);
    assert!(running.shutdown().await.is_ok());
    assert!(harness.leftovers().is_empty());
}

#[tokio::test]
async fn no_more_than_task_concurrency_syncs_run_at_once() {
    let harness = Harness::start(Knobs::default()).await;
    let tasks: Vec<Task> = (0..5).map(|_| sync_task()).collect();
    for task in &tasks {
        harness.fake.push_task(task.clone());
    }
    let mut config = harness.config();
    config.task_concurrency = 2;
    let handler = DummyHandler::new(Behaviour::SlowWrite(Duration::from_millis(300), 64));
    let running = harness.spawn_with(config, handler.clone());
    let (all, recorded) = harness.fake.wait_for(WAIT, |r| r.finishes.len() == tasks.len()).await;
    assert!(all, "{recorded:?}");
    assert_eq!(handler.max_running.load(Ordering::SeqCst), 2);
    assert!(running.shutdown().await.is_ok());
}

#[tokio::test]
async fn shutdown_hands_running_tasks_back_retryably_and_cleans_up() {
    let harness = Harness::start(Knobs::default()).await;
    let sync = sync_task();
    harness.fake.push_task(sync.clone());
    let mut config = harness.config();
    config.shutdown_grace = Duration::from_millis(200);
    let handler = DummyHandler::new(Behaviour::WaitForCancel);
    let running = harness.spawn_with(config, handler.clone());
    wait_until(|| handler.started() == 1).await;
    let polls_before = harness.fake.recorded().get_tasks;
    assert!(running.shutdown().await.is_ok());
    let recorded = harness.fake.recorded();
    let finish = &recorded.finishes_of(&sync.id)[0];
    let (code, message, non_retryable) = error_of(finish);
    assert_eq!(code, tonic::Code::Unavailable);
    assert!(message.contains("shutting down"), "{message}");
    assert!(!non_retryable);
    assert!(recorded.get_tasks <= polls_before + 1, "kept polling after shutdown");
    assert!(harness.leftovers().is_empty());
}

#[tokio::test]
async fn shutdown_lets_a_task_that_ends_within_the_grace_period_finish_normally() {
    let harness = Harness::start(Knobs::default()).await;
    let sync = sync_task();
    harness.fake.push_task(sync.clone());
    let handler = DummyHandler::new(Behaviour::SlowWrite(Duration::from_millis(300), 64));
    let running = harness.spawn(handler.clone());
    wait_until(|| handler.started() == 1).await;
    assert!(running.shutdown().await.is_ok());
    let recorded = harness.fake.recorded();
    let finish = &recorded.finishes_of(&sync.id)[0];
    assert!(matches!(finish.final_state, Some(FinalState::Success(_))), "{finish:?}");
    assert!(recorded.uploads[0].complete);
}

#[tokio::test]
async fn permission_denied_polls_never_end_the_daemon_and_work_resumes() {
    let harness = Harness::start(Knobs { get_task_permission_denied: 4, ..Knobs::default() }).await;
    let sync = sync_task();
    harness.fake.push_task(sync.clone());
    let running = harness.spawn(DummyHandler::new(Behaviour::Write(10)));
    let (finished, recorded) = harness.fake.wait_for(WAIT, |r| !r.finishes_of(&sync.id).is_empty()).await;
    assert!(finished, "the task ran once C1 allowed polls again: {recorded:?}");
    let denied = recorded.refused.iter().filter(|c| c.code == tonic::Code::PermissionDenied).count();
    assert_eq!(denied, 4);
    assert!(running.shutdown().await.is_ok());
}

#[tokio::test]
async fn a_task_c1_no_longer_knows_is_still_uploaded_three_times_and_finished_with_the_upload_code() {
    let harness = Harness::start(Knobs { tasks_forgotten: true, ..Knobs::default() }).await;
    let sync = sync_task();
    harness.fake.push_task(sync.clone());
    let handler = DummyHandler::new(Behaviour::Write(10));
    let running = harness.spawn(handler.clone());
    let (finish, recorded) = finish_of(&harness, &sync.id).await;
    assert_eq!(recorded.forgotten_uploads, 3, "{recorded:?}");
    assert!(handler.uploaded.lock().unwrap().is_empty(), "no upload was accepted");
    let (code, message, non_retryable) = error_of(&finish);
    assert_eq!(code, tonic::Code::NotFound, "{message}");
    assert!(!non_retryable);
    assert!(running.shutdown().await.is_ok());
}

/// A connector that grants: it overrides `provision` for grant tasks and keeps the default
/// refusal for every other kind.
struct GrantingHandler;

impl TaskHandler for GrantingHandler {
    fn metadata(&self) -> c1_proto::connector::v2::ConnectorMetadata {
        c1_proto::connector::v2::ConnectorMetadata { display_name: "Granting".into(), ..Default::default() }
    }

    async fn sync_full(
        &self,
        _: SyncRequest,
        _: &std::path::Path,
        _: CancellationToken,
    ) -> Result<(), TaskError> {
        Err(TaskError::permanent(tonic::Code::Unimplemented, "no syncs here"))
    }

    async fn provision(
        &self,
        task: ProvisioningTask,
        _: CancellationToken,
    ) -> Result<TaskResponse, TaskError> {
        match task {
            ProvisioningTask::Grant(grant) => {
                let principal = grant.principal.and_then(|p| p.id).map(|id| id.resource).unwrap_or_default();
                Ok(Some(prost_types::Any { type_url: "test/granted".into(), value: principal.into_bytes() }))
            }
            other => {
                Err(TaskError::permanent(tonic::Code::FailedPrecondition, format!("no {}", other.kind())))
            }
        }
    }
}

#[tokio::test]
async fn a_connector_that_overrides_provision_answers_grant_tasks_with_its_response() {
    use c1_proto::connector::v2::{Resource, ResourceId};
    let harness = Harness::start(Knobs::default()).await;
    let principal = Resource {
        id: Some(ResourceId { resource_type: "user".into(), resource: "u1".into(), ..Default::default() }),
        ..Default::default()
    };
    let grant = task(TaskType::Grant(GrantTask { principal: Some(principal), ..Default::default() }));
    let action = task(TaskType::ActionInvoke(Default::default()));
    harness.fake.push_task(grant.clone());
    harness.fake.push_task(action.clone());
    let running = harness.spawn_handler(harness.config(), std::sync::Arc::new(GrantingHandler));
    let (finish, _) = finish_of(&harness, &grant.id).await;
    let Some(FinalState::Success(success)) = &finish.final_state else { panic!("{finish:?}") };
    let response = success.response.as_ref().expect("the handler's response is sent");
    assert_eq!((response.type_url.as_str(), response.value.as_slice()), ("test/granted", b"u1".as_slice()));
    let (finish, _) = finish_of(&harness, &action.id).await;
    let (code, message, non_retryable) = error_of(&finish);
    assert_eq!(code, tonic::Code::FailedPrecondition);
    assert!(message.contains("does not support actions (action_invoke tasks)"), "{message}");
    assert!(non_retryable);
    assert!(running.shutdown().await.is_ok());
}

async fn wait_until(condition: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !condition() {
        assert!(tokio::time::Instant::now() < deadline, "condition not met within {WAIT:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

impl Harness {
    fn set_cancel_after(&self, task_id: &str, heartbeats: usize) {
        let task_id = task_id.to_owned();
        self.fake.set_knobs(|knobs| knobs.cancel_task_after_heartbeats = Some((task_id, heartbeats)));
    }
}
