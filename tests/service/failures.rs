//! What C1 or ChartHop refusing does: retries where a retry can help, a clear end where not.

use std::time::Duration;

use c1_fake::Knobs;
use c1_proto::connectorapi::baton::v1::task::SyncFullTask;
use c1_proto::tonic::Code;

use crate::harness::{Service, World, error_of, eventually, fault_row, sync_task};

#[tokio::test]
async fn unavailable_at_start_is_retried_until_hello_succeeds() {
    let world = World::start(Knobs { unavailable_calls: 2, ..Knobs::default() }).await;
    let mut service = world.spawn(&[]);
    let recorded = world.expect_c1(&service, "a Hello", |r| !r.hellos.is_empty()).await;

    let refused: Vec<_> = recorded.refused.iter().map(|call| (call.rpc, call.code)).collect();
    assert_eq!(refused, vec![("Hello", Code::Unavailable); 2]);
    assert_eq!(recorded.hellos.len(), 1);
    assert_eq!(service.log_lines_with("Hello to C1 failed").len(), 2, "{}", service.logs());
    // Connected, it goes on polling.
    world.expect_c1(&service, "a GetTask", |r| r.get_tasks > 0).await;
    assert!(service.is_running());
    let observed = format!("{} Unavailable, then Hello and polling", refused.len());
    fault_row("C1 unavailable at start", "fake C1 unavailable_calls=2", "retried until Hello", &observed);
}

#[tokio::test]
async fn unauthenticated_on_hello_ends_the_process_with_a_clear_error() {
    let world = World::start(Knobs { hello_unauthenticated: true, ..Knobs::default() }).await;
    let mut service = world.spawn(&[]);
    let status = service.exit_status(Duration::from_secs(15)).await;
    let logs = service.logs();

    assert_eq!(status.code(), Some(16), "C1 refused the credentials, as the Go SDK exits; logs:\n{logs}");
    let (error, hint) = error_and_hint(&logs);
    for words in ["Hello", "Unauthenticated", "this connector is not allowed in"] {
        assert!(error.contains(words), "the error names {words:?}: {error}");
    }
    assert!(hint.contains("--client-id / BATON_CLIENT_ID"), "the hint says what to check: {hint}");
    let recorded = world.c1.recorded();
    assert_eq!(recorded.refused.len(), 1, "no retry after a fatal code: {:?}", recorded.refused);
    for secret in [world.credentials.client_secret.as_str(), "secret-token:", &world.charthop.token()] {
        assert!(!logs.contains(secret), "a secret reached stderr: {logs}");
    }
    fault_row(
        "C1 refuses Hello",
        "hello_unauthenticated",
        "exit 16 naming the refusal",
        &format!("exit 16: {error}"),
    );
}

#[tokio::test]
async fn a_token_endpoint_that_refuses_ends_the_process_without_leaking_the_secret() {
    let world = World::start(Knobs { token_endpoint_refuses: true, ..Knobs::default() }).await;
    let mut service = world.spawn(&[]);
    let status = service.exit_status(Duration::from_secs(15)).await;
    let logs = service.logs();

    assert_eq!(status.code(), Some(16), "C1 refused the credentials; logs:\n{logs}");
    let (error, hint) = error_and_hint(&logs);
    assert!(error.contains("could not authenticate to C1"), "{logs}");
    assert!(
        error.contains("/auth/v1/token") && error.contains("401"),
        "says which endpoint refused: {error}"
    );
    assert!(hint.contains("BATON_CLIENT_SECRET"), "the hint says what to check: {hint}");
    let recorded = world.c1.recorded();
    assert_eq!(recorded.token_requests.len(), 1, "refused credentials are not retried");
    assert!(recorded.hellos.is_empty() && recorded.refused.is_empty(), "no gRPC call without a token");
    assert!(!logs.contains(&world.credentials.client_secret) && !logs.contains("secret-token:"), "{logs}");
    fault_row(
        "C1 token endpoint fails",
        "token_endpoint_refuses",
        "exit 16 naming the endpoint",
        &format!("exit 16: {error}"),
    );
}

#[tokio::test]
async fn a_charthop_401_finishes_the_sync_with_a_non_retryable_error() {
    const WRONG_TOKEN: &str = "not-the-charthop-token-5d1e";
    let world = World::start(Knobs::default()).await;
    let sync = sync_task(SyncFullTask::default());
    world.c1.push_task(sync.clone());
    let mut command = world.command();
    command.env("BATON_API_TOKEN", WRONG_TOKEN);
    let mut service = Service::spawn(command);
    let recorded =
        world.expect_c1(&service, "the sync's FinishTask", |r| !r.finishes_of(&sync.id).is_empty()).await;

    let (code, message, non_retryable) = error_of(recorded.finishes_of(&sync.id)[0]);
    assert_eq!(code, Code::Unauthenticated, "{message}");
    assert!(non_retryable, "a retry with the same token cannot succeed: {message}");
    assert!(message.contains("401"), "the message says what ChartHop answered: {message}");
    assert!(!message.contains(WRONG_TOKEN) && !service.logs().contains(WRONG_TOKEN), "the token leaked");
    assert!(recorded.uploads.is_empty());
    assert!(eventually(Duration::from_secs(2), || world.temp_entries().is_empty()).await);
    assert!(service.is_running(), "a failed task does not end the service");
    fault_row(
        "ChartHop 401 in service mode",
        "a wrong ChartHop token",
        "task fails non-retryable, nothing uploaded",
        &format!("{code:?}, non-retryable: {message}"),
    );
}

/// The last two stderr lines: the error (with its causes), then the hint of what to do.
fn error_and_hint(logs: &str) -> (String, String) {
    let lines: Vec<&str> = logs.lines().filter(|line| line.starts_with("baton-charthop: ")).collect();
    let [.., error, hint] = lines.as_slice() else { panic!("an error and a hint line: {logs}") };
    (error.to_string(), hint.to_string())
}
