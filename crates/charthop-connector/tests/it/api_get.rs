//! GetResource over `ChartHopBackend`: each answer is the row the one-shot sync writes for
//! the same id. And the day employment is judged by: the one each walk starts on.

use std::sync::{Arc, Mutex};

use c1_mapping::MappingOptions;
use c1_proto::connector::v2::resource_getter_service_client::ResourceGetterServiceClient;
use c1_proto::connector::v2::resource_types_service_client::ResourceTypesServiceClient;
use c1_proto::connector::v2::{
    Resource, ResourceGetterServiceGetResourceRequest, ResourceId,
    ResourceTypesServiceListResourceTypesRequest,
};
use c1_proto::tonic::transport::Channel;
use c1_proto::tonic::{Code, Status};
use charthop_connector::{ChartHopBackend, MembershipSource, ResourceTypeFilter, SyncOptions};
use charthop_domain::{Employment, NaiveDate};
use charthop_fake::{CUSTOM_FIELD_CODES, FakeChartHop, Knobs};

use crate::api::{backend, channel, key, resources, rows, serve};
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
async fn a_person_is_the_row_the_one_shot_sync_writes_in_one_request_whatever_the_membership_source() {
    let fake = fake(40, Knobs::default()).await;
    for source in [MembershipSource::Auto, MembershipSource::List, MembershipSource::PerPerson] {
        // Manager fields and the org's own fields too: the whole profile.
        let options = SyncOptions {
            membership_source: source,
            extra_fields: CUSTOM_FIELD_CODES.iter().map(|code| code.to_string()).collect(),
            ..options()
        };
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("sync.c1z");
        run(&fake, &target, &options).await.unwrap();
        let written = rows(&target).resources;

        let backend = ChartHopBackend::new(client(&fake), options).with_today(today);
        let served = serve(Arc::new(backend)).await;
        let channel = channel(&served).await;
        get(&channel, "group", fake.org().groups[0].id.as_str()).await.unwrap();
        let persons: Vec<&Resource> =
            written.values().filter(|r| r.id.as_ref().unwrap().resource_type == "person").collect();
        assert_eq!(persons.len(), fake.org().persons.len());
        for person in persons {
            let before = fake.total_requests();
            let got = get(&channel, "person", &person.id.as_ref().unwrap().resource).await.unwrap();
            assert!(&got == person, "{source:?}: {} differs from the synced row", key(person));
            assert_eq!(fake.total_requests() - before, 1, "{source:?}: one request for {}", key(person));
        }
    }
}

#[tokio::test]
async fn a_person_the_sync_leaves_out_or_charthop_lacks_is_not_found() {
    let fake = fake(60, Knobs::default()).await;
    let departed = fake
        .org()
        .persons
        .iter()
        .find(|p| matches!(p.employment_at(today()), Employment::Departed { .. }))
        .expect("the org has departed persons");
    let options = SyncOptions { include_departed: false, ..options() };
    let backend = ChartHopBackend::new(client(&fake), options).with_today(today);
    let served = serve(Arc::new(backend)).await;
    let channel = channel(&served).await;
    for id in [departed.id.as_str(), "0123456789abcdef01234567"] {
        let missing = get(&channel, "person", id).await.unwrap_err();
        assert_eq!(missing.code(), Code::NotFound, "{missing:?}");
        assert!(missing.message().contains(id), "{}", missing.message());
    }
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

/// The person rows the one-shot sync writes when employment is judged on `day`.
async fn one_shot_persons_on(fake: &FakeChartHop, day: NaiveDate) -> Vec<Resource> {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("sync.c1z");
    let options = SyncOptions::new(MappingOptions { today: day, include_personal_email: false });
    run(fake, &target, &options).await.unwrap();
    rows(&target)
        .resources
        .into_values()
        .filter(|r| r.id.as_ref().unwrap().resource_type == "person")
        .collect()
}

/// One walk's person rows: ListResourceTypes (which starts a walk), then every person page.
async fn walk_persons(channel: &Channel) -> Vec<Resource> {
    let types = ResourceTypesServiceListResourceTypesRequest::default();
    ResourceTypesServiceClient::new(channel.clone()).list_resource_types(types).await.unwrap();
    let (mut persons, end) = resources(channel, "person", String::new(), usize::MAX).await;
    assert!(end.is_empty());
    persons.sort_by_key(key);
    persons
}

#[tokio::test]
async fn each_walk_judges_employment_by_the_day_it_starts_on() {
    let fake = fake(80, Knobs::default()).await;
    // A person whose last day is the first day: active on it, departed the day after.
    let leaver = fake
        .org()
        .persons
        .iter()
        .find(|p| p.end_date.is_some_and(|end| p.start_date.is_none_or(|start| start <= end)))
        .expect("the org has someone with an end date")
        .clone();
    let first_day = leaver.end_date.unwrap();
    let next_day = first_day.succ_opt().unwrap();
    assert_eq!(leaver.employment_at(first_day), Employment::Active);
    assert!(matches!(leaver.employment_at(next_day), Employment::Departed { .. }));

    let day = Arc::new(Mutex::new(first_day));
    let clock = Arc::clone(&day);
    // The options' own day is neither: the clock decides.
    let backend = ChartHopBackend::new(client(&fake), options()).with_today(move || *clock.lock().unwrap());
    let served = serve(Arc::new(backend)).await;
    let channel = channel(&served).await;

    let status = |persons: &[Resource]| {
        let id = format!("person:{}", leaver.id);
        persons
            .iter()
            .find(|p| key(p) == id)
            .and_then(|p| p.status.clone())
            .expect("the leaver is listed")
            .status
    };
    let on_first_day = walk_persons(&channel).await;
    *day.lock().unwrap() = next_day;
    let on_next_day = walk_persons(&channel).await;
    assert_ne!(status(&on_first_day), status(&on_next_day), "the leaver's status changes with the day");
    // A lookup asks the clock itself: back to the first day, without a new walk.
    *day.lock().unwrap() = first_day;
    let looked_up = get(&channel, "person", &leaver.id).await.unwrap();
    assert_eq!(looked_up.status.unwrap().status, status(&on_first_day));
    // Each walk is the one-shot sync of its day, row for row (not printed: the rows are long).
    assert!(on_first_day == one_shot_persons_on(&fake, first_day).await, "the walk on {first_day}");
    assert!(on_next_day == one_shot_persons_on(&fake, next_day).await, "the walk on {next_day}");
}
