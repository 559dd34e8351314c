//! The pure parts of person mapping: display name, status and profile, as plain Rust values.

use std::collections::{BTreeMap, BTreeSet};

use charthop_domain::{Employment, Person, PersonName};

use crate::directory::GroupDirectory;
use crate::extras::{PersonExtras, custom_profile_key};
use crate::text::non_blank;

/// Profile keys of a person. A key is left out when it has no value, never written empty.
pub mod profile_keys {
    pub const FIRST_NAME: &str = "first_name";
    pub const LAST_NAME: &str = "last_name";
    pub const PREFERRED_NAME: &str = "preferred_name";
    pub const TITLE: &str = "title";
    pub const EMPLOYEE_ID: &str = "employee_id";
    /// Always present: the [`charthop_domain::Employment`] label.
    pub const EMPLOYMENT_STATUS: &str = "employment_status";
    pub const START_DATE: &str = "start_date";
    pub const END_DATE: &str = "end_date";
    pub const MANAGER_ID: &str = "manager_id";
    /// The manager's work email, as the person's row gives it (`manager.contact.workEmail`).
    pub const MANAGER_EMAIL: &str = "manager_email";
    /// The manager's preferred first (else first) and last name (`manager.name.*`).
    pub const MANAGER_NAME: &str = "manager_name";
    pub const JOB_ID: &str = "job_id";
    pub const DEPARTMENT: &str = "department";
    pub const LOCATION: &str = "location";
    pub const TEAMS: &str = "teams";
    /// Prefix of the keys of the org's own fields asked for ([`crate::custom_profile_key`]).
    pub const CUSTOM_PREFIX: &str = "custom_";
}

/// Profile values by key, ordered (protobuf `Struct` fields are a sorted map too).
pub type Profile = BTreeMap<String, String>;

/// Whether C1 should treat the account as usable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountState {
    Enabled,
    Disabled,
    Unspecified,
}

/// Preferred first (else first) + last; else the work email; else the person id.
pub fn person_display_name(person: &Person) -> String {
    let full = full_name(&person.name);
    if !full.is_empty() {
        return full;
    }
    non_blank(person.work_email.as_deref()).unwrap_or(&person.id).to_owned()
}

/// Preferred first (else first) + last; empty when there is neither.
fn full_name(name: &PersonName) -> String {
    let given = non_blank(name.preferred_first.as_deref()).or(non_blank(name.first.as_deref()));
    let family = non_blank(name.last.as_deref());
    match (given, family) {
        (Some(given), Some(family)) => format!("{given} {family}"),
        (Some(one), None) | (None, Some(one)) => one.to_owned(),
        (None, None) => String::new(),
    }
}

/// The account state and its details text for an employment state.
pub fn account_state(employment: Employment) -> (AccountState, String) {
    match employment {
        Employment::Active => (AccountState::Enabled, String::new()),
        Employment::Departed { end_date } => (AccountState::Disabled, format!("departed {end_date}")),
        Employment::PreHire { start_date } => {
            (AccountState::Unspecified, format!("pre-hire, starts {start_date}"))
        }
        Employment::Unknown => (AccountState::Unspecified, "never in a job (no hire dates)".to_owned()),
    }
}

/// The person's profile, with the manager's email and name and the org's own fields.
/// Department, location and teams are the names of the person's groups of those types that
/// are in `groups`; several values are sorted and joined by ", ".
pub fn person_profile_with(
    person: &Person,
    extras: &PersonExtras,
    employment: Employment,
    groups: &GroupDirectory,
) -> Profile {
    use profile_keys::*;
    let mut profile = Profile::new();
    let mut put = |key: &str, value: Option<&str>| {
        if let Some(value) = non_blank(value) {
            profile.entry(key.to_owned()).or_insert_with(|| value.to_owned());
        }
    };
    put(FIRST_NAME, person.name.first.as_deref());
    put(LAST_NAME, person.name.last.as_deref());
    put(PREFERRED_NAME, person.name.preferred_first.as_deref());
    put(TITLE, person.title.as_deref());
    put(EMPLOYEE_ID, person.employee_id.as_deref());
    put(EMPLOYMENT_STATUS, Some(employment.label()));
    put(START_DATE, person.start_date.map(|d| d.to_string()).as_deref());
    put(END_DATE, person.end_date.map(|d| d.to_string()).as_deref());
    put(MANAGER_ID, person.manager_id.as_deref());
    put(MANAGER_EMAIL, extras.manager_email.as_deref());
    put(MANAGER_NAME, Some(&full_name(&extras.manager_name)));
    put(JOB_ID, person.job_id.as_deref());
    put(DEPARTMENT, group_names_of_type(person, groups, "DEPARTMENT").as_deref());
    put(LOCATION, group_names_of_type(person, groups, "LOCATION").as_deref());
    put(TEAMS, group_names_of_type(person, groups, "TEAM").as_deref());
    for (code, value) in &extras.custom_fields {
        put(&custom_profile_key(code), Some(value));
    }
    profile
}

