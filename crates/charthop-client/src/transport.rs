//! Sends one GET with the retry policy and turns statuses into typed errors.

use std::time::{Duration, SystemTime};

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue, RETRY_AFTER};
use reqwest::{Response, StatusCode};
use serde_json::Value;
use tokio::time::Instant;
use tracing::{debug, info, warn};

use crate::decode::decoded_bytes;
use crate::error::{PageLabel, Transient};
use crate::network::{Cause, SystemResolver, classify};
use crate::redact::redact;
use crate::request::{ApiRequest, EndpointKind};
use crate::retry::parse_retry_after;
use crate::stats::StatsRecorder;
use crate::{ApiToken, ClientConfig, Error, RetryPolicy};

pub(crate) struct Transport {
    http: reqwest::Client,
    base_url: url::Url,
    auth: HeaderValue,
    token: ApiToken,
    org: String,
    retry: RetryPolicy,
    request_timeout: Duration,
    request_deadline: Duration,
    snapshot_wait: Duration,
    max_body_bytes: u64,
    pub(crate) stats: StatsRecorder,
}

/// The memory one answer may take once decoded: four times the body cap, and at least 256 MiB
/// so that a lowered cap never refuses an ordinary page.
pub(crate) fn decode_budget(max_body_bytes: u64) -> u64 {
    max_body_bytes.saturating_mul(4).max(256 * 1024 * 1024)
}

enum Failure {
    Fatal(Error),
    Retry { cause: Transient, retry_after: Option<Duration> },
}

/// Attempts at a request whose connection is refused, the first included (never more than the
/// retry policy's): about a second at the default backoff, enough for a proxy that restarts,
/// short enough that a wrong port fails at once. A host that does not resolve is not retried.
pub(crate) const REFUSED_ATTEMPTS: u32 = 3;

fn refused_error(cause: Transient, endpoint: String, attempts: u32) -> Error {
    match cause {
        Transient::Refused { host, port, source } => {
            warn!(endpoint = %endpoint, attempts, host = %host, port, "ChartHop refused the connection; gave up");
            Error::ConnectionRefused { host, port, endpoint, attempts, source }
        }
        last => Error::RetriesExhausted { endpoint, attempts, last },
    }
}

/// Error bodies are read this far only: enough for ChartHop's `{"message": ...}`.
const ERROR_BODY_BYTES: u64 = 64 * 1024;

enum BodyFault {
    TooLarge { size: u64, declared: bool },
    Read(reqwest::Error),
}

