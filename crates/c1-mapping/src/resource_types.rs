//! The two resource types this connector syncs.

use c1_proto::connector::v2::{ResourceType, SkipEntitlementsAndGrants, resource_type::Trait};
use c1_proto::pack_any;

use crate::ids;

/// ChartHop persons: accounts. They have no entitlements of their own, so C1 is told to
/// skip asking for them.
pub fn person_resource_type() -> ResourceType {
    ResourceType {
        id: ids::PERSON.to_owned(),
        display_name: "Person".to_owned(),
        traits: vec![Trait::User as i32],
        annotations: vec![pack_any(&SkipEntitlementsAndGrants {})],
        description: "A person in ChartHop: an employee, a departed employee or a pre-hire".to_owned(),
        ..Default::default()
    }
}

/// ChartHop groups: departments, teams, locations and groups of custom types.
pub fn group_resource_type() -> ResourceType {
    ResourceType {
        id: ids::GROUP.to_owned(),
        display_name: "Group".to_owned(),
        traits: vec![Trait::Group as i32],
        description: "A ChartHop group: a department, team, location or a group of a custom type".to_owned(),
        ..Default::default()
    }
}

/// Every resource type, sorted by id.
pub fn resource_types() -> Vec<ResourceType> {
    vec![group_resource_type(), person_resource_type()]
}
