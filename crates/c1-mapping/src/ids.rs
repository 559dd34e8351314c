//! Every C1 id this connector emits is built here and nowhere else (`docs/c1-wire.md`, "IDs").
//! They are stable external contracts: C1 keys grants and entitlements on them across syncs.

/// Resource type id of ChartHop persons.
pub const PERSON: &str = "person";
/// Resource type id of ChartHop groups (departments, teams, locations, custom types).
pub const GROUP: &str = "group";
/// Slug of the one entitlement every group has.
pub const MEMBER: &str = "member";

/// `<resource_type>:<resource_id>:<slug>`, e.g. `group:5f1c:member`.
pub fn entitlement_id(resource_type: &str, resource_id: &str, slug: &str) -> String {
    format!("{resource_type}:{resource_id}:{slug}")
}

/// `<entitlement id>:<principal type>:<principal id>`, e.g. `group:5f1c:member:person:60aa`.
pub fn grant_id(entitlement_id: &str, principal_type: &str, principal_id: &str) -> String {
    format!("{entitlement_id}:{principal_type}:{principal_id}")
}

/// The id of a group's `member` entitlement.
pub fn member_entitlement_id(group_id: &str) -> String {
    entitlement_id(GROUP, group_id, MEMBER)
}

/// The id of the grant saying that a person is a member of a group.
pub fn membership_grant_id(group_id: &str, person_id: &str) -> String {
    grant_id(&member_entitlement_id(group_id), PERSON, person_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_match_the_documented_ones() {
        assert_eq!(entitlement_id("group", "5f1c", "member"), "group:5f1c:member");
        assert_eq!(grant_id("group:5f1c:member", "person", "60aa"), "group:5f1c:member:person:60aa");
        assert_eq!(member_entitlement_id("g1"), "group:g1:member");
        assert_eq!(membership_grant_id("g1", "p1"), "group:g1:member:person:p1");
    }
}