/// Reads the body chunk by chunk, refusing it as soon as it passes `cap` bytes (at once when
/// its `Content-Length` declares more), so a huge answer never sits whole in memory.
async fn read_capped(response: &mut Response, cap: u64) -> Result<Vec<u8>, BodyFault> {
    if let Some(size) = response.content_length().filter(|size| *size > cap) {
        return Err(BodyFault::TooLarge { size, declared: true });
    }
    let expected = response.content_length().unwrap_or(0).min(cap);
    let mut body = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
    while let Some(chunk) = response.chunk().await.map_err(BodyFault::Read)? {
        let size = (body.len() + chunk.len()) as u64;
        if size > cap {
            return Err(BodyFault::TooLarge { size, declared: false });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// At most `cap` bytes of the body (the rest is not read), for error details.
async fn read_prefix(response: &mut Response, cap: u64) -> Vec<u8> {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = usize::try_from(cap).unwrap_or(usize::MAX).saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() as u64 >= cap {
            break;
        }
    }
    body
}

impl Transport {
    pub(crate) fn new(config: &ClientConfig) -> Result<Self, Error> {
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", config.token.expose())).map_err(|_| {
            Error::InvalidConfig {
                reason: "the API token contains characters not allowed in a header".into(),
            }
        })?;
        // Keeps the header out of any Debug output of the request.
        auth.set_sensitive(true);
        let http = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .timeout(config.request_timeout)
            .connect_timeout(config.connect_timeout)
            .https_only(config.base_url.scheme() == "https")
            .dns_resolver(SystemResolver)
            .build()
            .map_err(Error::HttpClient)?;
        Ok(Self {
            http,
            base_url: config.base_url.clone(),
            auth,
            token: config.token.clone(),
            org: config.org.clone(),
            retry: config.retry.clone(),
            request_timeout: config.request_timeout,
            request_deadline: config.request_deadline,
            snapshot_wait: config.snapshot_wait,
            max_body_bytes: config.max_body_bytes,
            stats: StatsRecorder::default(),
        })
    }

    /// GETs `request` and parses its body as JSON, retrying transient failures and 202
    /// ("snapshot building"), all within one deadline.
    pub(crate) async fn get_json(&self, request: &ApiRequest, page: &PageLabel) -> Result<Value, Error> {
        let url = request.url(&self.base_url);
        let endpoint = url.path().to_owned();
        let deadline = Instant::now() + self.request_deadline;
        let (mut failures, mut attempts, mut building, mut refused) = (0, 0, 0, 0);
        let mut building_since: Option<Instant> = None;
        let mut last = None;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(self.deadline_error(endpoint, attempts, last));
            }
            attempts += 1;
            self.stats.request(request.kind);
            let timeout = self.request_timeout.min(remaining);
            let (cause, retry_after) = match self.attempt(request, &url, &endpoint, page, timeout).await {
                Ok(body) => return Ok(body),
                Err(Failure::Fatal(error)) => return Err(error),
                Err(Failure::Retry { cause, retry_after }) => (cause, retry_after),
            };
            if Instant::now() >= deadline {
                return Err(self.deadline_error(endpoint, attempts, Some(cause)));
            }
            let wait = if matches!(cause, Transient::Status { status: 202 }) {
                // Building is not failing: it has its own budget, not the attempts'.
                let since = *building_since.get_or_insert_with(Instant::now);
                let waited = since.elapsed();
                if waited >= self.snapshot_wait {
                    warn!(endpoint = %endpoint, waited_s = waited.as_secs(), "ChartHop snapshot still building; gave up");
                    return Err(Error::SnapshotNotReady { endpoint, waited });
                }
                building += 1;
                let wait =
                    self.retry.wait_before_retry(building, retry_after).min(self.snapshot_wait - waited);
                info!(
                    endpoint = %endpoint, waited_s = waited.as_secs(), wait_ms = wait.as_millis() as u64,
                    "ChartHop is building its snapshot; waiting"
                );
                wait
            } else {
                failures += 1;
                if let Transient::Refused { .. } = cause {
                    refused += 1;
                    if refused >= REFUSED_ATTEMPTS || failures >= self.retry.max_attempts {
                        return Err(refused_error(cause, endpoint, attempts));
                    }
                }
                if failures >= self.retry.max_attempts {
                    warn!(endpoint = %endpoint, attempts, cause = %cause, "ChartHop request gave up");
                    return Err(Error::RetriesExhausted { endpoint, attempts, last: cause });
                }
                let wait = self.retry.wait_before_retry(failures, retry_after);
                warn!(
                    endpoint = %endpoint, attempt = attempts, cause = %cause, wait_ms = wait.as_millis() as u64,
                    "ChartHop request failed; retrying"
                );
                wait
            };
            // A wait that would outlast the deadline is not worth starting.
            if Instant::now() + wait >= deadline {
                if let Some(since) =
                    building_since.filter(|_| matches!(cause, Transient::Status { status: 202 }))
                {
                    return Err(Error::SnapshotNotReady { endpoint, waited: since.elapsed() });
                }
                return Err(self.deadline_error(endpoint, attempts, Some(cause)));
            }
            let rate_limited = matches!(cause, Transient::Status { status: 429 });
            self.stats.retry(rate_limited.then_some(wait));
            tokio::time::sleep(wait).await;
            last = Some(cause);
        }
    }

    fn deadline_error(&self, endpoint: String, attempts: u32, last: Option<Transient>) -> Error {
        let deadline = self.request_deadline;
        warn!(endpoint = %endpoint, attempts, deadline_s = deadline.as_secs(), "ChartHop request passed its deadline");
        Error::DeadlineExceeded { endpoint, deadline, attempts, last }
    }

    async fn attempt(
        &self,
        request: &ApiRequest,
        url: &url::Url,
        endpoint: &str,
        page: &PageLabel,
        timeout: Duration,
    ) -> Result<Value, Failure> {
        let sent = self
            .http
            .get(url.clone())
            .header(AUTHORIZATION, self.auth.clone())
            .header(ACCEPT, "application/json")
            .timeout(timeout)
            .send()
            .await;
        let mut response = match sent {
            Ok(response) => response,
            Err(error) => return Err(send_failure(error, url, endpoint)),
        };
        let status = response.status();
        debug!(endpoint = %endpoint, status = status.as_u16(), "ChartHop answered");
        if status == StatusCode::ACCEPTED || is_retryable(status) {
            let retry_after = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, SystemTime::now()));
            return Err(Failure::Retry { cause: Transient::Status { status: status.as_u16() }, retry_after });
        }
        if !status.is_success() {
            let body = read_prefix(&mut response, ERROR_BODY_BYTES.min(self.max_body_bytes)).await;
            return Err(Failure::Fatal(self.status_error(request, endpoint, status, &body)));
        }
        let body = match read_capped(&mut response, self.max_body_bytes).await {
            Ok(body) => body,
            Err(BodyFault::TooLarge { size, declared }) => {
                return Err(Failure::Fatal(Error::BodyTooLarge {
                    endpoint: endpoint.to_owned(),
                    page: page.clone(),
                    size,
                    declared,
                    cap: self.max_body_bytes,
                }));
            }
            Err(BodyFault::Read(error)) if error.is_timeout() => {
                return Err(Failure::Retry {
                    cause: Transient::ReadTimeout { host: host(url), source: error.without_url() },
                    retry_after: None,
                });
            }
            Err(BodyFault::Read(error)) => {
                return Err(Failure::Retry {
                    cause: Transient::BodyCut(error.without_url()),
                    retry_after: None,
                });
            }
        };
        let estimate = decoded_bytes(&body);
        let budget = decode_budget(self.max_body_bytes);
        if estimate > budget {
            return Err(Failure::Fatal(Error::PageTooDense {
                endpoint: endpoint.to_owned(),
                page: page.clone(),
                size: body.len() as u64,
                estimate,
                budget,
            }));
        }
        serde_json::from_slice(&body).map_err(|error| {
            if error.is_eof() {
                Failure::Retry {
                    cause: Transient::TruncatedJson { reason: error.to_string() },
                    retry_after: None,
                }
            } else {
                Failure::Fatal(Error::Decode {
                    endpoint: endpoint.to_owned(),
                    page: page.clone(),
                    reason: format!("the body is not valid JSON ({error})"),
                })
            }
        })
    }

    fn status_error(&self, request: &ApiRequest, endpoint: &str, status: StatusCode, body: &[u8]) -> Error {
        let endpoint = endpoint.to_owned();
        match status {
            StatusCode::UNAUTHORIZED => Error::Unauthorized { endpoint },
            StatusCode::FORBIDDEN => Error::Forbidden { endpoint, subject: request.kind.subject() },
            StatusCode::NOT_FOUND => match (request.kind, request.person_id()) {
                (EndpointKind::PersonGet, Some(person_id)) => {
                    Error::PersonNotFound { person_id: person_id.to_owned(), org: self.org.clone(), endpoint }
                }
                _ => Error::OrgNotFound { org: self.org.clone(), endpoint },
            },
            _ => Error::Status {
                endpoint,
                status: status.as_u16(),
                detail: self.detail(body),
                advice: advice(status),
            },
        }
    }

    /// ChartHop's `{"message": ...}` (or the start of the body), never echoing the token in
    /// any case or base64 form.
    fn detail(&self, body: &[u8]) -> String {
        let message = serde_json::from_slice::<Value>(body)
            .ok()
            .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_else(|| String::from_utf8_lossy(body).into_owned());
        let message = redact(&message, self.token.expose());
        let message: String = message.trim().chars().take(200).collect();
        if message.is_empty() { String::new() } else { format!(" (\"{message}\")") }
    }
}

