use c1_mapping::{GroupDirectory, ids, member_entitlement, membership_grant, person_grants};
use c1_proto::connector::v2::{GroupTrait, Resource, entitlement::PurposeValue};
use c1_proto::prost::Message;
use charthop_domain::Group;

use crate::fixtures::{self, directory};

const GROUP_TRAIT_URL: &str = "type.googleapis.com/c1.connector.v2.GroupTrait";

/// Maps the group, checks what must hold for every group, and returns its JSON.
fn group_json(group: &Group) -> serde_json::Value {
    let mapped = c1_mapping::group_resource(group, &directory()).expect("a valid group");
    assert!(mapped.notes.is_empty(), "fixtures fit: {:?}", mapped.notes);
    let resource = mapped.value;
    let id = resource.id.as_ref().expect("resource id");
    assert_eq!((id.resource_type.as_str(), id.resource.as_str()), ("group", group.id.as_str()));
    assert!(resource.parent_resource_id.is_none(), "the parent lives in the profile only");
    let [any] = resource.annotations.as_slice() else { panic!("one annotation expected") };
    assert_eq!(any.type_url, GROUP_TRAIT_URL);
    let group_trait = GroupTrait::decode(any.value.as_slice()).expect("decodes as GroupTrait");
    assert_eq!(group_trait.profile, resource.profile, "trait and resource profiles agree");
    c1_proto::json::to_json_value(&resource)
}

#[test]
fn department_with_parent() {
    insta::assert_json_snapshot!(group_json(&fixtures::engineering()));
}

#[test]
fn team() {
    insta::assert_json_snapshot!(group_json(&fixtures::platform()));
}

#[test]
fn location() {
    insta::assert_json_snapshot!(group_json(&fixtures::berlin()));
}

#[test]
fn custom_type() {
    insta::assert_json_snapshot!(group_json(&fixtures::research()));
}

#[test]
fn member_entitlement_of_a_department() {
    let group = fixtures::engineering();
    let entitlement = member_entitlement(&group, &directory()).unwrap().value;
    assert_eq!(entitlement.id, format!("group:{}:member", group.id));
    assert_eq!(entitlement.slug, "member");
    assert_eq!(entitlement.purpose, PurposeValue::Assignment as i32);
    assert_eq!(entitlement.display_name, "Engineering Member");
    assert_eq!(entitlement.description, "Member of the Engineering department in ChartHop");
    let resource = entitlement.resource.as_ref().expect("embedded group");
    assert_eq!(resource.id.as_ref().map(|id| id.resource.as_str()), Some(group.id.as_str()));
    let grantable: Vec<_> = entitlement.grantable_to.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(grantable, ["person"]);
    insta::assert_json_snapshot!(c1_proto::json::to_json_value(&entitlement));
}

#[test]
fn membership_grant_is_small_and_well_formed() {
    let grant = membership_grant(fixtures::PLATFORM, "60aa00000000000000000001");
    assert_eq!(grant.id, format!("group:{}:member:person:60aa00000000000000000001", fixtures::PLATFORM));
    let entitlement = grant.entitlement.as_ref().expect("embedded entitlement");
    assert_eq!(entitlement.id, ids::member_entitlement_id(fixtures::PLATFORM));
    let group_id =
        entitlement.resource.as_ref().and_then(|r| r.id.as_ref()).expect("entitlement resource id");
    assert_eq!((group_id.resource_type.as_str(), group_id.resource.as_str()), ("group", fixtures::PLATFORM));
    let principal = grant.principal.as_ref().and_then(|p| p.id.as_ref()).expect("principal id");
    assert_eq!(
        (principal.resource_type.as_str(), principal.resource.as_str()),
        ("person", "60aa00000000000000000001")
    );
    let bare = |r: &Resource| Resource { id: r.id.clone(), ..Default::default() } == *r;
    assert!(bare(entitlement.resource.as_ref().unwrap()) && bare(grant.principal.as_ref().unwrap()));
    insta::assert_json_snapshot!(c1_proto::json::to_json_value(&grant));
}

#[test]
fn person_grants_skip_unknown_groups_and_repeats() {
    let mut person = fixtures::active();
    person.group_ids.as_mut().unwrap().push(fixtures::ENGINEERING.into());
    person.group_ids.as_mut().unwrap().push(fixtures::UNKNOWN_GROUP.into());
    let mapped = person_grants(&person, &directory());
    let groups: Vec<_> = mapped
        .grants
        .iter()
        .map(|g| {
            g.entitlement.as_ref().unwrap().resource.as_ref().unwrap().id.as_ref().unwrap().resource.clone()
        })
        .collect();
    assert_eq!(groups, [fixtures::ENGINEERING, fixtures::PLATFORM, fixtures::BERLIN, fixtures::RESEARCH]);
    assert_eq!(mapped.unknown_group_ids, [fixtures::UNKNOWN_GROUP]);
    for grant in &mapped.grants {
        assert!(grant.id.ends_with(":member:person:60aa00000000000000000001"), "{}", grant.id);
    }
}

#[test]
fn person_grants_need_memberships() {
    let mut person = fixtures::active();
    person.group_ids = None;
    assert_eq!(person_grants(&person, &directory()), Default::default());
    assert!(person_grants(&fixtures::active(), &GroupDirectory::default()).grants.is_empty());
}

#[test]
fn parent_outside_the_sync_gives_its_id_without_a_name() {
    // The team's parent (Engineering) is not among the synced groups.
    let only_team = GroupDirectory::new([&fixtures::platform()]);
    let resource = c1_mapping::group_resource(&fixtures::platform(), &only_team).unwrap().value;
    let profile = c1_proto::json::to_json_value(&resource)["profile"].clone();
    assert_eq!(profile["parent_group_id"], fixtures::ENGINEERING);
    assert!(profile.get("parent_group_name").is_none(), "{profile}");
    insta::assert_json_snapshot!(profile);
}
