//! Answers that look complete but are not, and answers that cost too much: each is an error
//! naming what failed, never a silently short listing.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use charthop_client::{ChartHopClient, ClientConfig, Error, PersonQuery, Transient, Url};
use futures::{StreamExt, TryStreamExt};
use serde_json::json;

use crate::support::{LogCapture, Stub, TOKEN, client, config, json, raw};

async fn listing_error(stub: &Stub) -> Error {
    let client = client(config(stub.base_url(), TOKEN, "acme"));
    client.persons(&PersonQuery::default()).try_collect::<Vec<_>>().await.unwrap_err()
}

#[tokio::test]
async fn a_next_that_is_not_a_string_is_an_error_not_the_last_page() {
    for next in [json!(2), json!({"from": "p2"}), json!(["p2"]), json!(true)] {
        let stub = Stub::start(move |index, _| match index {
            0 => json(200, json!({"data": [{"id": "p1"}], "next": "p1"})),
            _ => json(200, json!({"data": [{"id": "p2"}], "next": next.clone()})),
        })
        .await;
        let error = listing_error(&stub).await;
        assert!(matches!(error, Error::InvalidNext { .. }), "{error:?}");
        let text = error.to_string();
        assert!(
            text.starts_with("GET /v2/org/acme/person (page 2, from 'p1') answered 'next' as "),
            "{text}"
        );
    }
}

#[tokio::test]
async fn data_null_or_missing_is_an_error_not_an_empty_page() {
    for body in [json!({"data": null}), json!({}), json!({"data": "none"})] {
        let stub = Stub::start(move |_, _| json(200, body.clone())).await;
        let error = listing_error(&stub).await;
        assert!(matches!(error, Error::InvalidData { .. }), "{error:?}");
        assert!(
            error.to_string().starts_with("GET /v2/org/acme/person (page 1) answered without"),
            "{error}"
        );
    }
}

#[tokio::test]
async fn a_listed_person_with_group_ids_of_a_wrong_type_is_named() {
    let stub = Stub::start(|_, _| {
        json(200, json!({"data": [{"id": "p1", "groupIds": ["g1"]}, {"id": "p2", "groupIds": "g1"}]}))
    })
    .await;
    let error = listing_error(&stub).await;
    match &error {
        Error::InvalidField { id, field: "groupIds", found: "a string", .. } => assert_eq!(id, "p2"),
        other => panic!("expected InvalidField, got {other:?}"),
    }
    assert!(
        error.to_string().contains("'p2' on page 1 of GET /v2/org/acme/person has a string for 'groupIds'"),
        "{error}"
    );
}

#[tokio::test]
async fn a_membership_answer_without_group_ids_may_mean_no_access() {
    let stub = Stub::start(|_, request| match request.path.rsplit('/').next() {
        Some("p1") => json(200, json!({"id": "p1"})),
        Some("p2") => json(200, json!({"id": "p2", "groupIds": {"g1": true}})),
        _ => json(200, json!({"id": "p3", "groupIds": null})),
    })
    .await;
    let client = client(config(stub.base_url(), TOKEN, "acme"));
    for (person, found) in [("p1", "no value"), ("p2", "an object"), ("p3", "no value")] {
        let error = client.person_group_ids(person).await.unwrap_err();
        match &error {
            Error::MembershipUnreadable { person_id, found: got, .. } => {
                assert_eq!((person_id.as_str(), *got), (person, found));
            }
            other => panic!("expected MembershipUnreadable, got {other:?}"),
        }
        let text = error.to_string();
        assert!(text.contains(&format!("'groupIds' of person '{person}'")), "{text}");
        assert!(text.contains("may lack access to group membership"), "{text}");
    }
}

#[tokio::test]
async fn a_base_url_with_user_info_is_refused_without_printing_it() {
    let url = Url::parse("https://someone:pa55word-xyz@api.charthop.com").unwrap();
    let error = ChartHopClient::new(ClientConfig::new(TOKEN, "acme").with_base_url(url)).unwrap_err();
    let text = format!("{error} / {error:?}");
    assert!(matches!(error, Error::InvalidBaseUrl { .. }), "{text}");
    assert!(!text.contains("pa55word") && !text.contains("someone"), "{text}");
}

#[tokio::test]
async fn a_web_app_address_as_base_url_is_refused_with_the_slug() {
    let url = Url::parse("https://app.charthop.com/acme-inc/home").unwrap();
    let error = ChartHopClient::new(ClientConfig::new(TOKEN, "acme-inc").with_base_url(url)).unwrap_err();
    match &error {
        Error::WebAppUrl { slug, .. } => assert_eq!(slug.as_deref(), Some("acme-inc")),
        other => panic!("expected WebAppUrl, got {other:?}"),
    }
    let text = error.to_string();
    assert!(text.contains("use https://api.charthop.com and the org slug 'acme-inc'"), "{text}");
    assert!(!text.contains("--") && !text.contains("BATON_"), "{text}");
}

