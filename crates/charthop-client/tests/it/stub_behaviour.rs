//! Behaviours checked against scripted stubs: headers, shapes and faults that the fake
//! ChartHop does not play.

use std::time::{Duration, SystemTime};

use charthop_client::{ChartHopClient, Error, GroupQuery, PersonQuery, Transient};
use futures::{StreamExt, TryStreamExt};
use serde_json::json;

use crate::support::{LogCapture, Stub, TOKEN, client, config, fast_retry, json, raw};

#[tokio::test]
async fn requests_carry_the_bearer_token_user_agent_and_accept() {
    let stub = Stub::start(|_, _| json(200, json!({"data": []}))).await;
    let mut config = config(stub.base_url(), TOKEN, "acme");
    config.user_agent = "baton-charthop/9.8.7".into();
    client(config).validate_access().await.unwrap();
    let request = &stub.requests()[0];
    assert_eq!(request.headers["authorization"], format!("Bearer {TOKEN}").as_str());
    assert_eq!(request.headers["user-agent"], "baton-charthop/9.8.7");
    assert_eq!(request.headers["accept"], "application/json");
    assert_eq!((request.param("limit"), request.param("fields")), (Some("1"), Some("id")));
}

#[tokio::test]
async fn a_row_without_id_is_an_error_naming_endpoint_and_page() {
    let stub = Stub::start(|index, _| match index {
        0 => json(200, json!({"data": [{"id": "p1"}, {"id": "p2"}], "next": "p2"})),
        _ => json(200, json!({"data": [{"id": "p3"}, {"name.first": "Nobody"}], "next": "p4"})),
    })
    .await;
    let client = client(config(stub.base_url(), TOKEN, "acme"));
    let results: Vec<_> = client.person_pages(&PersonQuery::default()).collect().await;
    assert_eq!(results.len(), 2, "the stream ends at the error");
    let error = results[1].as_ref().unwrap_err();
    assert!(matches!(error, Error::MissingId { row: 2, .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        "row 2 of page 2, from 'p2' of GET /v2/org/acme/person has no 'id': ChartHop always sends one, so \
         the answer is not a ChartHop list"
    );
    // The page after it was requested before its rows were decoded, then cancelled.
    let requests = stub.request_count();
    assert!((2..=3).contains(&requests), "the two pages and at most the one requested ahead: {requests}");
}

#[tokio::test]
async fn malformed_json_is_a_decode_error_and_not_retried() {
    let stub = Stub::start(|_, _| raw(200, "<html>maintenance</html>")).await;
    let client = client(config(stub.base_url(), TOKEN, "acme"));
    let error = client.groups_page(&GroupQuery::default(), None).await.unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    assert!(error.to_string().contains("GET /v2/org/acme/group (the first page)"), "{error}");
    assert_eq!(stub.request_count(), 1);
}

#[tokio::test]
async fn a_body_that_is_not_a_list_is_an_error_naming_the_page() {
    let stub = Stub::start(|index, _| match index {
        0 => json(200, json!({"rows": []})),
        _ => json(200, json!([])),
    })
    .await;
    let client = client(config(stub.base_url(), TOKEN, "acme"));
    let error = client.group_types_page(Some("t9")).await.unwrap_err();
    assert!(matches!(error, Error::InvalidData { found: "absent", .. }), "{error:?}");
    assert!(error.to_string().contains("(the page from 't9') answered without an array of rows"), "{error}");
    let error = client.group_types_page(None).await.unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    assert!(error.to_string().contains("got an array"), "{error}");
}

#[tokio::test]
async fn server_errors_other_than_501_are_retried_and_client_errors_are_not() {
    for (status, expected_requests) in [(500, 2), (502, 2), (504, 2), (501, 1), (400, 1), (409, 1)] {
        let stub = Stub::start(move |index, _| match index {
            0 => raw(status, ""),
            _ => json(200, json!({"data": [{"id": "t1"}]})),
        })
        .await;
        let client = client(config(stub.base_url(), TOKEN, "acme"));
        let result = client.group_types_page(None).await;
        assert_eq!(stub.request_count(), expected_requests, "status {status}");
        match expected_requests {
            2 => assert_eq!(result.unwrap().items[0].id, "t1"),
            _ => assert_eq!(result.unwrap_err().status(), Some(status)),
        }
    }
}

#[tokio::test]
async fn attempts_are_capped() {
    let stub = Stub::start(|_, _| raw(503, "")).await;
    let mut config = config(stub.base_url(), TOKEN, "acme");
    config.retry = fast_retry(3);
    let client = client(config);
    let error = client.persons_page(&PersonQuery::default(), None).await.unwrap_err();
    assert!(
        matches!(error, Error::RetriesExhausted { attempts: 3, last: Transient::Status { status: 503 }, .. }),
        "{error:?}"
    );
    assert_eq!(stub.request_count(), 3);
    let stats = client.stats();
    assert_eq!((stats.requests, stats.retries, stats.rate_limited), (3, 2, 0));
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_and_is_retried() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap()).parse().unwrap();
    // Accepts and holds connections without ever answering.
    let holder = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let mut config = config(base, TOKEN, "acme");
    config.request_timeout = Duration::from_millis(150);
    config.retry = fast_retry(2);
    let client = client(config);
    let error = client.validate_access().await.unwrap_err();
    assert!(
        matches!(&error, Error::RetriesExhausted { attempts: 2, last: Transient::ReadTimeout { host, .. }, .. } if host == "127.0.0.1"),
        "{error:?}"
    );
    assert_eq!(error.network(), Some(charthop_client::NetworkKind::ReadTimeout));
    let cause = std::error::Error::source(&error).map(ToString::to_string);
    assert_eq!(cause.as_deref(), Some("127.0.0.1 did not answer in time"));
    holder.abort();
}

#[tokio::test(start_paused = true)]
async fn retry_after_as_an_http_date_is_honoured() {
    let stub = Stub::start(|index, _| match index {
        0 => {
            let at = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(4));
            let mut response = raw(429, "");
            response.headers_mut().insert("retry-after", at.parse().unwrap());
            response
        }
        _ => json(200, json!({"data": []})),
    })
    .await;
    let mut config = config(stub.base_url(), TOKEN, "acme");
    config.request_timeout = Duration::from_secs(3600);
    config.retry.max_delay = Duration::from_secs(30);
    let client = client(config);
    let started = tokio::time::Instant::now();
    client.validate_access().await.unwrap();
    let stats = client.stats();
    // HTTP dates have whole seconds: 4 s ahead, minus the part of the current second gone.
    assert!(stats.rate_limit_wait > Duration::from_secs(2), "{stats:?}");
    assert!(stats.rate_limit_wait <= Duration::from_secs(4), "{stats:?}");
    assert!(started.elapsed() >= stats.rate_limit_wait);
    assert_eq!((stats.rate_limited, stats.retries, stats.requests), (1, 1, 2));
}

