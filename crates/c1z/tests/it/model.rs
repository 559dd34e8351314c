//! A small org as C1 messages, built the way the connector will build them.

use std::collections::BTreeMap;
use std::sync::Arc;

use c1_proto::connector::v2::{
    Entitlement, Grant, GrantExpandable, GroupTrait, Resource, ResourceId, ResourceType, Status, UserTrait,
    entitlement, resource_type, status, user_trait,
};
use c1_proto::pack_any;
use c1_proto::prost_types::{Struct, Timestamp, Value, value::Kind};
use c1z::{C1zWriter, WriteError, WriterOptions};
use chrono::{TimeZone, Utc};

pub const SYNC_ID: &str = "2ZqH3x8mY1tK7wQpLr5vN0aBcDe";

/// A fixed clock and sync id: the same input then gives the same bytes.
pub fn fixed_options() -> WriterOptions {
    let at = Utc.with_ymd_and_hms(2026, 11, 28, 9, 45, 13).single().expect("valid time")
        + chrono::Duration::microseconds(60_056);
    WriterOptions {
        sync_id: Some(SYNC_ID.to_owned()),
        clock: Some(Arc::new(move || at)),
        ..WriterOptions::default()
    }
}

pub struct Org {
    pub resource_types: Vec<ResourceType>,
    pub resources: Vec<Resource>,
    pub entitlements: Vec<Entitlement>,
    pub grants: Vec<Grant>,
}

impl Org {
    pub fn write(&self, writer: &mut C1zWriter) -> Result<(), WriteError> {
        self.resource_types.iter().try_for_each(|rt| writer.put_resource_type(rt))?;
        self.resources.iter().try_for_each(|r| writer.put_resource(r))?;
        self.entitlements.iter().try_for_each(|e| writer.put_entitlement(e))?;
        self.grants.iter().try_for_each(|g| writer.put_grant(g))
    }
}

pub fn rid(resource_type: &str, resource: &str) -> ResourceId {
    ResourceId {
        resource_type: resource_type.to_owned(),
        resource: resource.to_owned(),
        baton_resource: false,
    }
}

pub fn person_type() -> ResourceType {
    ResourceType {
        id: "person".to_owned(),
        display_name: "Person".to_owned(),
        traits: vec![resource_type::Trait::User as i32],
        description: "A ChartHop person".to_owned(),
        ..ResourceType::default()
    }
}

pub fn group_type() -> ResourceType {
    ResourceType {
        id: "group".to_owned(),
        display_name: "Group".to_owned(),
        traits: vec![resource_type::Trait::Group as i32],
        ..ResourceType::default()
    }
}

fn profile(pairs: &[(&str, &str)]) -> Struct {
    let fields: BTreeMap<String, Value> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Value { kind: Some(Kind::StringValue((*v).to_owned())) }))
        .collect();
    Struct { fields }
}

pub fn person(n: usize) -> Resource {
    let id = format!("60aa{n:08x}");
    let profile = profile(&[("title", "Engineer"), ("email", &format!("p{n}@example.com")), ("id", &id)]);
    let trait_status =
        user_trait::Status { status: user_trait::status::Status::Enabled as i32, details: String::new() };
    let user = UserTrait {
        emails: vec![user_trait::Email { address: format!("p{n}@example.com"), is_primary: true }],
        status: Some(trait_status),
        profile: Some(profile.clone()),
        account_type: user_trait::AccountType::Human as i32,
        login: format!("p{n}@example.com"),
        employee_ids: vec![format!("E{n}")],
        created_at: Some(Timestamp { seconds: 1_700_000_000 + n as i64, nanos: 0 }),
        ..UserTrait::default()
    };
    Resource {
        id: Some(rid("person", &id)),
        display_name: format!("Person {n}"),
        annotations: vec![pack_any(&user)],
        profile: Some(profile),
        status: Some(Status { status: status::ResourceStatus::Enabled as i32, details: String::new() }),
        ..Resource::default()
    }
}

pub fn group(n: usize) -> Resource {
    let id = format!("5f1c{n:08x}");
    let profile = profile(&[("type", "department"), ("name", &format!("Group {n}"))]);
    let group = GroupTrait { profile: Some(profile.clone()), ..GroupTrait::default() };
    Resource {
        id: Some(rid("group", &id)),
        parent_resource_id: (n > 0).then(|| rid("group", "5f1c00000000")),
        display_name: format!("Group {n}"),
        description: "a department".to_owned(),
        annotations: vec![pack_any(&group)],
        profile: Some(profile),
        ..Resource::default()
    }
}

pub fn member_entitlement(group: &Resource) -> Entitlement {
    let id = group.id.as_ref().expect("groups have ids");
    Entitlement {
        resource: Some(group.clone()),
        id: format!("group:{}:member", id.resource),
        display_name: format!("{} member", group.display_name),
        grantable_to: vec![person_type()],
        purpose: entitlement::PurposeValue::Assignment as i32,
        slug: "member".to_owned(),
        ..Entitlement::default()
    }
}

pub fn grant(entitlement: &Entitlement, principal: &Resource) -> Grant {
    let p = principal.id.as_ref().expect("principals have ids");
    // Embed only ids, as the connector does: readers need no more.
    let slim_principal = Resource { id: principal.id.clone(), ..Resource::default() };
    let slim_entitlement = Entitlement {
        id: entitlement.id.clone(),
        resource: entitlement.resource.as_ref().map(|r| Resource { id: r.id.clone(), ..Resource::default() }),
        ..Entitlement::default()
    };
    Grant {
        id: format!("{}:{}:{}", entitlement.id, p.resource_type, p.resource),
        entitlement: Some(slim_entitlement),
        principal: Some(slim_principal),
        ..Grant::default()
    }
}

/// `people` persons, `groups` groups, one member entitlement per group, person i in group i % groups.
pub fn org(people: usize, groups: usize) -> Org {
    let group_resources: Vec<Resource> = (0..groups).map(group).collect();
    let entitlements: Vec<Entitlement> = group_resources.iter().map(member_entitlement).collect();
    let persons: Vec<Resource> = (0..people).map(person).collect();
    let grants = persons.iter().enumerate().map(|(i, p)| grant(&entitlements[i % groups], p)).collect();
    let mut resources = group_resources;
    resources.extend(persons);
    Org { resource_types: vec![group_type(), person_type()], resources, entitlements, grants }
}

/// A grant that asks for expansion (group members of another group's entitlement).
pub fn expandable_grant(entitlement: &Entitlement, principal_group: &Resource) -> Grant {
    let mut g = grant(entitlement, principal_group);
    let expandable = GrantExpandable {
        entitlement_ids: vec![member_entitlement(principal_group).id],
        shallow: true,
        resource_type_ids: vec!["person".to_owned()],
    };
    g.annotations.push(pack_any(&expandable));
    g
}
