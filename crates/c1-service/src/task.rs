//! Running one task: dispatch on its type, heartbeats while it runs, and the FinishTask report.

use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use c1_proto::connectorapi::baton::v1::baton_service_finish_task_request::{
    Error as FinishError, FinalState, Success as FinishSuccess,
};
use c1_proto::connectorapi::baton::v1::task::{SyncFullTask, TaskType};
use c1_proto::connectorapi::baton::v1::{BatonServiceFinishTaskRequest, BatonServiceHeartbeatRequest, Task};
use c1_proto::google::rpc::Status;
use futures::FutureExt as _;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::context::{Context, clamp_optional, sleep_or_stop};
use crate::handler::{ActionTask, ProvisioningTask, SyncRequest, TaskError, TaskHandler, TaskResponse};
use crate::panics::{catch_panic, log_panic, panicked};
use crate::upload::{Asset, UploadPlan, upload_file};
use error_reporter::Report;

const SYNC_FILE_NAME: &str = "sync.c1z";
const DEBUG_LOG_FILE_NAME: &str = "debug.log";
const FINISH_ATTEMPTS: u32 = 3;
/// How long a cancelled task's work may take to wind down before it is dropped.
const CANCEL_CLEANUP_GRACE: Duration = Duration::from_secs(10);

/// Why a running task was stopped before it ended on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Abort {
    /// C1 ended the task (heartbeat answer): it must not be finished.
    CancelledByC1,
    /// Heartbeats failed too many times in a row.
    HeartbeatsLost,
}

/// [`run_task`], with a panic outside the sync work (which [`run_sync`] catches itself) also
/// logged and reported to C1 as a retryable Internal error.
pub(crate) async fn run_task_reporting_panics<H: TaskHandler>(
    context: Arc<Context<H>>,
    task: Task,
    next_heartbeat: Option<prost_types::Duration>,
    cancel: CancellationToken,
) {
    let task_id = task.id.clone();
    // C1 expects no FinishTask for a hello task.
    let expects_finish = !matches!(task.task_type, Some(TaskType::Hello(_)));
    let run = AssertUnwindSafe(run_task(Arc::clone(&context), task, next_heartbeat, cancel));
    if let Err(payload) = run.catch_unwind().await {
        log_panic(&task_id, payload.as_ref());
        if expects_finish {
            finish(&context, &task_id, &Err(panicked())).await;
        }
    }
}

async fn run_task<H: TaskHandler>(
    context: Arc<Context<H>>,
    task: Task,
    next_heartbeat: Option<prost_types::Duration>,
    cancel: CancellationToken,
) {
    let task_id = task.id.clone();
    let kind = task_type_name(task.task_type.as_ref());
    tracing::info!(task_id, task_type = kind, "took a task");
    let started = Instant::now();
    let outcome = match task.task_type {
        Some(TaskType::Hello(_)) => {
            // Answered with a Hello carrying the task id; C1 expects no FinishTask.
            match context.client.hello(context.hello_request(&task_id)).await {
                Ok(()) => tracing::info!(task_id, "answered a hello task"),
                Err(error) => {
                    tracing::warn!(task_id, error = %Report::new(&error), "hello task: Hello failed")
                }
            }
            return;
        }
        Some(TaskType::SyncFull(sync)) => {
            match run_sync(&context, &task_id, sync, task.debug, next_heartbeat, cancel).await {
                Some(outcome) => outcome.map(|()| None),
                None => return,
            }
        }
        Some(task_type) => match provisioning_or_action(task_type) {
            Some(Work::Provisioning(task)) => {
                catch_panic(&task_id, context.handler.provision(*task, cancel)).await
            }
            Some(Work::Action(task)) => catch_panic(&task_id, context.handler.action(task, cancel)).await,
            None => Err(TaskError::retryable(tonic::Code::Unknown, format!("unsupported task type: {kind}"))),
        },
        None => Err(TaskError::retryable(tonic::Code::Unknown, format!("unsupported task type: {kind}"))),
    };
    finish(&context, &task_id, &outcome).await;
    let elapsed_ms = started.elapsed().as_millis() as u64;
    match &outcome {
        Ok(_) => tracing::info!(task_id, task_type = kind, elapsed_ms, "finished a task"),
        Err(error) => tracing::warn!(
            task_id,
            task_type = kind,
            elapsed_ms,
            code = ?error.code,
            non_retryable = error.non_retryable,
            message = %error.message,
            "finished a task with an error"
        ),
    }
}

