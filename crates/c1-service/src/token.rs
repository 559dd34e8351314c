//! Access tokens: a signed client assertion exchanged at `POST /auth/v1/token`, cached until
//! shortly before it expires. Tokens never reach a log line, an error or a `Debug` output.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use http::{HeaderValue, Request, StatusCode, header};
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::Bytes;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::ClientConfig;
use serde::Deserialize;
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::assertion::client_assertion;
use crate::credentials::ClientCredentials;
use crate::net::Authority;

const TOKEN_PATH: &str = "/auth/v1/token";
const MAX_RESPONSE_BYTES: usize = 64 * 1024;
/// Refresh this long before expiry (at most half the lifetime), as Go's oauth2 does.
const EXPIRY_MARGIN: Duration = Duration::from_secs(10);
/// When C1 gives no lifetime, reuse the token this long (a 401 also drops it earlier).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(300);

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error(
        "C1 refused the client credentials at {url} (HTTP {status}){detail}: the client id or \
         secret is wrong, or the credential was revoked"
    )]
    Rejected { url: String, status: u16, detail: String },
    #[error("C1's token endpoint {url} answered HTTP {status}{detail}; will retry")]
    ServerError { url: String, status: u16, detail: String },
    #[error("C1's token endpoint {url} returned an unusable answer: {reason}")]
    InvalidResponse { url: String, reason: String },
    #[error("could not reach C1's token endpoint {url}")]
    Transport {
        url: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("C1's token endpoint {url} did not answer within {timeout:?}")]
    Timeout { url: String, timeout: Duration },
}

impl TokenError {
    /// Errors a retry cannot fix: the credentials themselves are refused (`docs/c1-wire.md#access-tokens`: non-200 or an
    /// empty token is unauthenticated). Server errors and network trouble are retried.
    pub fn is_authentication_failure(&self) -> bool {
        matches!(self, Self::Rejected { .. } | Self::InvalidResponse { .. })
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    #[serde(default)]
    access_token: String,
    #[serde(default)]
    token_type: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

/// The `authorization` metadata value; opaque so it cannot be printed by accident.
#[derive(Clone)]
pub(crate) struct Authorization(HeaderValue);

impl Authorization {
    pub(crate) fn header_value(&self) -> &HeaderValue {
        &self.0
    }
}

impl fmt::Debug for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Authorization(<redacted>)")
    }
}

struct Cached {
    authorization: Authorization,
    refresh_at: Instant,
}

pub(crate) struct TokenSource {
    credentials: ClientCredentials,
    endpoint: Authority,
    tls: Arc<ClientConfig>,
    timeout: Duration,
    cached: Mutex<Option<Cached>>,
}

impl TokenSource {
    pub(crate) fn new(
        credentials: ClientCredentials,
        endpoint: Authority,
        tls: Arc<ClientConfig>,
        timeout: Duration,
    ) -> Self {
        Self { credentials, endpoint, tls, timeout, cached: Mutex::new(None) }
    }

    fn url(&self) -> String {
        format!("https://{}{TOKEN_PATH}", self.endpoint.uri_authority())
    }

    /// The cached token, or a new one when it is missing or about to expire.
    pub(crate) async fn authorization(&self) -> Result<Authorization, TokenError> {
        let mut cached = self.cached.lock().await;
        if let Some(token) = cached.as_ref().filter(|token| Instant::now() < token.refresh_at) {
            return Ok(token.authorization.clone());
        }
        let fresh = self.fetch().await?;
        let authorization = fresh.authorization.clone();
        *cached = Some(fresh);
        Ok(authorization)
    }

    /// Drops the cached token (C1 answered Unauthenticated with it).
    pub(crate) async fn invalidate(&self) {
        *self.cached.lock().await = None;
    }

    async fn fetch(&self) -> Result<Cached, TokenError> {
        let url = self.url();
        let assertion = client_assertion(&self.credentials, SystemTime::now());
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("client_id", self.credentials.client_id())
            .append_pair("grant_type", "client_credentials")
            .append_pair("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
            .append_pair("client_assertion", &assertion)
            .finish();
        let started = Instant::now();
        let (status, bytes) = tokio::time::timeout(self.timeout, self.post(body))
            .await
            .map_err(|_| TokenError::Timeout { url: url.clone(), timeout: self.timeout })??;
        let detail = || error_detail(&bytes);
        if status.is_server_error() {
            return Err(TokenError::ServerError { url, status: status.as_u16(), detail: detail() });
        }
        if status != StatusCode::OK {
            return Err(TokenError::Rejected { url, status: status.as_u16(), detail: detail() });
        }
        let (authorization, lifetime) = parse_answer(&url, &bytes)?;
        let margin = EXPIRY_MARGIN.min(lifetime / 2);
        tracing::debug!(lifetime_s = lifetime.as_secs(), "obtained a C1 access token");
        Ok(Cached { authorization, refresh_at: started + lifetime - margin })
    }

    /// One POST on a fresh connection: h2 when the server picks it by ALPN (as Go clients
    /// get), else HTTP/1.1.
    async fn post(&self, body: String) -> Result<(StatusCode, Bytes), TokenError> {
        let url = self.url();
        let transport = |source: Box<dyn std::error::Error + Send + Sync>| TokenError::Transport {
            url: url.clone(),
            source,
        };
        let tls = self.endpoint.connect_tls(Arc::clone(&self.tls)).await.map_err(|e| transport(e.into()))?;
        let h2 = tls.get_ref().1.alpn_protocol() == Some(&b"h2"[..]);
        let io = TokioIo::new(tls);
        // HTTP/1.1 takes a path and a Host header; h2 takes the full URL (:scheme, :authority).
        let request = if h2 {
            Request::post(url.as_str())
        } else {
            Request::post(TOKEN_PATH).header(header::HOST, self.endpoint.uri_authority())
        }
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| transport(e.into()))?;
        let (response, connection) = if h2 {
            let (mut sender, connection) = hyper::client::conn::http2::handshake(TokioExecutor::new(), io)
                .await
                .map_err(|e| transport(e.into()))?;
            let connection = tokio::spawn(async move { drop(connection.await) });
            (sender.send_request(request).await, connection)
        } else {
            let (mut sender, connection) =
                hyper::client::conn::http1::handshake(io).await.map_err(|e| transport(e.into()))?;
            let connection = tokio::spawn(async move { drop(connection.await) });
            (sender.send_request(request).await, connection)
        };
        let response = response.map_err(|e| transport(e.into()))?;
        let status = response.status();
        let bytes = Limited::new(response.into_body(), MAX_RESPONSE_BYTES)
            .collect()
            .await
            .map_err(transport)?
            .to_bytes();
        connection.abort();
        Ok((status, bytes))
    }
}

