//! What the user must do about a failure: the libraries say what failed in their own terms,
//! this table says which setting fixes it. One table, so every hint is held by one test.

use std::error::Error;

use crate::inspect::DecompressionCap;
use crate::wiring::UrlWithUserInfo;

/// A failure the user can fix with a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fix {
    ApiToken,
    OrgId,
    TargetBusy,
    UnsafeTarget,
    UrlUserInfo,
    BodyCap,
    Deadline,
    SnapshotWait,
    DecompressionCap,
    MassChange,
    ClientId,
    ClientSecret,
    C1Credentials,
    C1ApiHost,
    ChartHopHost,
    ChartHopTls,
    ChartHopUrl,
    WebAppUrl,
    OrgIdIsUrl,
    ExtraFields,
    GroupTypes,
}

const HINTS: &[(Fix, &str)] = &[
    (Fix::ApiToken, "check --api-token / BATON_API_TOKEN"),
    (Fix::OrgId, "check --org-id / BATON_ORG_ID (the org's id or slug)"),
    (Fix::TargetBusy, "wait for the other sync to finish, or write elsewhere with -f / BATON_FILE"),
    (Fix::UnsafeTarget, "point -f / BATON_FILE at a new path or a regular file"),
    (Fix::UrlUserInfo, "remove the user name and password from --charthop-url / BATON_CHARTHOP_URL"),
    (
        Fix::BodyCap,
        "if the answer is expected, raise --max-page-bytes / BATON_MAX_PAGE_BYTES or lower --page-size",
    ),
    (
        Fix::Deadline,
        "if ChartHop is slow rather than down, raise --http-timeout-seconds / BATON_HTTP_TIMEOUT_SECONDS",
    ),
    (Fix::SnapshotWait, "try again later, or wait longer with --snapshot-wait / BATON_SNAPSHOT_WAIT"),
    (
        Fix::MassChange,
        "if the change is real, allow it with --max-removed-ratio=1 (BATON_MAX_REMOVED_RATIO=1) for one run",
    ),
    (Fix::DecompressionCap, "if the file is trusted, raise inspect --max-decompressed-bytes (such as 4GiB)"),
    (Fix::ClientId, "check --client-id / BATON_CLIENT_ID (as C1 showed it when the connector was created)"),
    (
        Fix::ClientSecret,
        "check --client-secret / BATON_CLIENT_SECRET (as C1 showed it when the connector was created)",
    ),
    (
        Fix::C1Credentials,
        "check --client-id / BATON_CLIENT_ID and --client-secret / BATON_CLIENT_SECRET, and that the \
         connector still exists in C1",
    ),
    (
        Fix::C1ApiHost,
        "check --c1-api-host / BATON_C1_API_HOST (C1's host[:port]; unset, the client id's host) and \
         that C1 is reachable",
    ),
    (
        Fix::ChartHopHost,
        "check the host and port of --charthop-url / BATON_CHARTHOP_URL (unset, https://api.charthop.com), \
         this machine's DNS, and any proxy or firewall on the way",
    ),
    (
        Fix::ChartHopTls,
        "check --charthop-url / BATON_CHARTHOP_URL; behind a proxy that inspects TLS, add its authority \
         to this system's trust store",
    ),
    (
        Fix::ChartHopUrl,
        "set --charthop-url / BATON_CHARTHOP_URL to an origin such as https://api.charthop.com, or unset it",
    ),
    (
        Fix::WebAppUrl,
        "use https://api.charthop.com for --charthop-url / BATON_CHARTHOP_URL (or unset it) and the slug \
         for --org-id / BATON_ORG_ID",
    ),
    (
        Fix::OrgIdIsUrl,
        "use https://api.charthop.com (the default of --charthop-url / BATON_CHARTHOP_URL) and the slug \
         for --org-id / BATON_ORG_ID",
    ),
    (
        Fix::ExtraFields,
        "check --extra-fields / BATON_EXTRA_FIELDS: ChartHop field codes separated by commas, such as \
         costCenter,shirtSize",
    ),
    (
        Fix::GroupTypes,
        "set --group-types / BATON_GROUP_TYPES to types the organization has (listed above), or unset it \
         for all",
    ),
];

