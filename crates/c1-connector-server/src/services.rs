//! The tonic services over a [`ConnectorBackend`].

use std::sync::Arc;

use c1_proto::connector::v2::connector_service_server::{ConnectorService, ConnectorServiceServer};
use c1_proto::connector::v2::entitlements_service_server::{EntitlementsService, EntitlementsServiceServer};
use c1_proto::connector::v2::grants_service_server::{GrantsService, GrantsServiceServer};
use c1_proto::connector::v2::resource_getter_service_server::{
    ResourceGetterService, ResourceGetterServiceServer,
};
use c1_proto::connector::v2::resource_types_service_server::{
    ResourceTypesService, ResourceTypesServiceServer,
};
use c1_proto::connector::v2::resources_service_server::{ResourcesService, ResourcesServiceServer};
use c1_proto::connector::v2::{
    ConnectorServiceCleanupRequest, ConnectorServiceCleanupResponse, ConnectorServiceGetMetadataRequest,
    ConnectorServiceGetMetadataResponse, ConnectorServiceValidateRequest, ConnectorServiceValidateResponse,
    EntitlementsServiceListEntitlementsRequest, EntitlementsServiceListEntitlementsResponse,
    EntitlementsServiceListStaticEntitlementsRequest, EntitlementsServiceListStaticEntitlementsResponse,
    GrantsServiceListGrantsRequest, GrantsServiceListGrantsResponse, Resource,
    ResourceGetterServiceGetResourceRequest, ResourceGetterServiceGetResourceResponse,
    ResourceTypesServiceListResourceTypesRequest, ResourceTypesServiceListResourceTypesResponse,
    ResourcesServiceListResourcesRequest, ResourcesServiceListResourcesResponse,
};
use c1_proto::ratelimit::v1::rate_limiter_service_server::{RateLimiterService, RateLimiterServiceServer};
use c1_proto::ratelimit::v1::{
    DoRequest, DoResponse, RateLimitDescription, ReportRequest, ReportResponse, rate_limit_description,
};
use tonic::service::Routes;
use tonic::{Request, Response, Status};

use crate::backend::{BackendError, ConnectorBackend, Page};
use crate::split::{Limits, cut};
use crate::token;

/// What `Validate` answers as `sdk_version`: the SDK version whose behaviour this server
/// follows. From 0.4.3 on, a caller sends `active_sync_id` on list requests.
pub const SDK_VERSION: &str = "v0.4.3";

/// A gRPC caller refuses messages above 4 MiB; the default keeps 64 KiB of headroom.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024 - 64 * 1024;

pub(crate) struct Api<B> {
    backend: B,
    max_bytes: usize,
}

impl<B> Api<B> {
    fn limits(&self, page_size: u32) -> Limits {
        Limits { max_bytes: self.max_bytes, max_rows: page_size }
    }
}

/// Every service of the API, on one shared backend.
pub(crate) fn routes<B: ConnectorBackend>(backend: B, max_bytes: usize) -> Routes {
    let api = Arc::new(Api { backend, max_bytes });
    Routes::new(ConnectorServiceServer::from_arc(Arc::clone(&api)))
        .add_service(ResourceTypesServiceServer::from_arc(Arc::clone(&api)))
        .add_service(ResourcesServiceServer::from_arc(Arc::clone(&api)))
        .add_service(ResourceGetterServiceServer::from_arc(Arc::clone(&api)))
        .add_service(EntitlementsServiceServer::from_arc(Arc::clone(&api)))
        .add_service(GrantsServiceServer::from_arc(Arc::clone(&api)))
        .add_service(RateLimiterServiceServer::from_arc(api))
}

fn status(error: &BackendError) -> Status {
    let message = error_reporter::Report::new(error).to_string();
    tracing::warn!(error = %message, "connector call failed");
    match error {
        BackendError::Unauthenticated(_) => Status::unauthenticated(message),
        BackendError::PermissionDenied(_) => Status::permission_denied(message),
        BackendError::Unavailable(_) => Status::unavailable(message),
        BackendError::UnknownResourceType(_) | BackendError::InvalidPageToken(_) => {
            Status::invalid_argument(message)
        }
        BackendError::NotFound(_) => Status::not_found(message),
        BackendError::Internal(_) => Status::internal(message),
    }
}

