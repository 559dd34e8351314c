use std::time::Duration;

use url::{Host, Url};

use crate::origin::{check_origin, org_id_problem};
use crate::{ApiToken, Error};

/// The ChartHop production API.
pub const DEFAULT_BASE_URL: &str = "https://api.charthop.com";
/// Rows per page; ChartHop's own sync tool asks for 1000.
pub const DEFAULT_PAGE_SIZE: u32 = 1000;
/// `baton-charthop/<version of this crate>`; the binary passes its own version instead.
pub const DEFAULT_USER_AGENT: &str = concat!("baton-charthop/", env!("CARGO_PKG_VERSION"));

/// How transient failures are retried: exponential backoff from `base_delay`, doubled per
/// attempt, with jitter, each wait (including a server's `Retry-After`) capped at `max_delay`.
///
/// Not every failure gets `max_attempts`: a host name that does not resolve and a TLS failure
/// are never retried (a misspelled host fails at once), and a refused connection is tried 3
/// times at most (about a second at the default backoff, for a proxy that is restarting).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per request, the first one included (1 = never retry).
    pub max_attempts: u32,
    pub base_delay: Duration,
    /// Cap on any single wait.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { max_attempts: 6, base_delay: Duration::from_millis(500), max_delay: Duration::from_secs(30) }
    }
}

/// Default cap on one response body: a page of 1,000 rows is far below it.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 64 * 1024 * 1024;

/// Everything the client needs to reach one ChartHop org.
#[derive(Clone)]
pub struct ClientConfig {
    pub base_url: Url,
    pub token: ApiToken,
    /// The org's id (24 hex characters) or its slug.
    pub org: String,
    pub page_size: u32,
    /// One attempt, body included (never beyond what is left of `request_deadline`).
    pub request_timeout: Duration,
    pub connect_timeout: Duration,
    /// One request, all its attempts and waits included (default 300 s, as the Go SDK).
    pub request_deadline: Duration,
    /// How long a 202 ("snapshot building") is retried before giving up (default 5 min).
    pub snapshot_wait: Duration,
    /// Cap on one response body, enforced while it is read (default 64 MiB).
    pub max_body_bytes: u64,
    pub retry: RetryPolicy,
    pub user_agent: String,
}

impl ClientConfig {
    /// Defaults for everything but the token and the org.
    pub fn new(token: impl Into<ApiToken>, org: impl Into<String>) -> Self {
        Self {
            base_url: Url::parse(DEFAULT_BASE_URL).expect("the default base URL parses"),
            token: token.into(),
            org: org.into(),
            page_size: DEFAULT_PAGE_SIZE,
            request_timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            request_deadline: Duration::from_secs(300),
            snapshot_wait: Duration::from_secs(5 * 60),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            retry: RetryPolicy::default(),
            user_agent: DEFAULT_USER_AGENT.to_owned(),
        }
    }

    pub fn with_base_url(mut self, base_url: Url) -> Self {
        self.base_url = base_url;
        self
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        check_base_url(&self.base_url)?;
        if let Some(problem) = org_id_problem(&self.org) {
            return Err(Error::InvalidOrgId(problem));
        }
        if self.token.is_empty() {
            return Err(Error::InvalidConfig { reason: "the API token is empty".into() });
        }
        if self.org.trim().is_empty() {
            return Err(Error::InvalidConfig { reason: "the org is empty (give its id or its slug)".into() });
        }
        if self.page_size == 0 {
            return Err(Error::InvalidConfig { reason: "the page size must be at least 1".into() });
        }
        if self.request_deadline.is_zero() || self.request_timeout.is_zero() {
            return Err(Error::InvalidConfig {
                reason: "the request timeout and deadline must be above 0".into(),
            });
        }
        if self.max_body_bytes == 0 {
            return Err(Error::InvalidConfig {
                reason: "the response body cap must be at least 1 byte".into(),
            });
        }
        if self.retry.max_attempts == 0 {
            return Err(Error::InvalidConfig { reason: "retry.max_attempts must be at least 1".into() });
        }
        Ok(())
    }
}

// The base URL may carry user info: Debug shows it without, like every error.
impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &without_user_info(&self.base_url))
            .field("token", &self.token)
            .field("org", &self.org)
            .field("page_size", &self.page_size)
            .field("request_timeout", &self.request_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_deadline", &self.request_deadline)
            .field("snapshot_wait", &self.snapshot_wait)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("retry", &self.retry)
            .field("user_agent", &self.user_agent)
            .finish()
    }
}

