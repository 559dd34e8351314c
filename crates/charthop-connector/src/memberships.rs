//! Filling in memberships that the person list did not carry.

use charthop_client::{ChartHopClient, PersonRecord};
use futures::{StreamExt, TryStreamExt, stream};

use crate::{MembershipSource, SyncError};

/// Makes sure every person of a page has `group_ids`, per the membership source. Returns the
/// number of per-person requests made. A per-person answer without `groupIds`, or with
/// something else than an array, fails the sync (the client's `MembershipUnreadable`, naming
/// the person): ChartHop leaves out what the token may not read, and taking that for "no
/// group" would make C1 revoke every membership.
pub(crate) async fn complete_page(
    client: &ChartHopClient,
    persons: &mut [PersonRecord],
    source: MembershipSource,
    concurrency: usize,
    page: usize,
) -> Result<u64, SyncError> {
    let missing: Vec<usize> = match source {
        MembershipSource::PerPerson => (0..persons.len()).collect(),
        MembershipSource::Auto => {
            (0..persons.len()).filter(|&i| persons[i].person.group_ids.is_none()).collect()
        }
        MembershipSource::List => {
            if persons.iter().any(|p| p.person.group_ids.is_none()) {
                return Err(SyncError::ListWithoutGroupIds { page });
            }
            return Ok(0);
        }
    };
    if missing.is_empty() {
        return Ok(0);
    }
    if source == MembershipSource::Auto {
        tracing::debug!(page, persons = missing.len(), "rows without groupIds: asking per person");
    }
    let fetched: Vec<(usize, Vec<String>)> = stream::iter(missing)
        .map(|index| {
            let id = persons[index].person.id.clone();
            async move {
                match client.person_group_ids(&id).await {
                    Ok(ids) => Ok((index, ids)),
                    // Deleted between the list and this request: no memberships to grant.
                    Err(charthop_client::Error::PersonNotFound { .. }) => {
                        tracing::warn!(person = %id, "person disappeared during the sync; no memberships for it");
                        Ok((index, Vec::new()))
                    }
                    Err(error) => Err(error),
                }
            }
        })
        .buffer_unordered(concurrency.max(1))
        .try_collect()
        .await?;
    let requests = fetched.len() as u64;
    for (index, ids) in fetched {
        persons[index].person.group_ids = Some(ids);
    }
    Ok(requests)
}
