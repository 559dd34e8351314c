//! The typed `put_*` methods: protobuf message -> columns (`docs/c1-wire.md`, "c1z rows") + deterministic
//! encoding of `data`.

use c1_proto::any::type_url;
use c1_proto::connector::v2::{
    Entitlement, Grant, GroupTrait, Resource, ResourceId, ResourceType, UserTrait, resource_type,
};
use c1_proto::has_annotation;
use c1_proto::prost::Message;

use super::C1zWriter;
use super::rows::{EntitlementRow, GrantRow, ResourceRow, ResourceTypeRow};
use crate::error::{RowKind, WriteError};

impl C1zWriter {
    /// Writes a resource type. Its id must be unique in the sync.
    pub fn put_resource_type(&mut self, rt: &ResourceType) -> Result<(), WriteError> {
        if rt.id.is_empty() {
            return Err(missing(RowKind::ResourceType, &rt.display_name, "id"));
        }
        let data = encode(&mut self.scratch, rt);
        let row = ResourceTypeRow {
            external_id: &rt.id,
            data: &data,
            declares_user: rt.traits.contains(&(resource_type::Trait::User as i32)),
            declares_group: rt.traits.contains(&(resource_type::Trait::Group as i32)),
        };
        let result = self.put_resource_type_row(&row);
        self.scratch = data;
        result
    }

    /// Writes a resource; its type must be written too (before `finish()`), and a type that
    /// declares TRAIT_USER / TRAIT_GROUP requires the matching trait annotation. Resource,
    /// entitlement and grant ids must be unique in the sync: a repeated one makes `finish()` fail
    /// with [`WriteError::DuplicateId`] naming it (after [`C1zWriter::compare_with`], the `put_*`
    /// call itself refuses it).
    pub fn put_resource(&mut self, r: &Resource) -> Result<(), WriteError> {
        let id = full_id(r.id.as_ref()).ok_or_else(|| missing(RowKind::Resource, &r.display_name, "id"))?;
        let external_id = format!("{}:{}", id.resource_type, id.resource);
        let data = encode(&mut self.scratch, r);
        let row = ResourceRow {
            resource_type_id: &id.resource_type,
            external_id: &external_id,
            parent: r.parent_resource_id.as_ref().map(|p| (p.resource_type.as_str(), p.resource.as_str())),
            data: &data,
            has_user_trait: has_annotation::<UserTrait>(&r.annotations),
            has_group_trait: has_annotation::<GroupTrait>(&r.annotations),
        };
        let result = self.put_resource_row(&row);
        self.scratch = data;
        result
    }

    /// Writes an entitlement; its resource must be written too (before `finish()`).
    pub fn put_entitlement(&mut self, e: &Entitlement) -> Result<(), WriteError> {
        if e.id.is_empty() {
            return Err(missing(RowKind::Entitlement, &e.display_name, "id"));
        }
        let resource = full_id(e.resource.as_ref().and_then(|r| r.id.as_ref()))
            .ok_or_else(|| missing(RowKind::Entitlement, &e.id, "resource.id"))?;
        let data = encode(&mut self.scratch, e);
        let row = EntitlementRow {
            resource_type_id: &resource.resource_type,
            resource_id: &resource.resource,
            external_id: &e.id,
            data: &data,
        };
        let result = self.put_entitlement_row(&row);
        self.scratch = data;
        result
    }

    /// Writes a grant; its entitlement, the entitlement's resource and the principal must be
    /// written too (before `finish()`).
    pub fn put_grant(&mut self, g: &Grant) -> Result<(), WriteError> {
        if g.id.is_empty() {
            return Err(missing(RowKind::Grant, "", "id"));
        }
        let entitlement =
            g.entitlement.as_ref().ok_or_else(|| missing(RowKind::Grant, &g.id, "entitlement"))?;
        if entitlement.id.is_empty() {
            return Err(missing(RowKind::Grant, &g.id, "entitlement.id"));
        }
        let resource = full_id(entitlement.resource.as_ref().and_then(|r| r.id.as_ref()))
            .ok_or_else(|| missing(RowKind::Grant, &g.id, "entitlement.resource.id"))?;
        let principal = full_id(g.principal.as_ref().and_then(|p| p.id.as_ref()))
            .ok_or_else(|| missing(RowKind::Grant, &g.id, "principal.id"))?;
        let expansion = g
            .annotations
            .iter()
            .find(|a| a.type_url == type_url::GRANT_EXPANDABLE)
            .map(|a| a.value.as_slice());
        let data = encode(&mut self.scratch, g);
        let row = GrantRow {
            resource_type_id: &resource.resource_type,
            resource_id: &resource.resource,
            entitlement_id: &entitlement.id,
            principal_resource_type_id: &principal.resource_type,
            principal_resource_id: &principal.resource,
            external_id: &g.id,
            expansion,
            data: &data,
        };
        let result = self.put_grant_row(&row);
        self.scratch = data;
        result
    }
}

/// Encodes into the reused buffer (prost writes fields in number order and `Struct` maps are
/// BTreeMaps, so the bytes are deterministic).
fn encode(scratch: &mut Vec<u8>, message: &impl Message) -> Vec<u8> {
    let mut buf = std::mem::take(scratch);
    buf.clear();
    buf.reserve(message.encoded_len());
    message.encode_raw(&mut buf);
    buf
}

fn full_id(id: Option<&ResourceId>) -> Option<&ResourceId> {
    id.filter(|id| !id.resource_type.is_empty() && !id.resource.is_empty())
}

fn missing(kind: RowKind, id: &str, field: &'static str) -> WriteError {
    WriteError::MissingField { kind, id: id.to_owned(), field }
}
