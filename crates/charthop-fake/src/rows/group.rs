use charthop_domain::{Group, GroupType};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::{Value, json};

use crate::org::Org;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Name,
    Slug,
    Code,
    Type,
    ParentGroupId,
    Description,
}

const ALL: [Field; 6] =
    [Field::Name, Field::Slug, Field::Code, Field::Type, Field::ParentGroupId, Field::Description];

impl Field {
    fn code(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Slug => "slug",
            Field::Code => "code",
            Field::Type => "type",
            Field::ParentGroupId => "parentGroupId",
            Field::Description => "description",
        }
    }
}

/// Which group fields a row carries; without `fields`, all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct GroupFields(u32);

impl GroupFields {
    pub fn from_query(fields: Option<&str>) -> Self {
        match fields {
            Some(list) => GroupFields(super::parse_codes(list, &ALL, Field::code)),
            None => GroupFields(u32::MAX),
        }
    }
}

/// One group as a row. `type` is the group-type id, as in the current API.
pub(crate) struct GroupRow<'a> {
    pub group: &'a Group,
    pub fields: GroupFields,
}

impl Serialize for GroupRow<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let g = self.group;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("id", &g.id)?;
        for (i, field) in ALL.into_iter().enumerate() {
            if self.fields.0 & (1 << i) == 0 {
                continue;
            }
            let value = match field {
                Field::Name => Some(&g.name),
                Field::Slug => g.slug.as_ref(),
                Field::Code => g.code.as_ref(),
                Field::Type => g.type_id.as_ref(),
                Field::ParentGroupId => g.parent_group_id.as_ref(),
                Field::Description => g.description.as_ref(),
            };
            if let Some(value) = value {
                map.serialize_entry(field.code(), value)?;
            }
        }
        map.end()
    }
}

/// A group type as `GET /v1/org/{orgId}/group-type` lists it (the schema's required fields).
pub(crate) fn group_type_row(org: &Org, t: &GroupType) -> Value {
    json!({
        "id": t.id,
        "orgId": org.org_id,
        "name": t.name,
        "fieldName": t.field_name,
        "membershipType": t.membership_type,
        "assignmentType": "ASSIGNED",
        "parentTypesAllowed": "SAME",
        "enableApprovals": false,
        "defaultSensitivity": "ORG",
    })
}

/// The org as `GET /v1/org` lists it.
pub(crate) fn org_row(org: &Org) -> Value {
    json!({ "id": org.org_id, "name": org.name, "slug": org.slug, "type": "PRIVATE", "options": {} })
}
