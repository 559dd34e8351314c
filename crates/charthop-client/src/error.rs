use std::fmt;
use std::time::Duration;

use crate::OrgIdProblem;
use crate::network::{NetworkKind, TlsProblem};

/// Everything the client can fail with. Each message names the endpoint (its path, never the
/// token or the query), the status when there is one, and what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("invalid ChartHop client configuration: {reason}")]
    InvalidConfig { reason: String },

    #[error("refusing ChartHop base URL '{url}': {reason}")]
    InvalidBaseUrl { url: String, reason: String },

    #[error(
        "refusing ChartHop base URL '{url}': it is the ChartHop web app, not its API; use \
         https://api.charthop.com {}",
        describe_slug(slug.as_deref())
    )]
    WebAppUrl { url: String, slug: Option<String> },

    /// Refused by the request builder: such a code would change the `fields` list or the query.
    #[error("refusing person field code '{code}': {problem}")]
    InvalidFieldCode { code: String, problem: crate::request::FieldCodeProblem },

    /// Group types were named that the org does not have (compared case-insensitively).
    #[error(
        "the organization has no group type named {}; its group types are: {}",
        quoted(unknown),
        if available.is_empty() { "none".to_owned() } else { available.join(", ") }
    )]
    UnknownGroupTypes { unknown: Vec<String>, available: Vec<String> },

    #[error("invalid ChartHop org: {0}")]
    InvalidOrgId(OrgIdProblem),

    #[error("could not set up the HTTP client (TLS or system configuration)")]
    HttpClient(#[source] reqwest::Error),

    #[error(
        "ChartHop rejected the API token (401) on GET {endpoint}: the token is wrong, expired or revoked"
    )]
    Unauthorized { endpoint: String },

    #[error(
        "the token cannot read {subject} (403) on GET {endpoint}: give the API token an access level \
         that can read {subject} in ChartHop"
    )]
    Forbidden { endpoint: String, subject: &'static str },

    #[error(
        "organization '{org}' not found (404) on GET {endpoint}: check the org id or slug, and that the \
         token belongs to that org"
    )]
    OrgNotFound { org: String, endpoint: String },

    #[error(
        "person '{person_id}' not found (404) on GET {endpoint}: the person may have been deleted, or \
         organization '{org}' does not exist"
    )]
    PersonNotFound { person_id: String, org: String, endpoint: String },

    #[error("ChartHop answered {status} to GET {endpoint}{detail}: this is not retried; {advice}")]
    Status { endpoint: String, status: u16, detail: String, advice: &'static str },

    /// Not retried: a name that does not resolve is misspelled far more often than flaky.
    #[error(
        "could not resolve host {host} (GET {endpoint}): the name does not exist or no DNS server \
         answered; check the host of the ChartHop URL"
    )]
    HostNotFound {
        host: String,
        endpoint: String,
        #[source]
        source: reqwest::Error,
    },

    /// Retried briefly (a restarting proxy refuses for a moment), then this.
    #[error(
        "{host} refused the connection on port {port} (GET {endpoint}, {}): nothing accepts \
         connections there; check the host and port of the ChartHop URL and any proxy or firewall",
        count_attempts(*attempts)
    )]
    ConnectionRefused {
        host: String,
        port: u16,
        endpoint: String,
        attempts: u32,
        #[source]
        source: reqwest::Error,
    },

    /// Not retried: a certificate or handshake problem does not go away by itself.
    #[error("{} (GET {endpoint}): {}", describe_tls(host, *problem), tls_advice(*problem))]
    Tls {
        host: String,
        endpoint: String,
        problem: TlsProblem,
        #[source]
        source: reqwest::Error,
    },

    #[error("GET {endpoint} kept failing (try again later); gave up after {attempts} attempts")]
    RetriesExhausted {
        endpoint: String,
        attempts: u32,
        #[source]
        last: Transient,
    },

    #[error("could not read the answer to GET {endpoint} ({page}): {reason}")]
    Decode { endpoint: String, page: PageLabel, reason: String },

    #[error(
        "row {row} of {page} of GET {endpoint} has no 'id': ChartHop always sends one, so the answer \
         is not a ChartHop list"
    )]
    MissingId { endpoint: String, page: PageLabel, row: usize },

    #[error(
        "row id '{id}' on {page} of GET {endpoint} has {found} for '{field}': the listing \
         stopped rather than read it as empty"
    )]
    InvalidField { endpoint: String, page: PageLabel, id: String, field: &'static str, found: &'static str },

    #[error(
        "GET {endpoint} ({page}) answered without an array of rows ('data' is {found}): the listing \
         stopped rather than read it as an empty page"
    )]
    InvalidData { endpoint: String, page: PageLabel, found: &'static str },

    #[error(
        "GET {endpoint} ({page}) answered 'next' as {found}, not a string cursor: the listing stopped \
         rather than take it for the last page"
    )]
    InvalidNext { endpoint: String, page: PageLabel, found: &'static str },

    #[error(
        "GET {endpoint} ({page}) added no new row but answered next='{cursor}': its paging does not \
         progress, so the listing stopped"
    )]
    NoProgress { endpoint: String, page: PageLabel, cursor: String },

    #[error(
        "GET {endpoint} took {pages} pages for {rows} rows at up to {page_rows} rows a page: its \
         cursors do not progress, so the listing stopped"
    )]
    TooManyPages { endpoint: String, pages: usize, rows: usize, page_rows: usize },

    #[error(
        "the answer to GET {endpoint} has {found} for 'groupIds' of person '{person_id}': the API \
         token may lack access to group membership in ChartHop"
    )]
    MembershipUnreadable { endpoint: String, person_id: String, found: &'static str },

    #[error(
        "the answer to GET {endpoint} ({page}) is larger than the {cap} bytes allowed ({})",
        describe_size(*size, *declared)
    )]
    BodyTooLarge { endpoint: String, page: PageLabel, size: u64, declared: bool, cap: u64 },

    #[error(
        "the answer to GET {endpoint} ({page}) would take about {} MiB to decode ({size} bytes \
         of JSON), more than the {} MiB allowed for one answer: far denser or larger than a \
         ChartHop page usually is (too many rows a page, or not ChartHop answering)",
        estimate / (1024 * 1024),
        budget / (1024 * 1024)
    )]
    PageTooDense { endpoint: String, page: PageLabel, size: u64, estimate: u64, budget: u64 },

    #[error(
        "ChartHop was still building its snapshot for GET {endpoint} after {}: try again later",
        seconds(*waited)
    )]
    SnapshotNotReady { endpoint: String, waited: Duration },

    #[error(
        "GET {endpoint} did not succeed within its deadline of {} (attempts: {attempts})",
        seconds(*deadline)
    )]
    DeadlineExceeded {
        endpoint: String,
        deadline: Duration,
        attempts: u32,
        #[source]
        last: Option<Transient>,
    },

    #[error(
        "GET {endpoint} answered next='{cursor}' again ({page}): its paging loops, so the listing stopped \
         instead of fetching forever; report this to ChartHop support"
    )]
    RepeatedCursor { endpoint: String, cursor: String, page: PageLabel },

    /// The request sent ahead for the next page was cancelled under the listing: only a runtime
    /// shutting down does that.
    #[error(
        "the request for GET {endpoint} ({page}) was cancelled before it answered (the connector \
         is shutting down); the listing stopped there"
    )]
    PageRequestCancelled { endpoint: String, page: PageLabel },
}

