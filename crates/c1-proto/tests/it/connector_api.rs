//! The connector gRPC API subset: field numbers, types and method paths as the SDK's protos
//! declare them (the Go SDK's `proto/c1/`, see `docs/c1-wire.md#sources`).

use c1_proto::json::descriptor_pool;
use prost_reflect::Kind;

/// (message, field, number, type name as written in the .proto).
const FIELDS: &[(&str, &str, u32, &str)] = &[
    ("c1.connector.v2.ConnectorServiceGetMetadataResponse", "metadata", 1, "ConnectorMetadata"),
    ("c1.connector.v2.ConnectorServiceValidateResponse", "annotations", 1, "Any"),
    ("c1.connector.v2.ConnectorServiceValidateResponse", "sdk_version", 2, "string"),
    ("c1.connector.v2.ConnectorServiceCleanupRequest", "annotations", 1, "Any"),
    ("c1.connector.v2.ConnectorServiceCleanupResponse", "annotations", 1, "Any"),
    ("c1.connector.v2.ResourceTypesServiceListResourceTypesRequest", "parent", 1, "Resource"),
    ("c1.connector.v2.ResourceTypesServiceListResourceTypesRequest", "page_size", 2, "uint32"),
    ("c1.connector.v2.ResourceTypesServiceListResourceTypesRequest", "page_token", 3, "string"),
    ("c1.connector.v2.ResourceTypesServiceListResourceTypesRequest", "annotations", 4, "Any"),
    ("c1.connector.v2.ResourceTypesServiceListResourceTypesRequest", "active_sync_id", 5, "string"),
    ("c1.connector.v2.ResourceTypesServiceListResourceTypesResponse", "list", 1, "ResourceType"),
    ("c1.connector.v2.ResourceTypesServiceListResourceTypesResponse", "next_page_token", 2, "string"),
    ("c1.connector.v2.ResourceTypesServiceListResourceTypesResponse", "annotations", 3, "Any"),
    ("c1.connector.v2.ResourcesServiceListResourcesRequest", "resource_type_id", 1, "string"),
    ("c1.connector.v2.ResourcesServiceListResourcesRequest", "parent_resource_id", 2, "ResourceId"),
    ("c1.connector.v2.ResourcesServiceListResourcesRequest", "page_size", 3, "uint32"),
    ("c1.connector.v2.ResourcesServiceListResourcesRequest", "page_token", 4, "string"),
    ("c1.connector.v2.ResourcesServiceListResourcesRequest", "annotations", 5, "Any"),
    ("c1.connector.v2.ResourcesServiceListResourcesRequest", "active_sync_id", 6, "string"),
    ("c1.connector.v2.ResourcesServiceListResourcesResponse", "list", 1, "Resource"),
    ("c1.connector.v2.ResourcesServiceListResourcesResponse", "next_page_token", 2, "string"),
    ("c1.connector.v2.ResourcesServiceListResourcesResponse", "annotations", 3, "Any"),
    ("c1.connector.v2.ResourceGetterServiceGetResourceRequest", "resource_id", 1, "ResourceId"),
    ("c1.connector.v2.ResourceGetterServiceGetResourceRequest", "parent_resource_id", 2, "ResourceId"),
    ("c1.connector.v2.ResourceGetterServiceGetResourceRequest", "annotations", 3, "Any"),
    ("c1.connector.v2.ResourceGetterServiceGetResourceRequest", "active_sync_id", 4, "string"),
    ("c1.connector.v2.ResourceGetterServiceGetResourceResponse", "resource", 1, "Resource"),
    ("c1.connector.v2.ResourceGetterServiceGetResourceResponse", "annotations", 2, "Any"),
    ("c1.connector.v2.EntitlementsServiceListEntitlementsRequest", "resource", 1, "Resource"),
    ("c1.connector.v2.EntitlementsServiceListEntitlementsRequest", "page_size", 2, "uint32"),
    ("c1.connector.v2.EntitlementsServiceListEntitlementsRequest", "page_token", 3, "string"),
    ("c1.connector.v2.EntitlementsServiceListEntitlementsRequest", "annotations", 4, "Any"),
    ("c1.connector.v2.EntitlementsServiceListEntitlementsRequest", "active_sync_id", 5, "string"),
    ("c1.connector.v2.EntitlementsServiceListEntitlementsResponse", "list", 1, "Entitlement"),
    ("c1.connector.v2.EntitlementsServiceListEntitlementsResponse", "next_page_token", 2, "string"),
    ("c1.connector.v2.EntitlementsServiceListEntitlementsResponse", "annotations", 3, "Any"),
    ("c1.connector.v2.EntitlementsServiceListStaticEntitlementsRequest", "resource_type_id", 1, "string"),
    ("c1.connector.v2.EntitlementsServiceListStaticEntitlementsRequest", "page_token", 3, "string"),
    ("c1.connector.v2.EntitlementsServiceListStaticEntitlementsResponse", "list", 1, "Entitlement"),
    ("c1.connector.v2.EntitlementsServiceListStaticEntitlementsResponse", "next_page_token", 2, "string"),
    ("c1.connector.v2.GrantsServiceListGrantsRequest", "resource", 1, "Resource"),
    ("c1.connector.v2.GrantsServiceListGrantsRequest", "page_size", 2, "uint32"),
    ("c1.connector.v2.GrantsServiceListGrantsRequest", "page_token", 3, "string"),
    ("c1.connector.v2.GrantsServiceListGrantsRequest", "annotations", 4, "Any"),
    ("c1.connector.v2.GrantsServiceListGrantsRequest", "active_sync_id", 5, "string"),
    ("c1.connector.v2.GrantsServiceListGrantsResponse", "list", 1, "Grant"),
    ("c1.connector.v2.GrantsServiceListGrantsResponse", "next_page_token", 2, "string"),
    ("c1.connector.v2.GrantsServiceListGrantsResponse", "annotations", 3, "Any"),
    ("c1.ratelimit.v1.DoRequest", "request_token", 1, "string"),
    ("c1.ratelimit.v1.DoRequest", "service", 2, "string"),
    ("c1.ratelimit.v1.DoRequest", "descriptors", 3, "RateLimitDescriptors"),
    ("c1.ratelimit.v1.DoResponse", "request_token", 1, "string"),
    ("c1.ratelimit.v1.DoResponse", "description", 2, "RateLimitDescription"),
    ("c1.ratelimit.v1.RateLimitDescription", "status", 1, "Status"),
    ("c1.ratelimit.v1.RateLimitDescription", "limit", 2, "int64"),
    ("c1.ratelimit.v1.RateLimitDescription", "remaining", 3, "int64"),
    ("c1.ratelimit.v1.RateLimitDescription", "reset_at", 4, "Timestamp"),
    ("c1.ratelimit.v1.RateLimitDescription", "count", 5, "int64"),
    ("c1.ratelimit.v1.ReportRequest", "request_token", 1, "string"),
    ("c1.ratelimit.v1.ReportRequest", "description", 2, "RateLimitDescription"),
    ("c1.ratelimit.v1.ReportRequest", "service", 3, "string"),
    ("c1.ratelimit.v1.ReportRequest", "descriptors", 4, "RateLimitDescriptors"),
    ("c1.ratelimit.v1.RateLimitDescriptors", "entries", 1, "Entry"),
    ("c1.utls.v1.Credential", "ca_cert", 1, "bytes"),
    ("c1.utls.v1.Credential", "key", 2, "bytes"),
    ("c1.utls.v1.Credential", "cert", 3, "bytes"),
    ("c1.connector_wrapper.v1.ServerConfig", "credential", 1, "Credential"),
    ("c1.connector_wrapper.v1.ServerConfig", "rate_limiter_config", 2, "RateLimiterConfig"),
];

