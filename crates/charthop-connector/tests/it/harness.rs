use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use c1_mapping::MappingOptions;
use c1_proto::connector::v2::Resource;
use c1z::{C1zReader, ReaderOptions};
use charthop_client::{ChartHopClient, ClientConfig, Url};
use charthop_connector::{NoProgress, SyncError, SyncOptions, SyncReport, sync};
use charthop_domain::NaiveDate;
use charthop_fake::{FakeChartHop, Knobs, OrgSpec, generate_org};
use tokio_util::sync::CancellationToken;

pub const TODAY: &str = "2026-11-28";
pub const PAGE_SIZE: u32 = 100;

pub fn today() -> NaiveDate {
    TODAY.parse().unwrap()
}

pub async fn fake(persons: usize, knobs: Knobs) -> FakeChartHop {
    let spec = OrgSpec::new(persons, 42).with_today(today());
    fake_with(spec, knobs).await
}

pub async fn fake_with(spec: OrgSpec, knobs: Knobs) -> FakeChartHop {
    FakeChartHop::start(generate_org(&spec), knobs).await.unwrap()
}

pub fn client(fake: &FakeChartHop) -> ChartHopClient {
    let mut config = ClientConfig::new(fake.token(), fake.org().org_id.clone())
        .with_base_url(Url::parse(&fake.base_url()).unwrap());
    config.page_size = PAGE_SIZE;
    config.retry.base_delay = std::time::Duration::from_millis(1);
    ChartHopClient::new(config).unwrap()
}

pub fn options() -> SyncOptions {
    SyncOptions::new(MappingOptions { today: today(), include_personal_email: false })
}

pub async fn run(fake: &FakeChartHop, target: &Path, options: &SyncOptions) -> Result<SyncReport, SyncError> {
    sync(&client(fake), target, options, &NoProgress, &CancellationToken::new()).await
}

/// What a written file holds, read back with the c1z reader.
#[derive(Debug)]
pub struct Contents {
    pub resources_by_type: BTreeMap<String, u64>,
    pub person_statuses: BTreeMap<String, i32>,
    pub entitlement_ids: BTreeSet<String>,
    /// (group id, person id) of every grant.
    pub memberships: BTreeSet<(String, String)>,
}

pub fn read(path: &Path) -> Contents {
    let reader = C1zReader::open(path, ReaderOptions::default()).unwrap();
    let sync = reader.latest_finished_full_sync().unwrap().expect("a finished sync");
    let counts = reader.counts(&sync.id).unwrap();
    let mut person_statuses = BTreeMap::new();
    for resource in reader.resources(&sync.id).unwrap() {
        let resource: Resource = resource.unwrap();
        let id = resource.id.unwrap();
        if id.resource_type == "person" {
            person_statuses.insert(id.resource, resource.status.unwrap().status);
        }
    }
    let entitlement_ids = reader.entitlements(&sync.id).unwrap().map(|e| e.unwrap().id).collect();
    let memberships = reader
        .grants(&sync.id)
        .unwrap()
        .map(|g| {
            let g = g.unwrap();
            let group = g.entitlement.unwrap().resource.unwrap().id.unwrap().resource;
            let person = g.principal.unwrap().id.unwrap().resource;
            (group, person)
        })
        .collect();
    Contents { resources_by_type: counts.resources_by_type, person_statuses, entitlement_ids, memberships }
}

/// The fake's memberships as (group id, person id).
pub fn truth(fake: &FakeChartHop) -> BTreeSet<(String, String)> {
    fake.org().memberships.iter().map(|m| (m.group_id.clone(), m.person_id.clone())).collect()
}

pub fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        // The writer's lock file (`.<target>.lock`) stays by design; it holds no data.
        .filter(|name| name != "sync.c1z" && !(name.starts_with('.') && name.ends_with(".lock")))
        .collect()
}

/// A stub ChartHop of one team `g1` and two persons `p1` and `p2` whose list never carries
/// `groupIds`, so each is asked for alone; `per_person` answers `/v2/org/{org}/person/{id}`.
/// Returns its base URL.
pub async fn two_person_stub(per_person: axum::routing::MethodRouter) -> String {
    use axum::routing::get;
    use serde_json::json;
    let app = axum::Router::new()
        .route(
            "/v1/org/{org}/group-type",
            get(|| async { axum::Json(json!({"data": [{"id": "t1", "name": "TEAM"}]})) }),
        )
        .route(
            "/v2/org/{org}/group",
            get(|| async { axum::Json(json!({"data": [{"id": "g1", "name": "Blue", "type": "t1"}]})) }),
        )
        .route(
            "/v2/org/{org}/person",
            get(|| async {
                axum::Json(json!({"data": [
                    {"id": "p1", "name.first": "Ada", "startDate": "2020-01-01"},
                    {"id": "p2", "name.first": "Bo", "startDate": "2020-01-01"}
                ]}))
            }),
        )
        .route("/v2/org/{org}/person/{person}", per_person);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}
