//! The client against the fake ChartHop, one test per behaviour the public record leaves open
//! or a client must survive.

use std::collections::BTreeSet;
use std::time::Duration;

use charthop_client::{ChartHopClient, ClientConfig, Error, GroupQuery, Page, PersonQuery, Url};
use charthop_domain::{Membership, NaiveDate, Person};
use charthop_fake::{Endpoint, FakeChartHop, Knobs, OrgSpec, RetryAfter, generate_org};
use futures::{StreamExt, TryStreamExt};

use crate::support::{LogCapture, client, config};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
}

async fn fake(persons: usize, knobs: impl FnOnce(&mut Knobs)) -> FakeChartHop {
    let org = generate_org(&OrgSpec::new(persons, 42).with_today(today()));
    let mut chosen = Knobs::default();
    knobs(&mut chosen);
    FakeChartHop::start(org, chosen).await.expect("the fake starts on 127.0.0.1")
}

fn config_for(fake: &FakeChartHop, page_size: u32) -> ClientConfig {
    let mut config = config(Url::parse(&fake.base_url()).unwrap(), &fake.token(), &fake.org().slug);
    config.page_size = page_size;
    config
}

fn client_for(fake: &FakeChartHop, page_size: u32) -> ChartHopClient {
    client(config_for(fake, page_size))
}

/// Every field the client can read, so decoded persons compare to the ground truth whole.
fn all_fields() -> PersonQuery {
    PersonQuery { include_personal_email: true, ..PersonQuery::default() }
}

async fn all_pages(client: &ChartHopClient, query: &PersonQuery) -> Vec<Page<Person>> {
    client.person_pages(query).try_collect().await.expect("the listing succeeds")
}

fn persons_of(pages: &[Page<Person>]) -> Vec<Person> {
    pages.iter().flat_map(|page| page.items.clone()).collect()
}

/// The listing equals the org, person for person and field for field.
fn assert_same_persons(listed: &[Person], fake: &FakeChartHop) {
    let truth = &fake.org().persons;
    assert_eq!(listed.len(), truth.len());
    for (got, want) in listed.iter().zip(truth) {
        assert_eq!(got, want);
    }
}

#[tokio::test]
async fn exclusive_from_lists_every_person_once_with_every_field() {
    let fake = fake(230, |_| {}).await;
    let client = client_for(&fake, 50);
    let pages = all_pages(&client, &all_fields()).await;
    assert_same_persons(&persons_of(&pages), &fake);
    assert_eq!(pages.len() as u64, fake.expected_list_requests(50).person_pages);
    assert_eq!(fake.requests(Endpoint::PersonList), pages.len() as u64);
    assert!(pages.iter().all(|p| p.duplicates_dropped == 0));
}

#[tokio::test]
async fn inclusive_from_lists_every_person_once() {
    let fake = fake(230, |k| k.from_inclusive = true).await;
    let client = client_for(&fake, 50);
    let pages = all_pages(&client, &all_fields()).await;
    assert_same_persons(&persons_of(&pages), &fake);
    assert_eq!(fake.requests(Endpoint::PersonList), fake.expected_list_requests(50).person_pages);
}

#[tokio::test]
async fn overlapping_pages_drop_the_repeated_row() {
    let fake = fake(230, |k| k.overlapping_pages = true).await;
    let client = client_for(&fake, 50);
    let pages = all_pages(&client, &all_fields()).await;
    assert_same_persons(&persons_of(&pages), &fake);
    let dropped: usize = pages.iter().map(|p| p.duplicates_dropped).sum();
    assert_eq!(dropped, pages.len() - 1, "each page after the first repeats one row");
    assert_eq!(fake.requests(Endpoint::PersonList), fake.expected_list_requests(50).person_pages);
}

#[tokio::test]
async fn nested_rows_decode_like_flat_ones() {
    let fake = fake(120, |k| k.nested_rows = true).await;
    let client = client_for(&fake, 1000);
    let pages = all_pages(&client, &all_fields()).await;
    assert_same_persons(&persons_of(&pages), &fake);
    let nested_names = persons_of(&pages).iter().filter(|p| p.name.first.is_some()).count();
    assert!(nested_names > 100, "names come from the nested 'name' object");
}

#[tokio::test]
async fn a_page_cap_below_the_requested_limit_is_followed() {
    let fake = fake(100, |k| k.page_cap = Some(7)).await;
    let client = client_for(&fake, 50);
    let pages = all_pages(&client, &all_fields()).await;
    assert!(pages.iter().all(|p| p.items.len() <= 7));
    assert_same_persons(&persons_of(&pages), &fake);
    assert_eq!(pages.len(), 100usize.div_ceil(7));
    assert_eq!(fake.requests(Endpoint::PersonList), pages.len() as u64);
}

