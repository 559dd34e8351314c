//! Names what failed below HTTP (a name that does not resolve, a refused connection, TLS, a
//! timeout) by walking the error's source chain for typed causes: our resolver's own error,
//! `rustls::Error` and `std::io::ErrorKind`. Text is matched only for hyper-util's "dns error",
//! in case a name is ever resolved outside our resolver.

use std::error::Error as StdError;
use std::io;
use std::net::SocketAddr;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// How a TLS connection failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsProblem {
    /// Not signed by an authority this system trusts (self-signed, or a proxy's own CA).
    UntrustedCertificate,
    /// Expired, or not valid yet (a wrong clock does that too).
    CertificateExpired,
    /// Valid, but for another host name.
    CertificateForAnotherHost,
    /// The handshake itself failed: the server does not speak TLS there, or refused ours.
    Handshake,
}

/// What kind of network failure an [`crate::Error`] is (see [`crate::Error::network`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NetworkKind {
    HostNotFound,
    ConnectionRefused,
    Tls(TlsProblem),
    ConnectTimeout,
    ReadTimeout,
    /// Any other failure to connect or to get an answer.
    Connection,
}

/// The host name did not resolve: put in the chain by [`SystemResolver`], found by its type.
#[derive(Debug, thiserror::Error)]
#[error("no address found for {host}")]
pub(crate) struct NameNotResolved {
    host: String,
    #[source]
    source: Option<io::Error>,
}

/// The system's resolver (getaddrinfo, on a blocking thread), with errors we can recognize.
/// Names under `.invalid` never resolve (RFC 6761), so they fail without a lookup.
#[derive(Debug, Default)]
pub(crate) struct SystemResolver;

impl Resolve for SystemResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            if is_reserved_invalid(&host) {
                return Err(Box::new(NameNotResolved { host, source: None }) as _);
            }
            lookup(host).await.map_err(|error| Box::new(error) as _)
        })
    }
}

fn is_reserved_invalid(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "invalid" || host.ends_with(".invalid")
}

async fn lookup(host: String) -> Result<Addrs, NameNotResolved> {
    let found = tokio::net::lookup_host((host.as_str(), 0)).await.map(Iterator::collect::<Vec<SocketAddr>>);
    match found {
        Ok(addrs) => {
            if addrs.is_empty() {
                return Err(NameNotResolved { host, source: None });
            }
            Ok(Box::new(addrs.into_iter()))
        }
        Err(error) => Err(NameNotResolved { host, source: Some(error) }),
    }
}

/// What a failed send was, as far as the chain tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cause {
    Dns,
    Refused,
    Tls(TlsProblem),
    ConnectTimeout,
    ReadTimeout,
    Connect,
    Send,
}

pub(crate) fn classify(error: &reqwest::Error) -> Cause {
    let chain = chain(error);
    if chain.iter().any(|e| e.is::<NameNotResolved>() || is_dns_text(*e)) {
        return Cause::Dns;
    }
    if let Some(tls) = chain.iter().find_map(|e| e.downcast_ref::<rustls::Error>()) {
        return Cause::Tls(tls_problem(tls));
    }
    let io_kind =
        |kind| chain.iter().any(|e| e.downcast_ref::<io::Error>().is_some_and(|io| io.kind() == kind));
    if io_kind(io::ErrorKind::ConnectionRefused) {
        return Cause::Refused;
    }
    match (error.is_timeout(), error.is_connect()) {
        (true, true) => Cause::ConnectTimeout,
        (true, false) => Cause::ReadTimeout,
        (false, true) => Cause::Connect,
        (false, false) => Cause::Send,
    }
}

