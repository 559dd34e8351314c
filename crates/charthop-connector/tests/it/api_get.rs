//! GetResource over `ChartHopBackend`: each answer is the row the one-shot sync writes for
//! the same id.

use c1_proto::connector::v2::resource_getter_service_client::ResourceGetterServiceClient;
use c1_proto::connector::v2::{Resource, ResourceGetterServiceGetResourceRequest, ResourceId};
use c1_proto::tonic::transport::Channel;
use c1_proto::tonic::{Code, Status};
use charthop_connector::{ResourceTypeFilter, SyncOptions};
use charthop_fake::Knobs;

use crate::api::{backend, channel, rows, serve};
use crate::harness::*;

async fn get(channel: &Channel, resource_type: &str, id: &str) -> Result<Resource, Status> {
    let request = ResourceGetterServiceGetResourceRequest {
        resource_id: Some(ResourceId {
            resource_type: resource_type.into(),
            resource: id.into(),
            ..Default::default()
        }),
        ..Default::default()
    };
    let answer = ResourceGetterServiceClient::new(channel.clone()).get_resource(request).await?;
    Ok(answer.into_inner().resource.expect("an answer carries its resource"))
}

#[tokio::test]
async fn a_group_is_the_row_the_one_shot_sync_writes_listed_once_then_held() {
    let fake = fake(60, Knobs::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("sync.c1z");
    run(&fake, &target, &options()).await.unwrap();
    let written = rows(&target).resources;

    let served = serve(backend(&fake, options())).await;
    let channel = channel(&served).await;
    let groups: Vec<&Resource> =
        written.values().filter(|r| r.id.as_ref().unwrap().resource_type == "group").collect();
    assert!(groups.len() > 2);
    let before = fake.total_requests();
    get(&channel, "group", &groups[0].id.as_ref().unwrap().resource).await.unwrap();
    let listed = fake.total_requests();
    assert!(listed > before, "the first lookup lists the groups");
    for group in groups {
        let got = get(&channel, "group", &group.id.as_ref().unwrap().resource).await.unwrap();
        assert_eq!(&got, group);
    }
    assert_eq!(fake.total_requests(), listed, "later lookups answer from the groups held");
}

#[tokio::test]
async fn an_unknown_id_is_not_found_and_an_unknown_type_an_invalid_argument() {
    let fake = fake(10, Knobs::default()).await;
    let served = serve(backend(&fake, options())).await;
    let channel = channel(&served).await;
    let missing = get(&channel, "group", "no-such-group").await.unwrap_err();
    assert_eq!(missing.code(), Code::NotFound, "{missing:?}");
    assert!(missing.message().contains("no-such-group"), "{}", missing.message());
    let unknown = get(&channel, "team", fake.org().groups[0].id.as_str()).await.unwrap_err();
    assert_eq!(unknown.code(), Code::InvalidArgument, "{unknown:?}");
    assert!(unknown.message().contains("team"), "{}", unknown.message());
}

#[tokio::test]
async fn a_type_the_sync_leaves_out_is_an_invalid_argument() {
    let fake = fake(10, Knobs::default()).await;
    let options =
        SyncOptions { resource_types: ResourceTypeFilter::Only(vec!["person".into()]), ..options() };
    let served = serve(backend(&fake, options)).await;
    let channel = channel(&served).await;
    let left_out = get(&channel, "group", fake.org().groups[0].id.as_str()).await.unwrap_err();
    assert_eq!(left_out.code(), Code::InvalidArgument, "{left_out:?}");
}
