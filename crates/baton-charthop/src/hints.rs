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
];

/// The hint for the first cause in `error`'s chain that a setting fixes.
pub fn hint(error: &(dyn Error + 'static)) -> Option<&'static str> {
    let fix = std::iter::successors(Some(error), |&e| e.source()).find_map(classify)?;
    HINTS.iter().find(|(f, _)| *f == fix).map(|(_, text)| *text)
}

fn classify(cause: &(dyn Error + 'static)) -> Option<Fix> {
    use charthop_client::Error as Client;
    if let Some(e) = cause.downcast_ref::<Client>() {
        return match e {
            Client::Unauthorized { .. } => Some(Fix::ApiToken),
            Client::OrgNotFound { .. } => Some(Fix::OrgId),
            Client::BodyTooLarge { .. } => Some(Fix::BodyCap),
            Client::DeadlineExceeded { .. } => Some(Fix::Deadline),
            Client::SnapshotNotReady { .. } => Some(Fix::SnapshotWait),
            _ => None,
        };
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
    if cause.is::<DecompressionCap>() {
        return Some(Fix::DecompressionCap);
    }
    cause.downcast_ref::<UrlWithUserInfo>().map(|_| Fix::UrlUserInfo)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::time::Duration;

    use charthop_client::{Error as Client, PageLabel};

    use super::*;

    fn hint_of(error: impl Error + Send + Sync + 'static) -> Option<&'static str> {
        // Behind context, as main sees it.
        let wrapped = anyhow::Error::new(error).context("the sync failed");
        hint(wrapped.as_ref())
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
        ];
        assert_eq!(cases.len(), HINTS.len(), "every row of the table is tested");
        for (got, want) in cases {
            let got = got.unwrap_or_else(|| panic!("no hint where one names {want}"));
            assert!(got.contains(want), "{got:?} should name {want}");
        }
    }

    #[test]
    fn library_errors_inside_a_sync_error_get_their_hint() {
        use charthop_connector::SyncError;
        let unauthorized = SyncError::ChartHop(Client::Unauthorized { endpoint: "/v1/org".into() });
        assert_eq!(hint_of(unauthorized), Some("check --api-token / BATON_API_TOKEN"));
        let busy = SyncError::Write(c1z::WriteError::TargetBusy { path: PathBuf::from("s.c1z") });
        assert!(hint_of(busy).is_some_and(|h| h.contains("-f / BATON_FILE")));
    }

    #[test]
    fn other_errors_get_no_hint() {
        assert_eq!(hint_of(Client::InvalidConfig { reason: "x".into() }), None);
        assert_eq!(hint_of(std::io::Error::other("disk")), None);
    }
}