impl Error {
    /// The HTTP status ChartHop answered, when the error comes from one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Unauthorized { .. } => Some(401),
            Error::Forbidden { .. } => Some(403),
            Error::OrgNotFound { .. } | Error::PersonNotFound { .. } => Some(404),
            Error::Status { status, .. } => Some(*status),
            Error::RetriesExhausted { last: Transient::Status { status, .. }, .. } => Some(*status),
            Error::DeadlineExceeded { last: Some(Transient::Status { status, .. }), .. } => Some(*status),
            Error::SnapshotNotReady { .. } => Some(202),
            _ => None,
        }
    }

    /// The kind of network failure: the error's own, or that of the last attempt of a request
    /// that gave up. `None` for answers (statuses, bodies) and configuration errors.
    pub fn network(&self) -> Option<NetworkKind> {
        match self {
            Error::HostNotFound { .. } => Some(NetworkKind::HostNotFound),
            Error::ConnectionRefused { .. } => Some(NetworkKind::ConnectionRefused),
            Error::Tls { problem, .. } => Some(NetworkKind::Tls(*problem)),
            Error::RetriesExhausted { last, .. } => last.network(),
            Error::DeadlineExceeded { last: Some(last), .. } => last.network(),
            _ => None,
        }
    }
}

/// A failure worth retrying. Kept as the source of [`Error::RetriesExhausted`] and
/// [`Error::DeadlineExceeded`]; network failures name the host.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Transient {
    #[error("status {status}{}", describe_status(*status))]
    Status { status: u16 },
    #[error("{host} refused the connection on port {port}")]
    Refused {
        host: String,
        port: u16,
        #[source]
        source: reqwest::Error,
    },
    #[error("connecting to {host} timed out")]
    ConnectTimeout {
        host: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("{host} did not answer in time")]
    ReadTimeout {
        host: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("could not connect to {host}")]
    Connect {
        host: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("the connection to {host} failed before an answer")]
    Send {
        host: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("the body was cut short")]
    BodyCut(#[source] reqwest::Error),
    #[error("the body ended in the middle of its JSON ({reason})")]
    TruncatedJson { reason: String },
}

