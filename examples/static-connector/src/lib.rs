//! An example connector: three users and two groups held in code, synced into a `.c1z` and
//! served to C1 in service mode. It shows what another team needs to build a connector on this
//! workspace's C1 crates alone (`c1-proto`, `c1z`, `c1-service`): resource types with traits,
//! resources with trait annotations, a `member` entitlement per group and one grant per
//! membership, written with the ids of the C1 conventions (`docs/c1-wire.md#ids`).

#![forbid(unsafe_code)]

use std::path::Path;

use c1_proto::any::pack_any;
use c1_proto::connector::v2::{
    Capability, ConnectorCapabilities, ConnectorMetadata, Entitlement, Grant, GroupTrait, Resource,
    ResourceId, ResourceType, ResourceTypeCapability, UserTrait, entitlement, resource_type, user_trait,
};
use c1_proto::tonic::Code;
use c1_service::{CancellationToken, SyncRequest, TaskError, TaskHandler};
use c1z::{C1zWriter, WriteSummary, WriterOptions};

/// The users (id, display name, email) and groups (id, display name, member user ids).
pub const USERS: &[(&str, &str, &str)] = &[
    ("ada", "Ada Lovelace", "ada@example.com"),
    ("alan", "Alan Turing", "alan@example.com"),
    ("grace", "Grace Hopper", "grace@example.com"),
];
pub const GROUPS: &[(&str, &str, &[&str])] =
    &[("eng", "Engineering", &["ada", "alan"]), ("ops", "Operations", &["grace"])];

/// The connector: no state, everything comes from the constants above.
#[derive(Debug, Default)]
pub struct StaticConnector;

impl StaticConnector {
    /// Writes the whole static org into a `.c1z` at `target`.
    pub fn write(&self, target: &Path) -> Result<WriteSummary, c1z::WriteError> {
        let mut writer = C1zWriter::create(target, WriterOptions::default())?;
        for resource_type in resource_types() {
            writer.put_resource_type(&resource_type)?;
        }
        for (id, name, email) in USERS {
            writer.put_resource(&user(id, name, email))?;
        }
        for (id, name, members) in GROUPS {
            let group = group(id, name);
            let member = member_entitlement(&group);
            writer.put_resource(&group)?;
            writer.put_entitlement(&member)?;
            for user_id in *members {
                writer.put_grant(&grant(&member, user_id))?;
            }
        }
        writer.finish()
    }
}

impl TaskHandler for StaticConnector {
    fn metadata(&self) -> ConnectorMetadata {
        let resource_type_capabilities = resource_types()
            .into_iter()
            .map(|resource_type| ResourceTypeCapability {
                resource_type: Some(resource_type),
                capabilities: vec![Capability::Sync as i32],
                ..ResourceTypeCapability::default()
            })
            .collect();
        ConnectorMetadata {
            display_name: "Static example".to_owned(),
            description: "A few hard-coded users and groups".to_owned(),
            capabilities: Some(ConnectorCapabilities {
                resource_type_capabilities,
                connector_capabilities: vec![Capability::Sync as i32],
                ..ConnectorCapabilities::default()
            }),
            ..ConnectorMetadata::default()
        }
    }

    async fn sync_full(&self, _: SyncRequest, output: &Path, _: CancellationToken) -> Result<(), TaskError> {
        let output = output.to_owned();
        // The writer is blocking: keep it off the async threads.
        let written = tokio::task::spawn_blocking(move || StaticConnector.write(&output))
            .await
            .map_err(|error| TaskError::retryable(Code::Internal, error.to_string()))?;
        written.map(|_| ()).map_err(|error| TaskError::retryable(Code::Internal, error.to_string()))
    }
}

pub fn resource_types() -> Vec<ResourceType> {
    let kind = |id: &str, name: &str, traits: resource_type::Trait| ResourceType {
        id: id.to_owned(),
        display_name: name.to_owned(),
        traits: vec![traits as i32],
        ..ResourceType::default()
    };
    vec![
        kind("group", "Group", resource_type::Trait::Group),
        kind("user", "User", resource_type::Trait::User),
    ]
}

fn resource_id(resource_type: &str, resource: &str) -> ResourceId {
    ResourceId {
        resource_type: resource_type.to_owned(),
        resource: resource.to_owned(),
        ..ResourceId::default()
    }
}

fn user(id: &str, name: &str, email: &str) -> Resource {
    let trait_ = UserTrait {
        emails: vec![user_trait::Email { address: email.to_owned(), is_primary: true }],
        status: Some(user_trait::Status {
            status: user_trait::status::Status::Enabled as i32,
            details: String::new(),
        }),
        account_type: user_trait::AccountType::Human as i32,
        login: email.to_owned(),
        ..UserTrait::default()
    };
    Resource {
        id: Some(resource_id("user", id)),
        display_name: name.to_owned(),
        annotations: vec![pack_any(&trait_)],
        ..Resource::default()
    }
}

fn group(id: &str, name: &str) -> Resource {
    Resource {
        id: Some(resource_id("group", id)),
        display_name: name.to_owned(),
        annotations: vec![pack_any(&GroupTrait::default())],
        ..Resource::default()
    }
}

/// `group:<id>:member`, purpose ASSIGNMENT, grantable to users.
fn member_entitlement(group: &Resource) -> Entitlement {
    let id = group.id.as_ref().expect("groups are built with an id");
    Entitlement {
        id: format!("{}:{}:member", id.resource_type, id.resource),
        resource: Some(group.clone()),
        display_name: format!("{} member", group.display_name),
        slug: "member".to_owned(),
        purpose: entitlement::PurposeValue::Assignment as i32,
        grantable_to: resource_types().into_iter().filter(|t| t.id == "user").collect(),
        ..Entitlement::default()
    }
}

/// `<entitlement id>:user:<user id>`.
fn grant(entitlement: &Entitlement, user_id: &str) -> Grant {
    let principal = Resource { id: Some(resource_id("user", user_id)), ..Resource::default() };
    Grant {
        id: format!("{}:user:{user_id}", entitlement.id),
        entitlement: Some(entitlement.clone()),
        principal: Some(principal),
        ..Grant::default()
    }
}
