//! The knobs for answers that look complete but are not, or cost too much: each one played
//! over raw HTTP, so the fake is checked on its own terms.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use charthop_fake::{GroupIdsAnswer, Knobs, NextShape};
use serde_json::{Value, json};

use crate::http::{fake, get, get_with, ids, persons_path};

fn person_path(fake: &charthop_fake::FakeChartHop, id: &str) -> String {
    format!("/v2/org/{}/person/{id}?fields=groupIds", fake.org().org_id)
}

#[tokio::test]
async fn the_person_get_can_leave_out_group_ids_or_send_text() {
    let fake = fake(20, Knobs::default()).await;
    let member =
        fake.org().persons.iter().find(|p| p.group_ids.as_ref().is_some_and(|g| g.len() > 1)).unwrap();
    let id = member.id.clone();
    assert!(get(&fake, &person_path(&fake, &id)).await.json()["groupIds"].is_array());
    fake.update_knobs(|k| k.person_get_group_ids = GroupIdsAnswer::Absent);
    let row = get(&fake, &person_path(&fake, &id)).await.json();
    assert_eq!((row["id"].as_str(), row.get("groupIds")), (Some(id.as_str()), None));
    fake.update_knobs(|k| k.person_get_group_ids = GroupIdsAnswer::Text);
    let row = get(&fake, &person_path(&fake, &id)).await.json();
    assert_eq!(row["groupIds"], Value::from(member.group_ids.as_ref().unwrap().join(",")));
    fake.shutdown().await;
}

#[tokio::test]
async fn the_person_list_can_send_group_ids_as_text() {
    let fake = fake(20, Knobs { person_list_group_ids: GroupIdsAnswer::Text, ..Knobs::default() }).await;
    let rows = get(&fake, &persons_path(&fake, "includeAll=true&fields=groupIds")).await.rows();
    assert!(rows.iter().all(|row| row["groupIds"].is_string()), "{rows:?}");
    fake.shutdown().await;
}

#[tokio::test]
async fn next_can_be_sent_as_any_json_type() {
    let fake = fake(30, Knobs::default()).await;
    let path = persons_path(&fake, "includeAll=true&limit=10");
    let cursor = get(&fake, &path).await.next().unwrap();
    for (shape, expected) in [
        (NextShape::Number, json!(1)),
        (NextShape::Object, json!({"from": cursor})),
        (NextShape::Array, json!([cursor])),
        (NextShape::Bool, json!(true)),
    ] {
        fake.update_knobs(|k| k.next_shape = shape);
        assert_eq!(get(&fake, &path).await.json()["next"], expected, "{shape:?}");
    }
    fake.shutdown().await;
}

#[tokio::test]
async fn the_person_list_can_answer_data_null() {
    let fake = fake(10, Knobs { person_list_data_null: true, ..Knobs::default() }).await;
    assert_eq!(get(&fake, &persons_path(&fake, "")).await.json(), json!({"data": null}));
    fake.shutdown().await;
}

#[tokio::test]
async fn endless_cursors_never_repeat_and_add_no_rows() {
    let fake = fake(30, Knobs { endless_cursors: true, ..Knobs::default() }).await;
    let path = persons_path(&fake, "includeAll=true&limit=10");
    let first = get(&fake, &path).await;
    assert_eq!(first.rows().len(), 10);
    let mut from = first.next().unwrap();
    let mut seen = vec![from.clone()];
    for _ in 0..5 {
        let page = get(&fake, &format!("{path}&from={from}")).await;
        assert!(page.rows().is_empty());
        from = page.next().unwrap();
        assert!(!seen.contains(&from), "{from} repeats");
        seen.push(from.clone());
    }
    fake.shutdown().await;
}

#[tokio::test]
async fn a_snapshot_builds_for_a_while_or_forever() {
    let knobs = Knobs { snapshot_building: Some(Duration::from_millis(300)), ..Knobs::default() };
    let fake = fake(10, knobs).await;
    let first = persons_path(&fake, "limit=5");
    assert_eq!(get(&fake, &first).await.status, 202);
    assert_eq!(get(&fake, &first).await.status, 202, "not only the first request");
    assert_eq!(get(&fake, &format!("{first}&from=x")).await.status, 200, "only first pages build");
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(get(&fake, &first).await.status, 200);
    fake.update_knobs(|k| k.snapshot_building = Some(Duration::MAX));
    assert_eq!(get(&fake, &first).await.status, 202);
    fake.shutdown().await;
}

