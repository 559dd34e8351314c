//! Panics inside a task: caught, logged and turned into a retryable error, so C1 hears back
//! instead of waiting on a task that silently vanished.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures::FutureExt as _;

use crate::handler::TaskError;

/// Runs `work`; a panic is logged at error level with `task_id` and becomes [`panicked`].
pub(crate) async fn catch_panic<T>(
    task_id: &str,
    work: impl Future<Output = Result<T, TaskError>>,
) -> Result<T, TaskError> {
    // Unwind safety: after a panic the work's state is dropped, never looked at again.
    match AssertUnwindSafe(work).catch_unwind().await {
        Ok(outcome) => outcome,
        Err(payload) => {
            log_panic(task_id, payload.as_ref());
            Err(panicked())
        }
    }
}

pub(crate) fn log_panic(task_id: &str, payload: &(dyn Any + Send)) {
    tracing::error!(
        task_id,
        panic = panic_message(payload),
        "the task panicked; reporting it to C1 as failed"
    );
}

/// What C1 is told about a task that panicked: Internal, and worth running again.
pub(crate) fn panicked() -> TaskError {
    TaskError::retryable(
        tonic::Code::Internal,
        "the connector failed unexpectedly while running this task (an internal panic, see its \
         logs); the task can be run again",
    )
}

fn panic_message(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_becomes_a_retryable_internal_error() {
        let outcome: Result<(), TaskError> = catch_panic("task-1", async { panic!("boom") }).await;
        let error = outcome.unwrap_err();
        assert_eq!((error.code, error.non_retryable), (tonic::Code::Internal, false));
        let fine = catch_panic("task-2", async { Ok::<_, TaskError>(7) }).await;
        assert_eq!(fine, Ok(7));
    }

    #[test]
    fn panic_messages_are_read_from_str_and_string_payloads() {
        assert_eq!(panic_message(&"static text"), "static text");
        assert_eq!(panic_message(&String::from("formatted 42")), "formatted 42");
        assert_eq!(panic_message(&42_u8), "(no message)");
    }
}