/// gRPC paths a syncer calls.
const METHODS: &[(&str, &str)] = &[
    ("c1.connector.v2.ConnectorService", "GetMetadata"),
    ("c1.connector.v2.ConnectorService", "Validate"),
    ("c1.connector.v2.ConnectorService", "Cleanup"),
    ("c1.connector.v2.ResourceTypesService", "ListResourceTypes"),
    ("c1.connector.v2.ResourcesService", "ListResources"),
    ("c1.connector.v2.ResourceGetterService", "GetResource"),
    ("c1.connector.v2.EntitlementsService", "ListEntitlements"),
    ("c1.connector.v2.EntitlementsService", "ListStaticEntitlements"),
    ("c1.connector.v2.GrantsService", "ListGrants"),
    ("c1.ratelimit.v1.RateLimiterService", "Do"),
    ("c1.ratelimit.v1.RateLimiterService", "Report"),
];

fn type_name(kind: &Kind) -> String {
    match kind {
        Kind::Message(m) => m.name().to_owned(),
        Kind::Enum(e) => e.name().to_owned(),
        Kind::String => "string".into(),
        Kind::Bytes => "bytes".into(),
        Kind::Uint32 => "uint32".into(),
        Kind::Int64 => "int64".into(),
        other => format!("{other:?}"),
    }
}

#[test]
fn connector_api_fields_have_the_sdk_numbers_and_types() {
    let pool = descriptor_pool();
    for (message, field, number, ty) in FIELDS {
        let descriptor = pool.get_message_by_name(message).unwrap_or_else(|| panic!("{message} missing"));
        let found =
            descriptor.get_field_by_name(field).unwrap_or_else(|| panic!("{message}.{field} missing"));
        assert_eq!(found.number(), *number, "{message}.{field}");
        assert_eq!(type_name(&found.kind()), *ty, "{message}.{field}");
    }
}

#[test]
fn connector_api_services_declare_every_method_the_syncer_calls() {
    let pool = descriptor_pool();
    for (service, method) in METHODS {
        let descriptor = pool.get_service_by_name(service).unwrap_or_else(|| panic!("{service} missing"));
        assert!(descriptor.methods().any(|m| m.name() == *method), "{service}/{method} missing");
    }
}

#[test]
fn rate_limit_statuses_are_the_sdks() {
    let status = descriptor_pool()
        .get_enum_by_name("c1.ratelimit.v1.RateLimitDescription.Status")
        .expect("status enum");
    let values: Vec<_> = status.values().map(|v| (v.name().to_owned(), v.number())).collect();
    let expected = ["STATUS_UNSPECIFIED", "STATUS_OK", "STATUS_OVERLIMIT", "STATUS_ERROR", "STATUS_EMPTY"];
    let expected: Vec<_> = expected.iter().zip(0..).map(|(n, i)| ((*n).to_owned(), i)).collect();
    assert_eq!(values, expected);
}