#[tokio::test]
async fn a_list_that_ignores_group_ids_is_visible_and_the_fallback_recovers_them() {
    let fake = fake(40, |k| k.list_honours_group_ids = false).await;
    let client = client_for(&fake, 1000);
    let pages = all_pages(&client, &PersonQuery::default()).await;
    assert_eq!(pages.len(), 1);
    let page = &pages[0];
    assert_eq!(page.persons_without_group_ids().count(), page.items.len(), "every row lacks the key");
    for person in page.persons_without_group_ids() {
        let group_ids = client.person_group_ids(&person.id).await.unwrap();
        let truth = fake.org().person(&person.id).unwrap();
        assert_eq!(Some(&group_ids), truth.group_ids.as_ref(), "{}", person.id);
    }
    assert_eq!(fake.requests(Endpoint::PersonGet), 40);
}

#[tokio::test(start_paused = true)]
async fn rate_limits_honour_retry_after_and_are_counted() {
    let fake = fake(30, |k| {
        k.rate_limit_burst = 2;
        k.retry_after = RetryAfter::Seconds(3);
    })
    .await;
    let mut config = config_for(&fake, 1000);
    config.request_timeout = Duration::from_secs(3600);
    config.retry.max_delay = Duration::from_secs(30);
    let client = client(config);
    let started = tokio::time::Instant::now();
    let persons = persons_of(&all_pages(&client, &all_fields()).await);
    assert_eq!(persons.len(), 30);
    let stats = client.stats();
    assert_eq!((stats.rate_limited, stats.retries, stats.requests), (2, 2, 3));
    assert_eq!(stats.rate_limit_wait, Duration::from_secs(6), "Retry-After: 3, twice");
    assert!(
        started.elapsed() >= Duration::from_secs(6),
        "the waits really happened: {:?}",
        started.elapsed()
    );
    assert_eq!(fake.requests(Endpoint::PersonList), 3);
}

#[tokio::test(start_paused = true)]
async fn a_wait_is_capped_even_when_retry_after_asks_for_more() {
    let fake = fake(5, |k| {
        k.rate_limit_burst = 1;
        k.retry_after = RetryAfter::HttpDate(Duration::from_secs(600));
    })
    .await;
    let mut config = config_for(&fake, 1000);
    config.request_timeout = Duration::from_secs(3600);
    config.retry.max_delay = Duration::from_secs(30);
    let client = client(config);
    client.validate_access().await.unwrap();
    assert_eq!(client.stats().rate_limit_wait, Duration::from_secs(30));
}

#[tokio::test]
async fn a_5xx_burst_then_success() {
    let fake = fake(30, |k| {
        k.server_error_burst = 3;
        k.server_error_status = 502;
    })
    .await;
    let client = client_for(&fake, 1000);
    let groups: Vec<_> = client.groups(&GroupQuery::default()).try_collect().await.unwrap();
    assert_eq!(groups.len(), fake.org().groups.len());
    let stats = client.stats();
    assert_eq!((stats.retries, stats.requests, stats.rate_limited), (3, 4, 0));
    assert_eq!(fake.requests(Endpoint::GroupList), 4);
}

#[tokio::test]
async fn a_202_on_the_first_call_is_retried() {
    let fake = fake(30, |k| k.accepted_first = true).await;
    let client = client_for(&fake, 1000);
    let persons = persons_of(&all_pages(&client, &all_fields()).await);
    assert_same_persons(&persons, &fake);
    assert_eq!(fake.requests(Endpoint::PersonList), 2);
    assert_eq!(client.stats().retries, 1);
}

#[tokio::test]
async fn a_body_cut_short_is_retried() {
    for cut in [|k: &mut Knobs| k.close_mid_body = 1, |k: &mut Knobs| k.truncate_body = 1] {
        let fake = fake(60, cut).await;
        let client = client_for(&fake, 1000);
        let persons = persons_of(&all_pages(&client, &all_fields()).await);
        assert_same_persons(&persons, &fake);
        assert_eq!(fake.requests(Endpoint::PersonList), 2, "{:?}", fake.knobs());
        assert_eq!(client.stats().retries, 1);
    }
}

#[tokio::test]
async fn a_repeating_next_is_a_typed_error_not_an_endless_loop() {
    let fake = fake(50, |k| k.repeat_next = true).await;
    let client = client_for(&fake, 10);
    let results: Vec<_> = client.person_pages(&all_fields()).collect().await;
    assert_eq!(results.len(), 2, "first page, then the error");
    let error = results[1].as_ref().unwrap_err();
    assert!(matches!(error, Error::RepeatedCursor { .. }), "{error:?}");
    assert!(error.to_string().contains("GET /v2/org/"), "{error}");
    assert_eq!(fake.requests(Endpoint::PersonList), 2);
}

