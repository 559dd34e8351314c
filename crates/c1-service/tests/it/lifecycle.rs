//! Connecting: Hello, readiness, retries, fatal answers, TLS trust.

use std::time::Duration;

use c1_fake::Knobs;
use c1_proto::connector::v2::Capability;
use c1_proto::connectorapi::baton::v1::task::{HelloTask, TaskType};
use c1_service::{BuildInfo, ClientCredentials, ServiceConfig, ServiceError, ServiceStatus};

use crate::support::{Behaviour, DummyHandler, Harness, WAIT, fast_timing, task};

#[tokio::test]
async fn hello_carries_host_build_os_and_connector_metadata_then_ready() {
    let harness = Harness::start(Knobs::default()).await;
    let mut running = harness.spawn(DummyHandler::new(Behaviour::Write(10)));
    tokio::time::timeout(WAIT, running.ready.wait_for(|ready| *ready)).await.unwrap().unwrap();
    let recorded = harness.fake.recorded();
    let hello = &recorded.hellos[0];
    assert_eq!(hello.host_id, "test-host");
    assert_eq!(hello.task_id, "");
    let build = hello.build_info.as_ref().unwrap();
    assert_eq!((build.package.as_str(), build.package_version.as_str()), ("dummy-connector", "1.2.3"));
    assert!(build.lang_version.starts_with("rustc "), "{}", build.lang_version);
    let user_agent = &recorded.hello_user_agents[0];
    assert!(user_agent.starts_with("dummy-connector/1.2.3 c1-service/"), "{user_agent}");
    let os = hello.os_info.as_ref().unwrap();
    assert_eq!(os.os, std::env::consts::OS);
    assert_eq!(os.kernel_arch, std::env::consts::ARCH);
    assert!(!os.hostname.is_empty());
    let metadata = hello.connector_metadata.as_ref().unwrap();
    assert_eq!(metadata.display_name, "Dummy");
    let capabilities = metadata.capabilities.as_ref().unwrap();
    assert_eq!(capabilities.connector_capabilities, vec![Capability::Sync as i32]);
    assert!(running.shutdown().await.is_ok());
}

#[tokio::test]
async fn unavailable_at_start_is_retried_until_hello_works() {
    let harness = Harness::start(Knobs { unavailable_calls: 3, ..Knobs::default() }).await;
    let mut running = harness.spawn(DummyHandler::new(Behaviour::Write(10)));
    tokio::time::timeout(WAIT, running.ready.wait_for(|ready| *ready)).await.unwrap().unwrap();
    let recorded = harness.fake.recorded();
    let unavailable: Vec<_> =
        recorded.refused.iter().filter(|c| c.code == tonic::Code::Unavailable).collect();
    assert_eq!(unavailable.len(), 3);
    assert!(unavailable.iter().all(|call| call.rpc == "Hello"));
    assert_eq!(recorded.hellos.len(), 1);
    assert!(running.shutdown().await.is_ok());
}

