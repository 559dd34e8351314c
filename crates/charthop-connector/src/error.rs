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
    #[error(
        "refusing to publish this sync: the previous one had {} persons and {} grants; this one has \
         {persons} persons, {} of the previous persons vanished and {} turned disabled, and {} of the \
         grants vanished, more than the maximum removed ratio of {ratio} allows; the previous sync \
         stays as it was. If the change is real, setting the maximum removed ratio to 1 allows it",
        comparison.previous_persons,
        comparison.previous_grants,
        comparison.persons_vanished,
        comparison.persons_disabled,
        comparison.grants_vanished
    )]
    MassChange { comparison: crate::BaselineComparison, persons: u64, ratio: f64 },
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
            // A token that cannot read memberships will not learn to by retrying.
            SyncError::ChartHop(charthop_client::Error::MembershipUnreadable { .. }) => true,
            // Settings the API cannot satisfy: the same sync fails the same way.
            SyncError::ChartHop(
                charthop_client::Error::InvalidFieldCode { .. }
                | charthop_client::Error::UnknownGroupTypes { .. },
            ) => true,
            SyncError::ChartHop(e) => matches!(e.status(), Some(400 | 401 | 403 | 404)),
            SyncError::ListWithoutGroupIds { .. } | SyncError::MassChange { .. } => true,
            SyncError::Write(_) | SyncError::Cancelled | SyncError::WriterGone => false,
        }
    }
}