/// A task the handler answers through one of its provisioning or action methods.
enum Work {
    // Boxed: a grant task carries whole resources, an action task a few strings.
    Provisioning(Box<ProvisioningTask>),
    Action(ActionTask),
}

fn provisioning_or_action(task_type: TaskType) -> Option<Work> {
    use ProvisioningTask as P;
    Some(match task_type {
        TaskType::Grant(task) => Work::Provisioning(Box::new(P::Grant(task))),
        TaskType::Revoke(task) => Work::Provisioning(Box::new(P::Revoke(task))),
        TaskType::CreateAccount(task) => Work::Provisioning(Box::new(P::CreateAccount(task))),
        TaskType::CreateResource(task) => Work::Provisioning(Box::new(P::CreateResource(task))),
        TaskType::DeleteResource(task) => Work::Provisioning(Box::new(P::DeleteResource(task))),
        TaskType::RotateCredentials(task) => Work::Provisioning(Box::new(P::RotateCredentials(task))),
        TaskType::IssueCredential(task) => Work::Provisioning(Box::new(P::IssueCredential(task))),
        TaskType::ActionListSchemas(task) => Work::Action(ActionTask::ListSchemas(task)),
        TaskType::ActionGetSchema(task) => Work::Action(ActionTask::GetSchema(task)),
        TaskType::ActionInvoke(task) => Work::Action(ActionTask::Invoke(task)),
        TaskType::ActionStatus(task) => Work::Action(ActionTask::Status(task)),
        _ => return None,
    })
}

/// The sync, with heartbeats alongside. `None` when C1 cancelled the task (no FinishTask).
async fn run_sync<H: TaskHandler>(
    context: &Arc<Context<H>>,
    task_id: &str,
    sync: SyncFullTask,
    debug: bool,
    next_heartbeat: Option<prost_types::Duration>,
    shutdown: CancellationToken,
) -> Option<Result<(), TaskError>> {
    let work_cancel = shutdown.child_token();
    let abort = Arc::new(OnceLock::new());
    let heartbeats_done = CancellationToken::new();
    // Stops the heartbeat loop however this function is left, an unwinding panic included.
    let _stop_heartbeats = heartbeats_done.clone().drop_guard();
    let heartbeats = tokio::spawn(heartbeat_loop(
        Arc::clone(context),
        task_id.to_owned(),
        next_heartbeat,
        work_cancel.clone(),
        Arc::clone(&abort),
        heartbeats_done.clone(),
    ));
    let request = SyncRequest {
        task_id: task_id.to_owned(),
        skip_grants: sync.skip_grants,
        skip_entitlements_and_grants: sync.skip_entitlements_and_grants,
        resource_type_ids: sync.sync_resource_type_ids,
        debug_log: None,
    };
    let work = catch_panic(task_id, sync_and_upload(context, request, debug, work_cancel.clone()));
    tokio::pin!(work);
    let outcome = tokio::select! {
        outcome = &mut work => Some(outcome),
        () = work_cancel.cancelled() => {
            // Let the handler see the cancellation and clean up its own work (a writer thread,
            // say) before the work is dropped; dropping it deletes the temporary directory.
            let _ = tokio::time::timeout(CANCEL_CLEANUP_GRACE, &mut work).await;
            None
        }
    };
    heartbeats_done.cancel();
    if let Err(error) = heartbeats.await {
        tracing::warn!(task_id, %error, "the heartbeat loop ended abnormally");
    }
    match (outcome, abort.get()) {
        (_, Some(Abort::CancelledByC1)) => {
            tracing::info!(task_id, "C1 cancelled the task; stopped it without finishing it");
            None
        }
        (_, Some(Abort::HeartbeatsLost)) => Some(Err(TaskError::retryable(
            tonic::Code::Unavailable,
            format!(
                "stopped the sync: {} heartbeats to C1 failed in a row",
                context.timing().max_heartbeat_failures
            ),
        ))),
        (Some(Ok(())), None) => Some(Ok(())),
        (Some(Err(error)), None) if !work_cancel.is_cancelled() => Some(Err(error)),
        // Shutdown: whatever the handler made of its cancellation, C1 should run it again.
        (_, None) => Some(Err(TaskError::retryable(
            tonic::Code::Unavailable,
            "the connector is shutting down; the sync was stopped and can be run again",
        ))),
    }
}

