//! A fake C1 for tests and local runs: ONE TLS port on 127.0.0.1 serving both `BatonService`
//! (gRPC over h2) and `POST /auth/v1/token` (HTTP/1.1 and h2), with a CA made at start.
//! It verifies client assertions, checks `authorization` on every call, serves scripted tasks,
//! records every request, and has knobs to misbehave (see [`Knobs`]).
//!
//! Architecture invariant: it depends on no workspace crate but `c1-proto`, and reads the
//! credentials and assertions on its own, never with `c1-service`'s code, so a misreading of
//! the contract cannot hide in both. It never listens on anything but 127.0.0.1.

#![forbid(unsafe_code)]

mod auth;
mod certs;
mod grpc;
mod serve;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use c1_proto::connectorapi::baton::v1::{
    BatonServiceFinishTaskRequest, BatonServiceHeartbeatRequest, BatonServiceHelloRequest, Task,
};
use ed25519_dalek::{SigningKey, VerifyingKey};
use tempfile::NamedTempFile;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

#[derive(Debug, thiserror::Error)]
pub enum FakeError {
    #[error("could not make the fake C1's certificates: {0}")]
    Certificate(String),
    #[error("could not start the fake C1")]
    Io(#[from] std::io::Error),
}

/// Ways to make the fake misbehave; change them any time with [`FakeC1::set_knobs`].
#[derive(Clone, Debug)]
pub struct Knobs {
    /// `expires_in` of issued tokens, in seconds; a token is refused once it has expired.
    pub token_lifetime_secs: u64,
    /// The token endpoint answers 401 to everything.
    pub token_endpoint_refuses: bool,
    /// The next this-many gRPC calls answer Unavailable.
    pub unavailable_calls: usize,
    /// Hello answers Unauthenticated.
    pub hello_unauthenticated: bool,
    /// Heartbeats and uploads answer NotFound, as C1 does for a task it no longer knows.
    pub tasks_forgotten: bool,
    /// The next this-many GetTask calls answer PermissionDenied.
    pub get_task_permission_denied: usize,
    /// The next upload stream is broken off with Unavailable after its first data chunk.
    pub drop_next_upload: bool,
    /// A heartbeat for this task id answers `cancelled` once it has had this many heartbeats.
    pub cancel_task_after_heartbeats: Option<(String, usize)>,
    /// `next_poll` sent with GetTask answers.
    pub next_poll: Duration,
    /// `next_heartbeat` sent with GetTask and Heartbeat answers.
    pub next_heartbeat: Duration,
}

impl Default for Knobs {
    fn default() -> Self {
        Self {
            token_lifetime_secs: 3600,
            token_endpoint_refuses: false,
            unavailable_calls: 0,
            hello_unauthenticated: false,
            tasks_forgotten: false,
            get_task_permission_denied: 0,
            drop_next_upload: false,
            cancel_task_after_heartbeats: None,
            next_poll: Duration::from_millis(50),
            next_heartbeat: Duration::from_millis(200),
        }
    }
}

/// One POST to /auth/v1/token.
#[derive(Clone, Debug)]
pub struct TokenRequestRecord {
    pub client_id: String,
    /// `HTTP/1.1` or `HTTP/2.0`.
    pub http_version: String,
    /// The decoded JWT header and claims (JSON), when the assertion could be split.
    pub assertion_header: Option<serde_json::Value>,
    pub assertion_claims: Option<serde_json::Value>,
    /// `Ok(())` when a token was issued, else why not.
    pub outcome: Result<(), String>,
}

/// One UploadAsset stream.
#[derive(Clone, Debug, Default)]
pub struct UploadRecord {
    pub host_id: String,
    pub task_id: String,
    pub chunk_sizes: Vec<usize>,
    pub data: Vec<u8>,
    pub sha256_checksum: Vec<u8>,
    /// Ended with an eof whose checksum matched the data.
    pub complete: bool,
    /// Broken off by the `drop_next_upload` knob.
    pub dropped: bool,
}

/// A gRPC call the fake refused before handling it.
#[derive(Clone, Debug)]
pub struct RefusedCall {
    pub rpc: &'static str,
    pub code: tonic::Code,
    pub reason: String,
}

/// Everything the fake has seen, in arrival order.
#[derive(Clone, Debug, Default)]
pub struct Recorded {
    pub token_requests: Vec<TokenRequestRecord>,
    pub hellos: Vec<BatonServiceHelloRequest>,
    /// UploadAsset streams refused because the task was forgotten.
    pub forgotten_uploads: usize,
    /// The `user-agent` of each Hello, in order.
    pub hello_user_agents: Vec<String>,
    pub get_tasks: usize,
    pub heartbeats: Vec<BatonServiceHeartbeatRequest>,
    pub finishes: Vec<BatonServiceFinishTaskRequest>,
    pub uploads: Vec<UploadRecord>,
    pub refused: Vec<RefusedCall>,
}

impl Recorded {
    pub fn finishes_of(&self, task_id: &str) -> Vec<&BatonServiceFinishTaskRequest> {
        self.finishes.iter().filter(|finish| finish.task_id == task_id).collect()
    }

