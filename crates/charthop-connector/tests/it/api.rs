//! The connector gRPC API over `ChartHopBackend`, walked by a small syncer in the Go SDK's
//! order: it writes the same `.c1z` rows as the one-shot sync, in the list mode's requests.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use c1_connector_server::{ServeOptions, serve_with_shutdown};
use c1_proto::connector::v2::connector_service_client::ConnectorServiceClient;
use c1_proto::connector::v2::entitlements_service_client::EntitlementsServiceClient;
use c1_proto::connector::v2::grants_service_client::GrantsServiceClient;
use c1_proto::connector::v2::resource_types_service_client::ResourceTypesServiceClient;
use c1_proto::connector::v2::resources_service_client::ResourcesServiceClient;
use c1_proto::connector::v2::{
    ConnectorServiceValidateRequest, Entitlement, EntitlementsServiceListEntitlementsRequest, Grant,
    GrantsServiceListGrantsRequest, Resource, ResourceType, ResourceTypesServiceListResourceTypesRequest,
    ResourcesServiceListResourcesRequest,
};
use c1_proto::tonic::transport::Channel;
use c1z::{C1zReader, C1zWriter, ReaderOptions, WriterOptions};
use charthop_connector::{ChartHopBackend, SyncOptions};
use charthop_fake::{Endpoint, FakeChartHop, Knobs};
use tokio::sync::oneshot;

use crate::harness::*;

const PERSONS: usize = 450;

/// A served backend; dropping it stops the server.
pub(crate) struct Served {
    url: String,
    _stop: oneshot::Sender<()>,
}

pub(crate) async fn serve(backend: Arc<ChartHopBackend>) -> Served {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    let shutdown = async move {
        let _ = stopped.await;
    };
    tokio::spawn(serve_with_shutdown(listener, backend, None, ServeOptions::default(), shutdown));
    Served { url, _stop: stop }
}

pub(crate) async fn channel(served: &Served) -> Channel {
    c1_proto::tonic::transport::Endpoint::from_shared(served.url.clone()).unwrap().connect().await.unwrap()
}

/// A backend judging employment on the harness's day, as `options()` does.
pub(crate) fn backend(fake: &FakeChartHop, options: SyncOptions) -> Arc<ChartHopBackend> {
    Arc::new(ChartHopBackend::new(client(fake), options).with_today(today))
}

pub(crate) fn key(resource: &Resource) -> String {
    let id = resource.id.as_ref().unwrap();
    format!("{}:{}", id.resource_type, id.resource)
}

/// Resources of a type from `token` on, at most `max_pages` responses; the token to go on
/// with ("" at the end).
pub(crate) async fn resources(
    channel: &Channel,
    type_id: &str,
    mut token: String,
    max_pages: usize,
) -> (Vec<Resource>, String) {
    let mut client = ResourcesServiceClient::new(channel.clone());
    let mut out = Vec::new();
    for _ in 0..max_pages {
        let request = ResourcesServiceListResourcesRequest {
            resource_type_id: type_id.into(),
            page_token: token,
            ..Default::default()
        };
        let page = client.list_resources(request).await.unwrap().into_inner();
        out.extend(page.list);
        token = page.next_page_token;
        if token.is_empty() {
            break;
        }
    }
    (out, token)
}

async fn entitlements(channel: &Channel, resource: &Resource) -> Vec<Entitlement> {
    let mut client = EntitlementsServiceClient::new(channel.clone());
    let mut out = Vec::new();
    let mut token = String::new();
    loop {
        let request = EntitlementsServiceListEntitlementsRequest {
            resource: Some(resource.clone()),
            page_token: token,
            ..Default::default()
        };
        let page = client.list_entitlements(request).await.unwrap().into_inner();
        out.extend(page.list);
        token = page.next_page_token;
        if token.is_empty() {
            return out;
        }
    }
}

