//! A ChartHop person as a C1 `person` resource carrying a user trait.

use c1_proto::connector::v2::{Resource, ResourceId, Status, UserTrait, status, user_trait};
use c1_proto::pack_any;
use charthop_domain::Person;

use crate::directory::GroupDirectory;
use crate::ids;
use crate::options::MappingOptions;
use crate::person_fields::{AccountState, account_state, person_display_name, person_profile};
use crate::proto_values::{profile_struct, timestamp};
use crate::text::non_blank;

/// The resource id of a person.
pub fn person_resource_id(person_id: &str) -> ResourceId {
    ResourceId { resource_type: ids::PERSON.to_owned(), resource: person_id.to_owned(), ..Default::default() }
}

/// The person as a resource. Status and profile are set on the user trait AND on the
/// resource, identically: newer readers take the resource's, older ones the trait's.
pub fn person_resource(person: &Person, groups: &GroupDirectory, options: &MappingOptions) -> Resource {
    let employment = person.employment_at(options.today);
    let (state, details) = account_state(employment);
    let profile = profile_struct(&person_profile(person, employment, groups));
    let created_at = person.created_at.map(timestamp);

    let trait_status =
        user_trait::Status { status: trait_status_code(state) as i32, details: details.clone() };
    let user = UserTrait {
        emails: emails(person, options),
        status: Some(trait_status),
        profile: Some(profile.clone()),
        account_type: user_trait::AccountType::Human as i32,
        login: non_blank(person.work_email.as_deref()).unwrap_or_default().to_owned(),
        created_at,
        structured_name: structured_name(person),
        employee_ids: non_blank(person.employee_id.as_deref()).map(str::to_owned).into_iter().collect(),
        ..Default::default()
    };
    Resource {
        id: Some(person_resource_id(&person.id)),
        display_name: person_display_name(person),
        annotations: vec![pack_any(&user)],
        profile: Some(profile),
        status: Some(Status { status: resource_status_code(state) as i32, details }),
        created_at,
        ..Default::default()
    }
}

/// The work email (primary), then the personal one when the options ask for it.
fn emails(person: &Person, options: &MappingOptions) -> Vec<user_trait::Email> {
    let work = non_blank(person.work_email.as_deref()).map(|address| (address, true));
    let personal = non_blank(person.personal_email.as_deref())
        .filter(|_| options.include_personal_email)
        .map(|address| (address, false));
    work.into_iter()
        .chain(personal)
        .map(|(address, is_primary)| user_trait::Email { address: address.to_owned(), is_primary })
        .collect()
}

/// The legal name parts: given = first, family = last, middle names = [middle]. Preferred
/// names are not legal names; they live in the display name and the profile. `None` when
/// ChartHop returned no name part at all.
fn structured_name(person: &Person) -> Option<user_trait::StructuredName> {
    let name = &person.name;
    let given = non_blank(name.first.as_deref());
    let middle = non_blank(name.middle.as_deref());
    let family = non_blank(name.last.as_deref());
    if given.is_none() && middle.is_none() && family.is_none() {
        return None;
    }
    Some(user_trait::StructuredName {
        given_name: given.unwrap_or_default().to_owned(),
        family_name: family.unwrap_or_default().to_owned(),
        middle_names: middle.map(str::to_owned).into_iter().collect(),
        ..Default::default()
    })
}

fn trait_status_code(state: AccountState) -> user_trait::status::Status {
    match state {
        AccountState::Enabled => user_trait::status::Status::Enabled,
        AccountState::Disabled => user_trait::status::Status::Disabled,
        AccountState::Unspecified => user_trait::status::Status::Unspecified,
    }
}

fn resource_status_code(state: AccountState) -> status::ResourceStatus {
    match state {
        AccountState::Enabled => status::ResourceStatus::Enabled,
        AccountState::Disabled => status::ResourceStatus::Disabled,
        AccountState::Unspecified => status::ResourceStatus::Unspecified,
    }
}
