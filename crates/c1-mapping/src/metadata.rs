//! What the connector tells C1 about itself: metadata and capabilities.

use c1_proto::connector::v2::{
    Capability, CapabilityPermissions, ConnectorCapabilities, ConnectorMetadata, CredentialDetails,
    ResourceTypeCapability,
};

use crate::resource_types::resource_types;

pub const DISPLAY_NAME: &str = "ChartHop";
pub const DESCRIPTION: &str = "Syncs ChartHop people as accounts and ChartHop groups (departments, teams, \
                               locations and custom group types) with their memberships.";

pub fn connector_metadata() -> ConnectorMetadata {
    ConnectorMetadata {
        display_name: DISPLAY_NAME.to_owned(),
        description: DESCRIPTION.to_owned(),
        capabilities: Some(capabilities()),
        ..Default::default()
    }
}

/// SYNC for every resource type (sorted by id) and for the connector; read-only, so nothing
/// else. `permissions` and `credential_details` are present and empty, as the SDK writes them.
pub fn capabilities() -> ConnectorCapabilities {
    let mut types = resource_types();
    types.sort_by(|a, b| a.id.cmp(&b.id));
    let resource_type_capabilities = types
        .into_iter()
        .map(|resource_type| ResourceTypeCapability {
            resource_type: Some(resource_type),
            capabilities: vec![Capability::Sync as i32],
            permissions: Some(CapabilityPermissions::default()),
            ..Default::default()
        })
        .collect();
    ConnectorCapabilities {
        resource_type_capabilities,
        connector_capabilities: vec![Capability::Sync as i32],
        credential_details: Some(CredentialDetails::default()),
    }
}
