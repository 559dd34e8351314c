//! The index of synced groups that person and grant mapping consult.

use std::collections::HashMap;

use charthop_domain::Group;

use crate::limits::{DISPLAY_NAME_MAX, fit};
use crate::text::non_blank;

/// What person and grant mapping need to know about one synced group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupEntry {
    /// The group's display name (name, else slug, else id), cut to the display-name limit as
    /// the group's resource is: person and group profiles quote it.
    pub name: String,
    /// The resolved type name (`DEPARTMENT`, `TEAM`, a custom name), when known.
    pub type_name: Option<String>,
    pub parent_group_id: Option<String>,
}

/// The groups of this sync, by id. A membership naming a group that is not here maps to
/// nothing: writing it would leave a grant pointing at a missing entitlement.
#[derive(Debug, Clone, Default)]
pub struct GroupDirectory {
    groups: HashMap<String, GroupEntry>,
}

impl GroupDirectory {
    pub fn new<'a>(groups: impl IntoIterator<Item = &'a Group>) -> Self {
        let mut directory = Self::default();
        for group in groups {
            directory.insert(group);
        }
        directory
    }

    /// Adds (or replaces) one group.
    pub fn insert(&mut self, group: &Group) {
        let entry = GroupEntry {
            name: fit(&group_display_name(group), DISPLAY_NAME_MAX).0,
            type_name: non_blank(group.type_name.as_deref()).map(str::to_owned),
            parent_group_id: non_blank(group.parent_group_id.as_deref()).map(str::to_owned),
        };
        self.groups.insert(group.id.clone(), entry);
    }

    pub fn get(&self, group_id: &str) -> Option<&GroupEntry> {
        self.groups.get(group_id)
    }

    pub fn contains(&self, group_id: &str) -> bool {
        self.groups.contains_key(group_id)
    }

    pub fn len(&self) -> usize {
        self.groups.len()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

/// Name, else slug, else id.
pub fn group_display_name(group: &Group) -> String {
    non_blank(Some(&group.name)).or_else(|| non_blank(group.slug.as_deref())).unwrap_or(&group.id).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_name_falls_back_to_slug_then_id() {
        let mut group =
            Group { id: "g1".into(), name: "Sales".into(), slug: Some("sales".into()), ..Default::default() };
        assert_eq!(group_display_name(&group), "Sales");
        group.name = " ".into();
        assert_eq!(group_display_name(&group), "sales");
        group.slug = None;
        assert_eq!(group_display_name(&group), "g1");
    }

    #[test]
    fn names_are_cut_like_display_names() {
        let group = Group { id: "g1".into(), name: "n".repeat(5000), ..Default::default() };
        let directory = GroupDirectory::new([&group]);
        assert!(directory.get("g1").unwrap().name.len() <= DISPLAY_NAME_MAX);
    }

    #[test]
    fn indexes_by_id() {
        let groups = [
            Group {
                id: "g1".into(),
                name: "Sales".into(),
                type_name: Some("DEPARTMENT".into()),
                ..Default::default()
            },
            Group {
                id: "g2".into(),
                name: "EMEA".into(),
                parent_group_id: Some("g1".into()),
                ..Default::default()
            },
        ];
        let directory = GroupDirectory::new(&groups);
        assert_eq!(directory.len(), 2);
        assert!(directory.contains("g2"));
        assert!(!directory.contains("g3"));
        assert_eq!(directory.get("g1").and_then(|g| g.type_name.as_deref()), Some("DEPARTMENT"));
        assert_eq!(directory.get("g2").and_then(|g| g.parent_group_id.as_deref()), Some("g1"));
    }
}
