use std::fmt;

/// Everything the client can fail with. Each message names the endpoint (its path, never the
/// token or the query), the status when there is one, and what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("invalid ChartHop client configuration: {reason}")]
    InvalidConfig { reason: String },

    #[error("refusing ChartHop base URL '{url}': {reason}")]
    InvalidBaseUrl { url: String, reason: String },

    #[error("could not set up the HTTP client (TLS or system configuration)")]
    HttpClient(#[source] reqwest::Error),

    #[error("ChartHop rejected the API token (401) on GET {endpoint}: check --api-token / BATON_API_TOKEN")]
    Unauthorized { endpoint: String },

    #[error(
        "the token cannot read {subject} (403) on GET {endpoint}: give the API token an access level \
         that can read {subject} in ChartHop"
    )]
    Forbidden { endpoint: String, subject: &'static str },

    #[error("organization '{org}' not found (404) on GET {endpoint}: check --org-id / BATON_ORG_ID")]
    OrgNotFound { org: String, endpoint: String },

    #[error(
        "person '{person_id}' not found (404) on GET {endpoint}: the person may have been deleted, or \
         organization '{org}' does not exist (check --org-id / BATON_ORG_ID)"
    )]
    PersonNotFound { person_id: String, org: String, endpoint: String },

    #[error("ChartHop answered {status} to GET {endpoint}{detail}: this is not retried; {advice}")]
    Status { endpoint: String, status: u16, detail: String, advice: &'static str },

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
        "GET {endpoint} answered next='{cursor}' again ({page}): its paging loops, so the listing stopped \
         instead of fetching forever; report this to ChartHop support"
    )]
    RepeatedCursor { endpoint: String, cursor: String, page: PageLabel },
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
            _ => None,
        }
    }
}

/// A failure worth retrying. Kept as the source of [`Error::RetriesExhausted`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Transient {
    #[error("status {status}{}", describe_status(*status))]
    Status { status: u16 },
    #[error("could not connect")]
    Connect(#[source] reqwest::Error),
    #[error("timed out")]
    Timeout(#[source] reqwest::Error),
    #[error("the connection failed before an answer")]
    Send(#[source] reqwest::Error),
    #[error("the body was cut short")]
    BodyCut(#[source] reqwest::Error),
    #[error("the body ended in the middle of its JSON ({reason})")]
    TruncatedJson { reason: String },
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