#[tokio::test]
async fn unauthenticated_hello_ends_run_with_an_error_naming_the_code() {
    let harness = Harness::start(Knobs { hello_unauthenticated: true, ..Knobs::default() }).await;
    let running = harness.spawn(DummyHandler::new(Behaviour::Write(10)));
    let error = running.finished().await.unwrap_err();
    assert!(
        matches!(&error, ServiceError::Rejected { call: "Hello", code: tonic::Code::Unauthenticated, .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(message.contains("Unauthenticated") && message.contains("not allowed in"), "{message}");
    // Given up at once: one refusal, no retries.
    let refused = harness.fake.recorded().refused;
    assert_eq!(refused.len(), 1, "{refused:?}");
}

#[tokio::test]
async fn a_refusing_token_endpoint_ends_run_with_an_authentication_error() {
    let harness = Harness::start(Knobs { token_endpoint_refuses: true, ..Knobs::default() }).await;
    let running = harness.spawn(DummyHandler::new(Behaviour::Write(10)));
    let error = running.finished().await.unwrap_err();
    assert!(matches!(error, ServiceError::Authentication(_)), "{error:?}");
    // Each layer names its own step once; the binary prints the whole chain.
    assert_eq!(error.to_string(), "could not authenticate to C1");
    let message = error_reporter::Report::new(&error).to_string();
    assert_eq!(message.matches("could not authenticate").count(), 1, "{message}");
    assert!(message.contains("HTTP 401") && message.contains("revoked"), "{message}");
    assert!(!message.contains("--") && !message.contains("BATON_"), "a library names no flag: {message}");
    let secret_key = harness.credentials.client_secret.rsplit(':').next().unwrap().to_owned();
    assert!(!message.contains(&secret_key));
    assert!(harness.fake.recorded().hellos.is_empty());
}

#[tokio::test]
async fn a_server_outside_the_trusted_roots_is_never_sent_anything() {
    let harness = Harness::start(Knobs::default()).await;
    let mut config = harness.config();
    config.extra_root_certs_pem = None;
    let running = harness.spawn_with(config, DummyHandler::new(Behaviour::Write(10)));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!running.is_finished(), "TLS failures are retried, not fatal");
    let recorded = harness.fake.recorded();
    assert!(recorded.token_requests.is_empty() && recorded.hellos.is_empty(), "{recorded:?}");
    assert!(running.shutdown().await.is_ok());
}

#[tokio::test]
async fn a_hello_task_is_answered_with_a_hello_and_not_finished() {
    let harness = Harness::start(Knobs::default()).await;
    let hello = task(TaskType::Hello(HelloTask::default()));
    harness.fake.push_task(hello.clone());
    let running = harness.spawn(DummyHandler::new(Behaviour::Write(10)));
    let (seen, recorded) = harness.fake.wait_for(WAIT, |r| r.hellos.len() >= 2).await;
    assert!(seen, "{recorded:?}");
    assert_eq!(recorded.hellos[1].task_id, hello.id);
    assert!(recorded.hellos[1].connector_metadata.is_some());
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(harness.fake.recorded().finishes.is_empty());
    assert!(running.shutdown().await.is_ok());
}

#[tokio::test]
async fn credentials_revoked_while_running_keep_the_daemon_polling_until_they_work_again() {
    let harness = Harness::start(Knobs { token_lifetime_secs: 1, ..Knobs::default() }).await;
    let mut running = harness.spawn(DummyHandler::new(Behaviour::Write(10)));
    tokio::time::timeout(WAIT, running.ready.wait_for(|ready| *ready)).await.unwrap().unwrap();
    harness.fake.set_knobs(|knobs| knobs.token_endpoint_refuses = true);
    let refused = |r: &c1_fake::Recorded| r.token_requests.iter().filter(|t| t.outcome.is_err()).count();
    let (retried, recorded) = harness.fake.wait_for(WAIT, |r| refused(r) >= 3).await;
    assert!(retried, "a refused token is asked for again, not the end: {recorded:?}");
    harness.fake.set_knobs(|knobs| knobs.token_endpoint_refuses = false);
    let sync = task(TaskType::SyncFull(Default::default()));
    harness.fake.push_task(sync.clone());
    let (finished, recorded) = harness.fake.wait_for(WAIT, |r| !r.finishes_of(&sync.id).is_empty()).await;
    assert!(finished, "polling resumed with a fresh token: {recorded:?}");
    assert!(running.shutdown().await.is_ok());
}

const CHILD_TEST: &str = "lifecycle::child_process_trusting_only_ssl_cert_file";

/// SSL_CERT_FILE is read from the process environment, so this runs the service in a child
/// process (this test binary, running the ignored test below) with SSL_CERT_FILE set to the
/// fake's CA and no CA passed in the configuration.
#[tokio::test]
async fn ssl_cert_file_adds_a_trusted_ca() {
    let harness = Harness::start(Knobs::default()).await;
    let mut child = std::process::Command::new(std::env::current_exe().unwrap());
    child
        .args(["--ignored", "--exact", CHILD_TEST, "--test-threads=1"])
        .env("SSL_CERT_FILE", harness.fake.ca_file())
        .env_remove("SSL_CERT_DIR")
        .env("C1_SERVICE_TEST_API_HOST", harness.fake.api_host())
        .env("C1_SERVICE_TEST_CLIENT_ID", &harness.credentials.client_id)
        .env("C1_SERVICE_TEST_CLIENT_SECRET", &harness.credentials.client_secret);
    let output = tokio::task::spawn_blocking(move || child.output()).await.unwrap().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("1 passed"), "{stdout}");
    let hellos = harness.fake.recorded().hellos;
    assert_eq!(hellos.len(), 1);
    assert_eq!(hellos[0].host_id, "ssl-cert-file-child");
}

#[tokio::test]
#[ignore = "run in a child process by ssl_cert_file_adds_a_trusted_ca"]
async fn child_process_trusting_only_ssl_cert_file() {
    let var = |name: &str| {
        std::env::var(name).unwrap_or_else(|_| panic!("{name}: run by ssl_cert_file_adds_a_trusted_ca"))
    };
    let credentials =
        ClientCredentials::parse(&var("C1_SERVICE_TEST_CLIENT_ID"), &var("C1_SERVICE_TEST_CLIENT_SECRET"))
            .unwrap();
    let mut config = ServiceConfig::new(credentials, "ssl-cert-file-child", BuildInfo::new("child", "0"));
    config.api_host_override = Some(var("C1_SERVICE_TEST_API_HOST"));
    config.timing = fast_timing();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (ready_tx, mut ready) = tokio::sync::watch::channel(false);
    let handler = DummyHandler::new(Behaviour::Write(1));
    let run = tokio::spawn(c1_service::run(config, handler, async { drop(stopped.await) }, ready_tx));
    tokio::time::timeout(WAIT, ready.wait_for(|ready| *ready)).await.expect("Hello within 10 s").unwrap();
    stop.send(()).unwrap();
    run.await.unwrap().unwrap();
}

#[tokio::test]
async fn not_ready_while_c1_is_unreachable_for_too_long_then_ready_again_and_status_says_why() {
    let harness = Harness::start(Knobs::default()).await;
    let mut config = harness.config();
    config.timing.unreachable_after = Duration::from_millis(150);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (ready_tx, mut ready) = tokio::sync::watch::channel(false);
    let (status_tx, mut status) = tokio::sync::watch::channel(ServiceStatus::default());
    let handler = DummyHandler::new(Behaviour::Write(10));
    let shutdown = async { drop(stopped.await) };
    let run = tokio::spawn(c1_service::run_with_status(config, handler, shutdown, ready_tx, status_tx));
    tokio::time::timeout(WAIT, ready.wait_for(|ready| *ready)).await.unwrap().unwrap();
    assert!(status.borrow().c1.as_ref().unwrap().ok);
    harness.fake.set_knobs(|knobs| knobs.unavailable_calls = 1_000_000);
    tokio::time::timeout(WAIT, ready.wait_for(|ready| !*ready)).await.unwrap().unwrap();
    let failed = status.borrow_and_update().c1.clone().unwrap();
    assert_eq!((failed.ok, failed.call), (false, "GetTask"));
    harness.fake.set_knobs(|knobs| knobs.unavailable_calls = 0);
    tokio::time::timeout(WAIT, ready.wait_for(|ready| *ready)).await.unwrap().unwrap();
    let back = status.borrow().c1.clone().unwrap();
    assert!(back.ok && back.at >= failed.at, "{back:?}");
    stop.send(()).unwrap();
    run.await.unwrap().unwrap();
}
