//! The seam where a connector plugs in.

use std::future::Future;
use std::path::Path;

use c1_proto::connector::v2::ConnectorMetadata;
use tokio_util::sync::CancellationToken;

/// What a `sync_full` task asks for (from `Task.SyncFullTask`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncRequest {
    pub task_id: String,
    pub skip_grants: bool,
    pub skip_entitlements_and_grants: bool,
    /// Only these resource types, when not empty.
    pub resource_type_ids: Vec<String>,
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
}
