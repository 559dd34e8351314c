//! The client against the fake's hostile knobs: every one ends in a typed error naming what
//! failed, or (a repeated person far apart, a huge title) passes through for the layers above.

use std::time::{Duration, Instant};

use charthop_client::{ChartHopClient, Error, PersonQuery, Url};
use charthop_domain::NaiveDate;
use charthop_fake::{FakeChartHop, GroupIdsAnswer, Knobs, NextShape, OrgSpec, generate_org};
use futures::TryStreamExt;

use crate::support::{client, config};

async fn fake(persons: usize, knobs: Knobs) -> FakeChartHop {
    let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    let org = generate_org(&OrgSpec::new(persons, 7).with_today(today));
    FakeChartHop::start(org, knobs).await.expect("the fake starts")
}

fn client_for(
    fake: &FakeChartHop,
    change: impl FnOnce(&mut charthop_client::ClientConfig),
) -> ChartHopClient {
    let mut config = config(Url::parse(&fake.base_url()).unwrap(), &fake.token(), &fake.org().slug);
    config.page_size = 10;
    change(&mut config);
    client(config)
}

/// Whether an error is the one a fault must give.
type Expected = fn(&Error) -> bool;

async fn listing(client: &ChartHopClient) -> Result<Vec<charthop_domain::Person>, Error> {
    client.persons(&PersonQuery::default()).try_collect().await
}

#[tokio::test]
async fn page_faults_of_the_fake_are_typed_errors() {
    let cases: [(Knobs, Expected); 4] = [
        (Knobs { person_list_group_ids: GroupIdsAnswer::Text, ..Knobs::default() }, |e| {
            matches!(e, Error::InvalidField { field: "groupIds", found: "a string", .. })
        }),
        (Knobs { next_shape: NextShape::Object, ..Knobs::default() }, |e| {
            matches!(e, Error::InvalidNext { found: "an object", .. })
        }),
        (Knobs { person_list_data_null: true, ..Knobs::default() }, |e| {
            matches!(e, Error::InvalidData { found: "null", .. })
        }),
        (Knobs { endless_cursors: true, ..Knobs::default() }, |e| matches!(e, Error::NoProgress { .. })),
    ];
    for (knobs, expected) in cases {
        let fake = fake(35, knobs).await;
        let error = listing(&client_for(&fake, |_| {})).await.unwrap_err();
        assert!(expected(&error), "{error:?}");
        assert!(error.to_string().contains("GET /v2/org/"), "{error}");
    }
}

#[tokio::test]
async fn memberships_the_token_cannot_read_are_errors() {
    for answer in [GroupIdsAnswer::Absent, GroupIdsAnswer::Text] {
        let fake = fake(5, Knobs { person_get_group_ids: answer, ..Knobs::default() }).await;
        let id = fake.org().persons[0].id.clone();
        let error = client_for(&fake, |_| {}).person_group_ids(&id).await.unwrap_err();
        assert!(
            matches!(&error, Error::MembershipUnreadable { person_id, .. } if *person_id == id),
            "{error:?}"
        );
    }
}

#[tokio::test]
async fn a_snapshot_building_for_a_while_is_awaited_and_forever_is_given_up() {
    let knobs = Knobs { snapshot_building: Some(Duration::from_millis(200)), ..Knobs::default() };
    let fake = fake(15, knobs).await;
    let persons = listing(&client_for(&fake, |c| c.retry.max_attempts = 2)).await.unwrap();
    assert!(!persons.is_empty());

    fake.update_knobs(|k| k.snapshot_building = Some(Duration::MAX));
    let client = client_for(&fake, |c| c.snapshot_wait = Duration::from_millis(250));
    let error = listing(&client).await.unwrap_err();
    assert!(matches!(error, Error::SnapshotNotReady { .. }), "{error:?}");
}

#[tokio::test]
async fn a_fake_that_never_answers_costs_the_deadline() {
    let fake = fake(5, Knobs { never_answer: true, ..Knobs::default() }).await;
    let client = client_for(&fake, |c| c.request_deadline = Duration::from_millis(300));
    let started = Instant::now();
    let error = listing(&client).await.unwrap_err();
    assert!(matches!(error, Error::DeadlineExceeded { .. }), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
}

#[tokio::test]
async fn padded_pages_over_the_cap_are_refused_and_a_huge_title_passes() {
    let knobs = Knobs { pad_bodies_to: Some(300_000), ..Knobs::default() };
    let fake = fake(15, knobs).await;
    for stream in [false, true] {
        fake.update_knobs(|k| k.stream_bodies = stream);
        let error = listing(&client_for(&fake, |c| c.max_body_bytes = 100_000)).await.unwrap_err();
        assert!(
            matches!(error, Error::BodyTooLarge { declared, cap: 100_000, .. } if declared != stream),
            "{error:?}"
        );
    }
    fake.update_knobs(|k| {
        k.pad_bodies_to = None;
        k.huge_title = Some(200_000);
    });
    let query = PersonQuery { include_all: true, ..PersonQuery::default() };
    let persons: Vec<_> = client_for(&fake, |_| {}).persons(&query).try_collect().await.unwrap();
    // Cutting over-long values belongs to the mapping, not to the client.
    assert_eq!(persons[0].title.as_deref().map(str::len), Some(200_000));
}

#[tokio::test]
async fn a_token_echoed_by_the_fake_never_reaches_the_error() {
    let knobs = Knobs {
        echo_token_in_errors: true,
        server_error_burst: 1,
        server_error_status: 400,
        ..Knobs::default()
    };
    let fake = fake(5, knobs).await;
    let error = listing(&client_for(&fake, |_| {})).await.unwrap_err();
    let text = format!("{error} {error:?}");
    assert!(text.contains("echoing <redacted> <redacted> <redacted> <redacted>"), "{text}");
    assert!(!text.to_lowercase().contains(&fake.token().to_lowercase()), "{text}");
}

#[tokio::test]
async fn a_person_repeated_pages_apart_is_passed_on_for_the_unique_check_downstream() {
    let fake = fake(40, Knobs { duplicate_person_across_pages: true, ..Knobs::default() }).await;
    let query = PersonQuery { include_all: true, ..PersonQuery::default() };
    let persons: Vec<_> = client_for(&fake, |_| {}).persons(&query).try_collect().await.unwrap();
    let first = &fake.org().persons[0].id;
    assert!(persons.iter().filter(|p| &p.id == first).count() > 1);
}
