//! Sends one GET with the retry policy and turns statuses into typed errors.

use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue, RETRY_AFTER};
use serde_json::Value;
use tracing::{debug, warn};

use crate::error::{PageLabel, Transient};
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
    pub(crate) stats: StatsRecorder,
}

enum Failure {
    Fatal(Error),
    Retry { cause: Transient, retry_after: Option<Duration> },
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
            .build()
            .map_err(Error::HttpClient)?;
        Ok(Self {
            http,
            base_url: config.base_url.clone(),
            auth,
            token: config.token.clone(),
            org: config.org.clone(),
            retry: config.retry.clone(),
            stats: StatsRecorder::default(),
        })
    }

    /// GETs `request` and parses its body as JSON, retrying transient failures.
    pub(crate) async fn get_json(&self, request: &ApiRequest, page: &PageLabel) -> Result<Value, Error> {
        let url = request.url(&self.base_url);
        let endpoint = url.path().to_owned();
        let mut attempt = 1;
        loop {
            self.stats.request(request.kind);
            let (cause, retry_after) = match self.attempt(request, &url, &endpoint, page).await {
                Ok(body) => return Ok(body),
                Err(Failure::Fatal(error)) => return Err(error),
                Err(Failure::Retry { cause, retry_after }) => (cause, retry_after),
            };
            if attempt >= self.retry.max_attempts {
                warn!(endpoint = %endpoint, attempts = attempt, cause = %cause, "ChartHop request gave up");
                return Err(Error::RetriesExhausted { endpoint, attempts: attempt, last: cause });
            }
            let wait = self.retry.wait_before_retry(attempt, retry_after);
            let rate_limited = matches!(cause, Transient::Status { status: 429 });
            self.stats.retry(rate_limited.then_some(wait));
            warn!(
                endpoint = %endpoint, attempt, cause = %cause, wait_ms = wait.as_millis() as u64,
                "ChartHop request failed; retrying"
            );
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    async fn attempt(
        &self,
        request: &ApiRequest,
        url: &url::Url,
        endpoint: &str,
        page: &PageLabel,
    ) -> Result<Value, Failure> {
        let sent = self
            .http
            .get(url.clone())
            .header(AUTHORIZATION, self.auth.clone())
            .header(ACCEPT, "application/json")
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(error) => return Err(Failure::Retry { cause: send_failure(error), retry_after: None }),
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
            let body = response.bytes().await.unwrap_or_default();
            return Err(Failure::Fatal(self.status_error(request, endpoint, status, &body)));
        }
        let body = match response.bytes().await {
            Ok(body) => body,
            Err(error) if error.is_timeout() => {
                return Err(Failure::Retry {
                    cause: Transient::Timeout(error.without_url()),
                    retry_after: None,
                });
            }
            Err(error) => {
                return Err(Failure::Retry {
                    cause: Transient::BodyCut(error.without_url()),
                    retry_after: None,
                });
            }
        };
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

    /// ChartHop's `{"message": ...}` (or the start of the body), never echoing the token.
    fn detail(&self, body: &[u8]) -> String {
        let message = serde_json::from_slice::<Value>(body)
            .ok()
            .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_else(|| String::from_utf8_lossy(body).into_owned());
        let message = message.replace(self.token.expose(), "<redacted>");
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

fn send_failure(error: reqwest::Error) -> Transient {
    let error = error.without_url();
    if error.is_timeout() {
        Transient::Timeout(error)
    } else if error.is_connect() {
        Transient::Connect(error)
    } else {
        Transient::Send(error)
    }
}
