//! A syncer walking the API in the Go SDK's order: resource types, then resources per type
//! (page by page), static entitlements per type, then entitlements and grants per resource.

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;

use c1_connector_server::{SDK_VERSION, ServeOptions};
use c1_proto::connector::v2::connector_service_client::ConnectorServiceClient;
use c1_proto::connector::v2::entitlements_service_client::EntitlementsServiceClient;
use c1_proto::connector::v2::grants_service_client::GrantsServiceClient;
use c1_proto::connector::v2::resource_types_service_client::ResourceTypesServiceClient;
use c1_proto::connector::v2::resources_service_client::ResourcesServiceClient;
use c1_proto::connector::v2::{
    ConnectorServiceCleanupRequest, ConnectorServiceGetMetadataRequest, ConnectorServiceValidateRequest,
    EntitlementsServiceListEntitlementsRequest, EntitlementsServiceListStaticEntitlementsRequest,
    GrantsServiceListGrantsRequest, Resource, ResourceType, ResourceTypesServiceListResourceTypesRequest,
    ResourcesServiceListResourcesRequest, UserTrait,
};
use c1_proto::prost::Message as _;
use c1_proto::ratelimit::v1::rate_limiter_service_client::RateLimiterServiceClient;
use c1_proto::ratelimit::v1::{DoRequest, ReportRequest, rate_limit_description};
use c1_proto::tonic::transport::Channel;
use c1_proto::unpack_any;

use crate::backend::{
    GROUPS, PAGE, StaticBackend, USERS, channel, group_id, members, serve_static, user, user_id,
};

/// Every row the walk saw, in order, as ids (duplicates kept so a test can find them).
#[derive(Default, Debug)]
struct Walk {
    types: Vec<String>,
    resources: Vec<String>,
    entitlements: Vec<String>,
    grants: Vec<String>,
    /// Responses above one page of the backend (split pages show as more responses).
    responses: usize,
    largest_response: usize,
}

struct Syncer {
    channel: Channel,
    walk: Walk,
}

fn key(resource: &Resource) -> String {
    let id = resource.id.as_ref().expect("an id");
    format!("{}:{}", id.resource_type, id.resource)
}

impl Syncer {
    fn new(channel: Channel) -> Self {
        Self { channel, walk: Walk::default() }
    }

    /// Each call is wrapped in Do and Report, as the Go SDK's parent does.
    async fn rate_limited(&self) {
        let mut limiter = RateLimiterServiceClient::new(self.channel.clone());
        let answer = limiter
            .r#do(DoRequest { request_token: "t".into(), ..Default::default() })
            .await
            .expect("Do")
            .into_inner();
        let status = answer.description.expect("a description").status;
        assert_eq!(status, i32::from(rate_limit_description::Status::Ok));
        assert_eq!(answer.request_token, "t");
        limiter.report(ReportRequest::default()).await.expect("Report");
    }

    fn saw<M: c1_proto::prost::Message>(&mut self, response: &M) {
        self.walk.responses += 1;
        self.walk.largest_response = self.walk.largest_response.max(response.encoded_len());
    }

    async fn resource_types(&mut self) -> Vec<ResourceType> {
        let mut client = ResourceTypesServiceClient::new(self.channel.clone());
        let mut out = Vec::new();
        let mut token = String::new();
        loop {
            self.rate_limited().await;
            let page = client
                .list_resource_types(ResourceTypesServiceListResourceTypesRequest {
                    page_token: token,
                    ..Default::default()
                })
                .await
                .expect("ListResourceTypes")
                .into_inner();
            self.saw(&page);
            out.extend(page.list);
            if page.next_page_token.is_empty() {
                return out;
            }
            token = page.next_page_token;
        }
    }

    /// Resources of a type from `token` on; stops after `max_pages` responses and returns
    /// the token to continue with ("" at the end).
    async fn resources(
        &mut self,
        type_id: &str,
        mut token: String,
        max_pages: usize,
    ) -> (Vec<Resource>, String) {
        let mut client = ResourcesServiceClient::new(self.channel.clone());
        let mut out = Vec::new();
        for _ in 0..max_pages {
            self.rate_limited().await;
            let page = client
                .list_resources(ResourcesServiceListResourcesRequest {
                    resource_type_id: type_id.into(),
                    page_token: token,
                    ..Default::default()
                })
                .await
                .expect("ListResources")
                .into_inner();
            self.saw(&page);
            self.walk.resources.extend(page.list.iter().map(key));
            out.extend(page.list);
            token = page.next_page_token;
            if token.is_empty() {
                break;
            }
        }
        (out, token)
    }

