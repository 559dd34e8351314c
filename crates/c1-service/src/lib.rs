//! C1 service mode: the daemon that ConductorOne drives. It parses the C1 client credentials,
//! obtains access tokens with a signed client assertion, keeps a TLS gRPC connection to
//! `BatonService`, takes tasks, runs syncs through a [`TaskHandler`], uploads the `.c1z` and
//! reports each task's end (`docs/c1-wire.md`, service mode).
//!
//! This crate knows nothing of ChartHop: a connector plugs in through [`TaskHandler`], whose
//! provisioning and action methods refuse by default, so a sync-only connector implements two
//! methods and a provisioning one overrides the rest. It never reads flags or environment
//! variables (the binary does; TLS alone honours SSL_CERT_FILE and SSL_CERT_DIR, as OpenSSL and
//! Go do), and it never logs or prints the client secret or a token.

#![forbid(unsafe_code)]

mod assertion;
mod client;
mod config;
mod context;
mod credentials;
mod error;
mod handler;
mod host;
mod net;
mod panics;
mod service;
mod status;
mod task;
mod tls;
mod token;
mod upload;

pub use config::{BuildInfo, ServiceConfig, Timing};
pub use credentials::{ClientCredentials, CredentialsError, encode_client_secret};
pub use error::ServiceError;
pub use handler::{ActionTask, ProvisioningTask, SyncRequest, TaskError, TaskHandler, TaskResponse};
pub use host::default_host_id;
pub use service::{run, run_with_status};
pub use status::{Contact, ServiceStatus};
pub use tls::TlsError;
pub use token::TokenError;
pub use tokio_util::sync::CancellationToken;
