//! Every emitted value obeys the public protos' validation rules.

use c1_mapping::limits::{CUT_MARKER, DESCRIPTION_MAX, DISPLAY_NAME_MAX, FIELD_CAP, ID_MAX};
use c1_mapping::{
    PersonExtras, check_group, group_resource, member_entitlement, person_resource, person_resource_with,
    resource_types,
};
use c1_proto::connector::v2::UserTrait;
use c1_proto::prost::Message;

use crate::fixtures::{self, directory, options};

fn user_trait(resource: &c1_proto::connector::v2::Resource) -> UserTrait {
    UserTrait::decode(resource.annotations[0].value.as_slice()).unwrap()
}

#[test]
fn invalid_emails_are_left_out_and_noted() {
    let mut person = fixtures::active();
    person.work_email = Some("ada lovelace at example".into());
    person.personal_email = Some("home@exa mple.org".into());
    let mapped = person_resource(&person, &directory(), &options(true)).unwrap();
    assert_eq!(mapped.notes.dropped, ["work_email", "personal_email"]);
    let user = user_trait(&mapped.value);
    assert!(user.emails.is_empty(), "{:?}", user.emails);
    assert_eq!(user.login, "", "the login is the work email: left out with it");

    person.personal_email = Some("ada.home@example.org".into());
    let mapped = person_resource(&person, &directory(), &options(true)).unwrap();
    let user = user_trait(&mapped.value);
    assert_eq!(user.emails.len(), 1);
    assert!(!user.emails[0].is_primary);
    assert_eq!(mapped.notes.dropped, ["work_email"]);
}

#[test]
fn an_over_long_display_name_is_cut_to_fit() {
    let mut person = fixtures::active();
    person.name.preferred_first = Some("Å".repeat(700));
    let mapped = person_resource(&person, &directory(), &options(false)).unwrap();
    let name = &mapped.value.display_name;
    assert!(name.len() <= DISPLAY_NAME_MAX, "{} bytes", name.len());
    assert!(name.ends_with(CUT_MARKER) && name.starts_with("ÅÅ"));
    assert_eq!(mapped.notes.cut, ["display_name"]);
}

#[test]
fn a_value_over_the_cap_is_left_out_and_the_person_stays() {
    let mut person = fixtures::active();
    person.title = Some("x".repeat(FIELD_CAP + 1));
    let mapped =
        person_resource(&person, &directory(), &options(false)).expect("the person stays in the sync");
    assert_eq!(mapped.notes.dropped, ["title"]);
    let profile = mapped.value.profile.as_ref().unwrap();
    assert!(!profile.fields.contains_key("title"), "the huge title is not emitted");
    assert!(profile.fields.contains_key("employee_id"), "the rest of the profile is");
    assert_eq!(mapped.value.display_name, "Ada King");

    // A personal email that is not asked for is not emitted, so it is not noted either.
    let mut person = fixtures::active();
    person.personal_email = Some("y".repeat(FIELD_CAP + 1));
    assert!(person_resource(&person, &directory(), &options(false)).unwrap().notes.dropped.is_empty());
    let asked = person_resource(&person, &directory(), &options(true)).unwrap();
    assert_eq!(asked.notes.dropped, ["personal_email"]);
}

#[test]
fn an_over_long_id_refuses_the_row_and_shows_only_its_start() {
    let mut person = fixtures::active();
    person.id = "p".repeat(ID_MAX + 1);
    let refused = person_resource(&person, &directory(), &options(false)).unwrap_err();
    assert_eq!((refused.field, refused.bytes), ("id", ID_MAX + 1));
    assert!(refused.id.len() < 100, "{}", refused.id);

    let mut group = fixtures::platform();
    group.id = "g".repeat(ID_MAX + 1);
    assert!(check_group(&group).is_err());
    assert!(group_resource(&group, &directory()).is_err());
    assert!(member_entitlement(&group, &directory()).is_err());
}

#[test]
fn group_and_entitlement_texts_are_cut_to_their_limits() {
    let mut group = fixtures::engineering();
    group.name = "N".repeat(3000);
    group.description = Some("ü".repeat(3000));
    let mapped = group_resource(&group, &directory()).unwrap();
    assert!(mapped.value.display_name.len() <= DISPLAY_NAME_MAX);
    assert!(mapped.value.description.len() <= DESCRIPTION_MAX);
    assert!(mapped.value.description.ends_with(CUT_MARKER));
    assert_eq!(mapped.notes.cut, ["display_name", "description"]);

    let entitlement = member_entitlement(&group, &directory()).unwrap();
    assert!(entitlement.value.display_name.len() <= DISPLAY_NAME_MAX);
    assert!(entitlement.value.description.len() <= DESCRIPTION_MAX);
    let embedded = entitlement.value.resource.as_ref().unwrap();
    assert!(embedded.display_name.len() <= DISPLAY_NAME_MAX);
    assert_eq!(entitlement.notes.cut, ["entitlement_display_name", "entitlement_description"]);

    group.description = Some("z".repeat(FIELD_CAP + 1));
    check_group(&group).expect("a huge description does not refuse the group");
    let mapped = group_resource(&group, &directory()).unwrap();
    assert_eq!(
        (mapped.value.description.as_str(), mapped.notes.dropped.as_slice()),
        ("", ["description"].as_slice())
    );
}

#[test]
fn resource_types_fit_their_limits() {
    for resource_type in resource_types() {
        assert!((1..=1024).contains(&resource_type.display_name.len()));
        assert!(resource_type.description.len() <= 4096);
    }
}

#[test]
fn a_custom_field_or_manager_value_over_the_cap_is_left_out() {
    let person = fixtures::active();
    let huge = "z".repeat(FIELD_CAP + 1);
    let custom = PersonExtras { custom_fields: vec![("notes".into(), huge.clone())], ..Default::default() };
    let mapped = person_resource_with(&person, &custom, &directory(), &options(false)).unwrap();
    assert_eq!(mapped.notes.dropped, ["custom_field"]);
    assert!(!mapped.value.profile.unwrap().fields.contains_key("custom_notes"));
    let manager = PersonExtras { manager_email: Some(huge), ..Default::default() };
    let mapped = person_resource_with(&person, &manager, &directory(), &options(false)).unwrap();
    assert_eq!(mapped.notes.dropped, ["manager_email"]);
    let fits =
        PersonExtras { custom_fields: vec![("notes".into(), "z".repeat(FIELD_CAP))], ..Default::default() };
    let mapped = person_resource_with(&person, &fits, &directory(), &options(false)).unwrap();
    assert!(
        mapped.notes.dropped.is_empty() && mapped.value.profile.unwrap().fields.contains_key("custom_notes")
    );
}