#[tokio::test]
async fn unauthorized_forbidden_and_unknown_org_fail_after_exactly_one_request() {
    let fake = fake(10, |k| k.token_without_person_access = Some("groups-only-token-77".into())).await;

    let wrong_token =
        client(config(Url::parse(&fake.base_url()).unwrap(), "wrong-token-1", &fake.org().slug));
    let error = wrong_token.validate_access().await.unwrap_err();
    assert!(matches!(error, Error::Unauthorized { .. }), "{error:?}");
    assert!(
        error.to_string().starts_with("ChartHop rejected the API token (401) on GET /v2/org/"),
        "{error}"
    );
    assert!(error.to_string().ends_with("the token is wrong, expired or revoked"), "{error}");
    assert_eq!(fake.total_requests(), 1);

    fake.reset_request_counts();
    let groups_only =
        client(config(Url::parse(&fake.base_url()).unwrap(), "groups-only-token-77", &fake.org().slug));
    let error = groups_only.validate_access().await.unwrap_err();
    assert!(matches!(error, Error::Forbidden { subject: "persons", .. }), "{error:?}");
    assert!(error.to_string().starts_with("the token cannot read persons (403) on GET /v2/org/"), "{error}");
    assert_eq!(fake.total_requests(), 1);
    assert!(groups_only.groups_page(&GroupQuery::default(), None).await.is_ok(), "groups stay readable");

    fake.reset_request_counts();
    let unknown_org = client(config(Url::parse(&fake.base_url()).unwrap(), &fake.token(), "no-such-org"));
    let error = unknown_org.validate_access().await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "organization 'no-such-org' not found (404) on GET /v2/org/no-such-org/person: check the org id or slug, \
         and that the token belongs to that org"
    );
    assert_eq!(fake.total_requests(), 1);
    assert_eq!(unknown_org.stats().retries, 0);
}

#[tokio::test]
async fn the_token_never_appears_in_errors_or_log_lines() {
    let fake = fake(20, |k| {
        k.rate_limit_burst = 1;
        k.retry_after = RetryAfter::Seconds(0);
        k.server_error_burst = 1;
        k.truncate_body = 1;
    })
    .await;
    let token = fake.token();
    let logs = LogCapture::default();
    let _guard = logs.install();

    let good = client_for(&fake, 5);
    let persons = persons_of(&all_pages(&good, &all_fields()).await);
    assert_eq!(persons.len(), 20);
    let mut texts = vec![format!("{good:?}")];
    let bad_token = "wrong-but-secret-token-19";
    let cases = [
        config(Url::parse(&fake.base_url()).unwrap(), bad_token, &fake.org().slug),
        config(Url::parse(&fake.base_url()).unwrap(), &token, "no-such-org"),
    ];
    for config in cases {
        let client = client(config);
        let error = client.validate_access().await.unwrap_err();
        texts.push(format!("{error} {error:?} {client:?}"));
    }
    let error = good.person("no-such-person", &all_fields()).await.unwrap_err();
    texts.push(format!("{error} {error:?}"));

    let logged = logs.text();
    assert!(logged.contains("retrying"), "the capture saw the retries: {logged}");
    for secret in [token.as_str(), bad_token] {
        assert!(!logged.contains(secret), "a log line holds a token");
        for text in &texts {
            assert!(!text.contains(secret), "{text}");
        }
    }
}

#[tokio::test]
async fn groups_resolve_their_type_names_through_the_group_types() {
    let fake = fake(300, |_| {}).await;
    let client = client_for(&fake, 1000);
    let index = client.group_type_index().await.unwrap();
    let mut groups: Vec<_> = client.groups(&GroupQuery::default()).try_collect().await.unwrap();
    groups.iter_mut().for_each(|g| index.resolve_group(g));
    assert_eq!(groups, fake.org().groups);
}