/// Sorted, de-duplicated names of the person's known groups whose type is `type_name`
/// (compared case-insensitively), joined by ", "; `None` when there are none.
fn group_names_of_type(person: &Person, groups: &GroupDirectory, type_name: &str) -> Option<String> {
    let names: BTreeSet<&str> = person
        .group_ids
        .iter()
        .flatten()
        .filter_map(|id| groups.get(id))
        .filter(|g| g.type_name.as_deref().is_some_and(|t| t.eq_ignore_ascii_case(type_name)))
        .map(|g| g.name.as_str())
        .collect();
    (!names.is_empty()).then(|| names.into_iter().collect::<Vec<_>>().join(", "))
}

#[cfg(test)]
mod tests {
    use charthop_domain::{Group, NaiveDate, PersonName};

    use super::*;

    fn named(first: Option<&str>, preferred: Option<&str>, last: Option<&str>) -> Person {
        Person {
            id: "p1".into(),
            name: PersonName {
                first: first.map(Into::into),
                preferred_first: preferred.map(Into::into),
                last: last.map(Into::into),
                ..Default::default()
            },
            work_email: Some("ada@example.com".into()),
            ..Default::default()
        }
    }

    #[test]
    fn display_name_prefers_preferred_first() {
        assert_eq!(
            person_display_name(&named(Some("Augusta"), Some("Ada"), Some("Lovelace"))),
            "Ada Lovelace"
        );
        assert_eq!(
            person_display_name(&named(Some("Augusta"), Some(" "), Some("Lovelace"))),
            "Augusta Lovelace"
        );
        assert_eq!(person_display_name(&named(None, None, Some("Lovelace"))), "Lovelace");
        assert_eq!(person_display_name(&named(Some("Ada"), None, None)), "Ada");
    }

    #[test]
    fn display_name_falls_back_to_email_then_id() {
        let mut person = named(None, None, None);
        assert_eq!(person_display_name(&person), "ada@example.com");
        person.work_email = Some("".into());
        assert_eq!(person_display_name(&person), "p1");
    }

    #[test]
    fn states_follow_employment() {
        let date = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        assert_eq!(account_state(Employment::Active), (AccountState::Enabled, String::new()));
        assert_eq!(
            account_state(Employment::Departed { end_date: date }),
            (AccountState::Disabled, "departed 2026-03-31".to_owned())
        );
        assert_eq!(
            account_state(Employment::PreHire { start_date: date }),
            (AccountState::Unspecified, "pre-hire, starts 2026-03-31".to_owned())
        );
        assert_eq!(account_state(Employment::Unknown).0, AccountState::Unspecified);
    }

    #[test]
    fn profile_group_names_are_typed_sorted_and_known_only() {
        let group = |id: &str, name: &str, type_name: &str| Group {
            id: id.into(),
            name: name.into(),
            type_name: Some(type_name.into()),
            ..Default::default()
        };
        let groups = [
            group("d", "Engineering", "DEPARTMENT"),
            group("t1", "Platform", "TEAM"),
            group("t2", "Infra", "team"),
            group("l", "Berlin", "LOCATION"),
            group("c", "CC-1", "COST_CENTER"),
        ];
        let directory = GroupDirectory::new(&groups);
        let mut person = named(Some("Ada"), None, None);
        person.group_ids = Some(["t1", "d", "t2", "l", "c", "missing", "t1"].map(String::from).to_vec());
        let profile = person_profile_with(&person, &PersonExtras::default(), Employment::Active, &directory);
        assert_eq!(profile.get("department").map(String::as_str), Some("Engineering"));
        assert_eq!(profile.get("location").map(String::as_str), Some("Berlin"));
        assert_eq!(profile.get("teams").map(String::as_str), Some("Infra, Platform"));
        assert_eq!(profile.get("employment_status").map(String::as_str), Some("active"));
        assert!(!profile.contains_key("last_name"), "missing values are left out");
        assert!(!profile.values().any(String::is_empty));
    }
}