fn bad_token(error: token::TokenError) -> Status {
    Status::invalid_argument(error.to_string())
}

fn scope(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|part| (*part).to_owned()).collect()
}

/// The type and id of the request's resource, which a per-resource listing needs.
fn resource_key(resource: Option<&Resource>) -> Result<(&Resource, String, String), Status> {
    let resource = resource.ok_or_else(|| Status::invalid_argument("the request names no resource"))?;
    let id =
        resource.id.as_ref().ok_or_else(|| Status::invalid_argument("the request's resource has no id"))?;
    Ok((resource, id.resource_type.clone(), id.resource.clone()))
}

fn row_id(kind: &str, id: &str) -> String {
    format!("{kind} {id:?}")
}

#[tonic::async_trait]
impl<B: ConnectorBackend> ConnectorService for Api<B> {
    async fn get_metadata(
        &self,
        _request: Request<ConnectorServiceGetMetadataRequest>,
    ) -> Result<Response<ConnectorServiceGetMetadataResponse>, Status> {
        let metadata = self.backend.metadata().await.map_err(|e| status(&e))?;
        Ok(Response::new(ConnectorServiceGetMetadataResponse { metadata: Some(metadata) }))
    }

    async fn validate(
        &self,
        _request: Request<ConnectorServiceValidateRequest>,
    ) -> Result<Response<ConnectorServiceValidateResponse>, Status> {
        let annotations = self.backend.validate().await.map_err(|e| status(&e))?;
        Ok(Response::new(ConnectorServiceValidateResponse {
            annotations,
            sdk_version: SDK_VERSION.to_owned(),
        }))
    }

    async fn cleanup(
        &self,
        _request: Request<ConnectorServiceCleanupRequest>,
    ) -> Result<Response<ConnectorServiceCleanupResponse>, Status> {
        self.backend.cleanup().await.map_err(|e| status(&e))?;
        Ok(Response::new(ConnectorServiceCleanupResponse::default()))
    }
}

#[tonic::async_trait]
impl<B: ConnectorBackend> ResourceTypesService for Api<B> {
    async fn list_resource_types(
        &self,
        request: Request<ResourceTypesServiceListResourceTypesRequest>,
    ) -> Result<Response<ResourceTypesServiceListResourceTypesResponse>, Status> {
        let cursor =
            token::decode(&request.get_ref().page_token, &scope(&["resource_types"])).map_err(bad_token)?;
        if cursor.backend.is_some() {
            return Err(Status::invalid_argument("the resource types token names a backend page"));
        }
        let types = self.backend.resource_types().await.map_err(|e| status(&e))?;
        let (list, next_page_token) =
            cut(&cursor, Page::last(types), self.limits(request.get_ref().page_size), |t| {
                row_id("resource type", &t.id)
            })?;
        Ok(Response::new(ResourceTypesServiceListResourceTypesResponse {
            list,
            next_page_token,
            annotations: Vec::new(),
        }))
    }
}

#[tonic::async_trait]
impl<B: ConnectorBackend> ResourcesService for Api<B> {
    async fn list_resources(
        &self,
        request: Request<ResourcesServiceListResourcesRequest>,
    ) -> Result<Response<ResourcesServiceListResourcesResponse>, Status> {
        let request = request.into_inner();
        // No resource type here has child types, so a listing under a parent is empty.
        if request.parent_resource_id.is_some() {
            return Ok(Response::new(ResourcesServiceListResourcesResponse::default()));
        }
        let type_id = request.resource_type_id;
        let cursor =
            token::decode(&request.page_token, &scope(&["resources", &type_id])).map_err(bad_token)?;
        let page =
            self.backend.resources(&type_id, cursor.backend.as_deref()).await.map_err(|e| status(&e))?;
        let (list, next_page_token) = cut(&cursor, page, self.limits(request.page_size), |r| {
            row_id("resource", r.id.as_ref().map_or("", |id| id.resource.as_str()))
        })?;
        Ok(Response::new(ResourcesServiceListResourcesResponse {
            list,
            next_page_token,
            annotations: Vec::new(),
        }))
    }
}