async fn sync_and_upload<H: TaskHandler>(
    context: &Arc<Context<H>>,
    mut request: SyncRequest,
    debug: bool,
    cancel: CancellationToken,
) -> Result<(), TaskError> {
    let task_id = request.task_id.clone();
    let work_dir = context.config.work_dir.clone().unwrap_or_else(std::env::temp_dir);
    let directory =
        tempfile::Builder::new().prefix("baton-task-").tempdir_in(&work_dir).map_err(|error| {
            TaskError::retryable(
                tonic::Code::Internal,
                format!("could not create a temporary directory in {}: {error}", work_dir.display()),
            )
        })?;
    let path = directory.path().join(SYNC_FILE_NAME);
    let debug_log = debug.then(|| directory.path().join(DEBUG_LOG_FILE_NAME));
    request.debug_log.clone_from(&debug_log);
    context.handler.sync_full(request, &path, cancel).await?;
    let uploaded = upload_file(&context.client, upload_plan(context, &task_id, &path, Asset::SyncFile))
        .await
        .map_err(|error| TaskError::retryable(error.code(), Report::new(&error).to_string()))?;
    tracing::info!(
        task_id,
        bytes = uploaded.bytes,
        duration_ms = uploaded.duration.as_millis() as u64,
        "uploaded the sync file"
    );
    context.handler.sync_uploaded(&task_id).await;
    if let Some(log) = debug_log {
        upload_debug_log(context, &task_id, &log).await;
    }
    drop(directory);
    Ok(())
}

fn upload_plan<'a, H: TaskHandler>(
    context: &'a Arc<Context<H>>,
    task_id: &'a str,
    path: &'a Path,
    asset: Asset,
) -> UploadPlan<'a> {
    let timing = context.timing();
    UploadPlan {
        host_id: context.host_id(),
        task_id,
        path,
        asset,
        chunk_bytes: timing.upload_chunk_bytes,
        attempts: timing.upload_attempts,
        retry_delay: timing.backoff_initial,
    }
}

/// The debug log C1 asked for, as a second asset. C1 already holds the sync, so a debug log
/// that cannot be sent is a warning, not a failed task.
async fn upload_debug_log<H: TaskHandler>(context: &Arc<Context<H>>, task_id: &str, log: &Path) {
    match tokio::fs::metadata(log).await {
        Ok(meta) if meta.len() > 0 => {}
        _ => {
            tracing::warn!(task_id, "C1 asked for the task's debug log, but the connector wrote none");
            return;
        }
    }
    match upload_file(&context.client, upload_plan(context, task_id, log, Asset::DebugLog)).await {
        Ok(uploaded) => tracing::info!(task_id, bytes = uploaded.bytes, "uploaded the task's debug log"),
        Err(error) => {
            tracing::warn!(task_id, error = %Report::new(&error), "the task's debug log was not uploaded")
        }
    }
}

