//! The service loop: Hello until it works, then poll GetTask and run tasks, at most
//! `task_concurrency` at once, until shutdown.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use c1_proto::connectorapi::baton::v1::Task;
use c1_proto::connectorapi::baton::v1::task::TaskType;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::client::C1Client;
use crate::config::{ServiceConfig, Timing};
use crate::context::{Context, clamp_optional, sleep_or_stop};
use crate::error::ServiceError;
use crate::handler::TaskHandler;
use crate::net::Authority;
use crate::status::{Reachability, ServiceStatus};
use crate::task::run_task_reporting_panics;
use crate::tls::TlsRoots;
use crate::token::TokenSource;
use error_reporter::Report;

/// Runs service mode until `shutdown` completes (then returns `Ok` once running tasks have
/// finished or been handed back to C1) or C1 refuses the first Hello for good (then returns the
/// error). `ready` turns true after the first successful Hello, false while GetTask has failed
/// for longer than `Timing::unreachable_after` (true again at the next success) and when
/// polling stops.
///
/// ```text
/// let credentials = ClientCredentials::parse(&client_id, &client_secret)?;
/// let mut config = ServiceConfig::new(credentials, host_id, BuildInfo::new("baton-charthop", VERSION));
/// config.api_host_override = api_host_from_settings;
/// let (ready_tx, ready_rx) = tokio::sync::watch::channel(false); // ready_rx feeds /ready
/// c1_service::run(config, Arc::new(connector), sigterm_or_sigint, ready_tx).await?;
/// ```
pub async fn run<H: TaskHandler>(
    config: ServiceConfig,
    handler: Arc<H>,
    shutdown: impl Future<Output = ()> + Send,
    ready: watch::Sender<bool>,
) -> Result<(), ServiceError> {
    run_with_status(config, handler, shutdown, ready, watch::channel(ServiceStatus::default()).0).await
}

/// [`run`], also publishing the outcome of the latest call to C1 on `status` (for `/health`).
pub async fn run_with_status<H: TaskHandler>(
    config: ServiceConfig,
    handler: Arc<H>,
    shutdown: impl Future<Output = ()> + Send,
    ready: watch::Sender<bool>,
    status: watch::Sender<ServiceStatus>,
) -> Result<(), ServiceError> {
    let roots = TlsRoots::load(config.extra_root_certs_pem.as_deref())?;
    let authority = Authority::parse(config.api_host())
        .map_err(|reason| ServiceError::InvalidApiHost { host: config.api_host().to_owned(), reason })?;
    let tokens = Arc::new(TokenSource::new(
        config.credentials.clone(),
        authority.clone(),
        roots.client_config(&[b"h2", b"http/1.1"])?,
        config.timing.call_timeout,
    ));
    let client = C1Client::new(&authority, &roots, tokens, config.timing.call_timeout, &config.build_info)?;
    let reach = Reachability::new(ready, status, config.timing.unreachable_after);
    let context = Arc::new(Context { client, handler, config, reach });

    let stop = CancellationToken::new();
    let serving = serve(context, stop.clone());
    let watching = async {
        shutdown.await;
        tracing::info!("shutdown requested: no new tasks will be taken");
        stop.cancel();
    };
    tokio::pin!(serving, watching);
    tokio::select! {
        outcome = &mut serving => outcome,
        () = &mut watching => serving.await,
    }
}

async fn serve<H: TaskHandler>(
    context: Arc<Context<H>>,
    stop: CancellationToken,
) -> Result<(), ServiceError> {
    let mut backoff = Backoff::new(context.timing());
    loop {
        let hello = tokio::select! {
            result = context.client.hello(context.hello_request("")) => result,
            () = stop.cancelled() => return Ok(()),
        };
        match hello {
            Ok(()) => break,
            Err(error) if error.is_fatal() => {
                context.reach.failed("Hello");
                return Err(ServiceError::from_call("Hello", error));
            }
            Err(error) => {
                context.reach.failed("Hello");
                let delay = backoff.next_delay();
                tracing::warn!(error = %Report::new(&error), retry_in_ms = delay.as_millis() as u64, "Hello to C1 failed");
                if sleep_or_stop(delay, &stop).await {
                    return Ok(());
                }
            }
        }
    }
    context.reach.connected();
    tracing::info!(host_id = context.host_id(), "connected to C1");

    let permits = Arc::new(Semaphore::new(context.config.task_concurrency.max(1)));
    let abort_tasks = CancellationToken::new();
    let mut tasks = JoinSet::new();
    let outcome = poll(&context, &permits, &abort_tasks, &mut tasks, &stop).await;
    // No longer taking tasks: not ready (a readiness probe then stops routing to us).
    context.reach.stopped();
    if outcome.is_err() {
        abort_tasks.cancel();
    }
    drain(tasks, context.config.shutdown_grace, &abort_tasks).await;
    outcome
}