#[tokio::test]
async fn one_person_comes_without_an_envelope_and_404_names_the_person() {
    let stub = Stub::start(|_, request| match request.path.rsplit('/').next() {
        Some("p1") => json(200, json!({"id": "p1", "name": {"first": "Ada"}, "groupIds": ["g1", "g2"]})),
        Some("p2") => json(200, json!({"id": "p2", "groupIds": []})),
        _ => json(404, json!({"code": 404, "message": "not found"})),
    })
    .await;
    let client = client(config(stub.base_url(), TOKEN, "acme"));
    let ada = client.person("p1", &PersonQuery::default()).await.unwrap();
    assert_eq!(ada.name.first.as_deref(), Some("Ada"));
    assert_eq!(client.person_group_ids("p1").await.unwrap(), ["g1", "g2"]);
    assert_eq!(client.person_group_ids("p2").await.unwrap(), Vec::<String>::new());
    let error = client.person_group_ids("gone").await.unwrap_err();
    assert!(matches!(&error, Error::PersonNotFound { person_id, .. } if person_id == "gone"), "{error:?}");
    assert!(error.to_string().starts_with("person 'gone' not found (404) on GET /v2/org/acme/person/gone"));
    assert_eq!(stub.request_count(), 4, "404 is not retried");
}

#[tokio::test]
async fn a_token_echoed_by_the_server_is_redacted_from_errors_and_logs() {
    let stub = Stub::start(|_, request| {
        let echoed = request.headers["authorization"].to_str().unwrap().to_owned();
        json(400, json!({"code": 400, "message": format!("bad request for {echoed}")}))
    })
    .await;
    let logs = LogCapture::default();
    let _guard = logs.install();
    let client: ChartHopClient = client(config(stub.base_url(), TOKEN, "acme"));
    let error = client.persons(&PersonQuery::default()).try_collect::<Vec<_>>().await.unwrap_err();
    let text = format!("{error} / {error:?} / {client:?}");
    assert!(text.contains("ChartHop answered 400 to GET /v2/org/acme/person"), "{text}");
    assert!(text.contains("Bearer <redacted>"), "the server's message is kept, minus the token: {text}");
    assert!(!text.contains(TOKEN), "{text}");
    assert!(logs.text().contains("ChartHop answered"), "the capture works: {}", logs.text());
    assert!(!logs.text().contains(TOKEN));
}