async fn heartbeat_loop<H: TaskHandler>(
    context: Arc<Context<H>>,
    task_id: String,
    next_heartbeat: Option<prost_types::Duration>,
    work_cancel: CancellationToken,
    abort: Arc<OnceLock<Abort>>,
    done: CancellationToken,
) {
    let timing = context.timing().clone();
    let interval_of = |value| {
        clamp_optional(value, timing.heartbeat_min, timing.heartbeat_max).unwrap_or(timing.heartbeat_default)
    };
    let mut interval = interval_of(next_heartbeat);
    let mut failures = 0;
    loop {
        let request = BatonServiceHeartbeatRequest {
            host_id: context.host_id().to_owned(),
            task_id: task_id.clone(),
            annotations: vec![],
            task_ids: vec![task_id.clone()],
        };
        let answer = tokio::select! {
            answer = context.client.heartbeat(request) => answer,
            () = done.cancelled() => return,
        };
        match answer {
            Ok(answer) => {
                context.reach.succeeded("Heartbeat");
                failures = 0;
                if answer.cancelled || answer.cancelled_task_ids.contains(&task_id) {
                    let _ = abort.set(Abort::CancelledByC1);
                    work_cancel.cancel();
                    return;
                }
                interval = interval_of(answer.next_heartbeat);
            }
            Err(error) => {
                context.reach.failed("Heartbeat");
                failures += 1;
                tracing::warn!(task_id, failures, error = %Report::new(&error), "heartbeat failed");
                if failures >= timing.max_heartbeat_failures {
                    let _ = abort.set(Abort::HeartbeatsLost);
                    work_cancel.cancel();
                    return;
                }
            }
        }
        if sleep_or_stop(interval, &done).await {
            return;
        }
    }
}

async fn finish<H: TaskHandler>(
    context: &Context<H>,
    task_id: &str,
    outcome: &Result<TaskResponse, TaskError>,
) {
    let (status, final_state) = match outcome {
        Ok(response) => (
            Status { code: tonic::Code::Ok as i32, message: String::new(), details: vec![] },
            FinalState::Success(FinishSuccess { annotations: vec![], response: response.clone() }),
        ),
        Err(error) => (
            Status { code: error.code as i32, message: error.message.clone(), details: vec![] },
            FinalState::Error(FinishError {
                non_retryable: error.non_retryable,
                annotations: vec![],
                response: None,
            }),
        ),
    };
    let request = BatonServiceFinishTaskRequest {
        host_id: context.host_id().to_owned(),
        task_id: task_id.to_owned(),
        status: Some(status),
        final_state: Some(final_state),
    };
    for attempt in 1..=FINISH_ATTEMPTS {
        match context.client.finish_task(request.clone()).await {
            Ok(()) => return,
            Err(error) if error.is_fatal_for_retry() || attempt == FINISH_ATTEMPTS => {
                tracing::error!(task_id, attempt, error = %Report::new(&error), "could not report the task's end to C1");
                return;
            }
            Err(error) => {
                tracing::warn!(task_id, attempt, error = %Report::new(&error), "FinishTask failed; retrying");
                tokio::time::sleep(context.timing().backoff_initial.min(Duration::from_secs(5))).await;
            }
        }
    }
}

/// The task's oneof arm as named in the proto, for logs and error messages.
fn task_type_name(task_type: Option<&TaskType>) -> &'static str {
    match task_type {
        None => "unset",
        Some(task_type) => match task_type {
            TaskType::None(_) => "none",
            TaskType::Hello(_) => "hello",
            TaskType::SyncFull(_) => "sync_full",
            TaskType::Grant(_) => "grant",
            TaskType::Revoke(_) => "revoke",
            TaskType::CreateAccount(_) => "create_account",
            TaskType::CreateResource(_) => "create_resource",
            TaskType::DeleteResource(_) => "delete_resource",
            TaskType::RotateCredentials(_) => "rotate_credentials",
            TaskType::EventFeed(_) => "event_feed",
            TaskType::CreateTicketTask(_) => "create_ticket_task",
            TaskType::ListTicketSchemas(_) => "list_ticket_schemas",
            TaskType::GetTicket(_) => "get_ticket",
            TaskType::BulkCreateTickets(_) => "bulk_create_tickets",
            TaskType::BulkGetTickets(_) => "bulk_get_tickets",
            TaskType::ActionListSchemas(_) => "action_list_schemas",
            TaskType::ActionGetSchema(_) => "action_get_schema",
            TaskType::ActionInvoke(_) => "action_invoke",
            TaskType::ActionStatus(_) => "action_status",
            TaskType::CreateSyncDiff(_) => "create_sync_diff",
            TaskType::CompactSyncs(_) => "compact_syncs",
            TaskType::ListEventFeeds(_) => "list_event_feeds",
            TaskType::ListEvents(_) => "list_events",
            TaskType::IssueCredential(_) => "issue_credential",
        },
    }
}
