//! Settings -> ChartHop client and sync options: shared by one-shot and service mode.

use std::time::Duration;

use anyhow::{Context, Result};
use c1_mapping::MappingOptions;
use charthop_client::{ChartHopClient, ClientConfig, Url};
use charthop_connector::SyncOptions;

use crate::settings::Settings;

/// A ChartHop URL with `user:password@`: refused here so the password is never printed.
#[derive(Debug, thiserror::Error)]
#[error("the ChartHop URL carries a user name or password; the API token is the only credential")]
pub struct UrlWithUserInfo;

pub fn charthop_client(settings: &Settings) -> Result<ChartHopClient> {
    let (token, org) = settings.charthop_credentials()?;
    let base_url = charthop_url(&settings.charthop_url)?;
    let mut config = ClientConfig::new(token.expose(), org).with_base_url(base_url);
    config.page_size = settings.page_size;
    config.user_agent = format!("baton-charthop/{}", env!("CARGO_PKG_VERSION"));
    // One attempt may take up to 120 s (a slow large page), never beyond the request's deadline.
    config.request_timeout = settings.http_timeout.min(Duration::from_secs(120));
    config.request_deadline = settings.http_timeout;
    config.snapshot_wait = settings.snapshot_wait;
    config.max_body_bytes = settings.max_page_bytes;
    Ok(ChartHopClient::new(config)?)
}

fn charthop_url(text: &str) -> Result<Url> {
    let url = Url::parse(text).with_context(|| {
        format!("invalid --charthop-url / BATON_CHARTHOP_URL '{}'", without_user_info(text))
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UrlWithUserInfo.into());
    }
    Ok(url)
}

/// The text with anything between `scheme://` and an `@` of the authority left out.
fn without_user_info(text: &str) -> String {
    let Some((scheme, rest)) = text.split_once("://") else { return text.to_owned() };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://…@{}", &rest[at + 1..]),
        None => text.to_owned(),
    }
}

/// Sync options for a sync that starts now (employment is judged on today's UTC date).
pub fn sync_options(settings: &Settings) -> SyncOptions {
    let mapping = MappingOptions {
        today: chrono::Utc::now().date_naive(),
        include_personal_email: settings.include_personal_email,
    };
    SyncOptions {
        include_departed: settings.include_departed,
        membership_source: settings.membership_source,
        max_removed_ratio: settings.max_removed_ratio,
        extra_fields: settings.extra_fields.clone(),
        group_types: settings.group_types.clone(),
        keep_previous: settings.keep_previous,
        ..SyncOptions::new(mapping)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_with_user_info_is_refused_without_its_password() {
        let err = charthop_url("https://me:hunter2@api.charthop.com").unwrap_err();
        assert!(err.downcast_ref::<UrlWithUserInfo>().is_some(), "{err:#}");
        assert!(!format!("{err:#} {err:?}").contains("hunter2"));
        let err = charthop_url("https://me:hunter2@bad host/").unwrap_err();
        let shown = format!("{err:#}");
        assert!(!shown.contains("hunter2") && shown.contains("bad host"), "{shown}");
        assert!(charthop_url("http://127.0.0.1:8080/").is_ok());
    }
}
