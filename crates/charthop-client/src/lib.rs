//! ChartHop REST client: configuration and auth, request building, a transport that retries
//! transient failures (honouring `Retry-After`), page calls with streams on top, and the
//! decoding of ChartHop rows (flat or nested, any key case) into `charthop-domain` types.
//!
//! Person rows come as [`PersonRecord`]s when asked for ([`ChartHopClient::person_record_pages`]):
//! the person, the manager's email and name read from the same row, and the extra field codes
//! of the query ([`check_field_code`] refuses any that is not a plain code).
//!
//! Layers: [`request`] builds paths and queries (no IO) -> `transport` sends one GET with the
//! retry policy -> [`ChartHopClient`] decodes pages and follows `next` cursors as streams.
//!
//! Architecture invariants: this is the only crate that decodes ChartHop JSON. It never
//! prints, logs or puts the API token in an error (see [`ApiToken`]; bodies echoed into errors
//! are redacted of it in any case and in base64), never sends it over plain `http://` except
//! to a loopback host, refuses base URLs with user info or anything but an origin (a pasted
//! web-app address is [`Error::WebAppUrl`] with the org slug it holds; [`org_id_problem`] does
//! the same for an org that is an address), and never retries 400/401/403/404.
//!
//! Failures below HTTP are named with the host ([`Error::network`] tells their
//! [`NetworkKind`]): a name that does not resolve ([`Error::HostNotFound`], never retried), a
//! refused connection ([`Error::ConnectionRefused`], after 3 attempts at most), TLS
//! ([`Error::Tls`], never retried), and connect or read timeouts ([`Transient`], retried).
//!
//! It never takes a strange answer for a complete one: a `next` that is not a string, a
//! `data` that is not an array, `groupIds` of a wrong shape, a membership answer without
//! `groupIds`, a page that adds no row, a repeating cursor or more pages than the rows need
//! are typed [`Error`]s naming the endpoint (and the page or person). It stays bounded: one
//! deadline per request with all its retries and 202 waits, a cap on every body while it is
//! read, and listing state the size of one page, not of the org.

#![forbid(unsafe_code)]

mod client;
mod config;
mod decode;
mod error;
mod network;
mod origin;
mod paging;
mod redact;
pub mod request;
mod retry;
mod stats;
mod token;
mod transport;

pub use client::ChartHopClient;
pub use config::{
    ClientConfig, DEFAULT_BASE_URL, DEFAULT_MAX_BODY_BYTES, DEFAULT_PAGE_SIZE, DEFAULT_USER_AGENT,
    RetryPolicy,
};
pub use decode::PersonRecord;
pub use error::{Error, PageLabel, Transient};
pub use network::{NetworkKind, TlsProblem};
pub use origin::{OrgIdProblem, org_id_problem};
pub use paging::Page;
pub use request::{
    EndpointKind, FieldCodeProblem, GroupQuery, MANAGER_FIELD_CODES, PersonQuery, TimeFilter,
    check_field_code,
};
pub use stats::ClientStats;
pub use token::ApiToken;
pub use url::Url;

/// Decodes `bytes` as one list page of persons, groups and group types, for the fuzz target
/// and property tests: `Ok(rows)` or the reason it is refused, never a panic.
#[doc(hidden)]
pub fn decode_page_for_fuzzing(bytes: &[u8]) -> Result<usize, String> {
    decode::decode_page_for_fuzzing(bytes)
}

/// The memory `bytes` would take once decoded, as the client estimates it before decoding
/// (an answer estimated above its budget is refused undecoded): for property tests.
#[doc(hidden)]
pub fn decode_cost_estimate(bytes: &[u8]) -> u64 {
    decode::decoded_bytes(bytes)
}

#[cfg(test)]
mod tests {
    fn shareable<T: Send + Sync + 'static>() {}

    #[test]
    fn client_and_errors_cross_threads() {
        // The connector runs the next page in flight on another task; the binary wraps errors.
        shareable::<super::ChartHopClient>();
        shareable::<super::Error>();
        shareable::<super::ClientStats>();
    }
}