async fn poll<H: TaskHandler>(
    context: &Arc<Context<H>>,
    permits: &Arc<Semaphore>,
    abort_tasks: &CancellationToken,
    tasks: &mut JoinSet<()>,
    stop: &CancellationToken,
) -> Result<(), ServiceError> {
    let mut errors_in_a_row: u32 = 0;
    loop {
        reap_finished(tasks);
        let permit = tokio::select! {
            permit = Arc::clone(permits).acquire_owned() => permit,
            () = stop.cancelled() => return Ok(()),
        };
        // The semaphore is never closed; were it, there would be nothing left to run.
        let Ok(permit) = permit else { return Ok(()) };
        let answer = tokio::select! {
            answer = context.client.get_task(context.host_id()) => answer,
            () = stop.cancelled() => return Ok(()),
        };
        let answer = match answer {
            Ok(answer) => answer,
            Err(error) => {
                drop(permit);
                // As the Go SDK: a poll error never ends the daemon, whatever its code (C1 may
                // be mid-deploy or the connector briefly disabled). A stale token was dropped
                // by the call, so the next poll fetches a fresh one.
                errors_in_a_row = errors_in_a_row.saturating_add(1);
                context.reach.failed("GetTask");
                let delay = poll_error_delay(context.timing(), errors_in_a_row);
                if error.is_fatal() {
                    tracing::error!(error = %Report::new(&error), retry_in_ms = delay.as_millis() as u64, "GetTask refused; polling again");
                } else {
                    tracing::warn!(error = %Report::new(&error), retry_in_ms = delay.as_millis() as u64, "GetTask failed");
                }
                if sleep_or_stop(delay, stop).await {
                    return Ok(());
                }
                continue;
            }
        };
        errors_in_a_row = 0;
        context.reach.succeeded("GetTask");
        match answer.task.filter(is_work) {
            Some(task) => {
                let task_context = Arc::clone(context);
                let cancel = abort_tasks.child_token();
                tasks.spawn(async move {
                    run_task_reporting_panics(task_context, task, answer.next_heartbeat, cancel).await;
                    drop(permit);
                });
            }
            None => {
                drop(permit);
                let delay =
                    clamp_optional(answer.next_poll, context.timing().poll_min, context.timing().poll_max)
                        .unwrap_or(context.timing().poll_min);
                if sleep_or_stop(delay, stop).await {
                    return Ok(());
                }
            }
        }
    }
}

/// The wait after the `errors`-th GetTask failure in a row: the square of the count in
/// `poll_error_unit`s (1, 4, 9 ... seconds by default), at most `poll_error_max`.
fn poll_error_delay(timing: &Timing, errors: u32) -> Duration {
    let squared = u64::from(errors).saturating_mul(u64::from(errors)).min(u64::from(u32::MAX)) as u32;
    timing.poll_error_unit.saturating_mul(squared).min(timing.poll_error_max)
}

/// Collects ended task runners without waiting.
fn reap_finished(tasks: &mut JoinSet<()>) {
    while let Some(result) = tasks.try_join_next() {
        log_if_lost(result);
    }
}

/// Runners catch their task's panics and report them; one ending otherwise is a bug to see.
fn log_if_lost(result: Result<(), tokio::task::JoinError>) {
    if let Err(error) = result {
        tracing::error!(%error, "a task runner ended abnormally");
    }
}

/// A task with an id and something to do; `none` and empty answers mean "nothing yet".
fn is_work(task: &Task) -> bool {
    !task.id.is_empty() && !matches!(task.task_type, Some(TaskType::None(_)))
}

/// Lets running tasks finish within `grace`, then cancels the rest and waits for them to
/// report back (they finish with a retryable error).
async fn drain(mut tasks: JoinSet<()>, grace: Duration, abort_tasks: &CancellationToken) {
    if !tasks.is_empty() {
        tracing::info!(
            running = tasks.len(),
            grace_ms = grace.as_millis() as u64,
            "waiting for running tasks"
        );
    }
    let deadline = tokio::time::sleep(grace);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            next = tasks.join_next() => match next {
                None => return,
                Some(result) => log_if_lost(result),
            },
            () = &mut deadline, if !abort_tasks.is_cancelled() => {
                tracing::warn!(running = tasks.len(), "grace period over: cancelling running tasks");
                abort_tasks.cancel();
            }
        }
    }
}

/// Exponential backoff with jitter: `initial`, doubling to `max`, each delay scaled by 0.5..1.0.
pub(crate) struct Backoff {
    max: Duration,
    current: Duration,
}

impl Backoff {
    pub(crate) fn new(timing: &Timing) -> Self {
        Self { max: timing.backoff_max, current: timing.backoff_initial }
    }

    pub(crate) fn next_delay(&mut self) -> Duration {
        let jitter = 0.5 + rand::random::<f64>() / 2.0;
        let delay = self.current.mul_f64(jitter);
        self.current = (self.current * 2).min(self.max);
        delay
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter_below_the_step() {
        let timing = Timing {
            backoff_initial: Duration::from_secs(1),
            backoff_max: Duration::from_secs(5),
            ..Timing::default()
        };
        let mut backoff = Backoff::new(&timing);
        let steps: Vec<Duration> = (0..5).map(|_| backoff.next_delay()).collect();
        for (delay, step) in steps.iter().zip([1, 2, 4, 5, 5]) {
            let step = Duration::from_secs(step);
            assert!(*delay >= step / 2 && *delay <= step, "{delay:?} not within half of {step:?}");
        }
    }

    #[test]
    fn poll_errors_back_off_by_the_square_of_the_count_up_to_the_cap() {
        let timing = Timing::default();
        let delays: Vec<u64> = [1, 2, 3, 7, 8, 1000, u32::MAX]
            .into_iter()
            .map(|n| poll_error_delay(&timing, n).as_secs())
            .collect();
        assert_eq!(delays, [1, 4, 9, 49, 60, 60, 60]);
    }
}
