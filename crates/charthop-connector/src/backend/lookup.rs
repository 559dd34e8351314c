//! GetResource: one resource by id, the row a sync would write for it.

use c1_connector_server::BackendError;
use c1_proto::connector::v2::{Resource, ResourceId};
use charthop_client::PersonQuery;

use super::{ChartHopBackend, backend_error};
use crate::MembershipSource;
use crate::memberships::complete_page;
use crate::sync::{Counters, keep_new_persons, map_person_page};

impl ChartHopBackend {
    /// The group or person `id` names, as the one-shot sync writes it. A type the sync does
    /// not write is `UnknownResourceType`; an id it would not write, `NotFound`.
    pub(super) async fn lookup(&self, id: &ResourceId) -> Result<Resource, BackendError> {
        let options = &self.options;
        match id.resource_type.as_str() {
            c1_mapping::ids::GROUP if options.writes_groups() => self.group(&id.resource).await,
            c1_mapping::ids::PERSON if options.writes_persons() => self.person(&id.resource).await,
            other => Err(BackendError::UnknownResourceType(other.to_owned())),
        }
    }

    /// From the groups held for the sync (listed once when none are held).
    async fn group(&self, group_id: &str) -> Result<Resource, BackendError> {
        let groups = self.groups().await?;
        let named = |resource: &&Resource| resource.id.as_ref().is_some_and(|id| id.resource == group_id);
        groups.resources.iter().find(named).cloned().ok_or_else(|| {
            BackendError::NotFound(format!("{}:{group_id} (no such group in scope)", c1_mapping::ids::GROUP))
        })
    }

    /// One request for the person (with `groupIds` when grants are synced, whatever the
    /// membership source: the profile names the groups), mapped on today's date as a person
    /// page is; the groups come from those held.
    async fn person(&self, person_id: &str) -> Result<Resource, BackendError> {
        let not_synced =
            |why: &str| BackendError::NotFound(format!("{}:{person_id} ({why})", c1_mapping::ids::PERSON));
        let options = self.options_now();
        let groups = self.groups().await?;
        let query = PersonQuery { with_group_ids: options.writes_grants(), ..options.person_query() };
        let record = match self.client.person_record(person_id, &query).await {
            Ok(record) => record,
            Err(charthop_client::Error::PersonNotFound { .. }) => {
                return Err(not_synced("ChartHop has no such person"));
            }
            Err(error) => return Err(backend_error(error.into())),
        };
        if record.person.id != person_id {
            return Err(BackendError::Internal(
                format!("ChartHop answered another person for {person_id}").into(),
            ));
        }
        let mut persons = vec![record];
        keep_new_persons(&mut persons, |_| true, &options, &mut Counters::default());
        if persons.is_empty() {
            return Err(not_synced("departed, and departed persons are not synced"));
        }
        if options.writes_grants() {
            // An answer without `groupIds` is asked once more as a per-person request would
            // be; unreadable memberships fail as they fail a sync.
            complete_page(&self.client, &mut persons, MembershipSource::Auto, 1, 1)
                .await
                .map_err(backend_error)?;
        }
        let batch = map_person_page(&persons, &groups.profiles, &groups.grants, &options);
        batch.resources.into_iter().next().ok_or_else(|| not_synced("the mapping refuses its id"))
    }
}
