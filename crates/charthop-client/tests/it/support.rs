//! Test helpers: a scripted HTTP stub on 127.0.0.1 that records every request, client
//! builders, and a tracing capture.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use charthop_client::{ChartHopClient, ClientConfig, RetryPolicy, Url};

pub const TOKEN: &str = "stub-token-5d1e7a0c-never-print-me";

/// One request the stub received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
}

impl Recorded {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

type Responder = dyn Fn(usize, &Recorded) -> Response + Send + Sync;

/// A server whose answers come from a closure of (request index from 0, request).
pub struct Stub {
    pub addr: SocketAddr,
    log: Arc<Mutex<Vec<Recorded>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Stub {
    pub async fn start(respond: impl Fn(usize, &Recorded) -> Response + Send + Sync + 'static) -> Self {
        let log: Arc<Mutex<Vec<Recorded>>> = Arc::default();
        let respond: Arc<Responder> = Arc::new(respond);
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = axum::Router::new().fallback({
            let log = log.clone();
            move |request: Request| {
                let log = log.clone();
                let respond = respond.clone();
                async move {
                    let uri = request.uri();
                    let recorded = Recorded {
                        path: uri.path().to_owned(),
                        query: url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
                            .into_owned()
                            .collect(),
                        headers: request.headers().clone(),
                    };
                    let index = {
                        let mut log = log.lock().unwrap();
                        log.push(recorded.clone());
                        log.len() - 1
                    };
                    respond(index, &recorded)
                }
            }
        });
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Stub { addr, log, task }
    }

    pub fn base_url(&self) -> Url {
        Url::parse(&format!("http://{}", self.addr)).unwrap()
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.log.lock().unwrap().clone()
    }

    pub fn request_count(&self) -> usize {
        self.log.lock().unwrap().len()
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub fn json(status: u16, body: serde_json::Value) -> Response {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap())
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

pub fn raw(status: u16, body: &str) -> Response {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap())
        .body(Body::from(body.to_owned()))
        .unwrap()
}

/// Retries in milliseconds, so real-clock tests stay quick.
pub fn fast_retry(max_attempts: u32) -> RetryPolicy {
    RetryPolicy { max_attempts, base_delay: Duration::from_millis(1), max_delay: Duration::from_millis(5) }
}

pub fn config(base_url: Url, token: &str, org: &str) -> ClientConfig {
    let mut config = ClientConfig::new(token, org).with_base_url(base_url);
    config.retry = fast_retry(4);
    config.request_timeout = Duration::from_secs(20);
    config
}

pub fn client(config: ClientConfig) -> ChartHopClient {
    ChartHopClient::new(config).expect("a valid test configuration")
}

/// Everything tracing writes (every level) while the guard lives, on this thread.
#[derive(Clone, Default)]
pub struct LogCapture(Arc<Mutex<Vec<u8>>>);

impl LogCapture {
    pub fn install(&self) -> tracing::subscriber::DefaultGuard {
        let writer = self.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_default(subscriber)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for LogCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
