use std::time::{Duration, Instant, SystemTime};

use charthop_fake::{Endpoint, Knobs, RetryAfter};

use crate::http::{fake, get, groups_path, persons_path};

#[tokio::test]
async fn latency_delays_every_answer() {
    let fake = fake(10, Knobs { latency: Duration::from_millis(150), ..Knobs::default() }).await;
    let started = Instant::now();
    assert_eq!(get(&fake, "/v1/org").await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(150), "{:?}", started.elapsed());
    fake.shutdown().await;
}

#[tokio::test]
async fn every_nth_request_is_429_with_retry_after_in_seconds() {
    let knobs = Knobs { rate_limit_every: Some(3), retry_after: RetryAfter::Seconds(7), ..Knobs::default() };
    let fake = fake(10, knobs).await;
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let reply = get(&fake, &persons_path(&fake, "")).await;
        if reply.status == 429 {
            assert_eq!(reply.header("retry-after"), Some("7"));
            assert_eq!(reply.json()["code"], 429);
        }
        statuses.push(reply.status);
    }
    assert_eq!(statuses, [200, 200, 429, 200, 200, 429, 200]);
    assert_eq!(fake.requests(Endpoint::PersonList), 7);
    fake.shutdown().await;
}

#[tokio::test]
async fn a_429_burst_can_carry_an_http_date_or_nothing() {
    let knobs = Knobs {
        rate_limit_burst: 2,
        retry_after: RetryAfter::HttpDate(Duration::from_secs(30)),
        ..Knobs::default()
    };
    let fake = fake(10, knobs).await;
    for _ in 0..2 {
        let reply = get(&fake, &groups_path(&fake, "")).await;
        assert_eq!(reply.status, 429);
        let date = httpdate::parse_http_date(reply.header("retry-after").expect("Retry-After")).unwrap();
        let ahead = date.duration_since(SystemTime::now()).expect("a date in the future");
        assert!(ahead > Duration::from_secs(25) && ahead <= Duration::from_secs(30), "{ahead:?}");
    }
    assert_eq!(get(&fake, &groups_path(&fake, "")).await.status, 200);

    fake.update_knobs(|k| {
        k.rate_limit_burst = 1;
        k.retry_after = RetryAfter::Absent;
    });
    let reply = get(&fake, "/v1/org").await;
    assert_eq!((reply.status, reply.header("retry-after")), (429, None));
    fake.shutdown().await;
}

#[tokio::test]
async fn a_server_error_burst_then_success() {
    for status in [502u16, 503, 504] {
        let fake =
            fake(10, Knobs { server_error_burst: 2, server_error_status: status, ..Knobs::default() }).await;
        let path = persons_path(&fake, "");
        assert_eq!(get(&fake, &path).await.status, status);
        assert_eq!(get(&fake, &path).await.status, status);
        assert_eq!(get(&fake, &path).await.status, 200);
        fake.shutdown().await;
    }
}

#[tokio::test]
async fn the_first_request_of_each_listing_is_202() {
    let fake = fake(50, Knobs { accepted_first: true, ..Knobs::default() }).await;
    let path = persons_path(&fake, "limit=10&includeAll=true");
    let accepted = get(&fake, &path).await;
    assert_eq!((accepted.status, accepted.body.len()), (202, 0));
    let served = get(&fake, &path).await;
    let next = served.next().unwrap();
    // A later page of the listing is served at once; a new listing starts with 202 again.
    assert_eq!(get(&fake, &format!("{path}&from={next}")).await.status, 200);
    assert_eq!(get(&fake, &path).await.status, 202);
    assert_eq!(get(&fake, &path).await.status, 200);
    // Groups are a listing of their own; group types never answer 202.
    assert_eq!(get(&fake, &groups_path(&fake, "")).await.status, 202);
    assert_eq!(get(&fake, &format!("/v1/org/{}/group-type", fake.org().org_id)).await.status, 200);
    fake.shutdown().await;
}

#[tokio::test]
async fn a_connection_closed_mid_body_delivers_headers_and_part_of_the_body() {
    let fake = fake(200, Knobs { close_mid_body: 1, ..Knobs::default() }).await;
    let path = persons_path(&fake, "includeAll=true&limit=200");
    let cut = get(&fake, &path).await;
    assert_eq!(cut.status, 200);
    let promised = cut.content_length().expect("Content-Length");
    assert!(!cut.body.is_empty() && cut.body.len() < promised, "{} of {promised} bytes", cut.body.len());
    let whole = get(&fake, &path).await;
    assert_eq!(whole.content_length(), Some(whole.body.len()));
    assert_eq!(whole.body.len(), promised);
    assert_eq!(whole.rows().len(), 200);
    fake.shutdown().await;
}

#[tokio::test]
async fn a_truncated_body_is_valid_http_with_broken_json() {
    let fake = fake(50, Knobs { truncate_body: 2, ..Knobs::default() }).await;
    let path = persons_path(&fake, "includeAll=true");
    for _ in 0..2 {
        let cut = get(&fake, &path).await;
        assert_eq!(cut.status, 200);
        assert!(!cut.read_failed);
        assert_eq!(cut.content_length(), Some(cut.body.len()));
        assert!(serde_json::from_slice::<serde_json::Value>(&cut.body).is_err());
    }
    assert_eq!(get(&fake, &path).await.rows().len(), 50);
    fake.shutdown().await;
}

#[tokio::test]
async fn rows_may_name_groups_that_do_not_exist() {
    let mut spec = charthop_fake::OrgSpec::new(100, 9).with_today(crate::http::today());
    spec.dangling_group_ids = 3;
    let fake = charthop_fake::FakeChartHop::start(charthop_fake::generate_org(&spec), Knobs::default())
        .await
        .unwrap();
    let rows = get(&fake, &persons_path(&fake, "includeAll=true&fields=groupIds")).await.rows();
    let dangling = rows
        .iter()
        .flat_map(|r| r["groupIds"].as_array().unwrap().iter().map(|g| g.as_str().unwrap().to_owned()))
        .filter(|g| fake.org().group(g).is_none())
        .count();
    assert_eq!(dangling, 3);
    fake.shutdown().await;
}

#[tokio::test]
async fn changing_the_knobs_restarts_the_fault_counters() {
    let fake = fake(10, Knobs { server_error_burst: 1, server_error_status: 502, ..Knobs::default() }).await;
    assert_eq!(get(&fake, "/v1/org").await.status, 502);
    assert_eq!(get(&fake, "/v1/org").await.status, 200);
    fake.set_knobs(fake.knobs());
    assert_eq!(get(&fake, "/v1/org").await.status, 502);
    assert_eq!(fake.requests(Endpoint::OrgList), 3);
    fake.reset_request_counts();
    assert_eq!((fake.requests(Endpoint::OrgList), fake.total_requests()), (0, 0));
    fake.shutdown().await;
}