async fn grants(channel: &Channel, resource: &Resource) -> Vec<Grant> {
    let mut client = GrantsServiceClient::new(channel.clone());
    let mut out = Vec::new();
    let mut token = String::new();
    loop {
        let request = GrantsServiceListGrantsRequest {
            resource: Some(resource.clone()),
            page_token: token,
            ..Default::default()
        };
        let page = client.list_grants(request).await.unwrap().into_inner();
        out.extend(page.list);
        token = page.next_page_token;
        if token.is_empty() {
            return out;
        }
    }
}

/// The Go SDK's order: resource types, every resource of each type page by page, then the
/// entitlements and grants of each resource; every row into a `.c1z` at `target`.
async fn walk_into(channel: &Channel, target: &Path) {
    let mut writer = C1zWriter::create(target, WriterOptions::default()).unwrap();
    let mut types_client = ResourceTypesServiceClient::new(channel.clone());
    let request = ResourceTypesServiceListResourceTypesRequest::default();
    let types = types_client.list_resource_types(request).await.unwrap().into_inner();
    assert!(types.next_page_token.is_empty());
    let mut all = Vec::new();
    for resource_type in &types.list {
        writer.put_resource_type(resource_type).unwrap();
        let (listed, _) = resources(channel, &resource_type.id, String::new(), usize::MAX).await;
        all.extend(listed);
    }
    for resource in &all {
        writer.put_resource(resource).unwrap();
    }
    for resource in &all {
        for entitlement in entitlements(channel, resource).await {
            writer.put_entitlement(&entitlement).unwrap();
        }
        for grant in grants(channel, resource).await {
            writer.put_grant(&grant).unwrap();
        }
    }
    writer.finish().unwrap();
}

/// Every row of a file's latest full sync, by id (sync ids and timestamps are not rows).
#[derive(Debug, PartialEq)]
pub(crate) struct Rows {
    pub types: BTreeMap<String, ResourceType>,
    pub resources: BTreeMap<String, Resource>,
    pub entitlements: BTreeMap<String, Entitlement>,
    pub grants: BTreeMap<String, Grant>,
}

pub(crate) fn rows(path: &Path) -> Rows {
    let reader = C1zReader::open(path, ReaderOptions::default()).unwrap();
    let sync = reader.latest_finished_full_sync().unwrap().expect("a finished sync").id;
    Rows {
        types: reader.resource_types(&sync).unwrap().map(|t| t.unwrap()).map(|t| (t.id.clone(), t)).collect(),
        resources: reader.resources(&sync).unwrap().map(|r| r.unwrap()).map(|r| (key(&r), r)).collect(),
        entitlements: reader
            .entitlements(&sync)
            .unwrap()
            .map(|e| e.unwrap())
            .map(|e| (e.id.clone(), e))
            .collect(),
        grants: reader.grants(&sync).unwrap().map(|g| g.unwrap()).map(|g| (g.id.clone(), g)).collect(),
    }
}

/// Syncs `fake` once with `sync()` and once through the API; asserts the files hold the
/// same rows and returns the ChartHop requests of each (the API's without Validate's) and
/// the rows.
async fn one_shot_and_api(fake: &FakeChartHop, options: SyncOptions) -> (u64, u64, Rows) {
    let dir = tempfile::tempdir().unwrap();
    let one_shot = dir.path().join("sync.c1z");
    let before = fake.total_requests();
    run(fake, &one_shot, &options).await.unwrap();
    let one_shot_requests = fake.total_requests() - before;

    let served = serve(backend(fake, options)).await;
    let channel = channel(&served).await;
    let before = fake.total_requests();
    let mut connector = ConnectorServiceClient::new(channel.clone());
    connector.validate(ConnectorServiceValidateRequest {}).await.unwrap();
    assert_eq!(fake.total_requests() - before, 1, "Validate sends one request");

    let before = fake.total_requests();
    let through_api = dir.path().join("api.c1z");
    walk_into(&channel, &through_api).await;
    let api_requests = fake.total_requests() - before;

    let (expected, got) = (rows(&one_shot), rows(&through_api));
    assert!(!got.resources.is_empty() && !got.grants.is_empty());
    assert_eq!(got.types, expected.types);
    assert_eq!(got.resources, expected.resources);
    assert_eq!(got.entitlements, expected.entitlements);
    assert_eq!(got.grants, expected.grants);
    (one_shot_requests, api_requests, got)
}