/// The hint for the first cause in `error`'s chain that a setting fixes.
pub fn hint(error: &(dyn Error + 'static)) -> Option<&'static str> {
    let fix = std::iter::successors(Some(error), |&e| e.source()).find_map(classify)?;
    HINTS.iter().find(|(f, _)| *f == fix).map(|(_, text)| *text)
}

fn classify(cause: &(dyn Error + 'static)) -> Option<Fix> {
    use charthop_client::Error as Client;
    if let Some(e) = cause.downcast_ref::<Client>() {
        // Before the deadline: a refused connection that ran out of time is still refused.
        if let Some(fix) = e.network().and_then(network_fix) {
            return Some(fix);
        }
        return match e {
            Client::Unauthorized { .. } => Some(Fix::ApiToken),
            Client::OrgNotFound { .. } => Some(Fix::OrgId),
            Client::BodyTooLarge { .. } | Client::PageTooDense { .. } => Some(Fix::BodyCap),
            Client::DeadlineExceeded { .. } => Some(Fix::Deadline),
            Client::SnapshotNotReady { .. } => Some(Fix::SnapshotWait),
            Client::InvalidBaseUrl { .. } => Some(Fix::ChartHopUrl),
            Client::WebAppUrl { .. } => Some(Fix::WebAppUrl),
            Client::InvalidOrgId(_) => Some(Fix::OrgIdIsUrl),
            Client::InvalidFieldCode { .. } => Some(Fix::ExtraFields),
            Client::UnknownGroupTypes { .. } => Some(Fix::GroupTypes),
            _ => None,
        };
    }
    if let Some(crate::settings::SettingsError::OrgIdIsUrl { .. }) = cause.downcast_ref() {
        return Some(Fix::OrgIdIsUrl);
    }
    if let Some(e) = cause.downcast_ref::<c1z::WriteError>() {
        return match e {
            c1z::WriteError::TargetBusy { .. } => Some(Fix::TargetBusy),
            c1z::WriteError::UnsafeTarget { .. } => Some(Fix::UnsafeTarget),
            _ => None,
        };
    }
    use charthop_connector::SyncError;
    // SyncError wraps these transparently: its chain skips them, so they are looked into here.
    match cause.downcast_ref::<SyncError>() {
        Some(SyncError::MassChange { .. }) => return Some(Fix::MassChange),
        Some(SyncError::ChartHop(inner)) => return classify(inner),
        Some(SyncError::Write(inner)) => return classify(inner),
        _ => {}
    }
    if let Some(fix) = classify_service(cause) {
        return Some(fix);
    }
    if cause.is::<DecompressionCap>() {
        return Some(Fix::DecompressionCap);
    }
    cause.downcast_ref::<UrlWithUserInfo>().map(|_| Fix::UrlUserInfo)
}

/// A slow answer is the deadline's business; failing to reach ChartHop at all is the URL's.
fn network_fix(kind: charthop_client::NetworkKind) -> Option<Fix> {
    use charthop_client::NetworkKind as Net;
    match kind {
        Net::HostNotFound | Net::ConnectionRefused | Net::ConnectTimeout | Net::Connection => {
            Some(Fix::ChartHopHost)
        }
        Net::Tls(_) => Some(Fix::ChartHopTls),
        _ => None,
    }
}

/// Service mode's start: the C1 credentials, their refusal, and the C1 host.
fn classify_service(cause: &(dyn Error + 'static)) -> Option<Fix> {
    use c1_service::{CredentialsError as Credentials, ServiceError, TokenError};
    if let Some(e) = cause.downcast_ref::<Credentials>() {
        return Some(match e {
            Credentials::ClientIdWithoutHost { .. } => Fix::ClientId,
            // A secret where the id belongs: both settings are in question.
            Credentials::ClientIdIsASecret => Fix::C1Credentials,
            Credentials::SecretPartCount { .. }
            | Credentials::SecretPrefix
            | Credentials::SecretVersion { .. }
            | Credentials::SecretBase64 { .. }
            | Credentials::SecretJwk { .. }
            | Credentials::SecretKeyType { .. }
            | Credentials::SecretMissingPrivateKey
            | Credentials::SecretPrivateKeyLength { .. }
            | Credentials::SecretPublicKeyMismatch => Fix::ClientSecret,
        });
    }
    if let Some(e) = cause.downcast_ref::<TokenError>() {
        return match e {
            TokenError::Rejected { .. } => Some(Fix::C1Credentials),
            TokenError::Transport { .. } | TokenError::Timeout { .. } => Some(Fix::C1ApiHost),
            _ => None,
        };
    }
    match cause.downcast_ref::<ServiceError>()? {
        ServiceError::InvalidApiHost { .. } => Some(Fix::C1ApiHost),
        ServiceError::Rejected { .. } => Some(Fix::C1Credentials),
        ServiceError::Authentication(inner) => classify_service(inner),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::time::Duration;

    use c1_proto::tonic::Code;
    use c1_service::{CredentialsError, ServiceError, TokenError};
    use charthop_client::{Error as Client, PageLabel};

    use super::*;

    fn hint_of(error: impl Error + Send + Sync + 'static) -> Option<&'static str> {
        // Behind context, as main sees it.
        let wrapped = anyhow::Error::new(error).context("the sync failed");
        hint(wrapped.as_ref())
    }

    #[test]
    fn a_page_too_dense_to_decode_gets_the_body_cap_hint() {
        let dense = Client::PageTooDense {
            endpoint: "/v2/org/acme/person".into(),
            page: PageLabel::default(),
            size: 10,
            estimate: 20,
            budget: 15,
        };
        let body_cap = HINTS.iter().find(|(fix, _)| *fix == Fix::BodyCap).map(|(_, text)| *text);
        assert_eq!(hint_of(dense), body_cap);
    }

    #[test]
    fn each_fixable_error_gets_its_hint() {
        let endpoint = || "/v2/org/acme/person".to_owned();
        let cases: Vec<(Option<&str>, &str)> = vec![
            (hint_of(Client::Unauthorized { endpoint: endpoint() }), "--api-token / BATON_API_TOKEN"),
            (
                hint_of(Client::OrgNotFound { org: "acme".into(), endpoint: endpoint() }),
                "--org-id / BATON_ORG_ID",
            ),
            (
                hint_of(Client::BodyTooLarge {
                    endpoint: endpoint(),
                    page: PageLabel::default(),
                    size: 10,
                    declared: true,
                    cap: 5,
                }),
                "--max-page-bytes / BATON_MAX_PAGE_BYTES",
            ),
            (
                hint_of(Client::DeadlineExceeded {
                    endpoint: endpoint(),
                    deadline: Duration::from_secs(1),
                    attempts: 2,
                    last: None,
                }),
                "--http-timeout-seconds / BATON_HTTP_TIMEOUT_SECONDS",
            ),
            (
                hint_of(Client::SnapshotNotReady { endpoint: endpoint(), waited: Duration::from_secs(1) }),
                "--snapshot-wait / BATON_SNAPSHOT_WAIT",
            ),
            (hint_of(c1z::WriteError::TargetBusy { path: PathBuf::from("s.c1z") }), "-f / BATON_FILE"),
            (
                hint_of(c1z::WriteError::UnsafeTarget {
                    path: PathBuf::from("/dev/null"),
                    kind: "character device",
                }),
                "point -f / BATON_FILE at a new path or a regular file",
            ),
            (hint_of(UrlWithUserInfo), "--charthop-url / BATON_CHARTHOP_URL"),
            (
                hint_of(charthop_connector::SyncError::MassChange {
                    comparison: Default::default(),
                    persons: 0,
                    ratio: 0.2,
                }),
                "--max-removed-ratio=1 (BATON_MAX_REMOVED_RATIO=1)",
            ),
            (hint_of(DecompressionCap { path: "s.c1z".into(), limit: 1 }), "--max-decompressed-bytes"),
            (
                hint_of(CredentialsError::ClientIdWithoutHost { client_id: "abc".into() }),
                "check --client-id / BATON_CLIENT_ID (",
            ),
            (hint_of(CredentialsError::SecretPrefix), "check --client-secret / BATON_CLIENT_SECRET"),
            (
                hint_of(ServiceError::Authentication(token_rejected())),
                "--client-id / BATON_CLIENT_ID and --client-secret / BATON_CLIENT_SECRET",
            ),
            (
                hint_of(ServiceError::InvalidApiHost { host: "a b".into(), reason: "space".into() }),
                "--c1-api-host / BATON_C1_API_HOST",
            ),
        ];
        // The network, address and scope rows are held by the two tests below.
        assert_eq!(cases.len() + 7, HINTS.len(), "every row of the table is tested");
        for (got, want) in cases {
            let got = got.unwrap_or_else(|| panic!("no hint where one names {want}"));
            assert!(got.contains(want), "{got:?} should name {want}");
        }
    }

    fn token_rejected() -> TokenError {
        TokenError::Rejected {
            url: "https://t.example/auth/v1/token".into(),
            status: 401,
            detail: String::new(),
        }
    }

    /// Every way C1 refuses the credentials, and every malformed credential, names its setting.
    #[test]
    fn service_mode_errors_name_the_setting_to_check() {
        use CredentialsError as C;
        let secret = "--client-secret / BATON_CLIENT_SECRET (";
        let both = "--client-id / BATON_CLIENT_ID and --client-secret / BATON_CLIENT_SECRET";
        let cases: Vec<(Option<&str>, &str)> = vec![
            (hint_of(C::ClientIdWithoutHost { client_id: "x".into() }), "--client-id / BATON_CLIENT_ID ("),
            (hint_of(C::ClientIdIsASecret), both),
            (hint_of(C::SecretPartCount { parts: 2 }), secret),
            (hint_of(C::SecretPrefix), secret),
            (hint_of(C::SecretVersion { len: 2 }), secret),
            (hint_of(C::SecretBase64 { reason: "x".into() }), secret),
            (hint_of(C::SecretJwk { reason: "x".into() }), secret),
            (hint_of(C::SecretKeyType { kty: "RSA".into(), crv: String::new() }), secret),
            (hint_of(C::SecretMissingPrivateKey), secret),
            (hint_of(C::SecretPrivateKeyLength { len: 3 }), secret),
            (hint_of(C::SecretPublicKeyMismatch), secret),
            (hint_of(token_rejected()), both),
            (hint_of(ServiceError::Authentication(token_rejected())), both),
            (
                hint_of(ServiceError::Rejected {
                    call: "Hello",
                    code: Code::PermissionDenied,
                    message: "no".into(),
                }),
                both,
            ),
            (
                hint_of(ServiceError::Authentication(TokenError::Timeout {
                    url: "https://t.example".into(),
                    timeout: Duration::from_secs(1),
                })),
                "--c1-api-host / BATON_C1_API_HOST",
            ),
            (
                hint_of(ServiceError::InvalidApiHost { host: "a b".into(), reason: "x".into() }),
                "--c1-api-host / BATON_C1_API_HOST",
            ),
        ];
        for (got, want) in cases {
            assert!(got.is_some_and(|h| h.contains(want)), "{got:?} should name {want}");
        }
        let server = TokenError::ServerError { url: "u".into(), status: 503, detail: String::new() };
        assert_eq!(hint_of(ServiceError::Authentication(server)), None, "a C1 outage is not a setting");
    }

    #[test]
    fn library_errors_inside_a_sync_error_get_their_hint() {
        use charthop_connector::SyncError;
        let unauthorized = SyncError::ChartHop(Client::Unauthorized { endpoint: "/v1/org".into() });
        assert_eq!(hint_of(unauthorized), Some("check --api-token / BATON_API_TOKEN"));
        let busy = SyncError::Write(c1z::WriteError::TargetBusy { path: PathBuf::from("s.c1z") });
        assert!(hint_of(busy).is_some_and(|h| h.contains("-f / BATON_FILE")));
    }

    /// A hint's `--flag / BATON_VAR` pair is a row of the settings table.
    #[test]
    fn every_flag_a_hint_names_is_a_setting_with_that_variable() {
        let mut pairs = 0;
        for (_, text) in HINTS {
            for (at, _) in text.match_indices(" / BATON_") {
                let flag = text[..at].rsplit(' ').next().unwrap_or_default();
                let variable: String = text[at + 3..]
                    .chars()
                    .take_while(|c| c.is_ascii_uppercase() || *c == '_' || c.is_ascii_digit())
                    .collect();
                let key = match flag.strip_prefix("--") {
                    Some(key) => key,
                    None if flag == "-f" => "file",
                    None => panic!("{flag:?} in {text:?} is not a flag"),
                };
                assert_eq!(crate::setting_table::row(key).env(), variable, "{text}");
                pairs += 1;
            }
        }
        assert!(pairs >= 10, "{pairs}");
    }

    /// A real failure of the client against 127.0.0.1 (or a `.invalid` name, never looked up).
    async fn client_error(base_url: &str) -> Client {
        let mut config = charthop_client::ClientConfig::new("token", "acme")
            .with_base_url(charthop_client::Url::parse(base_url).unwrap());
        config.retry.max_attempts = 2;
        config.retry.base_delay = Duration::from_millis(1);
        config.request_deadline = Duration::from_secs(5);
        let client = charthop_client::ChartHopClient::new(config).unwrap();
        client.validate_access().await.unwrap_err()
    }

    fn closed_port() -> u16 {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    }

    /// Not reaching ChartHop names the URL, never the timeout: retrying cannot fix a wrong host.
    #[tokio::test]
    async fn network_failures_name_the_chart_hop_url_not_the_timeout() {
        let url = "--charthop-url / BATON_CHARTHOP_URL";
        let unknown_host = client_error("https://charthop-nowhere.invalid").await;
        assert!(matches!(unknown_host, Client::HostNotFound { .. }), "{unknown_host:?}");
        let refused = client_error(&format!("http://127.0.0.1:{}", closed_port())).await;
        assert!(refused.network().is_some(), "{refused:?}");
        // Refused until the deadline ran out: still the URL's business.
        let port = closed_port();
        let source = reqwest::Client::new().get(format!("http://127.0.0.1:{port}")).send().await.unwrap_err();
        let refused_to_the_end = Client::DeadlineExceeded {
            endpoint: "/v2/org/acme/person".into(),
            deadline: Duration::from_secs(300),
            attempts: 3,
            last: Some(charthop_client::Transient::Refused { host: "127.0.0.1".into(), port, source }),
        };
        for error in [unknown_host, refused, refused_to_the_end] {
            let hint = hint_of(error).unwrap_or_default();
            assert!(hint.contains(url) && hint.contains("host and port"), "{hint}");
            assert!(!hint.contains("http-timeout"), "{hint}");
        }
        // A server that answers TLS with plain text.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            use std::io::{Read, Write};
            for stream in listener.incoming().take(2) {
                let Ok(mut stream) = stream else { continue };
                let _ = stream.read(&mut [0; 512]);
                let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
            }
        });
        let tls = client_error(&format!("https://127.0.0.1:{port}")).await;
        assert!(matches!(tls.network(), Some(charthop_client::NetworkKind::Tls(_))), "{tls:?}");
        assert!(hint_of(tls).is_some_and(|h| h.contains("trust store")));
    }

    #[test]
    fn addresses_where_the_org_belongs_and_bad_scope_settings_get_their_hint() {
        let web_app = Client::WebAppUrl { url: "https://app.charthop.com/acme/home".into(), slug: None };
        let org = charthop_client::org_id_problem("https://app.charthop.com/acme/home").unwrap();
        let cases = [
            (hint_of(web_app), "use https://api.charthop.com for --charthop-url"),
            (hint_of(Client::InvalidOrgId(org.clone())), "the slug for --org-id / BATON_ORG_ID"),
            (
                hint_of(crate::settings::SettingsError::OrgIdIsUrl { origin: "x".into(), problem: org }),
                "use https://api.charthop.com",
            ),
            (
                hint_of(Client::InvalidBaseUrl { url: "u".into(), reason: "r".into() }),
                "an origin such as https://api.charthop.com",
            ),
            (
                hint_of(Client::InvalidFieldCode {
                    code: "a,b".into(),
                    problem: charthop_client::request::FieldCodeProblem::Character(','),
                }),
                "--extra-fields / BATON_EXTRA_FIELDS",
            ),
            (
                hint_of(Client::UnknownGroupTypes { unknown: vec!["X".into()], available: vec![] }),
                "--group-types / BATON_GROUP_TYPES",
            ),
        ];
        for (got, want) in cases {
            assert!(got.is_some_and(|h| h.contains(want)), "{got:?} should say {want}");
        }
    }

    #[test]
    fn other_errors_get_no_hint() {
        assert_eq!(hint_of(Client::InvalidConfig { reason: "x".into() }), None);
        assert_eq!(hint_of(std::io::Error::other("disk")), None);
    }
}
