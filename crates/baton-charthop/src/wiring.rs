//! Settings -> ChartHop client and sync options: shared by one-shot and service mode.

use std::time::Duration;

use anyhow::{Context, Result};
use c1_mapping::MappingOptions;
use charthop_client::{ChartHopClient, ClientConfig, Url};
use charthop_connector::SyncOptions;

use crate::settings::Settings;

pub fn charthop_client(settings: &Settings) -> Result<ChartHopClient> {
    let (token, org) = settings.charthop_credentials()?;
    let base_url = Url::parse(&settings.charthop_url).with_context(|| {
        format!("invalid --charthop-url / BATON_CHARTHOP_URL '{}'", settings.charthop_url)
    })?;
    let mut config = ClientConfig::new(token.expose(), org).with_base_url(base_url);
    config.page_size = settings.page_size;
    config.user_agent = format!("baton-charthop/{}", env!("CARGO_PKG_VERSION"));
    config.request_timeout = Duration::from_secs(120);
    Ok(ChartHopClient::new(config)?)
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
        ..SyncOptions::new(mapping)
    }
}