/// The URL as text with any user name and password removed.
pub(crate) fn without_user_info(url: &Url) -> String {
    let mut clean = url.clone();
    // Fails only for URLs that cannot have credentials; those have none to hide.
    let _ = clean.set_password(None);
    let _ = clean.set_username("");
    clean.to_string()
}

/// `https://` anywhere; `http://` only to a loopback host (tests and the fake server), so the
/// token never crosses a network in clear text. User info is refused: it would send a second
/// credential beside the token, and it would show up wherever the URL is printed. Paths are
/// built on the origin alone (see `check_origin`).
fn check_base_url(url: &Url) -> Result<(), Error> {
    let refuse =
        |reason: &str| Error::InvalidBaseUrl { url: without_user_info(url), reason: reason.to_owned() };
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse("it carries a user name or password; the API token is the only credential"));
    }
    // A pasted web-app address is named as such whatever its scheme.
    check_origin(url, &without_user_info(url))?;
    match url.scheme() {
        "https" => Ok(()),
        "http" => match url.host() {
            Some(Host::Ipv4(ip)) if ip.is_loopback() => Ok(()),
            Some(Host::Ipv6(ip)) if ip.is_loopback() => Ok(()),
            Some(Host::Domain(name)) if name.eq_ignore_ascii_case("localhost") => Ok(()),
            _ => Err(refuse(
                "http:// would send the API token unencrypted; use https:// (http:// is accepted only for loopback hosts)",
            )),
        },
        _ => Err(refuse("the scheme must be https://")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_url(url: &str) -> ClientConfig {
        ClientConfig::new("t0ken", "acme").with_base_url(Url::parse(url).unwrap())
    }

    #[test]
    fn https_and_loopback_http_are_accepted() {
        for url in
            ["https://api.charthop.com", "http://127.0.0.1:8080", "http://[::1]:1", "http://localhost:3"]
        {
            assert!(with_url(url).validate().is_ok(), "{url}");
        }
    }

    #[test]
    fn plain_http_elsewhere_is_refused_with_a_reason() {
        for url in ["http://api.charthop.com", "http://10.0.0.1", "ftp://127.0.0.1"] {
            let err = with_url(url).validate().unwrap_err();
            assert!(matches!(err, Error::InvalidBaseUrl { .. }), "{url}: {err}");
            assert!(err.to_string().contains("https://"), "{err}");
        }
    }

    #[test]
    fn empty_token_org_and_zero_sizes_are_refused() {
        assert!(ClientConfig::new("", "acme").validate().is_err());
        assert!(ClientConfig::new("t", " ").validate().is_err());
        let mut config = ClientConfig::new("t", "acme");
        config.page_size = 0;
        assert!(config.validate().is_err());
    }

    #[test]
    fn user_info_is_refused_and_never_printed() {
        for url in ["https://user:hunter2pass@api.charthop.com", "https://hunter2user@api.charthop.com/x"] {
            let config = with_url(url);
            let err = config.validate().unwrap_err();
            let text = format!("{err} / {err:?} / {config:?}");
            assert!(matches!(err, Error::InvalidBaseUrl { .. }), "{text}");
            assert!(text.contains("user name or password"), "{text}");
            assert!(!text.contains("hunter2"), "{text}");
        }
    }

    #[test]
    fn an_org_that_is_an_address_is_refused_with_its_slug() {
        let err = ClientConfig::new("t", "https://app.charthop.com/acme/home").validate().unwrap_err();
        assert!(matches!(&err, Error::InvalidOrgId(p) if p.slug() == Some("acme")), "{err:?}");
        assert!(err.to_string().contains("use the org slug 'acme'"), "{err}");
    }

    #[test]
    fn a_web_app_address_is_named_before_its_scheme() {
        let err = with_url("http://app.charthop.com/acme/home").validate().unwrap_err();
        assert!(matches!(&err, Error::WebAppUrl { slug: Some(slug), .. } if slug == "acme"), "{err:?}");
    }

    #[test]
    fn zero_caps_and_deadlines_are_refused() {
        let mut config = ClientConfig::new("t", "acme");
        config.max_body_bytes = 0;
        assert!(config.validate().is_err());
        let mut config = ClientConfig::new("t", "acme");
        config.request_deadline = Duration::ZERO;
        assert!(config.validate().is_err());
    }

    #[test]
    fn debug_hides_the_token() {
        let debug = format!("{:?}", ClientConfig::new("very-secret-token", "acme"));
        assert!(!debug.contains("very-secret-token"), "{debug}");
        assert!(debug.contains("acme"));
    }
}