/// 5xx other than 501 (not implemented) are worth another try; 429 is a rate limit.
fn is_retryable(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS
        || (status.is_server_error() && status != StatusCode::NOT_IMPLEMENTED)
}

fn advice(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "the client sent something ChartHop does not accept; report it with the endpoint above",
        501 => "ChartHop does not implement this call for the org",
        _ => "check ChartHop's status and try again",
    }
}

/// A name that does not resolve and a TLS failure are final; the rest is retried (a refused
/// connection only briefly, see [`REFUSED_ATTEMPTS`]).
fn send_failure(error: reqwest::Error, url: &url::Url, endpoint: &str) -> Failure {
    let cause = classify(&error);
    let (host, source, endpoint) = (host(url), error.without_url(), endpoint.to_owned());
    let cause = match cause {
        Cause::Dns => return Failure::Fatal(Error::HostNotFound { host, endpoint, source }),
        Cause::Tls(problem) => return Failure::Fatal(Error::Tls { host, endpoint, problem, source }),
        Cause::Refused => Transient::Refused { host, port: url.port_or_known_default().unwrap_or(0), source },
        Cause::ConnectTimeout => Transient::ConnectTimeout { host, source },
        Cause::ReadTimeout => Transient::ReadTimeout { host, source },
        Cause::Connect => Transient::Connect { host, source },
        Cause::Send => Transient::Send { host, source },
    };
    Failure::Retry { cause, retry_after: None }
}

fn host(url: &url::Url) -> String {
    url.host_str().unwrap_or("the ChartHop host").to_owned()
}
