//! `sync_stages [PAGE_SIZE]`, with the org in `BATON_CHARTHOP_URL`, `BATON_ORG_ID` and
//! `BATON_API_TOKEN`: lists the org twice and prints how long (a) fetching and decoding every
//! page and (b) mapping them took, one `name=value` a line (read by `cargo xtask bench`).

use std::process::ExitCode;

use c1_mapping::MappingOptions;
use charthop_client::{ChartHopClient, ClientConfig, Url};
use charthop_connector::SyncOptions;

#[tokio::main]
async fn main() -> ExitCode {
    let var = |name| std::env::var(name).ok().filter(|v| !v.is_empty());
    let (Some(base_url), Some(org), Some(token)) =
        (var("BATON_CHARTHOP_URL"), var("BATON_ORG_ID"), var("BATON_API_TOKEN"))
    else {
        eprintln!(
            "usage: BATON_CHARTHOP_URL=... BATON_ORG_ID=... BATON_API_TOKEN=... sync_stages [PAGE_SIZE]"
        );
        return ExitCode::from(2);
    };
    let Ok(base_url) = Url::parse(&base_url) else {
        eprintln!("sync_stages: '{base_url}' is not a URL");
        return ExitCode::from(2);
    };
    let mut config = ClientConfig::new(token, org).with_base_url(base_url);
    if let Some(size) = std::env::args().nth(1).and_then(|s| s.parse().ok()) {
        config.page_size = size;
    }
    let client = match ChartHopClient::new(config) {
        Ok(client) => client,
        Err(e) => {
            eprintln!("sync_stages: {}", error_reporter::Report::new(&e));
            return ExitCode::FAILURE;
        }
    };
    let today = chrono::Utc::now().date_naive();
    let options = SyncOptions::new(MappingOptions { today, include_personal_email: false });
    match charthop_connector::stages::fetch_then_map(&client, &options).await {
        Ok(t) => {
            println!("persons={}", t.persons);
            println!("rows={}", t.rows);
            println!("fetch_and_decode_s={:.3}", t.fetch_and_decode.as_secs_f64());
            println!("map_s={:.3}", t.map.as_secs_f64());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("sync_stages: {}", error_reporter::Report::new(&e));
            ExitCode::FAILURE
        }
    }
}
