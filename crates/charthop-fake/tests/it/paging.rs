use charthop_fake::{Endpoint, Knobs};
use serde_json::Value;

use crate::http::{fake, get, groups_path, ids, persons_path, walk};

fn all_person_ids(fake: &charthop_fake::FakeChartHop) -> Vec<String> {
    fake.org().persons.iter().map(|p| p.id.clone()).collect()
}

#[tokio::test]
async fn exclusive_from_visits_each_row_once_and_next_is_the_last_row() {
    let fake = fake(250, Knobs::default()).await;
    let first = get(&fake, &persons_path(&fake, "includeAll=true&limit=40")).await;
    let rows = first.rows();
    assert_eq!(first.next().as_deref(), rows.last().unwrap()["id"].as_str());

    let (rows, requests) = walk(&fake, &persons_path(&fake, "includeAll=true&limit=40"), 20).await;
    assert_eq!(ids(&rows), all_person_ids(&fake));
    assert_eq!(requests, 7); // 250 / 40 rounded up
    assert_eq!(fake.requests(Endpoint::PersonList), 8);
    fake.shutdown().await;
}

#[tokio::test]
async fn inclusive_from_visits_each_row_once_and_next_is_the_next_pages_first_row() {
    let fake = fake(250, Knobs { from_inclusive: true, ..Knobs::default() }).await;
    let first = get(&fake, &persons_path(&fake, "includeAll=true&limit=40")).await;
    let next = first.next().unwrap();
    assert_eq!(next, fake.org().persons[40].id);
    let second = get(&fake, &persons_path(&fake, &format!("includeAll=true&limit=40&from={next}"))).await;
    assert_eq!(second.rows()[0]["id"], Value::from(next));

    let (rows, requests) = walk(&fake, &persons_path(&fake, "includeAll=true&limit=40"), 20).await;
    assert_eq!(ids(&rows), all_person_ids(&fake));
    assert_eq!(requests, 7);
    fake.shutdown().await;
}

#[tokio::test]
async fn overlapping_pages_repeat_the_previous_pages_last_row() {
    let fake = fake(100, Knobs { overlapping_pages: true, ..Knobs::default() }).await;
    let (rows, requests) = walk(&fake, &persons_path(&fake, "includeAll=true&limit=30"), 20).await;
    let mut unique = ids(&rows);
    assert_eq!(rows.len() - requests + 1, 100, "one repeated row per page after the first");
    unique.dedup();
    assert_eq!(unique, all_person_ids(&fake));
    assert_eq!(requests as u64, fake.expected_list_requests(30).person_pages);
    fake.shutdown().await;
}

#[tokio::test]
async fn a_page_cap_below_the_limit_and_the_default_limit() {
    let fake = fake(300, Knobs { page_cap: Some(25), ..Knobs::default() }).await;
    let capped = get(&fake, &persons_path(&fake, "includeAll=true&limit=1000")).await;
    assert_eq!(capped.rows().len(), 25);
    assert!(capped.next().is_some());
    fake.update_knobs(|k| k.page_cap = None);
    assert_eq!(get(&fake, &persons_path(&fake, "includeAll=true")).await.rows().len(), 100);
    assert_eq!(get(&fake, &persons_path(&fake, "includeAll=true&limit=1000")).await.rows().len(), 300);
    for bad in ["limit=0", "limit=-3", "limit=many"] {
        let reply = get(&fake, &persons_path(&fake, bad)).await;
        assert_eq!((reply.status, reply.json()["code"].as_u64()), (400, Some(400)), "{bad}");
    }
    fake.shutdown().await;
}

#[tokio::test]
async fn expected_list_requests_matches_a_complete_listing() {
    let fake = fake(1_000, Knobs { page_cap: Some(90), from_inclusive: true, ..Knobs::default() }).await;
    let expected = fake.expected_list_requests(100);
    assert_eq!(expected.person_pages, 12); // 1000 / 90
    walk(&fake, &persons_path(&fake, "includeAll=true&limit=100&fields=groupIds"), 50).await;
    walk(&fake, &groups_path(&fake, "limit=100"), 50).await;
    walk(&fake, &format!("/v1/org/{}/group-type?limit=100", fake.org().org_id), 50).await;
    assert_eq!(fake.requests(Endpoint::PersonList), expected.person_pages);
    assert_eq!(fake.requests(Endpoint::GroupList), expected.group_pages);
    assert_eq!(fake.requests(Endpoint::GroupTypeList), expected.group_type_pages);
    assert_eq!(fake.total_requests(), expected.total());
    fake.shutdown().await;
}

#[tokio::test]
async fn a_repeating_next_gives_page_two_the_same_next_as_page_one() {
    for from_inclusive in [false, true] {
        let fake = fake(100, Knobs { repeat_next: true, from_inclusive, ..Knobs::default() }).await;
        let path = persons_path(&fake, "includeAll=true&limit=10");
        let next = get(&fake, &path).await.next().unwrap();
        let second = get(&fake, &format!("{path}&from={next}")).await;
        assert_eq!(second.rows().len(), 10);
        assert_eq!(second.next(), Some(next));
        let groups = groups_path(&fake, "limit=2");
        let group_next = get(&fake, &groups).await.next().unwrap();
        assert_eq!(get(&fake, &format!("{groups}&from={group_next}")).await.next(), Some(group_next));
        fake.shutdown().await;
    }
}