#[tonic::async_trait]
impl<B: ConnectorBackend> ResourceGetterService for Api<B> {
    async fn get_resource(
        &self,
        request: Request<ResourceGetterServiceGetResourceRequest>,
    ) -> Result<Response<ResourceGetterServiceGetResourceResponse>, Status> {
        let id = request
            .get_ref()
            .resource_id
            .as_ref()
            .ok_or_else(|| Status::invalid_argument("the request names no resource"))?;
        let resource = self.backend.resource(id).await.map_err(|e| status(&e))?;
        Ok(Response::new(ResourceGetterServiceGetResourceResponse {
            resource: Some(resource),
            annotations: Vec::new(),
        }))
    }
}

#[tonic::async_trait]
impl<B: ConnectorBackend> EntitlementsService for Api<B> {
    async fn list_entitlements(
        &self,
        request: Request<EntitlementsServiceListEntitlementsRequest>,
    ) -> Result<Response<EntitlementsServiceListEntitlementsResponse>, Status> {
        let request = request.get_ref();
        let (resource, type_id, id) = resource_key(request.resource.as_ref())?;
        let cursor = token::decode(&request.page_token, &scope(&["entitlements", &type_id, &id]))
            .map_err(bad_token)?;
        let page =
            self.backend.entitlements(resource, cursor.backend.as_deref()).await.map_err(|e| status(&e))?;
        let (list, next_page_token) =
            cut(&cursor, page, self.limits(request.page_size), |e| row_id("entitlement", &e.id))?;
        Ok(Response::new(EntitlementsServiceListEntitlementsResponse {
            list,
            next_page_token,
            annotations: Vec::new(),
        }))
    }

    async fn list_static_entitlements(
        &self,
        request: Request<EntitlementsServiceListStaticEntitlementsRequest>,
    ) -> Result<Response<EntitlementsServiceListStaticEntitlementsResponse>, Status> {
        let request = request.get_ref();
        let type_id = &request.resource_type_id;
        let cursor = token::decode(&request.page_token, &scope(&["static_entitlements", type_id]))
            .map_err(bad_token)?;
        let page = self
            .backend
            .static_entitlements(type_id, cursor.backend.as_deref())
            .await
            .map_err(|e| status(&e))?;
        let (list, next_page_token) =
            cut(&cursor, page, self.limits(request.page_size), |e| row_id("entitlement", &e.slug))?;
        Ok(Response::new(EntitlementsServiceListStaticEntitlementsResponse {
            list,
            next_page_token,
            annotations: Vec::new(),
        }))
    }
}

#[tonic::async_trait]
impl<B: ConnectorBackend> GrantsService for Api<B> {
    async fn list_grants(
        &self,
        request: Request<GrantsServiceListGrantsRequest>,
    ) -> Result<Response<GrantsServiceListGrantsResponse>, Status> {
        let request = request.get_ref();
        let (resource, type_id, id) = resource_key(request.resource.as_ref())?;
        let cursor =
            token::decode(&request.page_token, &scope(&["grants", &type_id, &id])).map_err(bad_token)?;
        let page = self.backend.grants(resource, cursor.backend.as_deref()).await.map_err(|e| status(&e))?;
        let (list, next_page_token) =
            cut(&cursor, page, self.limits(request.page_size), |g| row_id("grant", &g.id))?;
        Ok(Response::new(GrantsServiceListGrantsResponse { list, next_page_token, annotations: Vec::new() }))
    }
}

#[tonic::async_trait]
impl<B: ConnectorBackend> RateLimiterService for Api<B> {
    async fn r#do(&self, request: Request<DoRequest>) -> Result<Response<DoResponse>, Status> {
        // An empty status would make the caller skip the call it wraps.
        let description =
            RateLimitDescription { status: rate_limit_description::Status::Ok.into(), ..Default::default() };
        Ok(Response::new(DoResponse {
            request_token: request.into_inner().request_token,
            description: Some(description),
        }))
    }

    async fn report(&self, _request: Request<ReportRequest>) -> Result<Response<ReportResponse>, Status> {
        Ok(Response::new(ReportResponse {}))
    }
}
