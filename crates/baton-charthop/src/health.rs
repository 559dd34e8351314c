//! The health endpoint of service mode (`/health`, `/live`, `/ready`) and its probe.

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::time::Duration;

use anyhow::{Context, Result};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use tokio::sync::watch;

/// Binds the endpoint now (so a taken port fails the start, not the first probe) and returns
/// the future that serves it. `/ready` answers 200 once `ready` is true.
pub async fn bind(
    address: SocketAddr,
    ready: watch::Receiver<bool>,
) -> Result<impl Future<Output = Result<()>> + Send + 'static> {
    let listener = tokio::net::TcpListener::bind(address).await.with_context(|| {
        format!("cannot listen for health checks on {address}: check --health-check-port / --health-check-bind-address")
    })?;
    tracing::info!(%address, "health endpoint listening");
    Ok(serve(listener, ready))
}

async fn serve(listener: tokio::net::TcpListener, ready: watch::Receiver<bool>) -> Result<()> {
    let app = Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/live", get(|| async { "ok" }))
        .route("/ready", get(readiness))
        .with_state(ready);
    axum::serve(listener, app).await.context("health endpoint failed")
}

async fn readiness(State(ready): State<watch::Receiver<bool>>) -> (StatusCode, &'static str) {
    if *ready.borrow() { (StatusCode::OK, "ready") } else { (StatusCode::SERVICE_UNAVAILABLE, "not ready") }
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

    #[tokio::test(flavor = "multi_thread")]
    async fn each_endpoint_can_be_probed_and_ready_waits_for_the_service() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (ready_tx, ready_rx) = watch::channel(false);
        tokio::spawn(serve(listener, ready_rx));
        let probe = |endpoint: &'static str| {
            tokio::task::spawn_blocking(move || {
                probe(IpAddr::from([0, 0, 0, 0]), port, endpoint, Duration::from_secs(3))
            })
        };
        assert!(probe("health").await.unwrap().is_ok());
        assert!(probe("live").await.unwrap().is_ok());
        let not_ready = probe("ready").await.unwrap().unwrap_err().to_string();
        assert!(not_ready.contains("/ready") && not_ready.contains("503"), "{not_ready}");
        ready_tx.send(true).unwrap();
        assert!(probe("ready").await.unwrap().is_ok());
    }
}
