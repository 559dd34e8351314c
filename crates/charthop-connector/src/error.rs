/// Why a sync failed. No `.c1z` is written when it does: the previous file stays as it was.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    ChartHop(#[from] charthop_client::Error),
    #[error(transparent)]
    Write(#[from] c1z::WriteError),
    #[error(
        "the person list did not return groupIds (page {page}) and the membership source is the list only; \
         the auto or per-person membership source asks per person instead"
    )]
    ListWithoutGroupIds { page: usize },
    #[error("the sync was cancelled")]
    Cancelled,
    #[error("the .c1z writer thread stopped unexpectedly")]
    WriterGone,
}

impl SyncError {
    /// True when retrying the same sync cannot help (bad token, no access, unknown org,
    /// a configuration that asks for something the API does not give).
    pub fn is_permanent(&self) -> bool {
        match self {
            SyncError::ChartHop(e) => matches!(e.status(), Some(400 | 401 | 403 | 404)),
            SyncError::ListWithoutGroupIds { .. } => true,
            SyncError::Write(_) | SyncError::Cancelled | SyncError::WriterGone => false,
        }
    }
}
