//! GetResource: one resource by id, the row a sync would write for it.

use c1_connector_server::BackendError;
use c1_proto::connector::v2::{Resource, ResourceId};

use super::ChartHopBackend;

impl ChartHopBackend {
    /// The group `id` names, as the one-shot sync writes it. A type the sync does not write is
    /// `UnknownResourceType`; an id it would not write, and any person for now, `NotFound`.
    pub(super) async fn lookup(&self, id: &ResourceId) -> Result<Resource, BackendError> {
        let options = &self.options;
        match id.resource_type.as_str() {
            c1_mapping::ids::GROUP if options.writes_groups() => self.group(&id.resource).await,
            // A person needs a request that brings its whole row (manager and extra fields
            // included), which the client does not make yet.
            c1_mapping::ids::PERSON if options.writes_persons() => Err(BackendError::NotFound(format!(
                "{}:{} (persons are not looked up one by one yet)",
                c1_mapping::ids::PERSON,
                id.resource
            ))),
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
}
