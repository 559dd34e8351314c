//! The long life of the process: token refresh, SIGTERM, and the health endpoint.

use std::time::Duration;

use c1_fake::Knobs;
use c1_proto::connectorapi::baton::v1::task::SyncFullTask;
use c1_proto::tonic::Code;

use crate::harness::{
    ChartHopSetup, World, eventually, free_port, grant_task, http_status, is_success, sync_task,
};

#[tokio::test]
async fn an_expiring_token_is_refreshed_and_calls_go_on_succeeding() {
    // The fake refuses a token once its 2 s are over; the client must fetch a new one first.
    let world = World::start(Knobs { token_lifetime_secs: 2, ..Knobs::default() }).await;
    let first = grant_task();
    world.c1.push_task(first.clone());
    let service = world.spawn(&[]);
    world.expect_c1(&service, "the first task's FinishTask", |r| !r.finishes_of(&first.id).is_empty()).await;
    let polls_before = world.c1.recorded().get_tasks;

    // Well past the first token's expiry.
    tokio::time::sleep(Duration::from_millis(3500)).await;
    let second = grant_task();
    world.c1.push_task(second.clone());
    let recorded = world
        .expect_c1(&service, "the second task's FinishTask", |r| !r.finishes_of(&second.id).is_empty())
        .await;

    assert!(
        recorded.get_tasks >= polls_before + 3,
        "polling went on: {polls_before} -> {}",
        recorded.get_tasks
    );
    assert!(recorded.token_requests.len() >= 3, "{} token requests", recorded.token_requests.len());
    let refusals: Vec<_> = recorded.token_requests.iter().filter_map(|t| t.outcome.as_ref().err()).collect();
    assert!(refusals.is_empty(), "{refusals:?}");
    let stale: Vec<_> = recorded.refused.iter().filter(|call| call.code == Code::Unauthenticated).collect();
    assert!(stale.is_empty(), "calls went out with an expired token: {stale:?}");
}

