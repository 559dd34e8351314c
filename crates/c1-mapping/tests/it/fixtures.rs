//! A small, fixed org: four groups of different types and persons in every state.

use c1_mapping::{GroupDirectory, MappingOptions};
use charthop_domain::{DateTime, Group, NaiveDate, Person, PersonName, Utc};

pub const COMPANY: &str = "5f00000000000000000d0000";
pub const ENGINEERING: &str = "5f00000000000000000d0001";
pub const PLATFORM: &str = "5f00000000000000000e0001";
pub const BERLIN: &str = "5f00000000000000000f0001";
pub const RESEARCH: &str = "5f0000000000000000c00001";
/// A group id that is not among the synced groups.
pub const UNKNOWN_GROUP: &str = "5f0000000000000000ffffff";

pub fn date(text: &str) -> NaiveDate {
    text.parse().expect("fixture date")
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().expect("fixture timestamp")
}

pub fn options(include_personal_email: bool) -> MappingOptions {
    MappingOptions { today: date("2026-11-28"), include_personal_email }
}

pub fn company() -> Group {
    Group {
        id: COMPANY.into(),
        name: "Product & Engineering".into(),
        slug: Some("product-engineering".into()),
        type_id: Some("5f0000000000000000a00001".into()),
        type_name: Some("DEPARTMENT".into()),
        ..Default::default()
    }
}

/// A department under another department, its type given by id.
pub fn engineering() -> Group {
    Group {
        id: ENGINEERING.into(),
        name: "Engineering".into(),
        slug: Some("engineering".into()),
        code: Some("ENG".into()),
        type_id: Some("5f0000000000000000a00001".into()),
        type_name: Some("DEPARTMENT".into()),
        parent_group_id: Some(COMPANY.into()),
        description: Some("Builds the product.".into()),
    }
}

/// A team whose type is a legacy name.
pub fn platform() -> Group {
    Group {
        id: PLATFORM.into(),
        name: "Platform".into(),
        slug: Some("platform".into()),
        type_id: Some("TEAM".into()),
        type_name: Some("TEAM".into()),
        parent_group_id: Some(ENGINEERING.into()),
        ..Default::default()
    }
}

pub fn berlin() -> Group {
    Group {
        id: BERLIN.into(),
        name: "Berlin".into(),
        slug: Some("berlin".into()),
        code: Some("BER".into()),
        type_id: Some("5f0000000000000000a00003".into()),
        type_name: Some("LOCATION".into()),
        ..Default::default()
    }
}

/// A group of a type the org defined.
pub fn research() -> Group {
    Group {
        id: RESEARCH.into(),
        name: "CC-100 Research".into(),
        code: Some("CC-100".into()),
        type_id: Some("5f0000000000000000a00009".into()),
        type_name: Some("COST_CENTER".into()),
        ..Default::default()
    }
}

pub fn all_groups() -> Vec<Group> {
    vec![company(), engineering(), platform(), berlin(), research()]
}

pub fn directory() -> GroupDirectory {
    GroupDirectory::new(&all_groups())
}

/// Active, fully filled, in every kind of group plus one that does not exist.
pub fn active() -> Person {
    Person {
        id: "60aa00000000000000000001".into(),
        name: PersonName {
            first: Some("Augusta".into()),
            middle: Some("Ada".into()),
            last: Some("King".into()),
            preferred_first: Some("Ada".into()),
            preferred_last: Some("Lovelace".into()),
        },
        work_email: Some("ada@example.com".into()),
        personal_email: Some("ada.home@example.org".into()),
        employee_id: Some("E-1001".into()),
        title: Some("Staff Engineer".into()),
        job_id: Some("70bb00000000000000000001".into()),
        manager_id: Some("60aa00000000000000000099".into()),
        start_date: Some(date("2019-04-01")),
        end_date: None,
        created_at: Some(at("2019-03-15T09:30:00.250Z")),
        group_ids: Some([ENGINEERING, PLATFORM, BERLIN, RESEARCH, UNKNOWN_GROUP].map(String::from).to_vec()),
    }
}

pub fn departed() -> Person {
    Person {
        id: "60aa00000000000000000002".into(),
        name: PersonName {
            first: Some("Charles".into()),
            last: Some("Babbage".into()),
            ..Default::default()
        },
        work_email: Some("charles@example.com".into()),
        employee_id: Some("E-0042".into()),
        title: Some("Analyst".into()),
        start_date: Some(date("2015-01-05")),
        end_date: Some(date("2025-06-30")),
        created_at: Some(at("2015-01-02T00:00:00Z")),
        group_ids: Some(vec![ENGINEERING.into()]),
        ..Default::default()
    }
}

pub fn pre_hire() -> Person {
    Person {
        id: "60aa00000000000000000003".into(),
        name: PersonName { first: Some("Grace".into()), last: Some("Hopper".into()), ..Default::default() },
        work_email: Some("grace@example.com".into()),
        title: Some("Engineer".into()),
        start_date: Some(date("2027-01-04")),
        created_at: Some(at("2026-11-01T12:00:00Z")),
        group_ids: Some(vec![]),
        ..Default::default()
    }
}

/// Never in a job: no dates, no email, no name. Only the id is left to show.
pub fn never_hired() -> Person {
    Person { id: "60aa00000000000000000004".into(), ..Default::default() }
}

/// Active with a name but no work email.
pub fn without_work_email() -> Person {
    Person {
        id: "60aa00000000000000000005".into(),
        name: PersonName { first: Some("Alan".into()), last: Some("Turing".into()), ..Default::default() },
        personal_email: Some("alan@example.org".into()),
        start_date: Some(date("2020-02-01")),
        group_ids: Some(vec![BERLIN.into()]),
        ..Default::default()
    }
}

/// Active, non-ASCII names everywhere.
pub fn unicode_name() -> Person {
    Person {
        id: "60aa00000000000000000006".into(),
        name: PersonName {
            first: Some("Zoë".into()),
            middle: Some("Ångström".into()),
            last: Some("Núñez-Øberg 李".into()),
            preferred_first: None,
            preferred_last: None,
        },
        work_email: Some("zoe@example.com".into()),
        title: Some("Ingénieure".into()),
        start_date: Some(date("2024-09-02")),
        group_ids: Some(vec![PLATFORM.into()]),
        ..Default::default()
    }
}
