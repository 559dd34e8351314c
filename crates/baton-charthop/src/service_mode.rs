//! Service mode: C1 drives the connector; each `sync_full` task runs the same sync as one-shot.

use error_reporter::Report;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use c1_proto::connector::v2::ConnectorMetadata;
use c1_proto::tonic::Code;
use c1_service::{
    BuildInfo, CancellationToken, ClientCredentials, ServiceConfig, ServiceStatus, SyncRequest, TaskError,
    TaskHandler,
};
use charthop_connector::{Baseline, NoProgress, ResourceTypeFilter, SyncError, SyncOptions, sync};
use tokio::sync::watch;

use crate::service_state::{PendingCounts, StateFile};
use crate::settings::Settings;
use crate::{debug_log, health, hints, oneshot, wiring};

struct ChartHopTasks {
    settings: Settings,
    /// The counts of the last full sync C1 accepted: what the next one is compared with.
    state: StateFile,
    /// Finished whole syncs' counts, until C1 accepts their upload ([`TaskHandler::sync_uploaded`]).
    pending: PendingCounts,
    /// Each sync's verdict on ChartHop, for `/health`.
    charthop_check: watch::Sender<Option<health::Check>>,
}

impl ChartHopTasks {
    fn new(settings: Settings, org: &str) -> Self {
        let state = StateFile::new(&state_dir(&settings), org);
        // At most `task_concurrency` tasks wait for their upload at once; the rest is slack for
        // tasks whose upload failed (their entries go first).
        let pending = PendingCounts::new(2 * settings.task_concurrency.max(1));
        let charthop_check = watch::channel(None).0;
        Self { settings, state, pending, charthop_check }
    }
}

impl ChartHopTasks {
    /// A sync that ended well, or failed on ChartHop, says how ChartHop is; other failures
    /// (a mass change, a cancelled task, a full disk) do not.
    fn record_charthop_check(&self, error: Option<&SyncError>) {
        let ok = match error {
            None => true,
            Some(SyncError::ChartHop(_)) => false,
            Some(_) => return,
        };
        self.charthop_check.send_replace(Some(health::Check { ok, at: std::time::SystemTime::now() }));
    }
}

/// The configured work directory, else where c1-service puts task files without one.
fn state_dir(settings: &Settings) -> PathBuf {
    settings.work_dir.clone().unwrap_or_else(std::env::temp_dir)
}

impl TaskHandler for ChartHopTasks {
    fn metadata(&self) -> ConnectorMetadata {
        c1_mapping::connector_metadata()
    }

    async fn sync_full(
        &self,
        request: SyncRequest,
        output: &Path,
        cancel: CancellationToken,
    ) -> Result<(), TaskError> {
        let _debug_log = request.debug_log.as_deref().and_then(|path| match debug_log::global().start(path) {
            Ok(capture) => Some(capture),
            Err(error) => {
                tracing::warn!(task = %request.task_id, %error, "could not write the debug log C1 asked for");
                None
            }
        });
        // Only a sync of everything is comparable with the last one, and only it is remembered.
        let whole = request.resource_type_ids.is_empty()
            && !request.skip_grants
            && !request.skip_entitlements_and_grants;
        let baseline = match whole.then(|| self.state.load()).flatten() {
            Some(counts) => Baseline::Counts(counts),
            None => Baseline::None,
        };
        let options = SyncOptions {
            baseline,
            skip_grants: request.skip_grants,
            skip_entitlements_and_grants: request.skip_entitlements_and_grants,
            resource_types: if request.resource_type_ids.is_empty() {
                ResourceTypeFilter::All
            } else {
                ResourceTypeFilter::Only(request.resource_type_ids.clone())
            },
            ..wiring::sync_options(&self.settings)
        };
        // A client per task: its counters and connection pool belong to this sync alone.
        let client = wiring::charthop_client(&self.settings)
            .map_err(|e| TaskError::permanent(Code::InvalidArgument, Report::new(&*e).to_string()))?;
        let outcome = sync(&client, output, &options, &NoProgress, &cancel).await;
        self.record_charthop_check(outcome.as_ref().err());
        let report = outcome.map_err(task_error)?;
        tracing::info!(task = %request.task_id, "{}", oneshot::summary_line(&report));
        if whole {
            self.pending.insert(&request.task_id, report.baseline_counts());
        }
        Ok(())
    }