    async fn per_resource(&mut self, resource: &Resource) {
        let mut entitlements = EntitlementsServiceClient::new(self.channel.clone());
        let mut token = String::new();
        loop {
            self.rate_limited().await;
            let page = entitlements
                .list_entitlements(EntitlementsServiceListEntitlementsRequest {
                    resource: Some(resource.clone()),
                    page_token: token,
                    ..Default::default()
                })
                .await
                .expect("ListEntitlements")
                .into_inner();
            self.saw(&page);
            self.walk.entitlements.extend(page.list.into_iter().map(|e| e.id));
            token = page.next_page_token;
            if token.is_empty() {
                break;
            }
        }
        let mut grants = GrantsServiceClient::new(self.channel.clone());
        loop {
            self.rate_limited().await;
            let page = grants
                .list_grants(GrantsServiceListGrantsRequest {
                    resource: Some(resource.clone()),
                    page_token: token,
                    ..Default::default()
                })
                .await
                .expect("ListGrants")
                .into_inner();
            self.saw(&page);
            self.walk.grants.extend(page.list.into_iter().map(|g| g.id));
            token = page.next_page_token;
            if token.is_empty() {
                break;
            }
        }
    }

    /// The whole sync.
    async fn sync(&mut self) -> Vec<Resource> {
        let mut connector = ConnectorServiceClient::new(self.channel.clone());
        let validated =
            connector.validate(ConnectorServiceValidateRequest {}).await.expect("Validate").into_inner();
        assert!(at_least_0_4_3(&validated.sdk_version), "{}", validated.sdk_version);
        let metadata =
            connector.get_metadata(ConnectorServiceGetMetadataRequest {}).await.expect("GetMetadata");
        assert_eq!(metadata.into_inner().metadata.expect("metadata").display_name, "Static");

        let types = self.resource_types().await;
        self.walk.types = types.iter().map(|t| t.id.clone()).collect();
        let mut all = Vec::new();
        for resource_type in &types {
            let (resources, _) = self.resources(&resource_type.id, String::new(), usize::MAX).await;
            all.extend(resources);
            let mut entitlements = EntitlementsServiceClient::new(self.channel.clone());
            let statics = entitlements
                .list_static_entitlements(EntitlementsServiceListStaticEntitlementsRequest {
                    resource_type_id: resource_type.id.clone(),
                    ..Default::default()
                })
                .await
                .expect("ListStaticEntitlements")
                .into_inner();
            assert!(statics.list.is_empty() && statics.next_page_token.is_empty());
        }
        for resource in &all {
            self.per_resource(resource).await;
        }
        connector.cleanup(ConnectorServiceCleanupRequest::default()).await.expect("Cleanup");
        all
    }
}

/// `v`-prefixed or not, compared as numbers.
fn at_least_0_4_3(version: &str) -> bool {
    let parts: Vec<u64> =
        version.trim_start_matches('v').split('.').map(|p| p.parse().expect("a number")).collect();
    assert_eq!(parts.len(), 3, "{version}");
    parts >= vec![0, 4, 3]
}

fn expected_resources() -> Vec<String> {
    let users = (0..USERS).map(|n| format!("user:{}", user_id(n)));
    let groups = (0..GROUPS).map(|n| format!("group:{}", group_id(n)));
    users.chain(groups).collect()
}

fn expected_grants() -> BTreeSet<String> {
    (0..GROUPS)
        .flat_map(|g| {
            members(g).into_iter().map(move |u| format!("group:{}:member:user:{}", group_id(g), user_id(u)))
        })
        .collect()
}

fn once(rows: &[String]) -> BTreeSet<String> {
    let set: BTreeSet<_> = rows.iter().cloned().collect();
    assert_eq!(set.len(), rows.len(), "a row came twice: {rows:?}");
    set
}

#[test]
fn sdk_version_is_a_semver_from_0_4_3_on() {
    assert!(at_least_0_4_3(SDK_VERSION));
    assert!(!at_least_0_4_3("0.4.2"));
}

