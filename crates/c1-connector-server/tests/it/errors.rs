//! Tokens the server refuses, and backend errors as gRPC codes.

use c1_connector_server::ServeOptions;
use c1_proto::connector::v2::grants_service_client::GrantsServiceClient;
use c1_proto::connector::v2::resources_service_client::ResourcesServiceClient;
use c1_proto::connector::v2::{GrantsServiceListGrantsRequest, ResourcesServiceListResourcesRequest};
use c1_proto::tonic::Code;

use crate::backend::{StaticBackend, channel, group, serve_static};

fn list(type_id: &str, token: &str) -> ResourcesServiceListResourcesRequest {
    ResourcesServiceListResourcesRequest {
        resource_type_id: type_id.into(),
        page_token: token.into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn foreign_damaged_and_other_listing_tokens_are_invalid_arguments() {
    let served = serve_static(StaticBackend::default(), ServeOptions::default()).await;
    let mut resources = ResourcesServiceClient::new(channel(&served.url).await);
    let users = resources.list_resources(list("user", "")).await.expect("first page").into_inner();
    assert!(!users.next_page_token.is_empty());

    // A token of the user listing, given to the group listing.
    let other = resources.list_resources(list("group", &users.next_page_token)).await.expect_err("refused");
    assert_eq!(other.code(), Code::InvalidArgument, "{other:?}");
    assert!(other.message().contains("another listing"), "{}", other.message());

    // ... and to a grants listing.
    let mut grants = GrantsServiceClient::new(channel(&served.url).await);
    let request = GrantsServiceListGrantsRequest {
        resource: Some(group(0)),
        page_token: users.next_page_token.clone(),
        ..Default::default()
    };
    let foreign = grants.list_grants(request).await.expect_err("refused");
    assert_eq!(foreign.code(), Code::InvalidArgument);

    // The backend's own token, and a token with one character changed.
    for bad in ["5".to_owned(), damaged(&users.next_page_token)] {
        let refused = resources.list_resources(list("user", &bad)).await.expect_err("refused");
        assert_eq!(refused.code(), Code::InvalidArgument, "{bad}: {refused:?}");
    }
}

fn damaged(token: &str) -> String {
    let mut bytes = token.as_bytes().to_vec();
    let at = bytes.len() / 2;
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).expect("ascii")
}

#[tokio::test]
async fn a_backend_answering_with_the_token_it_was_given_is_refused_instead_of_looping() {
    let served = serve_static(StaticBackend::default(), ServeOptions::default()).await;
    let mut resources = ResourcesServiceClient::new(channel(&served.url).await);
    let first = resources.list_resources(list("loop", "")).await.expect("first page").into_inner();
    assert!(!first.next_page_token.is_empty());
    let repeated = resources.list_resources(list("loop", &first.next_page_token)).await.expect_err("refused");
    assert_eq!(repeated.code(), Code::InvalidArgument);
    assert!(repeated.message().contains("same token"), "{}", repeated.message());
}

#[tokio::test]
async fn backend_errors_keep_their_meaning() {
    let served = serve_static(StaticBackend::default(), ServeOptions::default()).await;
    let mut resources = ResourcesServiceClient::new(channel(&served.url).await);
    let unknown = resources.list_resources(list("robot", "")).await.expect_err("refused");
    assert_eq!(unknown.code(), Code::InvalidArgument);
    assert!(unknown.message().contains("robot"), "{}", unknown.message());
}

#[tokio::test]
async fn a_row_larger_than_a_response_is_named() {
    let served = serve_static(
        StaticBackend { padding: 4000, ..Default::default() },
        ServeOptions { max_response_bytes: 2000 },
    )
    .await;
    let mut resources = ResourcesServiceClient::new(channel(&served.url).await);
    let too_big = resources.list_resources(list("user", "")).await.expect_err("refused");
    assert_eq!(too_big.code(), Code::ResourceExhausted);
    assert!(too_big.message().contains("u00"), "{}", too_big.message());
}

#[tokio::test]
async fn get_resource_is_not_found_unless_the_backend_looks_resources_up() {
    use c1_proto::connector::v2::ResourceGetterServiceGetResourceRequest;
    use c1_proto::connector::v2::resource_getter_service_client::ResourceGetterServiceClient;

    let served = serve_static(StaticBackend::default(), ServeOptions::default()).await;
    let mut getter = ResourceGetterServiceClient::new(channel(&served.url).await);
    let request = ResourceGetterServiceGetResourceRequest { resource_id: group(1).id, ..Default::default() };
    let missing = getter.get_resource(request).await.expect_err("not looked up");
    assert_eq!(missing.code(), Code::NotFound);
    assert!(missing.message().contains("group:g1"), "{}", missing.message());
}
