//! The seam where a connector plugs in.

use std::future::Future;
use std::path::{Path, PathBuf};

use c1_proto::connector::v2::ConnectorMetadata;
use c1_proto::connectorapi::baton::v1::task::{
    ActionGetSchemaTask, ActionInvokeTask, ActionListSchemasTask, ActionStatusTask, CreateAccountTask,
    CreateResourceTask, DeleteResourceTask, GrantTask, IssueCredentialTask, RevokeTask,
    RotateCredentialsTask,
};
use tokio_util::sync::CancellationToken;

/// What a provisioning or action task may send back in FinishTask's `success.response`.
pub type TaskResponse = Option<prost_types::Any>;

/// A provisioning task (grant, revoke, accounts, resources, credentials), as C1 sent it.
#[derive(Clone, Debug, PartialEq)]
pub enum ProvisioningTask {
    Grant(GrantTask),
    Revoke(RevokeTask),
    CreateAccount(CreateAccountTask),
    CreateResource(CreateResourceTask),
    DeleteResource(DeleteResourceTask),
    RotateCredentials(RotateCredentialsTask),
    IssueCredential(IssueCredentialTask),
}

impl ProvisioningTask {
    /// The task's oneof arm as named in the proto.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Grant(_) => "grant",
            Self::Revoke(_) => "revoke",
            Self::CreateAccount(_) => "create_account",
            Self::CreateResource(_) => "create_resource",
            Self::DeleteResource(_) => "delete_resource",
            Self::RotateCredentials(_) => "rotate_credentials",
            Self::IssueCredential(_) => "issue_credential",
        }
    }
}

/// An action task (custom actions a connector declares), as C1 sent it.
#[derive(Clone, Debug, PartialEq)]
pub enum ActionTask {
    ListSchemas(ActionListSchemasTask),
    GetSchema(ActionGetSchemaTask),
    Invoke(ActionInvokeTask),
    Status(ActionStatusTask),
}

impl ActionTask {
    /// The task's oneof arm as named in the proto.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::ListSchemas(_) => "action_list_schemas",
            Self::GetSchema(_) => "action_get_schema",
            Self::Invoke(_) => "action_invoke",
            Self::Status(_) => "action_status",
        }
    }
}

/// What a `sync_full` task asks for (from `Task.SyncFullTask`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncRequest {
    pub task_id: String,
    pub skip_grants: bool,
    pub skip_entitlements_and_grants: bool,
    /// Only these resource types, when not empty.
    pub resource_type_ids: Vec<String>,
    /// Set when C1 asked for the task's debug log (`Task.debug`): the handler writes the
    /// task's log lines, debug level included, to this file, and service mode uploads it as a
    /// second asset after the sync file. `None`: no debug log is wanted.
    pub debug_log: Option<PathBuf>,
}

/// A failed task, as reported to C1 in FinishTask.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} ({code:?})")]
pub struct TaskError {
    pub code: tonic::Code,
    pub message: String,
    /// True when a retry cannot help (bad credentials, unknown org): C1 will not reschedule.
    pub non_retryable: bool,
}

impl TaskError {
    pub fn retryable(code: tonic::Code, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), non_retryable: false }
    }

    pub fn permanent(code: tonic::Code, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), non_retryable: true }
    }
}

/// A connector as service mode sees it.
pub trait TaskHandler: Send + Sync + 'static {
    /// Sent in every Hello; must carry the connector's capabilities.
    fn metadata(&self) -> ConnectorMetadata;

    /// Runs a full sync writing a `.c1z` at `output` (a path in a per-task temporary directory
    /// that service mode removes afterwards). Should stop soon after `cancel` fires.
    fn sync_full(
        &self,
        request: SyncRequest,
        output: &Path,
        cancel: CancellationToken,
    ) -> impl Future<Output = Result<(), TaskError>> + Send;

    /// Called once C1 has accepted the upload of the file [`TaskHandler::sync_full`] wrote for
    /// `task_id`, before the task is finished: the place to remember what C1 now holds (the
    /// baseline of the next sync, say). The default does nothing.
    fn sync_uploaded(&self, task_id: &str) -> impl Future<Output = ()> + Send {
        let _ = task_id;
        std::future::ready(())
    }

    /// Runs a provisioning task. The default refuses it (FailedPrecondition, non-retryable), as
    /// a connector that only syncs must; a provisioning connector overrides this and declares
    /// the matching capabilities in [`TaskHandler::metadata`].
    fn provision(
        &self,
        task: ProvisioningTask,
        cancel: CancellationToken,
    ) -> impl Future<Output = Result<TaskResponse, TaskError>> + Send {
        let _ = cancel;
        std::future::ready(Err(TaskError::permanent(
            tonic::Code::FailedPrecondition,
            format!("this connector does not support provisioning ({} tasks): it only syncs", task.kind()),
        )))
    }

    /// Runs an action task. The default refuses it (FailedPrecondition, non-retryable).
    fn action(
        &self,
        task: ActionTask,
        cancel: CancellationToken,
    ) -> impl Future<Output = Result<TaskResponse, TaskError>> + Send {
        let _ = cancel;
        std::future::ready(Err(TaskError::permanent(
            tonic::Code::FailedPrecondition,
            format!("this connector does not support actions ({} tasks)", task.kind()),
        )))
    }
}
