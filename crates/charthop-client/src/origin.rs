//! The base URL is an origin, and the org is an id or a slug: the two mistakes people make
//! with them (a web-app address pasted whole, an API path kept) are named with the slug in them.

use url::Url;

use crate::Error;

/// The web app's host: its addresses are `https://app.charthop.com/<slug>/<page>`.
const WEB_APP_HOST: &str = "app.charthop.com";

/// What is wrong with an org id that is an address, not an id (see [`org_id_problem`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OrgIdProblem {
    /// A ChartHop address (the web app's or the API's) with the org's slug in it.
    #[error(
        "the org id '{text}' is a ChartHop address, not an org id: use the org slug '{slug}' (and \
         https://api.charthop.com as the ChartHop URL)"
    )]
    ChartHopUrl { text: String, slug: String },
    /// Any other URL, or a ChartHop one without a slug.
    #[error(
        "the org id '{text}' is a URL, not an org id: give the org's id (24 hex characters) or its \
         slug, the first part of the path in the web app's address (https://app.charthop.com/<slug>/...)"
    )]
    Url { text: String },
}

impl OrgIdProblem {
    /// The slug found in the address, when there is one.
    pub fn slug(&self) -> Option<&str> {
        match self {
            OrgIdProblem::ChartHopUrl { slug, .. } => Some(slug),
            OrgIdProblem::Url { .. } => None,
        }
    }
}

/// `Some` when `org` is an address rather than an org id or slug: a web-app URL
/// (`https://app.charthop.com/acme/home`, with or without the scheme) or an API URL
/// (`https://api.charthop.com/v2/org/acme/person`) gives its slug; other URLs give none.
/// Ids and slugs (letters, digits, `-`, `_`, `.`) give `None`. Pure: no IO.
pub fn org_id_problem(org: &str) -> Option<OrgIdProblem> {
    let text = org.trim();
    let parsed = if text.contains("://") {
        Url::parse(text).ok()
    } else if text.contains('/') {
        // `app.charthop.com/acme/home` pasted without its scheme.
        Url::parse(&format!("https://{text}"))
            .ok()
            .filter(|url| url.host_str().is_some_and(|h| h.contains('.')))
    } else {
        None
    };
    let Some(url) = parsed else {
        let host_alone = text.to_ascii_lowercase().ends_with("charthop.com");
        return (host_alone || text.contains("://")).then(|| OrgIdProblem::Url { text: text.to_owned() });
    };
    let charthop = url.host_str().is_some_and(is_charthop_host);
    match slug_in_path(&url).filter(|_| charthop) {
        Some(slug) => Some(OrgIdProblem::ChartHopUrl { text: text.to_owned(), slug }),
        None => Some(OrgIdProblem::Url { text: text.to_owned() }),
    }
}

/// Refuses a base URL that is not an origin (scheme, host, optional port): a path other than
/// `/`, a query or a fragment. A web-app address (host `app.charthop.com`, or a path shaped like
/// `/<slug>/<page>`) is [`Error::WebAppUrl`] with the slug it holds.
pub(crate) fn check_origin(url: &Url, shown: &str) -> Result<(), Error> {
    let web_app = url.host_str().is_some_and(|h| h.eq_ignore_ascii_case(WEB_APP_HOST));
    if web_app || looks_like_web_app_path(url) {
        return Err(Error::WebAppUrl { url: shown.to_owned(), slug: slug_in_path(url) });
    }
    let refuse = |what: &str| Error::InvalidBaseUrl {
        url: shown.to_owned(),
        reason: format!(
            "it has {what}; give the origin only (scheme, host and optional port), such as https://api.charthop.com"
        ),
    };
    if !matches!(url.path(), "" | "/") {
        return Err(refuse("a path"));
    }
    if url.query().is_some() {
        return Err(refuse("a query"));
    }
    if url.fragment().is_some() {
        return Err(refuse("a fragment"));
    }
    Ok(())
}

fn is_charthop_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    host == "charthop.com" || host.ends_with(".charthop.com")
}

