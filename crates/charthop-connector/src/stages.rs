//! An entry point for the benchmark: the sync's stages before the writer, each alone on the
//! same org. (a) list every group and person page and decode it; (b) list them again and time
//! only the mapping of each page to protobuf (groups, entitlements, persons, grants).

use std::time::{Duration, Instant};

use c1_mapping::{GroupDirectory, group_resource, member_entitlement};
use charthop_client::ChartHopClient;
use futures::StreamExt;

use crate::SyncOptions;
use crate::sync::{list_groups, map_person_page, valid_groups};
use crate::{MappingCounts, SyncError};

/// How long each stage took alone.
#[derive(Debug, Clone, Copy, Default)]
pub struct StageTimes {
    /// Persons listed (each pass lists them all).
    pub persons: u64,
    /// Rows the mapping built: resources, entitlements and grants.
    pub rows: u64,
    /// (a) Listing and decoding every group and person page, one page after the other.
    pub fetch_and_decode: Duration,
    /// (b) Mapping them to protobuf, the listing not counted.
    pub map: Duration,
}

/// Runs stage (a), then stage (b), against the org `client` reads. Memberships come from the
/// person list (`groupIds`), as `list` mode reads them; per-person requests are not made.
pub async fn fetch_then_map(client: &ChartHopClient, options: &SyncOptions) -> Result<StageTimes, SyncError> {
    let mut times = StageTimes::default();
    let query = options.person_query();

    let started = Instant::now();
    list_groups(client).await?;
    let mut pages = client.person_record_pages(&query);
    while let Some(page) = pages.next().await {
        times.persons += page?.items.len() as u64;
    }
    times.fetch_and_decode = started.elapsed();

    let (_, groups) = list_groups(client).await?;
    let started = Instant::now();
    let groups = valid_groups(groups, &mut MappingCounts::default());
    let directory = GroupDirectory::new(&groups);
    for group in &groups {
        let resource = group_resource(group, &directory).map(|r| r.value);
        let entitlement = member_entitlement(group, &directory).map(|e| e.value);
        times.rows += u64::from(resource.is_ok()) + u64::from(entitlement.is_ok());
    }
    times.map = started.elapsed();
    let mut pages = client.person_record_pages(&query);
    while let Some(page) = pages.next().await {
        let page = page?;
        let started = Instant::now();
        let batch = map_person_page(&page.items, &directory, &directory, options);
        times.rows += (batch.resources.len() + batch.grants.len()) as u64;
        drop(batch);
        times.map += started.elapsed();
    }
    Ok(times)
}
