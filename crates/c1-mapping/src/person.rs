//! A ChartHop person as a C1 `person` resource carrying a user trait.

use c1_proto::connector::v2::{Resource, ResourceId, Status, UserTrait, status, user_trait};
use c1_proto::pack_any;
use std::borrow::Cow;

use charthop_domain::Person;

use crate::directory::GroupDirectory;
use crate::extras::PersonExtras;
use crate::ids;
use crate::limits::{DISPLAY_NAME_MAX, FIELD_CAP, STATUS_DETAILS_MAX, fit, is_valid_email};
use crate::notes::{Mapped, MappingNotes, RowRefused, check_id, drop_over_cap};
use crate::options::MappingOptions;
use crate::person_fields::{AccountState, account_state, person_display_name, person_profile_with};
use crate::proto_values::{profile_struct, timestamp};
use crate::text::non_blank;

/// The resource id of a person.
pub fn person_resource_id(person_id: &str) -> ResourceId {
    ResourceId { resource_type: ids::PERSON.to_owned(), resource: person_id.to_owned(), ..Default::default() }
}

/// The person as a resource. Status and profile are set on the user trait AND on the
/// resource, identically: newer readers take the resource's, older ones the trait's.
///
/// Values are held to the protos' rules: an invalid email is left out (and so is the login
/// taken from it), over-long texts are cut, values over the field cap are left out; the notes
/// say which. Only a person with an over-long id is refused: the caller must then write no
/// grant for it.
pub fn person_resource(
    person: &Person,
    groups: &GroupDirectory,
    options: &MappingOptions,
) -> Result<Mapped<Resource>, RowRefused> {
    person_resource_with(person, &PersonExtras::default(), groups, options)
}

/// [`person_resource`] whose profile also carries `extras` (held to the same cap).
pub fn person_resource_with(
    person: &Person,
    extras: &PersonExtras,
    groups: &GroupDirectory,
    options: &MappingOptions,
) -> Result<Mapped<Resource>, RowRefused> {
    check_person(person)?;
    let mut notes = MappingNotes::default();
    let (person, extras) = within_cap(person, extras, options, &mut notes);
    let (person, extras) = (person.as_ref(), extras.as_ref());
    let employment = person.employment_at(options.today);
    let (state, details) = account_state(employment);
    let details = fitted(&details, STATUS_DETAILS_MAX, "status_details", &mut notes);
    let profile = profile_struct(&person_profile_with(person, extras, employment, groups));
    let created_at = person.created_at.map(timestamp);
    let work_email = valid_email(person.work_email.as_deref(), "work_email", &mut notes);
    let personal_email = if options.include_personal_email {
        valid_email(person.personal_email.as_deref(), "personal_email", &mut notes)
    } else {
        None
    };

    let trait_status =
        user_trait::Status { status: trait_status_code(state) as i32, details: details.clone() };
    let user = UserTrait {
        emails: emails(work_email, personal_email),
        status: Some(trait_status),
        profile: Some(profile.clone()),
        account_type: user_trait::AccountType::Human as i32,
        login: work_email.unwrap_or_default().to_owned(),
        created_at,
        structured_name: structured_name(person),
        employee_ids: non_blank(person.employee_id.as_deref()).map(str::to_owned).into_iter().collect(),
        ..Default::default()
    };
    let resource = Resource {
        id: Some(person_resource_id(&person.id)),
        display_name: fitted(&person_display_name(person), DISPLAY_NAME_MAX, "display_name", &mut notes),
        annotations: vec![pack_any(&user)],
        profile: Some(profile),
        status: Some(Status { status: resource_status_code(state) as i32, details }),
        created_at,
        ..Default::default()
    };
    Ok(Mapped { value: resource, notes })
}

/// Refuses a person whose id is too long (an id cannot be cut); every other value over the
/// cap is left out by the mapping instead, so the person and their access stay in the sync.
fn check_person(person: &Person) -> Result<(), RowRefused> {
    check_id(ids::PERSON, &person.id)
}

