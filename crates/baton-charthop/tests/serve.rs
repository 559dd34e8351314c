//! `serve --listen 127.0.0.1:0`: the built binary serves the connector gRPC API over the fake
//! ChartHop; a tonic client walks it in the Go SDK's order and finds the fake's org, then
//! SIGTERM stops the server cleanly.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use c1_proto::connector::v2::entitlements_service_client::EntitlementsServiceClient;
use c1_proto::connector::v2::grants_service_client::GrantsServiceClient;
use c1_proto::connector::v2::resource_types_service_client::ResourceTypesServiceClient;
use c1_proto::connector::v2::resources_service_client::ResourcesServiceClient;
use c1_proto::connector::v2::{
    EntitlementsServiceListEntitlementsRequest, Grant, GrantsServiceListGrantsRequest, Resource,
    ResourceTypesServiceListResourceTypesRequest, ResourcesServiceListResourcesRequest,
};
use c1_proto::tonic::transport::{Channel, Endpoint};
use charthop_fake::{FakeChartHop, Knobs, OrgSpec, generate_org};

/// Distinctive, so a leak into the output is easy to find.
const TOKEN: &str = "serve-chtok-5d81e07a";
const PERSONS: usize = 230;
const PAGE_SIZE: usize = 50;

fn start(fake: &FakeChartHop) -> Child {
    Command::new(env!("CARGO_BIN_EXE_baton-charthop"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env_clear()
        .env("BATON_API_TOKEN", TOKEN)
        .env("BATON_ORG_ID", &fake.org().org_id)
        .env("BATON_CHARTHOP_URL", fake.base_url())
        .env("BATON_PAGE_SIZE", PAGE_SIZE.to_string())
        .env("BATON_LOG_FORMAT", "console")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Every resource of a type, page by page; how many responses it took.
async fn resources(channel: &Channel, type_id: &str) -> (Vec<Resource>, usize) {
    let mut client = ResourcesServiceClient::new(channel.clone());
    let (mut out, mut pages, mut token) = (Vec::new(), 0, String::new());
    loop {
        let request = ResourcesServiceListResourcesRequest {
            resource_type_id: type_id.into(),
            page_token: token,
            ..Default::default()
        };
        let page = client.list_resources(request).await.unwrap().into_inner();
        pages += 1;
        out.extend(page.list);
        token = page.next_page_token;
        if token.is_empty() {
            return (out, pages);
        }
        assert!(pages < 100, "the listing of {type_id} does not end");
    }
}

async fn entitlement_ids(channel: &Channel, resource: &Resource) -> Vec<String> {
    let mut client = EntitlementsServiceClient::new(channel.clone());
    let (mut out, mut token) = (Vec::new(), String::new());
    loop {
        let request = EntitlementsServiceListEntitlementsRequest {
            resource: Some(resource.clone()),
            page_token: token,
            ..Default::default()
        };
        let page = client.list_entitlements(request).await.unwrap().into_inner();
        out.extend(page.list.into_iter().map(|e| e.id));
        token = page.next_page_token;
        if token.is_empty() {
            return out;
        }
    }
}

async fn grants(channel: &Channel, resource: &Resource) -> Vec<Grant> {
    let mut client = GrantsServiceClient::new(channel.clone());
    let (mut out, mut token) = (Vec::new(), String::new());
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

fn id_of(resource: Option<&Resource>) -> String {
    resource.and_then(|r| r.id.as_ref()).map(|id| id.resource.clone()).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_answers_the_fake_org_over_the_connector_api_and_stops_on_sigterm() {
    let knobs = Knobs { token: TOKEN.to_owned(), ..Knobs::default() };
    let fake = FakeChartHop::start(generate_org(&OrgSpec::new(PERSONS, 7)), knobs).await.unwrap();
    let mut child = start(&fake);

    let stdout = child.stdout.take().unwrap();
    let (line, mut stdout) = tokio::task::spawn_blocking(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        (line, reader)
    })
    .await
    .unwrap();
    let address: std::net::SocketAddr =
        line.trim().parse().unwrap_or_else(|_| panic!("address line: {line:?}"));
    assert!(address.ip().is_loopback() && address.port() != 0, "{address}");
    let channel = Endpoint::from_shared(format!("http://{address}")).unwrap().connect().await.unwrap();

    let mut types_client = ResourceTypesServiceClient::new(channel.clone());
    let request = ResourceTypesServiceListResourceTypesRequest::default();
    let types = types_client.list_resource_types(request).await.unwrap().into_inner();
    let type_ids: BTreeSet<String> = types.list.iter().map(|t| t.id.clone()).collect();
    assert_eq!(type_ids, BTreeSet::from(["group".to_owned(), "person".to_owned()]));

    let (persons, person_pages) = resources(&channel, "person").await;
    let (groups, _) = resources(&channel, "group").await;
    let org = fake.org();
    assert_eq!(persons.len(), org.persons.len());
    assert!(person_pages >= PERSONS / PAGE_SIZE, "persons came in {person_pages} responses");
    assert_eq!(groups.len(), org.groups.len());

    let mut entitlements = 0;
    let mut memberships = BTreeSet::new();
    for resource in persons.iter().chain(&groups) {
        entitlements += entitlement_ids(&channel, resource).await.len();
        for grant in grants(&channel, resource).await {
            let group = id_of(grant.entitlement.as_ref().and_then(|e| e.resource.as_ref()));
            assert!(memberships.insert((group, id_of(grant.principal.as_ref()))), "{grant:?} twice");
        }
    }
    assert_eq!(entitlements, org.groups.len(), "one member entitlement per group");
    let truth: BTreeSet<(String, String)> =
        org.memberships.iter().map(|m| (m.group_id.clone(), m.person_id.clone())).collect();
    assert!(!truth.is_empty());
    assert_eq!(memberships, truth);

    drop(channel);
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(Instant::now() < deadline, "serve did not stop within 20 s of SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert!(exit.success(), "{exit}; stderr:\n{stderr}");
    assert_eq!(rest, "", "stdout holds only the address line");
    assert!(stderr.contains("SIGTERM"), "{stderr}");
    assert!(!stderr.contains(TOKEN), "the token leaked:\n{stderr}");
    fake.shutdown().await;
}