#[tokio::test]
async fn the_api_walk_writes_the_one_shot_rows_in_the_list_modes_requests() {
    let fake = fake(PERSONS, Knobs::default()).await;
    let list_mode = fake.expected_list_requests(PAGE_SIZE as usize).total();
    let (one_shot, api, got) = one_shot_and_api(&fake, options()).await;
    assert_eq!(one_shot, list_mode);
    assert_eq!(api, list_mode, "no per-person request");
    // The whole org came through (the helper compared the rows one by one).
    assert_eq!(got.resources.len(), fake.org().persons.len() + fake.org().groups.len());
    assert_eq!(got.grants.len(), fake.org().memberships.len());
}

#[tokio::test]
async fn group_types_and_departed_persons_are_left_out_through_the_api_as_in_the_one_shot_sync() {
    let fake = fake(200, Knobs::default()).await;
    let options = SyncOptions {
        group_types: Some(vec!["team".into(), "LOCATION".into()]),
        include_departed: false,
        ..options()
    };
    let (one_shot, api, _) = one_shot_and_api(&fake, options).await;
    assert_eq!(api, one_shot);
}

#[tokio::test]
async fn paging_quirks_and_a_repeated_person_change_nothing_through_the_api() {
    let knobs = Knobs {
        from_inclusive: true,
        nested_rows: true,
        page_cap: Some(37),
        duplicate_person_across_pages: true,
        ..Knobs::default()
    };
    let fake = fake(300, knobs).await;
    let (one_shot, api, _) = one_shot_and_api(&fake, options()).await;
    assert_eq!(api, one_shot);
}

#[tokio::test]
async fn a_list_without_group_ids_costs_the_api_what_it_costs_the_one_shot_sync() {
    let knobs = Knobs { list_honours_group_ids: false, ..Knobs::default() };
    let fake = fake(150, knobs).await;
    let (one_shot, api, _) = one_shot_and_api(&fake, options()).await;
    let persons = fake.org().persons.len() as u64;
    assert_eq!(one_shot, fake.expected_list_requests(PAGE_SIZE as usize).total() + persons);
    assert_eq!(api, one_shot, "one per-person request each, while listing, none again for grants");
}

fn backend_with_token(fake: &FakeChartHop, token: &str) -> Arc<ChartHopBackend> {
    let config = charthop_client::ClientConfig::new(token, fake.org().org_id.clone())
        .with_base_url(charthop_client::Url::parse(&fake.base_url()).unwrap());
    let client = charthop_client::ChartHopClient::new(config).unwrap();
    Arc::new(ChartHopBackend::new(client, options()).with_today(today))
}

#[tokio::test]
async fn validate_tells_a_refused_token_from_one_that_cannot_read_persons_naming_neither() {
    let knobs = Knobs { token_without_person_access: Some("groups-only-token".into()), ..Knobs::default() };
    let fake = fake(10, knobs).await;
    for (token, code) in [
        ("not-the-token", c1_proto::tonic::Code::Unauthenticated),
        ("groups-only-token", c1_proto::tonic::Code::PermissionDenied),
    ] {
        let served = serve(backend_with_token(&fake, token)).await;
        let mut connector = ConnectorServiceClient::new(channel(&served).await);
        let before = fake.total_requests();
        let refused = connector.validate(ConnectorServiceValidateRequest {}).await.unwrap_err();
        assert_eq!(refused.code(), code, "{refused:?}");
        assert!(!refused.message().contains(token), "{}", refused.message());
        assert_eq!(fake.total_requests() - before, 1, "never retried");
    }
}

