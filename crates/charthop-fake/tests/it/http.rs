//! A minimal HTTP/1.1 GET over a raw TCP stream. It reports exactly what arrived, so tests
//! can see a body cut short or a connection dropped mid-body.

use charthop_domain::NaiveDate;
use charthop_fake::{FakeChartHop, Knobs, Org, OrgSpec, generate_org};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
}

pub fn org(persons: usize, seed: u64) -> Org {
    generate_org(&OrgSpec::new(persons, seed).with_today(today()))
}

pub async fn fake(persons: usize, knobs: Knobs) -> FakeChartHop {
    FakeChartHop::start(org(persons, 42), knobs).await.expect("fake starts")
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The read ended in an error rather than a clean end of stream.
    pub read_failed: bool,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn content_length(&self) -> Option<usize> {
        self.header("content-length").map(|v| v.parse().expect("numeric content-length"))
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!("status {} body is not JSON ({e}): {}", self.status, String::from_utf8_lossy(&self.body))
        })
    }

    /// The `data` rows of a page.
    pub fn rows(&self) -> Vec<Value> {
        assert_eq!(self.status, 200, "{}", String::from_utf8_lossy(&self.body));
        self.json()["data"].as_array().expect("data array").clone()
    }

    pub fn next(&self) -> Option<String> {
        self.json().get("next").and_then(Value::as_str).map(str::to_owned)
    }
}

pub async fn get_with(fake: &FakeChartHop, path: &str, authorization: Option<&str>) -> Reply {
    let mut stream = TcpStream::connect(fake.addr()).await.expect("connect to the fake");
    let auth = authorization.map(|a| format!("Authorization: {a}\r\n")).unwrap_or_default();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {}\r\n{auth}Connection: close\r\n\r\n", fake.addr());
    stream.write_all(request.as_bytes()).await.expect("send request");
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    let mut read_failed = false;
    loop {
        match stream.read(&mut buf).await {
            Ok(0) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            Err(_) => {
                read_failed = true;
                break;
            }
        }
    }
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete header block");
    let head = String::from_utf8(raw[..split].to_vec()).expect("ascii headers");
    let mut lines = head.split("\r\n");
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).expect("status");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Reply { status, headers, body: raw[split + 4..].to_vec(), read_failed }
}

/// GET with the fake's own token.
pub async fn get(fake: &FakeChartHop, path: &str) -> Reply {
    get_with(fake, path, Some(&format!("Bearer {}", fake.token()))).await
}

/// Path of the person list for this fake's org.
pub fn persons_path(fake: &FakeChartHop, query: &str) -> String {
    format!("/v2/org/{}/person?{query}", fake.org().org_id)
}

pub fn groups_path(fake: &FakeChartHop, query: &str) -> String {
    format!("/v2/org/{}/group?{query}", fake.org().org_id)
}

/// Follows `next` from the first page, copying it into `from`; returns every row and the
/// number of requests made. Stops after `max_pages` to keep a looping listing finite.
pub async fn walk(fake: &FakeChartHop, base_path: &str, max_pages: usize) -> (Vec<Value>, usize) {
    let mut rows = Vec::new();
    let mut from: Option<String> = None;
    for requests in 1..=max_pages {
        let path = match &from {
            Some(from) => format!("{base_path}&from={from}"),
            None => base_path.to_owned(),
        };
        let reply = get(fake, &path).await;
        rows.extend(reply.rows());
        match reply.next() {
            Some(next) => from = Some(next),
            None => return (rows, requests),
        }
    }
    panic!("listing {base_path} did not end within {max_pages} pages");
}

pub fn ids(rows: &[Value]) -> Vec<String> {
    rows.iter().map(|r| r["id"].as_str().expect("row id").to_owned()).collect()
}