/// The token and its lifetime from a 200 answer. Errors never quote the body: it holds the token.
fn parse_answer(url: &str, body: &[u8]) -> Result<(Authorization, Duration), TokenError> {
    let invalid = |reason: String| TokenError::InvalidResponse { url: url.to_owned(), reason };
    // serde_json's messages can quote values from the body; keep only the category and position.
    let answer: TokenResponse = serde_json::from_slice(body).map_err(|err| {
        let category = match err.classify() {
            serde_json::error::Category::Io => "unreadable",
            serde_json::error::Category::Syntax => "not valid JSON",
            serde_json::error::Category::Eof => "truncated JSON",
            serde_json::error::Category::Data => {
                "not the expected JSON (access_token and token_type strings, expires_in a number)"
            }
        };
        invalid(format!("the token answer is {category} (line {}, column {})", err.line(), err.column()))
    })?;
    if answer.access_token.is_empty() {
        return Err(invalid("the access token is empty".to_owned()));
    }
    let token_type = if answer.token_type.is_empty() { "Bearer" } else { answer.token_type.as_str() };
    let mut value = HeaderValue::try_from(format!("{token_type} {}", answer.access_token))
        .map_err(|_| invalid("the token has invalid characters".to_owned()))?;
    value.set_sensitive(true);
    let lifetime = match answer.expires_in {
        Some(seconds) if seconds > 0 => Duration::from_secs(seconds),
        _ => DEFAULT_LIFETIME,
    };
    Ok((Authorization(value), lifetime))
}

/// A short excerpt of an error body (never of a successful one, which holds the token).
fn error_detail(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return String::new();
    }
    let excerpt: String = text.chars().take(200).collect();
    format!(": {excerpt}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://c1.test/auth/v1/token";
    const TOKEN: &str = "tok-5e1f-do-not-print";

    #[test]
    fn a_good_answer_gives_a_sensitive_bearer_header_and_its_lifetime() {
        let body = format!(r#"{{"access_token":"{TOKEN}","token_type":"Bearer","expires_in":120}}"#);
        let (authorization, lifetime) = parse_answer(URL, body.as_bytes()).unwrap();
        assert_eq!(authorization.header_value().to_str().unwrap(), format!("Bearer {TOKEN}"));
        assert!(authorization.header_value().is_sensitive());
        assert_eq!(lifetime, Duration::from_secs(120));
        assert!(!format!("{authorization:?}").contains(TOKEN));
    }

    #[test]
    fn a_malformed_answer_is_described_without_quoting_the_token() {
        let bodies = [
            // serde_json would quote the mistyped value, or the unexpected text.
            format!(r#"{{"access_token":"x","expires_in":"{TOKEN}"}}"#),
            format!(r#"{{"access_token":"{TOKEN}","token_type":"Bearer","expires_in":{TOKEN}}}"#),
            format!(r#"{{"access_token":"{TOKEN}""#),
            // Not JSON trouble: a header cannot carry a newline.
            format!(r#"{{"access_token":"{TOKEN}\u00e9\n","token_type":"Bearer"}}"#),
        ];
        for body in &bodies {
            let error = match parse_answer(URL, body.as_bytes()) {
                Err(error) => error,
                Ok(_) => panic!("accepted {body}"),
            };
            let shown = format!("{error} / {error:?}");
            assert!(!shown.contains("tok-5e1f"), "{shown}");
            assert!(shown.contains(URL), "{shown}");
            assert!(error.is_authentication_failure());
        }
        let error = parse_answer(URL, bodies[0].as_bytes()).err().unwrap();
        let expected = "the token answer is not the expected JSON \
                        (access_token and token_type strings, expires_in a number) (line 1, column 56)";
        assert!(error.to_string().ends_with(expected), "{error}");
    }
}