/// `/<slug>/<page>...` whose first part is not an API path (`/v2/...`).
fn looks_like_web_app_path(url: &Url) -> bool {
    let mut segments = url.path_segments().into_iter().flatten().filter(|s| !s.is_empty());
    let first = segments.next();
    first.is_some_and(|s| is_slug(s) && !is_api_segment(s)) && segments.next().is_some()
}

/// The org's slug: `/v1|v2/org/<slug>/...` in an API path, else the first part of the path.
fn slug_in_path(url: &Url) -> Option<String> {
    let segments: Vec<&str> = url.path_segments()?.filter(|s| !s.is_empty()).collect();
    let slug = match segments.as_slice() {
        [version, "org", slug, ..] if is_api_segment(version) => *slug,
        [first, ..] if !is_api_segment(first) => *first,
        _ => return None,
    };
    is_slug(slug).then(|| slug.to_owned())
}

fn is_api_segment(segment: &str) -> bool {
    matches!(segment.to_ascii_lowercase().as_str(), "v1" | "v2" | "api")
}

fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 100
        && text.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(url: &str) -> Result<(), Error> {
        check_origin(&Url::parse(url).unwrap(), url)
    }

    #[test]
    fn origins_pass() {
        for url in ["https://api.charthop.com", "https://api.charthop.com/", "http://127.0.0.1:8080/"] {
            assert!(check(url).is_ok(), "{url}");
        }
    }

    #[test]
    fn web_app_addresses_are_refused_with_their_slug() {
        for (url, slug) in [
            ("https://app.charthop.com/acme-inc/home", Some("acme-inc")),
            ("https://APP.charthop.com/acme", Some("acme")),
            ("https://app.charthop.com/", None),
            ("https://proxy.example.com/acme/org/chart", Some("acme")),
            ("http://app.charthop.com/acme/home", Some("acme")),
        ] {
            match check(url) {
                Err(Error::WebAppUrl { slug: found, .. }) => assert_eq!(found.as_deref(), slug, "{url}"),
                other => panic!("{url}: expected WebAppUrl, got {other:?}"),
            }
        }
        let text = check("https://app.charthop.com/acme-inc/home").unwrap_err().to_string();
        assert!(text.contains("use https://api.charthop.com"), "{text}");
        assert!(text.contains("slug 'acme-inc'"), "{text}");
    }

    #[test]
    fn paths_queries_and_fragments_are_refused() {
        for (url, what) in [
            ("https://api.charthop.com/v2", "a path"),
            ("https://api.charthop.com/v2/org/acme", "a path"),
            ("https://proxy.example.com/charthop", "a path"),
            ("https://api.charthop.com/?x=1", "a query"),
            ("https://api.charthop.com/?", "a query"),
            ("https://api.charthop.com/#top", "a fragment"),
        ] {
            match check(url) {
                Err(Error::InvalidBaseUrl { reason, .. }) => {
                    assert!(reason.contains(what) && reason.contains("origin only"), "{url}: {reason}")
                }
                other => panic!("{url}: expected InvalidBaseUrl, got {other:?}"),
            }
        }
    }

    #[test]
    fn org_ids_and_slugs_are_fine() {
        for org in ["acme", "acme-inc", "5f1e0c0ffee0c0ffee0c0ffe", " acme_2 ", "acme.co"] {
            assert_eq!(org_id_problem(org), None, "{org}");
        }
    }

    #[test]
    fn org_ids_that_are_addresses_give_the_slug() {
        for (org, slug) in [
            ("https://app.charthop.com/acme-inc/home", Some("acme-inc")),
            ("app.charthop.com/acme/org/chart", Some("acme")),
            ("https://api.charthop.com/v2/org/acme/person?limit=1", Some("acme")),
            ("https://app.charthop.com/", None),
            ("https://example.com/acme/home", None),
            ("ftp://acme", None),
            ("app.charthop.com", None),
        ] {
            let problem = org_id_problem(org).unwrap_or_else(|| panic!("{org}: no problem found"));
            assert_eq!(problem.slug(), slug, "{org}");
            let text = problem.to_string();
            match slug {
                Some(slug) => assert!(text.contains(&format!("slug '{slug}'")), "{text}"),
                None => assert!(text.contains("is a URL"), "{text}"),
            }
            assert!(!text.contains("--") && !text.contains("BATON_"), "{text}");
        }
    }
}
