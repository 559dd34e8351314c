use c1_mapping::{MappingOptions, PersonExtras, person_resource, person_resource_with};
use c1_proto::connector::v2::{Resource, UserTrait, status::ResourceStatus, user_trait};
use c1_proto::prost::Message;
use charthop_domain::{Person, PersonName};

use crate::fixtures::{self, directory, options};

const USER_TRAIT_URL: &str = "type.googleapis.com/c1.connector.v2.UserTrait";

fn user_trait(resource: &Resource) -> UserTrait {
    let [any] = resource.annotations.as_slice() else {
        panic!("a person carries exactly one annotation, got {:?}", resource.annotations);
    };
    assert_eq!(any.type_url, USER_TRAIT_URL);
    UserTrait::decode(any.value.as_slice()).expect("the annotation decodes as a UserTrait")
}

/// Maps the person, checks what must hold for every person, and returns the resource.
fn map(person: &Person, options: &MappingOptions) -> Resource {
    let mapped = person_resource(person, &directory(), options).expect("a valid person");
    assert!(mapped.notes.is_empty(), "fixtures fit: {:?}", mapped.notes);
    let resource = mapped.value;
    let id = resource.id.as_ref().expect("resource id");
    assert_eq!((id.resource_type.as_str(), id.resource.as_str()), ("person", person.id.as_str()));

    let user = user_trait(&resource);
    let trait_status = user.status.as_ref().expect("trait status");
    let resource_status = resource.status.as_ref().expect("resource status");
    assert_eq!(trait_status.status, resource_status.status, "trait and resource status codes agree");
    assert_eq!(trait_status.details, resource_status.details);
    assert_eq!(user.profile, resource.profile, "trait and resource profiles agree");
    assert_eq!(user.created_at, resource.created_at);
    assert_eq!(user.account_type, user_trait::AccountType::Human as i32);
    resource
}

fn json(resource: &Resource) -> serde_json::Value {
    c1_proto::json::to_json_value(resource)
}

fn status_of(resource: &Resource) -> (i32, &str) {
    let status = resource.status.as_ref().expect("status");
    (status.status, status.details.as_str())
}

#[test]
fn active_person_without_personal_email() {
    let resource = map(&fixtures::active(), &options(false));
    assert_eq!(resource.display_name, "Ada King");
    assert_eq!(status_of(&resource), (ResourceStatus::Enabled as i32, ""));
    let user = user_trait(&resource);
    assert_eq!(user.emails.len(), 1);
    assert!(user.emails[0].is_primary);
    assert_eq!(user.login, "ada@example.com");
    insta::assert_json_snapshot!(json(&resource));
}

#[test]
fn active_person_with_personal_email_opted_in() {
    let resource = map(&fixtures::active(), &options(true));
    let user = user_trait(&resource);
    let emails: Vec<_> = user.emails.iter().map(|e| (e.address.as_str(), e.is_primary)).collect();
    assert_eq!(emails, [("ada@example.com", true), ("ada.home@example.org", false)]);
    insta::assert_json_snapshot!(json(&resource));
}

#[test]
fn departed_person_is_disabled() {
    let resource = map(&fixtures::departed(), &options(false));
    assert_eq!(status_of(&resource), (ResourceStatus::Disabled as i32, "departed 2025-06-30"));
    insta::assert_json_snapshot!(json(&resource));
}

#[test]
fn pre_hire_is_unspecified_with_start_date() {
    let resource = map(&fixtures::pre_hire(), &options(false));
    assert_eq!(status_of(&resource), (ResourceStatus::Unspecified as i32, "pre-hire, starts 2027-01-04"));
    insta::assert_json_snapshot!(json(&resource));
}

#[test]
fn never_hired_person_shows_its_id_and_no_email() {
    let person = fixtures::never_hired();
    let resource = map(&person, &options(true));
    assert_eq!(resource.display_name, person.id);
    assert_eq!(resource.status.as_ref().map(|s| s.status), Some(ResourceStatus::Unspecified as i32));
    let user = user_trait(&resource);
    assert!(user.emails.is_empty());
    assert_eq!(user.login, "");
    assert!(user.structured_name.is_none());
    assert!(user.employee_ids.is_empty());
    insta::assert_json_snapshot!(json(&resource));
}

#[test]
fn person_without_work_email_has_no_primary_and_no_login() {
    let resource = map(&fixtures::without_work_email(), &options(false));
    let user = user_trait(&resource);
    assert!(user.emails.is_empty(), "the personal email stays out unless asked for");
    assert_eq!(user.login, "");
    insta::assert_json_snapshot!("without_work_email_opted_out", json(&resource));

    let opted_in = user_trait(&map(&fixtures::without_work_email(), &options(true)));
    let emails: Vec<_> = opted_in.emails.iter().map(|e| (e.address.as_str(), e.is_primary)).collect();
    assert_eq!(emails, [("alan@example.org", false)], "a personal email is never primary");
}

#[test]
fn unicode_names_pass_through_unchanged() {
    let resource = map(&fixtures::unicode_name(), &options(false));
    assert_eq!(resource.display_name, "Zoë Núñez-Øberg 李");
    insta::assert_json_snapshot!(json(&resource));
}

#[test]
fn employment_is_judged_on_the_options_date() {
    let person = fixtures::pre_hire();
    let later = MappingOptions { today: fixtures::date("2027-01-04"), include_personal_email: false };
    assert_eq!(status_of(&map(&person, &later)), (ResourceStatus::Enabled as i32, ""));
}

#[test]
fn manager_and_custom_fields_join_the_profile() {
    let extras = PersonExtras {
        manager_email: Some(" grace@example.com ".into()),
        manager_name: PersonName {
            first: Some("Grace".into()),
            preferred_first: Some("Amazing Grace".into()),
            last: Some("Hopper".into()),
            ..Default::default()
        },
        custom_fields: vec![
            ("shirtSize".into(), "M".into()),
            ("fte".into(), "0.8".into()),
            ("customFields.cost-Center".into(), "CC-100".into()),
            // Same key as shirtSize: the first value stays.
            ("SHIRTSIZE".into(), "XL".into()),
            ("blank".into(), "  ".into()),
        ],
    };
    let mapped =
        person_resource_with(&fixtures::departed(), &extras, &directory(), &options(false)).expect("valid");
    let profile = json(&mapped.value)["profile"].clone();
    assert_eq!(profile["manager_email"], "grace@example.com");
    assert_eq!(profile["manager_name"], "Amazing Grace Hopper");
    assert_eq!(profile["custom_shirtsize"], "M");
    assert_eq!(profile["custom_customfields_cost_center"], "CC-100");
    assert!(profile.get("custom_blank").is_none(), "blank values are left out");
    assert_eq!(user_trait(&mapped.value).profile, mapped.value.profile);
    insta::assert_json_snapshot!(profile);
}

#[test]
fn a_manager_without_a_name_or_email_adds_nothing() {
    let plain = map(&fixtures::active(), &options(false));
    let mapped =
        person_resource_with(&fixtures::active(), &PersonExtras::default(), &directory(), &options(false));
    assert_eq!(mapped.unwrap().value, plain);
    let only_last = PersonExtras {
        manager_name: PersonName { last: Some("Hopper".into()), ..Default::default() },
        ..Default::default()
    };
    let mapped = person_resource_with(&fixtures::active(), &only_last, &directory(), &options(false));
    assert_eq!(json(&mapped.unwrap().value)["profile"]["manager_name"], "Hopper");
}