#[tokio::test]
async fn sigterm_lets_the_running_sync_finish_then_exits_0_leaving_no_temporary_file() {
    // About 35 requests at 100 ms: the sync runs for a few seconds after SIGTERM.
    let charthop = ChartHopSetup {
        knobs: charthop_fake::Knobs { latency: Duration::from_millis(100), ..Default::default() },
        ..ChartHopSetup::default()
    };
    let world = World::start_with(Knobs::default(), charthop).await;
    let sync = sync_task(SyncFullTask::default());
    world.c1.push_task(sync.clone());
    let port = free_port();
    let port_text = port.to_string();
    let mut service =
        world.spawn(&["--page-size", "10", "--health-check", "--health-check-port", &port_text]);
    let started = eventually(Duration::from_secs(10), || !world.temp_entries().is_empty()).await;
    assert!(started, "the sync never started; logs:\n{}", service.logs());
    assert_eq!(http_status(port, "/ready").await, Some(200));

    service.terminate();
    // While it drains it takes no task, so it tells the kubelet it is not ready.
    let polls_at_signal = world.c1.recorded().get_tasks;
    let not_ready = async {
        while http_status(port, "/ready").await != Some(503) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    let drained = tokio::time::timeout(Duration::from_secs(2), not_ready).await;
    assert!(drained.is_ok(), "/ready stayed 200 after SIGTERM; logs:\n{}", service.logs());
    assert!(world.c1.recorded().finishes.is_empty(), "the sync was still running while draining");

    let status = service.exit_status(Duration::from_secs(30)).await;
    let logs = service.logs();
    assert_eq!(status.code(), Some(0), "logs:\n{logs}");
    assert_eq!(world.temp_entries(), Vec::<std::path::PathBuf>::new());
    let recorded = world.c1.recorded();
    assert!(recorded.get_tasks <= polls_at_signal + 1, "polling went on after SIGTERM");
    let finishes = recorded.finishes_of(&sync.id);
    assert_eq!(finishes.len(), 1, "the running task is finished before the exit");
    assert!(is_success(finishes[0]), "it had the grace period to complete: {:?}\n{logs}", finishes[0]);
    assert!(!service.log_lines_with("shutdown requested").is_empty(), "{logs}");
    assert_eq!(service.log_lines_with("service mode stopped").len(), 1, "{logs}");
}

#[tokio::test]
async fn sigterm_while_idle_exits_0_promptly() {
    let world = World::start(Knobs::default()).await;
    let mut service = world.spawn(&[]);
    world.expect_c1(&service, "a GetTask", |r| r.get_tasks > 0).await;
    service.terminate();
    let status = service.exit_status(Duration::from_secs(5)).await;
    assert_eq!(status.code(), Some(0), "logs:\n{}", service.logs());
    assert!(world.temp_entries().is_empty());
}

#[tokio::test]
async fn sigterm_before_connecting_exits_0_promptly() {
    // C1 stays unavailable: the service sits in its Hello backoff when the signal comes.
    let world = World::start(Knobs { unavailable_calls: 1000, ..Knobs::default() }).await;
    let mut service = world.spawn(&[]);
    world.expect_c1(&service, "a refused Hello", |r| !r.refused.is_empty()).await;
    service.terminate();
    let status = service.exit_status(Duration::from_secs(5)).await;
    assert_eq!(status.code(), Some(0), "logs:\n{}", service.logs());
    assert!(world.c1.recorded().hellos.is_empty());
}

#[tokio::test]
async fn health_endpoint_is_ready_only_after_hello_and_the_subcommand_probes_it() {
    // Two refused calls keep Hello failing for about 1.5 .. 3 s (backoff 1 s then 2 s, jittered).
    let world = World::start(Knobs { unavailable_calls: 2, ..Knobs::default() }).await;
    let port = free_port();
    let service = world.spawn(&["--health-check", "--health-check-port", &port.to_string()]);

    let before_hello = world.c1.recorded().hellos.is_empty();
    let ready = first_answer(port, "/ready").await;
    assert!(before_hello, "Hello came before the endpoint listened; logs:\n{}", service.logs());
    assert_eq!(ready, 503, "not ready before the first Hello succeeds");
    assert_eq!(http_status(port, "/live").await, Some(200));
    let alive = probe(&world, port, "live");
    assert_eq!(alive.status.code(), Some(0), "{}", String::from_utf8_lossy(&alive.stderr));

    let became_ready = async {
        while http_status(port, "/ready").await != Some(200) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    let waited = tokio::time::timeout(Duration::from_secs(10), became_ready).await;
    assert!(waited.is_ok(), "never ready; logs:\n{}", service.logs());
    assert_eq!(world.c1.recorded().hellos.len(), 1, "ready only after a Hello succeeded");
    // /health tells the last C1 call: the refused Hellos made it 503, the polls since make it 200.
    let polled = async {
        while http_status(port, "/health").await != Some(200) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    assert!(tokio::time::timeout(Duration::from_secs(10), polled).await.is_ok(), "{}", service.logs());
    let healthy = probe(&world, port, "health");
    assert_eq!(healthy.status.code(), Some(0), "{}", String::from_utf8_lossy(&healthy.stderr));

    let nothing_there = probe(&world, free_port(), "health");
    assert_eq!(nothing_there.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&nothing_there.stderr);
    assert!(stderr.contains("no health endpoint at 127.0.0.1:"), "{stderr}");
}

/// The status of the first answer `path` gives once the endpoint listens.
async fn first_answer(port: u16, path: &str) -> u16 {
    let answer = async {
        loop {
            if let Some(status) = http_status(port, path).await {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), answer).await.expect("the health endpoint listens")
}

/// `baton-charthop health-check --endpoint ENDPOINT`, as an exec probe runs it.
fn probe(world: &World, port: u16, endpoint: &str) -> std::process::Output {
    let port = port.to_string();
    let args = ["health-check", "--health-check-port", &port, "--endpoint", endpoint];
    world.command().args(args).output().expect("runs")
}

#[tokio::test]
async fn a_taken_health_port_fails_the_start() {
    let world = World::start(Knobs::default()).await;
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let mut service = world.spawn(&["--health-check", "--health-check-port", &port]);

    let status = service.exit_status(Duration::from_secs(10)).await;
    assert_eq!(status.code(), Some(1), "logs:\n{}", service.logs());
    assert!(service.logs().contains("cannot listen for health checks on 127.0.0.1:"), "{}", service.logs());
    assert!(world.c1.recorded().hellos.is_empty(), "no Hello before the endpoint is up");
}