/// The person and extras without values over the cap, each named in `notes.dropped`; borrowed
/// as they are when nothing is that large (the common case costs no copy).
fn within_cap<'a>(
    person: &'a Person,
    extras: &'a PersonExtras,
    options: &MappingOptions,
    notes: &mut MappingNotes,
) -> (Cow<'a, Person>, Cow<'a, PersonExtras>) {
    let over = |value: &Option<String>| value.as_ref().is_some_and(|v| v.len() > FIELD_CAP);
    let unasked = None;
    // A personal email that is not asked for is never emitted: nothing to leave out.
    let personal = if options.include_personal_email { &person.personal_email } else { &unasked };
    let name = &person.name;
    let person = if [
        &name.first,
        &name.middle,
        &name.last,
        &name.preferred_first,
        &name.preferred_last,
        &person.work_email,
        personal,
        &person.employee_id,
        &person.title,
        &person.job_id,
        &person.manager_id,
    ]
    .into_iter()
    .any(over)
    {
        let mut copy = person.clone();
        let name = &mut copy.name;
        drop_over_cap(&mut name.first, "name.first", notes);
        drop_over_cap(&mut name.middle, "name.middle", notes);
        drop_over_cap(&mut name.last, "name.last", notes);
        drop_over_cap(&mut name.preferred_first, "name.preferred_first", notes);
        drop_over_cap(&mut name.preferred_last, "name.preferred_last", notes);
        drop_over_cap(&mut copy.work_email, "work_email", notes);
        if options.include_personal_email {
            drop_over_cap(&mut copy.personal_email, "personal_email", notes);
        }
        drop_over_cap(&mut copy.employee_id, "employee_id", notes);
        drop_over_cap(&mut copy.title, "title", notes);
        drop_over_cap(&mut copy.job_id, "job_id", notes);
        drop_over_cap(&mut copy.manager_id, "manager_id", notes);
        Cow::Owned(copy)
    } else {
        Cow::Borrowed(person)
    };
    let manager = &extras.manager_name;
    let extras = if [&extras.manager_email, &manager.first, &manager.preferred_first, &manager.last]
        .into_iter()
        .any(over)
        || extras.custom_fields.iter().any(|(_, value)| value.len() > FIELD_CAP)
    {
        let mut copy = extras.clone();
        drop_over_cap(&mut copy.manager_email, "manager_email", notes);
        drop_over_cap(&mut copy.manager_name.first, "manager_name.first", notes);
        drop_over_cap(&mut copy.manager_name.preferred_first, "manager_name.preferred_first", notes);
        drop_over_cap(&mut copy.manager_name.last, "manager_name.last", notes);
        let before = copy.custom_fields.len();
        copy.custom_fields.retain(|(_, value)| value.len() <= FIELD_CAP);
        notes.dropped.extend(std::iter::repeat_n("custom_field", before - copy.custom_fields.len()));
        Cow::Owned(copy)
    } else {
        Cow::Borrowed(extras)
    };
    (person, extras)
}

pub(crate) fn fitted(value: &str, max: usize, field: &'static str, notes: &mut MappingNotes) -> String {
    let (value, cut) = fit(value, max);
    if cut {
        notes.cut.push(field);
    }
    value
}

/// The trimmed address when it is a valid email; a present but invalid one is noted.
fn valid_email<'a>(
    address: Option<&'a str>,
    field: &'static str,
    notes: &mut MappingNotes,
) -> Option<&'a str> {
    let address = non_blank(address)?;
    if is_valid_email(address) {
        Some(address)
    } else {
        notes.dropped.push(field);
        None
    }
}

/// The work email (primary), then the personal one.
fn emails(work: Option<&str>, personal: Option<&str>) -> Vec<user_trait::Email> {
    let work = work.map(|address| (address, true));
    let personal = personal.map(|address| (address, false));
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