/// Done when: a 10,000-person org, every person and group with memberships, in exactly
/// (person pages + group pages + group-type pages) requests.
#[tokio::test]
async fn a_ten_thousand_person_org_takes_one_request_per_page() {
    let fake = fake(10_000, |_| {}).await;
    let client = client_for(&fake, 1000);
    let types: Vec<_> = client.group_types().try_collect().await.unwrap();
    let groups: Vec<_> = client.groups(&GroupQuery::default()).try_collect().await.unwrap();
    let mut memberships = BTreeSet::new();
    let mut persons = 0;
    let mut pages = client.person_pages(&PersonQuery::default());
    while let Some(page) = pages.next().await {
        let page = page.unwrap();
        assert_eq!(page.persons_without_group_ids().count(), 0, "no per-person fallback needed");
        persons += page.items.len();
        for person in &page.items {
            for group_id in person.group_ids.iter().flatten() {
                if groups.iter().any(|g| &g.id == group_id) {
                    memberships
                        .insert(Membership { group_id: group_id.clone(), person_id: person.id.clone() });
                }
            }
        }
    }
    let org = fake.org();
    assert_eq!((types.len(), groups.len(), persons), (org.group_types.len(), org.groups.len(), 10_000));
    assert_eq!(memberships.into_iter().collect::<Vec<_>>(), org.memberships);

    let expected = fake.expected_list_requests(1000);
    assert_eq!(expected.person_pages, 10);
    assert_eq!(fake.requests(Endpoint::PersonList), expected.person_pages);
    assert_eq!(fake.requests(Endpoint::GroupList), expected.group_pages);
    assert_eq!(fake.requests(Endpoint::GroupTypeList), expected.group_type_pages);
    assert_eq!(fake.total_requests(), expected.total());
    assert_eq!(client.stats().requests, expected.total());
    assert_eq!(fake.requests(Endpoint::PersonGet), 0);
}

#[tokio::test]
async fn person_records_carry_the_manager_and_extra_fields_flat_or_nested() {
    for nested in [false, true] {
        let fake = fake(120, |k| k.nested_rows = nested).await;
        let client = client_for(&fake, 50);
        let query = PersonQuery { extra_fields: vec!["fte".into(), "shirtSize".into()], ..all_fields() };
        let pages: Vec<Page<charthop_client::PersonRecord>> =
            client.person_record_pages(&query).try_collect().await.expect("the listing succeeds");
        let records: Vec<_> = pages.into_iter().flat_map(|p| p.items).collect();
        let org = fake.org();
        assert_eq!(records.len(), org.persons.len());
        for (record, person) in records.iter().zip(&org.persons) {
            assert_eq!(&record.person, person, "the person decodes whole beside the extras");
            let manager = person.manager_id.as_deref().and_then(|m| org.person(m));
            assert_eq!(record.manager_email, manager.and_then(|m| m.work_email.clone()));
            assert_eq!(record.manager_name.first, manager.and_then(|m| m.name.first.clone()));
            assert_eq!(
                record.manager_name.preferred_first,
                manager.and_then(|m| m.name.preferred_first.clone())
            );
            assert_eq!(record.manager_name.last, manager.and_then(|m| m.name.last.clone()));
            let served: Vec<(String, String)> = ["fte", "shirtSize"]
                .into_iter()
                .filter_map(|code| {
                    let value = charthop_fake::custom_field(person, code)?;
                    Some((code.to_owned(), value.as_str().map_or_else(|| value.to_string(), str::to_owned)))
                })
                .collect();
            assert_eq!(record.extra_fields, served);
        }
        assert!(records.iter().filter(|r| r.manager_email.is_some()).count() > 60);
        fake.shutdown().await;
    }
}

#[tokio::test]
async fn one_person_record_is_the_listed_record_in_one_request() {
    for nested in [false, true] {
        let fake = fake(30, |k| k.nested_rows = nested).await;
        let client = client_for(&fake, 50);
        let query = PersonQuery { extra_fields: vec!["fte".into(), "shirtSize".into()], ..all_fields() };
        let pages: Vec<Page<charthop_client::PersonRecord>> =
            client.person_record_pages(&query).try_collect().await.expect("the listing succeeds");
        for listed in pages.into_iter().flat_map(|p| p.items) {
            let before = fake.total_requests();
            let got = client.person_record(&listed.person.id, &query).await.expect("the person is there");
            assert_eq!(got, listed, "nested: {nested}");
            assert_eq!(fake.total_requests() - before, 1);
        }
        fake.shutdown().await;
    }
}

#[tokio::test]
async fn a_bad_extra_field_code_fails_the_listing_before_any_request() {
    let fake = fake(10, |_| {}).await;
    let client = client_for(&fake, 50);
    let query = PersonQuery { extra_fields: vec!["fte&limit=1".into()], ..PersonQuery::default() };
    let err = client.person_record_pages(&query).try_collect::<Vec<_>>().await.unwrap_err();
    assert!(matches!(err, Error::InvalidFieldCode { .. }), "{err}");
    assert!(client.persons_page(&query, None).await.is_err());
    assert_eq!(fake.total_requests(), 0);
    fake.shutdown().await;
}
