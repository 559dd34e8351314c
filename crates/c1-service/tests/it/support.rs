//! A dummy connector and a harness that runs service mode against a fresh fake C1.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use c1_fake::{FakeC1, Knobs, TestCredentials};
use c1_proto::connector::v2::{Capability, ConnectorCapabilities, ConnectorMetadata};
use c1_proto::connectorapi::baton::v1::Task;
use c1_proto::connectorapi::baton::v1::task::TaskType;
use c1_service::{
    BuildInfo, CancellationToken, ClientCredentials, ServiceConfig, ServiceError, SyncRequest, TaskError,
    TaskHandler, Timing,
};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

pub const TENANT_HOST: &str = "acme.conductor.one";

/// What the dummy connector does when asked to sync.
#[derive(Clone, Debug)]
pub enum Behaviour {
    /// Writes this many deterministic bytes.
    Write(usize),
    /// Writes this many bytes after sleeping this long.
    SlowWrite(Duration, usize),
    Fail(TaskError),
    /// Writes a partial file, then waits until cancelled.
    WaitForCancel,
    /// Writes a partial file, then panics.
    Panic,
}

pub struct DummyHandler {
    behaviour: Mutex<Behaviour>,
    pub requests: Mutex<Vec<SyncRequest>>,
    pub written: Mutex<Vec<Vec<u8>>>,
    pub outputs: Mutex<Vec<PathBuf>>,
    /// Task ids whose upload C1 accepted (`sync_uploaded` calls).
    pub uploaded: Mutex<Vec<String>>,
    pub cancelled: AtomicUsize,
    running: AtomicUsize,
    pub max_running: AtomicUsize,
}

impl DummyHandler {
    pub fn new(behaviour: Behaviour) -> Arc<Self> {
        Arc::new(Self {
            behaviour: Mutex::new(behaviour),
            requests: Mutex::default(),
            written: Mutex::default(),
            outputs: Mutex::default(),
            uploaded: Mutex::default(),
            cancelled: AtomicUsize::new(0),
            running: AtomicUsize::new(0),
            max_running: AtomicUsize::new(0),
        })
    }

    pub fn started(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}

/// Deterministic, non-repeating-per-chunk content so misplaced chunks show.
pub fn content(len: usize) -> Vec<u8> {
    (0..len).map(|i| ((i * 31 + i / 4096) % 251) as u8).collect()
}

struct RunningGuard<'a>(&'a AtomicUsize);

impl Drop for RunningGuard<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl TaskHandler for DummyHandler {
    async fn sync_uploaded(&self, task_id: &str) {
        self.uploaded.lock().unwrap().push(task_id.to_owned());
    }

    fn metadata(&self) -> ConnectorMetadata {
        ConnectorMetadata {
            display_name: "Dummy".to_owned(),
            description: "a test connector".to_owned(),
            capabilities: Some(ConnectorCapabilities {
                connector_capabilities: vec![Capability::Sync as i32],
                ..ConnectorCapabilities::default()
            }),
            ..ConnectorMetadata::default()
        }
    }

    async fn sync_full(
        &self,
        request: SyncRequest,
        output: &Path,
        cancel: CancellationToken,
    ) -> Result<(), TaskError> {
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        let _guard = RunningGuard(&self.running);
        self.max_running.fetch_max(now, Ordering::SeqCst);
        if let Some(log) = &request.debug_log {
            std::fs::write(log, format!("debug log of {}\n", request.task_id))
                .map_err(|e| TaskError::retryable(tonic::Code::Internal, e.to_string()))?;
        }
        self.requests.lock().unwrap().push(request);
        self.outputs.lock().unwrap().push(output.to_owned());
        let behaviour = self.behaviour.lock().unwrap().clone();
        let write = |len| {
            let bytes = content(len);
            std::fs::write(output, &bytes)
                .map_err(|e| TaskError::retryable(tonic::Code::Internal, e.to_string()))?;
            self.written.lock().unwrap().push(bytes);
            Ok(())
        };
        match behaviour {
            Behaviour::Write(len) => write(len),
            Behaviour::SlowWrite(delay, len) => {
                tokio::time::sleep(delay).await;
                write(len)
            }
            Behaviour::Fail(error) => Err(error),
            Behaviour::Panic => {
                write(1000)?;
                panic!("the dummy connector panics on purpose");
            }
            Behaviour::WaitForCancel => {
                write(1000)?;
                cancel.cancelled().await;
                self.cancelled.fetch_add(1, Ordering::SeqCst);
                Err(TaskError::permanent(tonic::Code::Cancelled, "cancelled"))
            }
        }
    }
}