    pub fn heartbeats_of(&self, task_id: &str) -> usize {
        self.heartbeats.iter().filter(|beat| beat.task_id == task_id).count()
    }
}

/// A client id and secret the fake accepts.
#[derive(Clone)]
pub struct TestCredentials {
    pub client_id: String,
    pub client_secret: String,
}

#[derive(Default)]
pub(crate) struct State {
    knobs: Knobs,
    clients: HashMap<String, VerifyingKey>,
    tokens: HashMap<String, Instant>,
    tasks: VecDeque<Task>,
    recorded: Recorded,
}

pub(crate) type Shared = Arc<Mutex<State>>;

pub(crate) fn lock(state: &Shared) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub struct FakeC1 {
    addr: SocketAddr,
    ca_pem: String,
    ca_file: NamedTempFile,
    state: Shared,
    server: JoinHandle<()>,
}

impl FakeC1 {
    /// Starts the fake on 127.0.0.1 with a fresh CA.
    pub async fn start(knobs: Knobs) -> Result<Self, FakeError> {
        let tls = certs::generate()?;
        let mut ca_file = tempfile::Builder::new().prefix("fake-c1-ca-").suffix(".pem").tempfile()?;
        std::io::Write::write_all(&mut ca_file, tls.ca_pem.as_bytes())?;
        let state: Shared = Arc::new(Mutex::new(State { knobs, ..State::default() }));
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let server = tokio::spawn(serve::serve(listener, tls.server_config, Arc::clone(&state)));
        Ok(Self { addr, ca_pem: tls.ca_pem, ca_file, state, server })
    }

    /// `127.0.0.1:<port>`: the C1 API host to connect to instead of the client id's host.
    pub fn api_host(&self) -> String {
        self.addr.to_string()
    }

    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The CA as a PEM file, for `SSL_CERT_FILE` in tests of a separate process.
    pub fn ca_file(&self) -> &Path {
        self.ca_file.path()
    }

    /// Registers a new client (random Ed25519 key) whose id names `tenant_host`; the fake then
    /// expects that host as the token audience.
    pub fn mint_credentials(&self, tenant_host: &str) -> TestCredentials {
        let signing_key = SigningKey::from_bytes(&rand::random());
        let suffix: String = (0..5).map(|_| char::from(b'0' + rand::random_range(0..10u8))).collect();
        let client_id = format!("test-client-{suffix}@{tenant_host}/pcc");
        lock(&self.state).clients.insert(client_id.clone(), signing_key.verifying_key());
        TestCredentials { client_id, client_secret: encode_client_secret(&signing_key) }
    }

    pub fn push_task(&self, task: Task) {
        lock(&self.state).tasks.push_back(task);
    }

    pub fn set_knobs(&self, change: impl FnOnce(&mut Knobs)) {
        change(&mut lock(&self.state).knobs);
    }

    pub fn recorded(&self) -> Recorded {
        lock(&self.state).recorded.clone()
    }

    /// Waits (polling every 10 ms) until `condition` holds; returns the records either way and
    /// whether it held.
    pub async fn wait_for(
        &self,
        timeout: Duration,
        condition: impl Fn(&Recorded) -> bool,
    ) -> (bool, Recorded) {
        let deadline = Instant::now() + timeout;
        loop {
            let recorded = self.recorded();
            if condition(&recorded) {
                return (true, recorded);
            }
            if Instant::now() >= deadline {
                return (false, recorded);
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

impl Drop for FakeC1 {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// A client secret as C1 issues them: `secret-token:conductorone.com:v1:` and the base64url
/// (no padding) of the Ed25519 private key as a JWK.
pub fn encode_client_secret(signing_key: &SigningKey) -> String {
    let jwk = serde_json::json!({
        "kty": "OKP",
        "crv": "Ed25519",
        "x": URL_SAFE_NO_PAD.encode(signing_key.verifying_key().as_bytes()),
        "d": URL_SAFE_NO_PAD.encode(signing_key.to_bytes()),
    });
    format!("secret-token:conductorone.com:v1:{}", URL_SAFE_NO_PAD.encode(jwk.to_string()))
}

/// A random task id: 27 alphanumerics, like a KSUID.
pub fn new_task_id() -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    (0..27).map(|_| char::from(ALPHABET[rand::random_range(0..ALPHABET.len())])).collect()
}
