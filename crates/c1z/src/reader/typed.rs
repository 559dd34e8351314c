//! Typed row iteration for one sync.

use c1_proto::connector::v2::{Entitlement, Grant, Resource, ResourceType};

use super::{C1zReader, DataTable, Rows};
use crate::error::ReadError;

impl C1zReader {
    /// The resource types of `sync_id`, in write order.
    pub fn resource_types(&self, sync_id: &str) -> Result<Rows<'_, ResourceType>, ReadError> {
        self.rows(DataTable::ResourceTypes, sync_id)
    }

    /// The resources of `sync_id`, in write order, streamed.
    pub fn resources(&self, sync_id: &str) -> Result<Rows<'_, Resource>, ReadError> {
        self.rows(DataTable::Resources, sync_id)
    }

    /// The entitlements of `sync_id`, in write order, streamed.
    pub fn entitlements(&self, sync_id: &str) -> Result<Rows<'_, Entitlement>, ReadError> {
        self.rows(DataTable::Entitlements, sync_id)
    }

    /// The grants of `sync_id`, in write order, streamed (one page in memory at a time).
    pub fn grants(&self, sync_id: &str) -> Result<Rows<'_, Grant>, ReadError> {
        self.rows(DataTable::Grants, sync_id)
    }
}