#[tokio::test]
async fn an_echoed_token_is_redacted_in_any_case_and_in_base64() {
    let forms = [TOKEN.to_uppercase(), STANDARD.encode(TOKEN), URL_SAFE_NO_PAD.encode(TOKEN)];
    let message = format!("denied {} / {} / {}", forms[0], forms[1], forms[2]);
    let stub = Stub::start(move |_, _| json(400, json!({"code": 400, "message": message.clone()}))).await;
    let text = format!("{:?} {}", listing_error(&stub).await, listing_error(&stub).await);
    assert!(text.contains("denied <redacted> / <redacted> / <redacted>"), "{text}");
    for form in &forms {
        assert!(!text.contains(form.as_str()), "{text}");
    }
}

#[tokio::test]
async fn a_body_above_the_cap_is_refused_declared_or_streamed() {
    let stub = Stub::start(|index, _| {
        let body = format!("{{\"data\": [], \"pad\": \"{}\"}}", "x".repeat(10_000));
        match index {
            0 => raw(200, &body),
            // Chunks without a Content-Length: refused once the count passes the cap.
            _ => {
                let chunks = (0..1000).map(|_| Ok::<_, std::io::Error>("          ".repeat(100)));
                Response::new(Body::from_stream(futures::stream::iter(chunks)))
            }
        }
    })
    .await;
    let mut config = config(stub.base_url(), TOKEN, "acme");
    config.max_body_bytes = 4096;
    let client = client(config);
    for declared in [true, false] {
        let error = client.persons_page(&PersonQuery::default(), None).await.unwrap_err();
        match &error {
            Error::BodyTooLarge { cap: 4096, declared: got, size, .. } => {
                assert_eq!(*got, declared);
                assert!(*size > 4096 && *size < 100_000, "{size}");
            }
            other => panic!("expected BodyTooLarge, got {other:?}"),
        }
        let text = error.to_string();
        assert!(
            text.starts_with("the answer to GET /v2/org/acme/person (the first page) is larger than"),
            "{text}"
        );
        assert!(text.contains("4096 bytes allowed"), "{text}");
    }
    assert_eq!(stub.request_count(), 2, "a body too large is not retried");
}

#[tokio::test]
async fn a_page_of_tiny_values_is_refused_before_it_is_decoded() {
    // 3.5 MB of one-key objects, well under the 64 MiB body cap, would take over 300 MiB as
    // JSON values: refused by the estimate, not decoded.
    let body = format!(r#"{{"data":[{}]}}"#, vec![r#"{"":0}"#; 500_000].join(","));
    let stub = Stub::start(move |_, _| raw(200, &body)).await;
    let client = client(config(stub.base_url(), TOKEN, "acme"));
    let error = client.persons_page(&PersonQuery::default(), None).await.unwrap_err();
    match &error {
        Error::PageTooDense { estimate, budget, size, .. } => {
            assert_eq!(*budget, 256 * 1024 * 1024);
            assert!(estimate > budget && *size < 4_000_000, "{estimate} for {size} bytes");
        }
        other => panic!("expected PageTooDense, got {other:?}"),
    }
    let text = error.to_string();
    assert!(text.contains("not ChartHop answering") && text.contains("256 MiB allowed"), "{text}");
    assert_eq!(stub.request_count(), 1, "not retried");
}

#[tokio::test]
async fn a_snapshot_still_building_is_awaited_then_given_up() {
    let stub = Stub::start(|index, _| match index {
        0..=3 => raw(202, ""),
        4 => json(200, json!({"data": [{"id": "p1"}]})),
        _ => raw(202, ""),
    })
    .await;
    let logs = LogCapture::default();
    let _guard = logs.install();
    let mut config = config(stub.base_url(), TOKEN, "acme");
    config.retry.max_attempts = 2;
    config.snapshot_wait = Duration::from_millis(300);
    let client = client(config);
    // Four 202s are more than the attempts allow: 202 has its own budget.
    let page = client.persons_page(&PersonQuery::default(), None).await.unwrap();
    assert_eq!(page.items.len(), 1);
    assert!(logs.text().contains("ChartHop is building its snapshot; waiting"), "{}", logs.text());
    assert!(logs.text().contains(" INFO ") && logs.text().contains("waited_s"), "{}", logs.text());

    let started = Instant::now();
    let error = client.persons_page(&PersonQuery::default(), None).await.unwrap_err();
    assert!(matches!(error, Error::SnapshotNotReady { .. }), "{error:?}");
    assert_eq!(error.status(), Some(202));
    assert!(started.elapsed() >= Duration::from_millis(250), "{:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    assert!(error.to_string().contains("still building its snapshot"), "{error}");
}

#[tokio::test]
async fn a_server_that_never_answers_costs_the_deadline_at_most() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap()).parse().unwrap();
    let holder = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let mut config = config(base, TOKEN, "acme");
    config.request_timeout = Duration::from_secs(120);
    config.request_deadline = Duration::from_millis(400);
    let client = client(config);
    let started = Instant::now();
    let error = client.persons(&PersonQuery::default()).next().await.unwrap().unwrap_err();
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(390) && elapsed < Duration::from_secs(2), "{elapsed:?}");
    assert!(
        matches!(
            error,
            Error::DeadlineExceeded { attempts: 1, last: Some(Transient::ReadTimeout { .. }), .. }
        ),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "GET /v2/org/acme/person did not succeed within its deadline of 0.4 s (attempts: 1)"
    );
    holder.abort();
}