#[tokio::test]
async fn a_walk_gets_every_row_exactly_once_with_its_trait_annotation() {
    let served = serve_static(StaticBackend::default(), ServeOptions::default()).await;
    let mut syncer = Syncer::new(channel(&served.url).await);
    let resources = syncer.sync().await;
    let walk = &syncer.walk;

    assert_eq!(walk.types, ["user", "group"]);
    assert_eq!(once(&walk.resources), expected_resources().into_iter().collect());
    assert_eq!(walk.resources.len(), USERS + GROUPS);
    let entitlements: BTreeSet<_> = (0..GROUPS).map(|g| format!("group:{}:member", group_id(g))).collect();
    assert_eq!(once(&walk.entitlements), entitlements);
    assert_eq!(once(&walk.grants), expected_grants());

    // Rows arrive as the backend built them, trait annotation included.
    let first = resources.iter().find(|r| key(r) == "user:u00").expect("u00");
    assert_eq!(first, &user(0, 0));
    let login = unpack_any::<UserTrait>(&first.annotations[0]).expect("decodes").expect("a user trait").login;
    assert_eq!(login, "u00");
}

#[tokio::test]
async fn pages_larger_than_the_limit_are_split_and_still_give_every_row_once() {
    // Five rows of about 600 bytes per backend page, under a limit of 1,500 bytes.
    let backend = StaticBackend { padding: 600, ..Default::default() };
    let max = 1500;
    let served = serve_static(backend, ServeOptions { max_response_bytes: max }).await;
    let mut syncer = Syncer::new(channel(&served.url).await);
    let (users, end) = syncer.resources("user", String::new(), usize::MAX).await;
    assert!(end.is_empty());
    assert_eq!(users.len(), USERS);
    let ids: Vec<_> = users.iter().map(key).collect();
    assert_eq!(once(&ids).len(), USERS);
    assert!(syncer.walk.largest_response <= max, "{}", syncer.walk.largest_response);
    // More responses than backend pages: pages were split.
    assert!(syncer.walk.responses > USERS.div_ceil(PAGE), "{}", syncer.walk.responses);
}

#[tokio::test]
async fn a_saved_token_resumes_on_another_server_without_repeating_or_losing_rows() {
    let backend = StaticBackend { padding: 600, ..Default::default() };
    let options = ServeOptions { max_response_bytes: 1500 };
    let first = serve_static(backend, options.clone()).await;
    let mut syncer = Syncer::new(channel(&first.url).await);
    let (before, saved) = syncer.resources("user", String::new(), 3).await;
    assert!(!saved.is_empty(), "three responses do not reach the end");
    drop(first);

    // A new process: nothing is kept between them but the token.
    let second = serve_static(StaticBackend { padding: 600, ..Default::default() }, options).await;
    let mut resumed = Syncer::new(channel(&second.url).await);
    let (after, end) = resumed.resources("user", saved.clone(), usize::MAX).await;
    assert!(end.is_empty());
    let ids: Vec<_> = before.iter().chain(&after).map(key).collect();
    let all: BTreeSet<_> = (0..USERS).map(|n| format!("user:{}", user_id(n))).collect();
    assert_eq!(once(&ids), all);
    // It did not start over: fewer backend calls than a whole walk from the start takes.
    let calls = || second.backend.resource_calls.load(Ordering::SeqCst);
    let resuming = calls();
    let (whole, _) = resumed.resources("user", String::new(), usize::MAX).await;
    assert_eq!(whole.len(), USERS);
    assert!(
        resuming < calls() - resuming,
        "{resuming} calls to resume, {} for a whole walk",
        calls() - resuming
    );

    // The same token again gives the same rows (resuming twice is allowed).
    let (again, _) = resumed.resources("user", saved, usize::MAX).await;
    assert_eq!(again, after);
    assert!(after[0].encoded_len() > 600);
}

#[tokio::test]
async fn a_page_size_caps_the_rows_of_each_response() {
    let served = serve_static(StaticBackend::default(), ServeOptions::default()).await;
    let mut client = ResourcesServiceClient::new(channel(&served.url).await);
    let mut token = String::new();
    let mut ids = Vec::new();
    let mut responses = 0;
    loop {
        let request = ResourcesServiceListResourcesRequest {
            resource_type_id: "user".into(),
            page_size: 2,
            page_token: token,
            ..Default::default()
        };
        let page = client.list_resources(request).await.expect("ListResources").into_inner();
        assert!(page.list.len() <= 2, "{}", page.list.len());
        responses += 1;
        ids.extend(page.list.iter().map(key));
        token = page.next_page_token;
        if token.is_empty() {
            break;
        }
    }
    assert_eq!(once(&ids).len(), USERS);
    assert!(responses >= USERS.div_ceil(2), "{responses}");
}
