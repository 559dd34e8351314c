//! C1 service mode: the daemon that ConductorOne drives. It parses the C1 client credentials,
//! obtains access tokens with a signed client assertion, keeps a TLS gRPC connection to
//! `BatonService`, takes tasks, runs syncs through a [`TaskHandler`], uploads the `.c1z` and
//! reports each task's end (spec `c1-protocol.md` §5).
//!
//! This crate knows nothing of ChartHop: a connector plugs in through [`TaskHandler`]. It never
//! reads flags or environment variables (the binary does; TLS alone honours SSL_CERT_FILE and
//! SSL_CERT_DIR, as the spec asks), and it never logs or prints the client secret or a token.

mod assertion;
mod client;
mod config;
mod credentials;
mod error;
mod handler;
mod host;
mod net;
mod panics;
mod service;
mod task;
mod tls;
mod token;
mod upload;

pub use config::{BuildInfo, ServiceConfig, Timing};
pub use credentials::{ClientCredentials, CredentialsError, encode_client_secret};
pub use error::ServiceError;
pub use handler::{SyncRequest, TaskError, TaskHandler};
pub use host::default_host_id;
pub use service::run;
pub use tls::TlsError;
pub use token::TokenError;
pub use tokio_util::sync::CancellationToken;