#[tokio::test]
async fn a_failed_person_page_is_unavailable_and_the_same_token_then_gets_it() {
    let fake = fake(250, Knobs::default()).await;
    let expected =
        resources(&channel(&serve(backend(&fake, options())).await).await, "person", String::new(), 3)
            .await
            .0;

    let served = serve(backend(&fake, options())).await;
    let channel = channel(&served).await;
    let before = fake.requests(Endpoint::PersonList);
    let (first, token) = resources(&channel, "person", String::new(), 1).await;
    // Every attempt of the next ChartHop request fails (the client tries 6 times). The page
    // after the first was requested while the first was answered: the failures meet the third.
    // The fake judges a request as it arrives, in the same synchronous step as it counts it:
    // once the second is counted, a moment more and it has been judged.
    while fake.requests(Endpoint::PersonList) < before + 2 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    fake.update_knobs(|knobs| knobs.server_error_burst = 6);
    let (second, token) = resources(&channel, "person", token, 1).await;
    let mut client = ResourcesServiceClient::new(channel.clone());
    let request = || ResourcesServiceListResourcesRequest {
        resource_type_id: "person".into(),
        page_token: token.clone(),
        ..Default::default()
    };
    let failed = client.list_resources(request()).await.unwrap_err();
    assert_eq!(failed.code(), c1_proto::tonic::Code::Unavailable, "{failed:?}");
    let third = client.list_resources(request()).await.expect("the retry gets the page").into_inner();
    let got: Vec<String> = first.iter().chain(&second).chain(&third.list).map(key).collect();
    assert_eq!(got, expected.iter().map(key).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_person_token_resumes_on_a_new_backend_without_repeating_or_losing_persons() {
    let fake = fake(PERSONS, Knobs::default()).await;
    let first = serve(backend(&fake, options())).await;
    let (before, saved) = resources(&channel(&first).await, "person", String::new(), 2).await;
    assert!(!saved.is_empty());
    drop(first);

    // Another process: only the token is carried over.
    let second = serve(backend(&fake, options())).await;
    let channel = channel(&second).await;
    let (after, end) = resources(&channel, "person", saved, usize::MAX).await;
    assert!(end.is_empty());
    let mut ids: Vec<String> = before.iter().chain(&after).map(key).collect();
    let listed = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), listed, "a person came twice");
    assert_eq!(listed, fake.org().persons.len());

    // The resumed pages' grants come from what the walk kept.
    let requests = fake.total_requests();
    let mut memberships = 0;
    for person in &after {
        memberships += grants(&channel, person).await.len();
    }
    assert_eq!(fake.total_requests(), requests);
    let resumed: std::collections::BTreeSet<String> =
        after.iter().map(|p| p.id.as_ref().unwrap().resource.clone()).collect();
    let expected = truth(&fake).into_iter().filter(|(_, person)| resumed.contains(person)).count();
    assert_eq!(memberships, expected);
}

#[tokio::test]
async fn a_person_the_cache_no_longer_holds_costs_one_request_and_gets_the_same_grants() {
    let fake = fake(150, Knobs::default()).await;
    let backend =
        Arc::new(ChartHopBackend::with_membership_cache(client(&fake), options(), 10).with_today(today));
    let served = serve(backend).await;
    let channel = channel(&served).await;
    let (persons, _) = resources(&channel, "person", String::new(), usize::MAX).await;
    let truth = truth(&fake);
    for (n, person) in [&persons[0], &persons[persons.len() - 1]].into_iter().enumerate() {
        let requests = fake.total_requests();
        let got = grants(&channel, person).await;
        let id = &person.id.as_ref().unwrap().resource;
        let expected = truth.iter().filter(|(_, p)| p == id).count();
        assert_eq!(got.len(), expected, "{id}");
        let asked = fake.total_requests() - requests;
        assert_eq!(asked, if n == 0 { 1 } else { 0 }, "the first person was evicted, the last one not");
    }
}