/// Every error in the chain. `io::Error::source` skips the error it wraps (it returns that
/// error's source), so the walk goes into the wrapped one instead, io errors in io errors too.
fn chain<'a>(error: &'a (dyn StdError + 'static)) -> Vec<&'a (dyn StdError + 'static)> {
    let mut found = Vec::new();
    let mut next = Some(error);
    while let Some(error) = next.take() {
        found.push(error);
        let wrapped = error.downcast_ref::<io::Error>().and_then(io::Error::get_ref);
        // A cycle cannot be built with owned sources, but a bound costs nothing.
        if found.len() < 64 {
            next = wrapped.map(|inner| inner as &(dyn StdError + 'static)).or_else(|| error.source());
        }
    }
    found
}

/// hyper-util's connect error for a failed lookup ("dns error"), whose type is private.
fn is_dns_text(error: &(dyn StdError + 'static)) -> bool {
    let text = error.to_string();
    text == "dns error" || text == "error resolving DNS"
}

fn tls_problem(error: &rustls::Error) -> TlsProblem {
    use rustls::CertificateError as C;
    match error {
        rustls::Error::InvalidCertificate(cert) => match cert {
            C::Expired | C::ExpiredContext { .. } | C::NotValidYet | C::NotValidYetContext { .. } => {
                TlsProblem::CertificateExpired
            }
            C::NotValidForName | C::NotValidForNameContext { .. } => TlsProblem::CertificateForAnotherHost,
            _ => TlsProblem::UntrustedCertificate,
        },
        _ => TlsProblem::Handshake,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("{0}")]
    struct Text(&'static str, #[source] Option<io::Error>);

    #[test]
    fn the_chain_looks_inside_io_errors() {
        let tls = io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
        );
        let outer = Text("tcp connect error", Some(tls));
        let chain = chain(&outer);
        let found = chain.iter().find_map(|e| e.downcast_ref::<rustls::Error>()).map(tls_problem);
        assert_eq!(found, Some(TlsProblem::UntrustedCertificate));
    }

    #[test]
    fn hyper_utils_dns_text_is_recognized_and_nothing_else() {
        assert!(is_dns_text(&Text("dns error", None)));
        assert!(!is_dns_text(&Text("tcp connect error", None)));
        assert!(!is_dns_text(&Text("dns error: more", None)));
    }

    #[test]
    fn certificate_errors_map_to_problems() {
        use rustls::CertificateError as C;
        let problem = |e| tls_problem(&rustls::Error::InvalidCertificate(e));
        assert_eq!(problem(C::Expired), TlsProblem::CertificateExpired);
        assert_eq!(problem(C::NotValidYet), TlsProblem::CertificateExpired);
        assert_eq!(problem(C::NotValidForName), TlsProblem::CertificateForAnotherHost);
        assert_eq!(problem(C::BadSignature), TlsProblem::UntrustedCertificate);
        assert_eq!(tls_problem(&rustls::Error::DecryptError), TlsProblem::Handshake);
    }

    #[test]
    fn reserved_names_fail_without_a_lookup() {
        for host in ["no-such-host.invalid", "X.INVALID.", "invalid"] {
            assert!(is_reserved_invalid(host), "{host}");
        }
        for host in ["api.charthop.com", "invalid.example.com", "localhost"] {
            assert!(!is_reserved_invalid(host), "{host}");
        }
    }

    #[tokio::test]
    async fn a_real_lookup_of_a_name_that_does_not_exist_fails_as_not_resolved() {
        // The system resolver answers NXDOMAIN for `.invalid`; with no resolver it fails at
        // once. Bounded, so a slow resolver fails the test instead of hanging it.
        let found = tokio::time::timeout(Duration::from_secs(20), lookup("no-such-host.invalid".into()))
            .await
            .expect("the lookup answers within 20 s");
        let error = found.err().expect("a name under .invalid never resolves");
        assert!(error.to_string().contains("no-such-host.invalid"), "{error}");
    }

    #[tokio::test]
    async fn localhost_resolves() {
        let addrs = lookup("localhost".into()).await.expect("localhost resolves");
        assert!(addrs.into_iter().all(|a| a.ip().is_loopback()));
    }
}
