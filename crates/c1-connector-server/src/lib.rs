//! The connector gRPC API — `c1.connector.v2`'s `ConnectorService`, `ResourceTypesService`,
//! `ResourcesService`, `ResourceGetterService`, `EntitlementsService` and `GrantsService`, plus
//! `c1.ratelimit.v1.RateLimiterService` — served on top of any [`ConnectorBackend`]. This is
//! how a C1-hosted connector and the Go SDK's own syncer talk to a connector.
//!
//! The crate knows no source system: a connector implements [`ConnectorBackend`] (metadata,
//! validation, resource types, and pages of resources, entitlements and grants, each page
//! continued by the backend's own opaque token) and calls [`serve`].
//!
//! What the services add on top of the backend:
//! - **Stateless pages.** A page token the server hands out carries everything needed to
//!   continue: which listing it belongs to (resources of a type, grants of a resource, ...),
//!   the backend's token and how many rows of that backend page were already sent. Any token
//!   may be replayed to resume. A token from another listing, a damaged one, or a backend that
//!   answers with the token it was given (which would repeat a page forever) is refused with
//!   `InvalidArgument`.
//! - **Bounded responses.** Every response stays under [`ServeOptions::max_response_bytes`]
//!   (default just under the 4 MiB a gRPC caller accepts): a backend page that does not fit
//!   is split, and the next token resumes inside it (the backend is asked for that page again,
//!   so a backend must answer the same token with the same rows). A request's `page_size`,
//!   when set, caps the rows of a response the same way.
//! - **The rate limiter** answers every `Do` with `STATUS_OK` and every `Report` with an empty
//!   response: limits are the backend's business.
//! - `Validate` answers with [`SDK_VERSION`], so a caller sends `active_sync_id`.
//!
//! Rows go out exactly as the backend gives them (annotations, trait annotations included).
//!
//! A connector started by the Go SDK's parent process (`_connector-service`) decodes the
//! parent's stdin line with [`ParentConfig::decode_line`] and serves on the inherited socket.

#![forbid(unsafe_code)]

mod backend;
mod parent;
mod serve;
mod services;
mod split;
mod token;

pub use backend::{BackendError, BoxError, ConnectorBackend, Page};
pub use parent::{MAX_PARENT_LINE, ParentConfig, ParentConfigError};
pub use serve::{ServeError, ServeOptions, TlsConfig, serve, serve_with_shutdown};
pub use services::{DEFAULT_MAX_RESPONSE_BYTES, SDK_VERSION};
