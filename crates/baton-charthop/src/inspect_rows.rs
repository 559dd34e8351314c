//! What `inspect` shows of a resource (name, email, group type, status) and the filters that
//! pick rows by it. A grant names its group and principal by id only, so its rows look both up
//! in [`Names`], one entry per resource of the sync (persons and groups, not grants).

use std::collections::HashMap;

use c1_proto::connector::v2::{GroupTrait, Resource, ResourceId, UserTrait, status::ResourceStatus};
use c1_proto::find_annotation;
use c1_proto::prost_types::value::Kind as ValueKind;

/// What a resource is, for the filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Person,
    Group,
    Other,
}

/// One resource as the tables show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub resource_type: String,
    pub id: String,
    pub role: Role,
    pub name: String,
    /// The primary email, else the first (persons).
    pub email: String,
    /// The profile's `type` (groups): `DEPARTMENT`, `TEAM`, a custom type.
    pub group_type: String,
    /// `enabled`, `disabled`, `deleted`, `unspecified`; empty without a status.
    pub status: &'static str,
    /// The status's details (`departed 2024-03-31`).
    pub status_details: String,
}

impl Entry {
    pub fn of(resource: &Resource) -> Self {
        let (resource_type, id) = ids(resource.id.as_ref());
        // A trait that does not decode shows as none: inspect reads files of any origin.
        let user = find_annotation::<UserTrait>(&resource.annotations).ok().flatten();
        let group = find_annotation::<GroupTrait>(&resource.annotations).ok().flatten();
        let role = match (&user, &group) {
            (Some(_), _) => Role::Person,
            (None, Some(_)) => Role::Group,
            _ => Role::Other,
        };
        let email = user
            .as_ref()
            .and_then(|user| user.emails.iter().find(|e| e.is_primary).or(user.emails.first()))
            .map(|email| email.address.clone())
            .unwrap_or_default();
        let group_type = group
            .and_then(|group| group.profile)
            .and_then(|profile| profile.fields.get("type").cloned())
            .and_then(|value| match value.kind {
                Some(ValueKind::StringValue(text)) => Some(text),
                _ => None,
            })
            .unwrap_or_default();
        let (status, status_details) = match &resource.status {
            Some(status) => (status_word(status.status), status.details.clone()),
            None => ("", String::new()),
        };
        Entry {
            resource_type,
            id,
            role,
            name: resource.display_name.clone(),
            email,
            group_type,
            status,
            status_details,
        }
    }

    /// A principal or group not among the sync's resources: its ids only.
    pub fn unknown(id: Option<&ResourceId>) -> Self {
        let (resource_type, id) = ids(id);
        Entry {
            role: match resource_type.as_str() {
                "person" => Role::Person,
                "group" => Role::Group,
                _ => Role::Other,
            },
            resource_type,
            id,
            name: String::new(),
            email: String::new(),
            group_type: String::new(),
            status: "",
            status_details: String::new(),
        }
    }

    /// The status and its details, as the tables show them.
    pub fn status_text(&self) -> String {
        if self.status_details.is_empty() {
            self.status.to_owned()
        } else {
            format!("{} ({})", self.status, self.status_details)
        }
    }

    /// The name, else the id (a row never shows an empty name).
    pub fn shown_name(&self) -> &str {
        if self.name.is_empty() { &self.id } else { &self.name }
    }
}

pub fn ids(id: Option<&ResourceId>) -> (String, String) {
    id.map(|id| (id.resource_type.clone(), id.resource.clone())).unwrap_or_default()
}

fn status_word(code: i32) -> &'static str {
    match ResourceStatus::try_from(code) {
        Ok(ResourceStatus::Enabled) => "enabled",
        Ok(ResourceStatus::Disabled) => "disabled",
        Ok(ResourceStatus::Deleted) => "deleted",
        _ => "unspecified",
    }
}

/// Every resource of a sync by `(type, id)`.
#[derive(Debug, Default)]
pub struct Names(HashMap<(String, String), Entry>);

impl Names {
    pub fn insert(&mut self, entry: Entry) {
        self.0.insert((entry.resource_type.clone(), entry.id.clone()), entry);
    }

    /// The entry of `id`, or one made of the ids when the sync has no such resource.
    pub fn get(&self, id: Option<&ResourceId>) -> Entry {
        let (resource_type, resource) = ids(id);
        self.0.get(&(resource_type, resource)).cloned().unwrap_or_else(|| Entry::unknown(id))
    }
}