impl Transient {
    /// The kind of network failure, when it is one.
    pub fn network(&self) -> Option<NetworkKind> {
        match self {
            Transient::Refused { .. } => Some(NetworkKind::ConnectionRefused),
            Transient::ConnectTimeout { .. } => Some(NetworkKind::ConnectTimeout),
            Transient::ReadTimeout { .. } => Some(NetworkKind::ReadTimeout),
            Transient::Connect { .. } | Transient::Send { .. } => Some(NetworkKind::Connection),
            _ => None,
        }
    }
}

fn count_attempts(attempts: u32) -> String {
    if attempts == 1 { "1 attempt".to_owned() } else { format!("{attempts} attempts") }
}

fn describe_tls(host: &str, problem: TlsProblem) -> String {
    match problem {
        TlsProblem::UntrustedCertificate => format!("the TLS certificate of {host} is not trusted"),
        TlsProblem::CertificateExpired => {
            format!("the TLS certificate of {host} has expired or is not valid yet")
        }
        TlsProblem::CertificateForAnotherHost => {
            format!("the TLS certificate of {host} is for another host name")
        }
        TlsProblem::Handshake => format!("the TLS handshake with {host} failed"),
    }
}

fn tls_advice(problem: TlsProblem) -> &'static str {
    match problem {
        TlsProblem::UntrustedCertificate => {
            "it is not signed by an authority this system trusts (a proxy that inspects TLS needs its \
             authority in the system's trust store)"
        }
        TlsProblem::CertificateExpired => "check the system clock, then the host",
        TlsProblem::CertificateForAnotherHost => "check the host of the ChartHop URL",
        TlsProblem::Handshake => "the server may not speak TLS on that port, or a proxy interferes",
    }
}

fn describe_slug(slug: Option<&str>) -> String {
    match slug {
        Some(slug) => format!("and the org slug '{slug}'"),
        None => "and the org's slug (the first part of the path after app.charthop.com/)".to_owned(),
    }
}

fn describe_size(size: u64, declared: bool) -> String {
    if declared { format!("it declares {size} bytes") } else { format!("{size} bytes read before stopping") }
}

fn seconds(duration: Duration) -> String {
    format!("{:.1} s", duration.as_secs_f64())
}

fn describe_status(status: u16) -> &'static str {
    match status {
        202 => " (snapshot still building)",
        429 => " (rate limited)",
        _ => "",
    }
}

/// Which page of a listing an error is about: its number in the listing when known, and the
/// `from` cursor it was requested with.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PageLabel {
    pub number: Option<usize>,
    pub from: Option<String>,
}

impl fmt::Display for PageLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.number, &self.from) {
            (Some(n), Some(from)) => write!(f, "page {n}, from '{from}'"),
            (Some(n), None) => write!(f, "page {n}"),
            (None, Some(from)) => write!(f, "the page from '{from}'"),
            (None, None) => f.write_str("the first page"),
        }
    }
}

/// `'A'`, `'A' or 'B'`, ...
fn quoted(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    quoted.join(" or ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_labels_read_naturally() {
        let label =
            |number, from: Option<&str>| PageLabel { number, from: from.map(str::to_owned) }.to_string();
        assert_eq!(label(Some(3), Some("abc")), "page 3, from 'abc'");
        assert_eq!(label(Some(1), None), "page 1");
        assert_eq!(label(None, Some("abc")), "the page from 'abc'");
        assert_eq!(label(None, None), "the first page");
    }

    #[test]
    fn statuses_are_reported() {
        let err = Error::RetriesExhausted {
            endpoint: "/v2/org/acme/person".into(),
            attempts: 3,
            last: Transient::Status { status: 429 },
        };
        assert_eq!(err.status(), Some(429));
        assert_eq!(
            err.to_string(),
            "GET /v2/org/acme/person kept failing (try again later); gave up after 3 attempts"
        );
        let last = std::error::Error::source(&err).map(ToString::to_string);
        assert_eq!(last.as_deref(), Some("status 429 (rate limited)"));
    }
}
