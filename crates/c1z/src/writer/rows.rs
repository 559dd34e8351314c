//! Rows as they go into SQLite, already split into columns. The typed `put_*` methods build
//! them from protobuf messages; keeping them separate keeps SQL away from message layouts.

/// A `v1_resource_types` row plus the traits the type declares.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ResourceTypeRow<'a> {
    pub external_id: &'a str,
    pub data: &'a [u8],
    pub declares_user: bool,
    pub declares_group: bool,
}

/// A `v1_resources` row plus which trait annotations the resource carries.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ResourceRow<'a> {
    pub resource_type_id: &'a str,
    pub external_id: &'a str,
    pub parent: Option<(&'a str, &'a str)>,
    pub data: &'a [u8],
    pub has_user_trait: bool,
    pub has_group_trait: bool,
}

/// A `v1_entitlements` row.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EntitlementRow<'a> {
    pub resource_type_id: &'a str,
    pub resource_id: &'a str,
    pub external_id: &'a str,
    pub data: &'a [u8],
}

/// A `v1_grants` row.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GrantRow<'a> {
    pub resource_type_id: &'a str,
    pub resource_id: &'a str,
    pub entitlement_id: &'a str,
    pub principal_resource_type_id: &'a str,
    pub principal_resource_id: &'a str,
    pub external_id: &'a str,
    /// The serialized `GrantExpandable`, when the grant carries one.
    pub expansion: Option<&'a [u8]>,
    pub data: &'a [u8],
}
