//! The health endpoint of service mode (`/health`, `/live`, `/ready`) and its probe.

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use c1_service::ServiceStatus;
use serde_json::{Value, json};
use tokio::sync::watch;

/// The outcome of the latest ChartHop check (a sync task's end), as `/health` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Check {
    pub ok: bool,
    pub at: SystemTime,
}

/// What the endpoint answers from: readiness, the C1 side (from c1-service) and the ChartHop side.
#[derive(Clone)]
pub struct Status {
    pub ready: watch::Receiver<bool>,
    pub c1: watch::Receiver<ServiceStatus>,
    pub charthop: watch::Receiver<Option<Check>>,
}

/// Binds the endpoint now (so a taken port fails the start, not the first probe) and returns
/// the future that serves it. `/ready` answers 200 once `ready` is true; `/health` says how the
/// last C1 call and the last ChartHop check went.
pub async fn bind(
    address: SocketAddr,
    status: Status,
) -> Result<impl Future<Output = Result<()>> + Send + 'static> {
    let listener = tokio::net::TcpListener::bind(address).await.with_context(|| {
        format!("cannot listen for health checks on {address}: check --health-check-port / --health-check-bind-address")
    })?;
    tracing::info!(%address, "health endpoint listening");
    Ok(serve(listener, status))
}

async fn serve(listener: tokio::net::TcpListener, status: Status) -> Result<()> {
    let app = Router::new()
        .route("/health", get(health))
        .route("/live", get(|| async { "ok" }))
        .route("/ready", get(readiness))
        .with_state(status);
    axum::serve(listener, app).await.context("health endpoint failed")
}

async fn readiness(State(status): State<Status>) -> (StatusCode, &'static str) {
    if *status.ready.borrow() {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready")
    }
}

/// 200 while nothing failed last (an unknown side is `null`), else 503.
async fn health(State(status): State<Status>) -> (StatusCode, Json<Value>) {
    let c1 = status.c1.borrow().c1.clone();
    let charthop = *status.charthop.borrow();
    let failed = c1.as_ref().is_some_and(|c| !c.ok) || charthop.is_some_and(|c| !c.ok);
    let body = json!({
        "c1": c1.map(|c| json!({ "ok": c.ok, "at": timestamp(c.at), "call": c.call })),
        "charthop": charthop.map(|c| json!({ "ok": c.ok, "at": timestamp(c.at) })),
    });
    (if failed { StatusCode::SERVICE_UNAVAILABLE } else { StatusCode::OK }, Json(body))
}

fn timestamp(at: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(at).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Probes `/<endpoint>` (`health`, `ready`, `live`) of a running service: Ok when it answers
/// 200 within `timeout`.
pub fn probe(bind: IpAddr, port: u16, endpoint: &str, timeout: Duration) -> Result<()> {
    // A service bound to every address is reached through loopback.
    let host = if bind.is_unspecified() {
        match bind {
            IpAddr::V4(_) => IpAddr::from([127, 0, 0, 1]),
            IpAddr::V6(_) => IpAddr::from(std::net::Ipv6Addr::LOCALHOST),
        }
    } else {
        bind
    };
    let address = SocketAddr::new(host, port);
    let mut stream = TcpStream::connect_timeout(&address, timeout)
        .with_context(|| format!("no health endpoint at {address}"))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    write!(stream, "GET /{endpoint} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n")?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).context("the health endpoint did not answer")?;
    let status_line = answer.lines().next().unwrap_or_default();
    anyhow::ensure!(
        status_line.split_whitespace().nth(1) == Some("200"),
        "/{endpoint} at {address} answered: {status_line}"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spawn_endpoint(listener: tokio::net::TcpListener) -> Senders {
        let (ready_tx, ready) = watch::channel(false);
        let (c1_tx, c1) = watch::channel(ServiceStatus::default());
        let (charthop_tx, charthop) = watch::channel(None);
        tokio::spawn(serve(listener, Status { ready, c1, charthop }));
        Senders { ready: ready_tx, c1: c1_tx, charthop: charthop_tx }
    }

    struct Senders {
        ready: watch::Sender<bool>,
        c1: watch::Sender<ServiceStatus>,
        charthop: watch::Sender<Option<Check>>,
    }

    /// The status code and body of `GET /health`.
    fn get_health(port: u16) -> (u16, Value) {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(stream, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        let code = answer.split_whitespace().nth(1).unwrap().parse().unwrap();
        let body = answer.split("\r\n\r\n").nth(1).unwrap();
        (code, serde_json::from_str(body).unwrap())
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn health_says_how_the_last_c1_call_and_charthop_check_went() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let senders = spawn_endpoint(listener);
        let health = move || tokio::task::spawn_blocking(move || get_health(port));
        let (code, body) = health().await.unwrap();
        assert_eq!((code, body.clone()), (200, json!({ "c1": null, "charthop": null })), "unknown yet");
        let at = SystemTime::UNIX_EPOCH + Duration::from_millis(1_796_000_000_123);
        let contact = |ok| c1_service::Contact { ok, at, call: "GetTask" };
        senders.c1.send_replace(ServiceStatus { c1: Some(contact(true)) });
        senders.charthop.send_replace(Some(Check { ok: true, at }));
        let (code, body) = health().await.unwrap();
        assert_eq!(code, 200, "{body}");
        assert_eq!(body["c1"], json!({ "ok": true, "at": "2026-11-30T00:53:20.123Z", "call": "GetTask" }));
        assert_eq!(body["charthop"], json!({ "ok": true, "at": "2026-11-30T00:53:20.123Z" }));
        senders.charthop.send_replace(Some(Check { ok: false, at }));
        let (code, body) = health().await.unwrap();
        assert_eq!((code, &body["charthop"]["ok"]), (503, &json!(false)), "{body}");
        senders.charthop.send_replace(Some(Check { ok: true, at }));
        senders.c1.send_replace(ServiceStatus { c1: Some(contact(false)) });
        let (code, body) = health().await.unwrap();
        assert_eq!((code, &body["c1"]["ok"]), (503, &json!(false)), "{body}");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn each_endpoint_can_be_probed_and_ready_waits_for_the_service() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let senders = spawn_endpoint(listener);
        let probe = |endpoint: &'static str| {
            tokio::task::spawn_blocking(move || {
                probe(IpAddr::from([0, 0, 0, 0]), port, endpoint, Duration::from_secs(3))
            })
        };
        assert!(probe("health").await.unwrap().is_ok());
        assert!(probe("live").await.unwrap().is_ok());
        let not_ready = probe("ready").await.unwrap().unwrap_err().to_string();
        assert!(not_ready.contains("/ready") && not_ready.contains("503"), "{not_ready}");
        senders.ready.send(true).unwrap();
        assert!(probe("ready").await.unwrap().is_ok());
    }
}