    async fn sync_uploaded(&self, task_id: &str) {
        let Some(counts) = self.pending.take(task_id) else { return };
        if let Err(error) = self.state.store(counts) {
            tracing::warn!(path = %self.state.path().display(), %error, "cannot store this sync's counts for the next one");
        }
    }
}

/// The status C1 gets for a failed sync; permanent failures are marked non-retryable.
fn task_error(error: SyncError) -> TaskError {
    use charthop_client::Error as Client;
    let code = match &error {
        // Settings ChartHop cannot satisfy: retrying the same sync fails the same way.
        SyncError::ChartHop(Client::InvalidFieldCode { .. }) => Code::InvalidArgument,
        SyncError::ChartHop(Client::UnknownGroupTypes { .. }) => Code::FailedPrecondition,
        SyncError::ChartHop(e) => match e.status() {
            Some(400) => Code::InvalidArgument,
            Some(401) => Code::Unauthenticated,
            Some(403) => Code::PermissionDenied,
            Some(404) => Code::NotFound,
            _ => Code::Unavailable,
        },
        SyncError::ListWithoutGroupIds { .. } | SyncError::MassChange { .. } => Code::FailedPrecondition,
        SyncError::Cancelled => Code::Cancelled,
        SyncError::Write(_) | SyncError::WriterGone => Code::Internal,
    };
    let mut message = Report::new(&error).to_string();
    if let Some(hint) = hints::hint(&error) {
        message = format!("{message}; {hint}");
    }
    if error.is_permanent() {
        TaskError::permanent(code, message)
    } else {
        TaskError::retryable(code, message)
    }
}

pub async fn run(settings: Settings) -> Result<()> {
    let (Some(client_id), Some(client_secret)) = (&settings.client_id, &settings.client_secret) else {
        anyhow::bail!(
            "service mode needs --client-id / BATON_CLIENT_ID and --client-secret / BATON_CLIENT_SECRET"
        );
    };
    let credentials = ClientCredentials::parse(client_id, client_secret.expose())
        .context("invalid C1 client credentials")?;
    // Checked now so bad ChartHop settings stop the start, not every task.
    wiring::charthop_client(&settings)?;
    if let Some(dir) = &settings.work_dir {
        check_work_dir(dir)?;
    }
    let host_id = settings.host_id.clone().unwrap_or_else(c1_service::default_host_id);
    let build = BuildInfo::new("baton-charthop", crate::version::package_version());
    let mut config = ServiceConfig::new(credentials, host_id, build);
    config.api_host_override = settings.c1_api_host.clone();
    config.work_dir = settings.work_dir.clone();
    config.task_concurrency = settings.task_concurrency;
    config.shutdown_grace = Duration::from_secs(20);

    let (ready_tx, ready) = watch::channel(false);
    let (c1_tx, c1) = watch::channel(ServiceStatus::default());
    let (charthop_tx, charthop) = watch::channel(None);
    if settings.health_check {
        let address = SocketAddr::new(settings.health_check_bind_address, settings.health_check_port);
        let listener = health::bind(address, health::Status { ready, c1, charthop }).await?;
        tokio::spawn(async move {
            if let Err(e) = listener.await {
                tracing::error!("{}", Report::new(&*e));
            }
        });
    }
    let (_, org) = settings.charthop_credentials()?;
    let org = org.to_owned();
    let mut tasks = ChartHopTasks::new(settings, &org);
    tasks.charthop_check = charthop_tx;
    tracing::info!("service mode: connecting to C1");
    c1_service::run_with_status(config, Arc::new(tasks), shutdown_signal(), ready_tx, c1_tx).await?;
    tracing::info!("service mode stopped");
    Ok(())
}

/// A work directory that is not there would fail every task; it stops the start instead.
fn check_work_dir(dir: &Path) -> Result<()> {
    let metadata = std::fs::metadata(dir)
        .with_context(|| format!("invalid --work-dir / BATON_WORK_DIR {}", dir.display()))?;
    if !metadata.is_dir() {
        anyhow::bail!("invalid --work-dir / BATON_WORK_DIR {}: not a directory", dir.display());
    }
    Ok(())
}

/// SIGTERM (Kubernetes) or SIGINT (a terminal).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    tracing::info!("shutdown requested");
}

#[cfg(test)]
mod tests {
    use charthop_connector::{BaselineComparison, BaselineCounts};

    use super::*;
    use crate::settings::Inputs;

    fn handler(work_dir: Option<&Path>) -> ChartHopTasks {
        let mut settings = Settings::load(&Inputs::default()).unwrap();
        settings.work_dir = work_dir.map(Path::to_owned);
        ChartHopTasks::new(settings, "acme")
    }

