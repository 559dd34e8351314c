use std::collections::HashMap;

/// Group types ChartHop has always had. Older data puts these names directly in a group's
/// `type` field instead of a group-type id.
pub fn well_known_group_types() -> &'static [&'static str] {
    &["DEPARTMENT", "TEAM", "LOCATION", "BAND", "JOBCODE"]
}

/// A kind of group (department, team, location, or one the org defined).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupType {
    pub id: String,
    /// e.g. `DEPARTMENT`, `TEAM`, `LOCATION`, or a custom name.
    pub name: String,
    /// The person field that holds this membership (e.g. `department`), when given.
    pub field_name: Option<String>,
    /// `SINGLE` or `MULTIPLE`, when given.
    pub membership_type: Option<String>,
}

/// A ChartHop group: a department, team, location or a group of a custom type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Group {
    pub id: String,
    pub name: String,
    pub slug: Option<String>,
    pub code: Option<String>,
    /// The raw `type` field: a group-type id, or a legacy name such as `DEPARTMENT`.
    pub type_id: Option<String>,
    /// The type's name, resolved through the group types (see [`GroupTypeIndex`]).
    pub type_name: Option<String>,
    pub parent_group_id: Option<String>,
    pub description: Option<String>,
}

/// One person's membership in one group.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Membership {
    pub group_id: String,
    pub person_id: String,
}

/// Resolves a group's `type` field to a type name.
#[derive(Debug, Clone, Default)]
pub struct GroupTypeIndex {
    names_by_id: HashMap<String, String>,
}

impl GroupTypeIndex {
    pub fn new<'a>(types: impl IntoIterator<Item = &'a GroupType>) -> Self {
        let names_by_id = types.into_iter().map(|t| (t.id.clone(), t.name.clone())).collect();
        Self { names_by_id }
    }

    /// The type name for a raw `type` value: a known type id gives its name; a legacy name
    /// (`DEPARTMENT`, ...) is its own name; anything else is unknown.
    pub fn resolve(&self, raw_type: &str) -> Option<&str> {
        if let Some(name) = self.names_by_id.get(raw_type) {
            return Some(name);
        }
        well_known_group_types().iter().find(|known| known.eq_ignore_ascii_case(raw_type)).copied()
    }

    /// Fills `group.type_name` from `group.type_id`.
    pub fn resolve_group(&self, group: &mut Group) {
        group.type_name = group.type_id.as_deref().and_then(|t| self.resolve(t)).map(str::to_owned);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_ids_and_legacy_names() {
        let types = [GroupType {
            id: "5f0000000000000000000001".into(),
            name: "COST_CENTER".into(),
            ..Default::default()
        }];
        let index = GroupTypeIndex::new(&types);
        assert_eq!(index.resolve("5f0000000000000000000001"), Some("COST_CENTER"));
        assert_eq!(index.resolve("team"), Some("TEAM"));
        assert_eq!(index.resolve("5f00000000000000000000ff"), None);

        let mut group = Group { id: "g".into(), type_id: Some("LOCATION".into()), ..Default::default() };
        index.resolve_group(&mut group);
        assert_eq!(group.type_name.as_deref(), Some("LOCATION"));
    }
}
