//! What the binary hands to [`crate::run`].

use std::path::PathBuf;
use std::time::Duration;

use crate::credentials::ClientCredentials;

/// Build facts sent in every Hello.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildInfo {
    /// The language runtime; defaults to the rustc that built this crate.
    pub lang_version: String,
    pub package: String,
    pub package_version: String,
}

impl BuildInfo {
    pub fn new(package: impl Into<String>, package_version: impl Into<String>) -> Self {
        Self {
            lang_version: env!("C1_SERVICE_RUSTC_VERSION").to_owned(),
            package: package.into(),
            package_version: package_version.into(),
        }
    }
}

/// Intervals and limits of the task loop. The defaults are the Go SDK's (`docs/c1-wire.md#service-loop`); tests shrink them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timing {
    /// Backoff between failed Hellos: doubles from `backoff_initial` up to `backoff_max`.
    pub backoff_initial: Duration,
    pub backoff_max: Duration,
    /// After the n-th failed GetTask in a row, wait n² of these, at most `poll_error_max`.
    pub poll_error_unit: Duration,
    pub poll_error_max: Duration,
    /// `next_poll` is clamped to `poll_min..=poll_max` (a zero from C1 would otherwise spin).
    pub poll_min: Duration,
    pub poll_max: Duration,
    /// Used when C1 says 0 for `next_heartbeat`; others are clamped to `heartbeat_min..=heartbeat_max`.
    pub heartbeat_default: Duration,
    pub heartbeat_min: Duration,
    pub heartbeat_max: Duration,
    /// Heartbeats failing this many times in a row abort the task.
    pub max_heartbeat_failures: u32,
    pub upload_attempts: u32,
    pub upload_chunk_bytes: usize,
    /// Deadline of one unary call (Hello, GetTask, Heartbeat, FinishTask) and of a token fetch.
    pub call_timeout: Duration,
    /// Calls to C1 (GetTask, Heartbeat) failing for longer than this make the service not
    /// ready until one succeeds.
    pub unreachable_after: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            backoff_initial: Duration::from_secs(1),
            backoff_max: Duration::from_secs(300),
            poll_error_unit: Duration::from_secs(1),
            poll_error_max: Duration::from_secs(60),
            poll_min: Duration::from_secs(1),
            poll_max: Duration::from_secs(300),
            heartbeat_default: Duration::from_secs(30),
            heartbeat_min: Duration::from_secs(1),
            heartbeat_max: Duration::from_secs(300),
            max_heartbeat_failures: 10,
            upload_attempts: 3,
            upload_chunk_bytes: 512 * 1024,
            call_timeout: Duration::from_secs(60),
            unreachable_after: Duration::from_secs(300),
        }
    }
}

/// Everything service mode needs; the binary fills it from flags and environment.
#[derive(Clone, Debug)]
pub struct ServiceConfig {
    pub credentials: ClientCredentials,
    /// `host[:port]` to connect to instead of the client id's host (a private installation, tests).
    /// The token audience stays the client id's host.
    pub api_host_override: Option<String>,
    /// This instance's id in C1; the binary's choice, else [`crate::default_host_id`].
    pub host_id: String,
    /// Tasks run at once (default 3).
    pub task_concurrency: usize,
    /// After shutdown is asked, how long running tasks may go on before they are cancelled.
    pub shutdown_grace: Duration,
    pub build_info: BuildInfo,
    /// Where per-task temporary directories (`baton-task-*`, holding the `.c1z` until it is
    /// uploaded) are made. `None` falls back to [`std::env::temp_dir`] (`TMPDIR` on Unix, else
    /// `/tmp`), read when each task starts; a binary that wants a fixed place (a mounted volume
    /// in a container, say) passes it here explicitly.
    pub work_dir: Option<PathBuf>,
    /// PEM CA certificates trusted besides the system's (tests, private installations).
    pub extra_root_certs_pem: Option<Vec<u8>>,
    pub timing: Timing,
}

impl ServiceConfig {
    /// A configuration with the Go SDK's defaults: concurrency 3, 30 s grace, system roots,
    /// and `work_dir: None` (task files go under [`std::env::temp_dir`]).
    pub fn new(credentials: ClientCredentials, host_id: impl Into<String>, build_info: BuildInfo) -> Self {
        Self {
            credentials,
            api_host_override: None,
            host_id: host_id.into(),
            task_concurrency: 3,
            shutdown_grace: Duration::from_secs(30),
            build_info,
            work_dir: None,
            extra_root_certs_pem: None,
            timing: Timing::default(),
        }
    }

    /// `host[:port]` of both the token endpoint and gRPC.
    pub fn api_host(&self) -> &str {
        self.api_host_override.as_deref().unwrap_or(self.credentials.host())
    }
}