/// `--person`, `--group`, `--type`, `--status`, `--search`: a row must match every one given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// A person's id or email (exact, any case) or part of their name.
    pub person: Option<String>,
    /// A group's id (exact) or part of its name.
    pub group: Option<String>,
    /// A resource type (`person`, `group`) or a group type (`DEPARTMENT`), any case.
    pub kind: Option<String>,
    /// A person's status: `enabled`, `disabled`, `unspecified`.
    pub status: Option<String>,
    /// Part of any id, name, email or group type shown, any case.
    pub search: Option<String>,
}

impl Filter {
    /// Whether a row about `entries` (a resource; an entitlement's group; a grant's group and
    /// principal) passes.
    pub fn matches(&self, entries: &[&Entry]) -> bool {
        let any = |test: &dyn Fn(&Entry) -> bool| entries.iter().any(|entry| test(entry));
        let person = |entry: &Entry| entry.role == Role::Person;
        self.person.as_deref().is_none_or(|text| {
            any(&|e| {
                person(e) && (e.id == text || e.email.eq_ignore_ascii_case(text) || contains(&e.name, text))
            })
        }) && self
            .group
            .as_deref()
            .is_none_or(|text| any(&|e| e.role == Role::Group && (e.id == text || contains(&e.name, text))))
            && self.kind.as_deref().is_none_or(|text| {
                any(&|e| {
                    e.resource_type.eq_ignore_ascii_case(text) || e.group_type.eq_ignore_ascii_case(text)
                })
            })
            && self
                .status
                .as_deref()
                .is_none_or(|text| any(&|e| person(e) && e.status.eq_ignore_ascii_case(text)))
            && self.search.as_deref().is_none_or(|text| {
                any(&|e| {
                    [&e.id, &e.name, &e.email, &e.group_type, &e.resource_type]
                        .iter()
                        .any(|field| contains(field, text))
                })
            })
    }
}

/// Case-insensitive substring (Unicode lower case, so `zoë` finds `Zoë`).
fn contains(haystack: &str, needle: &str) -> bool {
    needle.is_empty() || haystack.to_lowercase().contains(&needle.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: &str, name: &str, email: &str, status: &'static str) -> Entry {
        Entry {
            resource_type: "person".into(),
            id: id.into(),
            role: Role::Person,
            name: name.into(),
            email: email.into(),
            group_type: String::new(),
            status,
            status_details: String::new(),
        }
    }

    fn group(id: &str, name: &str, kind: &str) -> Entry {
        Entry {
            resource_type: "group".into(),
            id: id.into(),
            role: Role::Group,
            name: name.into(),
            email: String::new(),
            group_type: kind.into(),
            status: "",
            status_details: String::new(),
        }
    }

    #[test]
    fn every_filter_given_must_match() {
        let zoe = person("p1", "Zoë Ng", "zoe@acme.example", "enabled");
        let max = person("p2", "Max Roe", "max@acme.example", "disabled");
        let eng = group("g1", "Engineering", "DEPARTMENT");
        let filter = |f: Filter| move |entries: &[&Entry]| f.matches(entries);
        assert!(Filter::default().matches(&[&zoe]));
        let by_person = filter(Filter { person: Some("ZOË".into()), ..Default::default() });
        assert!(by_person(&[&eng, &zoe]) && !by_person(&[&eng, &max]) && !by_person(&[&eng]));
        let by_email = filter(Filter { person: Some("MAX@acme.example".into()), ..Default::default() });
        assert!(by_email(&[&max]) && !by_email(&[&zoe]));
        let by_type = filter(Filter { kind: Some("department".into()), ..Default::default() });
        assert!(by_type(&[&eng, &zoe]) && !by_type(&[&zoe]));
        let by_status = filter(Filter { status: Some("disabled".into()), ..Default::default() });
        assert!(by_status(&[&eng, &max]) && !by_status(&[&eng, &zoe]) && !by_status(&[&eng]));
        let both = filter(Filter {
            group: Some("engin".into()),
            search: Some("acme.example".into()),
            ..Default::default()
        });
        assert!(both(&[&eng, &zoe]) && !both(&[&eng]) && !both(&[&zoe]));
    }
}