/// The spec's intervals shrunk so tests take milliseconds.
pub fn fast_timing() -> Timing {
    Timing {
        backoff_initial: Duration::from_millis(20),
        backoff_max: Duration::from_millis(200),
        poll_error_unit: Duration::from_millis(5),
        poll_error_max: Duration::from_millis(100),
        poll_min: Duration::from_millis(10),
        heartbeat_default: Duration::from_millis(100),
        heartbeat_min: Duration::from_millis(20),
        call_timeout: Duration::from_secs(5),
        ..Timing::default()
    }
}

pub struct Harness {
    pub fake: FakeC1,
    pub credentials: TestCredentials,
    pub work_dir: tempfile::TempDir,
}

pub struct Running {
    stop: Option<oneshot::Sender<()>>,
    handle: JoinHandle<Result<(), ServiceError>>,
    pub ready: watch::Receiver<bool>,
}

impl Harness {
    pub async fn start(knobs: Knobs) -> Self {
        let fake = FakeC1::start(knobs).await.expect("fake C1 starts");
        let credentials = fake.mint_credentials(TENANT_HOST);
        Self { fake, credentials, work_dir: tempfile::tempdir().unwrap() }
    }

    /// A configuration aimed at the fake, trusting its CA, with intervals shrunk for speed.
    pub fn config(&self) -> ServiceConfig {
        let credentials =
            ClientCredentials::parse(&self.credentials.client_id, &self.credentials.client_secret).unwrap();
        let mut config =
            ServiceConfig::new(credentials, "test-host", BuildInfo::new("dummy-connector", "1.2.3"));
        config.api_host_override = Some(self.fake.api_host());
        config.extra_root_certs_pem = Some(self.fake.ca_pem().as_bytes().to_vec());
        config.work_dir = Some(self.work_dir.path().to_owned());
        config.shutdown_grace = Duration::from_secs(2);
        config.timing = fast_timing();
        config
    }

    pub fn spawn(&self, handler: Arc<DummyHandler>) -> Running {
        self.spawn_with(self.config(), handler)
    }

    pub fn spawn_with(&self, config: ServiceConfig, handler: Arc<DummyHandler>) -> Running {
        self.spawn_handler(config, handler)
    }

    pub fn spawn_handler<H: TaskHandler>(&self, config: ServiceConfig, handler: Arc<H>) -> Running {
        let (stop, stopped) = oneshot::channel::<()>();
        let (ready_tx, ready) = watch::channel(false);
        let shutdown = async move {
            let _ = stopped.await;
        };
        let handle = tokio::spawn(c1_service::run(config, handler, shutdown, ready_tx));
        Running { stop: Some(stop), handle, ready }
    }

    /// Everything left in the work directory (per-task temporary directories and files).
    pub fn leftovers(&self) -> Vec<PathBuf> {
        walk(self.work_dir.path())
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut found = vec![];
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        found.push(entry.path());
        if entry.path().is_dir() {
            found.extend(walk(&entry.path()));
        }
    }
    found
}

impl Running {
    /// Asks for shutdown and returns what `run` returned.
    pub async fn shutdown(mut self) -> Result<(), ServiceError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.finished().await
    }

    /// Waits for `run` to return by itself.
    pub async fn finished(self) -> Result<(), ServiceError> {
        tokio::time::timeout(Duration::from_secs(20), self.handle)
            .await
            .expect("run returns within 20 s")
            .expect("run does not panic")
    }

    pub fn is_finished(&self) -> bool {
        self.handle.is_finished()
    }
}

pub fn task(task_type: TaskType) -> Task {
    Task { id: c1_fake::new_task_id(), task_type: Some(task_type), ..Task::default() }
}

pub const WAIT: Duration = Duration::from_secs(10);

/// Log lines written while the returned guard lives, on this thread (tokio's test runtime is
/// single-threaded, so the service's tasks log here too).
pub fn capture_logs() -> (CapturedLogs, tracing::subscriber::DefaultGuard) {
    let logs = CapturedLogs::default();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .with_writer({
            let logs = logs.clone();
            move || logs.clone()
        })
        .finish();
    (logs, tracing::subscriber::set_default(subscriber))
}

#[derive(Clone, Default)]
pub struct CapturedLogs(Arc<Mutex<Vec<u8>>>);

impl CapturedLogs {
    pub fn lines(&self) -> Vec<String> {
        String::from_utf8_lossy(&self.0.lock().unwrap()).lines().map(str::to_owned).collect()
    }
}

impl std::io::Write for CapturedLogs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
