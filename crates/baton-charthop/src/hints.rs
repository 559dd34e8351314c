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
    DecompressionCap,
}

const HINTS: &[(Fix, &str)] = &[
    (Fix::ApiToken, "check --api-token / BATON_API_TOKEN"),
    (Fix::OrgId, "check --org-id / BATON_ORG_ID (the org's id or slug)"),
    (Fix::TargetBusy, "wait for the other sync to finish, or write elsewhere with -f / BATON_FILE"),
    (Fix::UnsafeTarget, "point -f / BATON_FILE at a new path or a regular file"),
    (Fix::UrlUserInfo, "remove the user name and password from --charthop-url / BATON_CHARTHOP_URL"),
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
    if cause.is::<DecompressionCap>() {
        return Some(Fix::DecompressionCap);
    }
    cause.downcast_ref::<UrlWithUserInfo>().map(|_| Fix::UrlUserInfo)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use charthop_client::Error as Client;

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
            (hint_of(c1z::WriteError::TargetBusy { path: PathBuf::from("s.c1z") }), "-f / BATON_FILE"),
            (
                hint_of(c1z::WriteError::UnsafeTarget {
                    path: PathBuf::from("/dev/null"),
                    kind: "character device",
                }),
                "point -f / BATON_FILE at a new path or a regular file",
            ),
            (hint_of(UrlWithUserInfo), "--charthop-url / BATON_CHARTHOP_URL"),
            (hint_of(DecompressionCap { path: "s.c1z".into(), limit: 1 }), "--max-decompressed-bytes"),
        ];
        assert_eq!(cases.len(), HINTS.len(), "every row of the table is tested");
        for (got, want) in cases {
            let got = got.unwrap_or_else(|| panic!("no hint where one names {want}"));
            assert!(got.contains(want), "{got:?} should name {want}");
        }
    }

    #[test]
    fn other_errors_get_no_hint() {
        assert_eq!(hint_of(Client::InvalidConfig { reason: "x".into() }), None);
        assert_eq!(hint_of(std::io::Error::other("disk")), None);
    }
}