#[tokio::test]
async fn a_server_that_never_answers_holds_the_request() {
    let fake = fake(10, Knobs { never_answer: true, ..Knobs::default() }).await;
    let path = persons_path(&fake, "");
    let waited = tokio::time::timeout(Duration::from_millis(300), get(&fake, &path)).await;
    assert!(waited.is_err(), "no answer came");
    assert_eq!(fake.total_requests(), 1, "the request was read");
}

#[tokio::test]
async fn bodies_can_be_padded_streamed_and_carry_a_huge_title() {
    let knobs = Knobs { pad_bodies_to: Some(200_000), huge_title: Some(100_000), ..Knobs::default() };
    let fake = fake(10, knobs).await;
    let reply = get(&fake, &persons_path(&fake, "includeAll=true&fields=title")).await;
    assert_eq!(reply.content_length(), Some(200_000));
    let rows = reply.rows();
    assert_eq!(rows[0]["title"].as_str().map(str::len), Some(100_000));
    assert!(rows[1..].iter().all(|r| r.get("title").is_none_or(|t| t.as_str().unwrap().len() < 1000)));
    fake.update_knobs(|k| k.stream_bodies = true);
    let reply = get(&fake, &persons_path(&fake, "includeAll=true&fields=title")).await;
    assert_eq!((reply.content_length(), reply.header("transfer-encoding")), (None, Some("chunked")));
    assert!(reply.body.len() > 200_000);
    fake.shutdown().await;
}

#[tokio::test]
async fn error_answers_can_echo_the_token_in_several_forms() {
    let knobs = Knobs {
        echo_token_in_errors: true,
        server_error_burst: 1,
        server_error_status: 400,
        ..Knobs::default()
    };
    let fake = fake(10, knobs).await;
    let token = fake.token();
    let message = get(&fake, &persons_path(&fake, "")).await.json()["message"].as_str().unwrap().to_owned();
    for form in [token.clone(), token.to_uppercase(), STANDARD.encode(&token), URL_SAFE_NO_PAD.encode(&token)]
    {
        assert!(message.contains(&form), "{message} lacks {form}");
    }
    let unauthorized = get_with(&fake, &persons_path(&fake, ""), Some("Bearer other-token")).await;
    assert!(unauthorized.json()["message"].as_str().unwrap().contains("OTHER-TOKEN"));
    fake.shutdown().await;
}

#[tokio::test]
async fn a_person_can_come_back_two_pages_later() {
    let fake = fake(50, Knobs { duplicate_person_across_pages: true, ..Knobs::default() }).await;
    let path = persons_path(&fake, "includeAll=true&limit=10");
    let first = get(&fake, &path).await;
    let first_id = ids(&first.rows())[0].clone();
    let second = get(&fake, &format!("{path}&from={}", first.next().unwrap())).await;
    assert!(!ids(&second.rows()).contains(&first_id), "the page right after is clean");
    let third = get(&fake, &format!("{path}&from={}", second.next().unwrap())).await;
    let third_ids = ids(&third.rows());
    assert_eq!((third_ids.len(), third_ids.last()), (11, Some(&first_id)));
    fake.shutdown().await;
}

#[tokio::test]
async fn cached_bodies_are_still_checked_per_request_and_follow_the_knobs() {
    let fake = fake(30, Knobs { cache_bodies: true, rate_limit_every: Some(3), ..Knobs::default() }).await;
    let first_page = persons_path(&fake, "includeAll=true&limit=10");
    let first = get(&fake, &first_page).await;
    assert_eq!(get(&fake, &first_page).await.body, first.body, "served again as rendered");
    // Faults and the token are checked before the cache is read.
    assert_eq!(get(&fake, &first_page).await.status, 429, "every third request");
    assert_eq!(get_with(&fake, &first_page, Some("Bearer other-token")).await.status, 401);
    let next = first.next().unwrap();
    let second = get(&fake, &persons_path(&fake, &format!("includeAll=true&limit=10&from={next}"))).await;
    assert_ne!(ids(&second.rows()), ids(&first.rows()), "each request has its own answer");
    // New knobs start an empty cache: the same request is rendered anew.
    fake.update_knobs(|k| k.rate_limit_every = None);
    let names = persons_path(&fake, "includeAll=true&limit=10&fields=name.first");
    assert!(get(&fake, &names).await.rows().iter().all(|row| row["name.first"].is_string()));
    fake.update_knobs(|k| k.nested_rows = true);
    let nested = get(&fake, &names).await.rows();
    assert!(nested.iter().all(|row| row["name"]["first"].is_string()), "{nested:?}");
    fake.shutdown().await;
}
