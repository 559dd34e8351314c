//! What a connector implements to be served.

use std::future::Future;

use c1_proto::connector::v2::{ConnectorMetadata, Entitlement, Grant, Resource, ResourceId, ResourceType};
use c1_proto::prost_types::Any;

/// Any error a backend wraps.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// One page from the backend: its rows and the backend's own token for the next page
/// (`None` at the end). The server never looks inside the token.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

impl<T> Page<T> {
    /// A page with no next page.
    pub fn last(items: Vec<T>) -> Self {
        Self { items, next: None }
    }
}

/// Why a backend call failed; each variant becomes one gRPC code.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// The source system refused the credentials (`Unauthenticated`).
    #[error("the source system refused the credentials")]
    Unauthenticated(#[source] BoxError),
    /// The credentials lack access to what was asked (`PermissionDenied`).
    #[error("the credentials lack access")]
    PermissionDenied(#[source] BoxError),
    /// The source system could not be reached or is rate limiting; worth retrying
    /// (`Unavailable`).
    #[error("the source system is unavailable")]
    Unavailable(#[source] BoxError),
    /// The backend does not know this resource type (`InvalidArgument`).
    #[error("unknown resource type {0:?}")]
    UnknownResourceType(String),
    /// No such resource, or the backend does not look resources up one by one (`NotFound`).
    #[error("no resource {0}")]
    NotFound(String),
    /// The backend cannot continue from its own token (`InvalidArgument`).
    #[error("the page token cannot be continued")]
    InvalidPageToken(#[source] BoxError),
    /// Anything else (`Internal`).
    #[error("the connector failed")]
    Internal(#[source] BoxError),
}

/// A connector as the gRPC API sees it. Page methods take the backend's own token from the
/// previous page (`None` for the first) and must answer the same token with the same rows:
/// the server may ask for a page again to resume inside it.
pub trait ConnectorBackend: Send + Sync + 'static {
    /// The connector's metadata (display name, capabilities, ...).
    fn metadata(&self) -> impl Future<Output = Result<ConnectorMetadata, BackendError>> + Send;

    /// Checks that the credentials work (one cheap request); the annotations go back as is.
    fn validate(&self) -> impl Future<Output = Result<Vec<Any>, BackendError>> + Send;

    /// Every resource type the connector syncs.
    fn resource_types(&self) -> impl Future<Output = Result<Vec<ResourceType>, BackendError>> + Send;

    /// One page of the resources of a type.
    fn resources(
        &self,
        resource_type_id: &str,
        page_token: Option<&str>,
    ) -> impl Future<Output = Result<Page<Resource>, BackendError>> + Send;

    /// One resource by id (targeted syncs). `NotFound` by default.
    fn resource(&self, id: &ResourceId) -> impl Future<Output = Result<Resource, BackendError>> + Send {
        let missing = format!("{}:{}", id.resource_type, id.resource);
        async move { Err(BackendError::NotFound(missing)) }
    }

    /// One page of the entitlements of a resource (the request's full resource).
    fn entitlements(
        &self,
        resource: &Resource,
        page_token: Option<&str>,
    ) -> impl Future<Output = Result<Page<Entitlement>, BackendError>> + Send;

    /// One page of the entitlements every resource of a type has. None by default.
    fn static_entitlements(
        &self,
        resource_type_id: &str,
        page_token: Option<&str>,
    ) -> impl Future<Output = Result<Page<Entitlement>, BackendError>> + Send {
        let _ = (resource_type_id, page_token);
        async { Ok(Page::last(Vec::new())) }
    }

    /// One page of the grants of a resource (the request's full resource).
    fn grants(
        &self,
        resource: &Resource,
        page_token: Option<&str>,
    ) -> impl Future<Output = Result<Page<Grant>, BackendError>> + Send;

    /// Called when the caller is done with the sync. Nothing by default.
    fn cleanup(&self) -> impl Future<Output = Result<(), BackendError>> + Send {
        async { Ok(()) }
    }
}

/// A shared backend serves as itself (so a caller can keep a handle to it).
impl<B: ConnectorBackend> ConnectorBackend for std::sync::Arc<B> {
    fn metadata(&self) -> impl Future<Output = Result<ConnectorMetadata, BackendError>> + Send {
        (**self).metadata()
    }
    fn validate(&self) -> impl Future<Output = Result<Vec<Any>, BackendError>> + Send {
        (**self).validate()
    }
    fn resource_types(&self) -> impl Future<Output = Result<Vec<ResourceType>, BackendError>> + Send {
        (**self).resource_types()
    }
    fn resources(
        &self,
        resource_type_id: &str,
        page_token: Option<&str>,
    ) -> impl Future<Output = Result<Page<Resource>, BackendError>> + Send {
        (**self).resources(resource_type_id, page_token)
    }
    fn resource(&self, id: &ResourceId) -> impl Future<Output = Result<Resource, BackendError>> + Send {
        (**self).resource(id)
    }
    fn entitlements(
        &self,
        resource: &Resource,
        page_token: Option<&str>,
    ) -> impl Future<Output = Result<Page<Entitlement>, BackendError>> + Send {
        (**self).entitlements(resource, page_token)
    }
    fn static_entitlements(
        &self,
        resource_type_id: &str,
        page_token: Option<&str>,
    ) -> impl Future<Output = Result<Page<Entitlement>, BackendError>> + Send {
        (**self).static_entitlements(resource_type_id, page_token)
    }
    fn grants(
        &self,
        resource: &Resource,
        page_token: Option<&str>,
    ) -> impl Future<Output = Result<Page<Grant>, BackendError>> + Send {
        (**self).grants(resource, page_token)
    }
    fn cleanup(&self) -> impl Future<Output = Result<(), BackendError>> + Send {
        (**self).cleanup()
    }
}