    #[tokio::test]
    async fn the_counts_become_the_baseline_only_once_c1_accepted_the_upload() {
        let dir = tempfile::tempdir().unwrap();
        let tasks = handler(Some(dir.path()));
        assert!(tasks.state.path().starts_with(dir.path()), "in the work directory, not TMPDIR");
        let counts = BaselineCounts { persons: 7, grants: 70 };
        tasks.pending.insert("task-1", counts);
        assert_eq!(tasks.state.load(), None, "a finished sync is not yet what C1 holds");
        tasks.sync_uploaded("task-other").await;
        assert_eq!(tasks.state.load(), None, "another task's upload stores nothing");
        tasks.sync_uploaded("task-1").await;
        assert_eq!(tasks.state.load(), Some(counts));
        tasks.pending.insert("task-2", BaselineCounts { persons: 1, grants: 1 });
        tasks.sync_uploaded("task-1").await;
        assert_eq!(tasks.state.load(), Some(counts), "an upload is accepted once");
    }

    #[test]
    fn a_work_dir_must_be_an_existing_directory() {
        let dir = tempfile::tempdir().unwrap();
        assert!(check_work_dir(dir.path()).is_ok());
        let file = dir.path().join("f");
        std::fs::write(&file, "").unwrap();
        for path in [file, dir.path().join("missing")] {
            let error = format!("{:#}", check_work_dir(&path).unwrap_err());
            assert!(
                error.contains("--work-dir / BATON_WORK_DIR") && error.contains(&*path.to_string_lossy()),
                "{error}"
            );
        }
    }

    #[test]
    fn a_sync_reports_on_chart_hop_only_when_it_ended_well_or_on_chart_hop() {
        let mut tasks = handler(None);
        let (sender, check) = watch::channel(None);
        tasks.charthop_check = sender;
        tasks.record_charthop_check(Some(&SyncError::Cancelled));
        assert_eq!(*check.borrow(), None, "a cancelled task says nothing of ChartHop");
        tasks.record_charthop_check(None);
        assert!(check.borrow().unwrap().ok);
        let refused = charthop_client::Error::UnknownGroupTypes { unknown: vec![], available: vec![] };
        tasks.record_charthop_check(Some(&SyncError::ChartHop(refused)));
        assert!(!check.borrow().unwrap().ok);
        tasks.record_charthop_check(Some(&SyncError::WriterGone));
        assert!(!check.borrow().unwrap().ok, "unchanged by a failure of its own");
    }

    #[test]
    fn without_a_work_dir_the_state_is_in_the_temporary_directory() {
        let tasks = handler(None);
        assert_eq!(tasks.state.path().parent(), Some(std::env::temp_dir().as_path()));
    }

    #[test]
    fn a_mass_change_finishes_the_task_non_retryable_with_the_numbers_and_the_setting() {
        let comparison = BaselineComparison {
            previous_persons: 500,
            previous_grants: 4000,
            persons_vanished: 400,
            ..Default::default()
        };
        let error = task_error(SyncError::MassChange { comparison, persons: 100, ratio: 0.2 });
        assert_eq!(error.code, Code::FailedPrecondition);
        assert!(error.non_retryable);
        assert!(error.message.contains("500") && error.message.contains("400"), "{}", error.message);
        assert!(
            error.message.contains("--max-removed-ratio=1 (BATON_MAX_REMOVED_RATIO=1)"),
            "{}",
            error.message
        );
    }

    #[test]
    fn scope_settings_chart_hop_cannot_satisfy_finish_the_task_non_retryable() {
        use charthop_client::Error as Client;
        let field = Client::InvalidFieldCode {
            code: "a b".into(),
            problem: charthop_client::request::FieldCodeProblem::Character(' '),
        };
        let types =
            Client::UnknownGroupTypes { unknown: vec!["COST".into()], available: vec!["TEAM".into()] };
        for (error, code, setting) in [
            (field, Code::InvalidArgument, "--extra-fields / BATON_EXTRA_FIELDS"),
            (types, Code::FailedPrecondition, "--group-types / BATON_GROUP_TYPES"),
        ] {
            let error = task_error(SyncError::ChartHop(error));
            assert_eq!(error.code, code);
            assert!(error.non_retryable, "{}", error.message);
            assert!(error.message.contains(setting), "{}", error.message);
        }
    }
}
