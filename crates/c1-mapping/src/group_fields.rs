//! The pure parts of group mapping: profile and entitlement texts, as plain Rust values.

use charthop_domain::Group;

use crate::directory::{GroupDirectory, group_display_name};
use crate::person_fields::Profile;
use crate::text::{non_blank, type_words};

/// Profile keys of a group. A key is left out when it has no value, never written empty.
pub mod profile_keys {
    /// The resolved type name (`DEPARTMENT`, `TEAM`, `LOCATION`, a custom name).
    pub const TYPE: &str = "type";
    /// The raw ChartHop `type` field: a group-type id, or a legacy type name.
    pub const TYPE_ID: &str = "type_id";
    pub const CODE: &str = "code";
    pub const SLUG: &str = "slug";
    pub const PARENT_GROUP_ID: &str = "parent_group_id";
    /// Present only when the parent is one of the synced groups.
    pub const PARENT_GROUP_NAME: &str = "parent_group_name";
}

pub fn group_profile(group: &Group, groups: &GroupDirectory) -> Profile {
    use profile_keys::*;
    let mut profile = Profile::new();
    let mut put = |key: &str, value: Option<&str>| {
        if let Some(value) = non_blank(value) {
            profile.insert(key.to_owned(), value.to_owned());
        }
    };
    let parent_id = non_blank(group.parent_group_id.as_deref());
    put(TYPE, group.type_name.as_deref());
    put(TYPE_ID, group.type_id.as_deref());
    put(CODE, group.code.as_deref());
    put(SLUG, group.slug.as_deref());
    put(PARENT_GROUP_ID, parent_id);
    put(PARENT_GROUP_NAME, parent_id.and_then(|id| groups.get(id)).map(|p| p.name.as_str()));
    profile
}

/// `<group name> Member`.
pub fn member_display_name(group: &Group) -> String {
    format!("{} Member", group_display_name(group))
}

/// e.g. `Member of the Engineering department in ChartHop`; `group` when the type is unknown.
pub fn member_description(group: &Group) -> String {
    let kind = non_blank(group.type_name.as_deref()).map_or_else(|| "group".to_owned(), type_words);
    format!("Member of the {} {kind} in ChartHop", group_display_name(group))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_names_a_known_parent_only() {
        let parent = Group { id: "g0".into(), name: "Engineering".into(), ..Default::default() };
        let child = Group {
            id: "g1".into(),
            name: "Platform".into(),
            type_id: Some("TEAM".into()),
            type_name: Some("TEAM".into()),
            parent_group_id: Some("g0".into()),
            ..Default::default()
        };
        let directory = GroupDirectory::new([&parent, &child]);
        let profile = group_profile(&child, &directory);
        assert_eq!(profile.get("parent_group_name").map(String::as_str), Some("Engineering"));
        assert_eq!(profile.get("type").map(String::as_str), Some("TEAM"));
        assert!(!profile.contains_key("code"));

        let orphan = group_profile(&child, &GroupDirectory::default());
        assert_eq!(orphan.get("parent_group_id").map(String::as_str), Some("g0"));
        assert!(!orphan.contains_key("parent_group_name"));
    }

    #[test]
    fn member_texts_name_group_and_type() {
        let group = Group {
            id: "g".into(),
            name: "Cost A".into(),
            type_name: Some("COST_CENTER".into()),
            ..Default::default()
        };
        assert_eq!(member_display_name(&group), "Cost A Member");
        assert_eq!(member_description(&group), "Member of the Cost A cost center in ChartHop");
        let untyped = Group { id: "g".into(), name: "Misc".into(), ..Default::default() };
        assert_eq!(member_description(&untyped), "Member of the Misc group in ChartHop");
    }
}
