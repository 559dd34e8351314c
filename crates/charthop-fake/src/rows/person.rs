use charthop_domain::{DateTime, NaiveDate, Person, Utc};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use crate::knobs::GroupIdsAnswer;

/// Person field codes as ChartHop names them. `id` is always sent and not listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    NameFirst,
    NameMiddle,
    NameLast,
    NamePref,
    NamePrefLast,
    WorkEmail,
    HomeEmail,
    Employee,
    StartDate,
    EndDate,
    JobId,
    Title,
    Manager,
    ManagerIds,
    GroupIds,
    CreateAt,
    ManagerWorkEmail,
    ManagerNameFirst,
    ManagerNamePref,
    ManagerNameLast,
    ShirtSize,
    Fte,
}

const ALL: [Field; 22] = [
    Field::NameFirst,
    Field::NameMiddle,
    Field::NameLast,
    Field::NamePref,
    Field::NamePrefLast,
    Field::WorkEmail,
    Field::HomeEmail,
    Field::Employee,
    Field::StartDate,
    Field::EndDate,
    Field::JobId,
    Field::Title,
    Field::Manager,
    Field::ManagerIds,
    Field::GroupIds,
    Field::CreateAt,
    Field::ManagerWorkEmail,
    Field::ManagerNameFirst,
    Field::ManagerNamePref,
    Field::ManagerNameLast,
    Field::ShirtSize,
    Field::Fte,
];

impl Field {
    fn code(self) -> &'static str {
        match self {
            Field::NameFirst => "name.first",
            Field::NameMiddle => "name.middle",
            Field::NameLast => "name.last",
            Field::NamePref => "name.pref",
            Field::NamePrefLast => "name.prefLast",
            Field::WorkEmail => "contact.workEmail",
            Field::HomeEmail => "contact.homeEmail",
            Field::Employee => "contact.employee",
            Field::StartDate => "startDate",
            Field::EndDate => "endDate",
            Field::JobId => "jobId",
            Field::Title => "title",
            Field::Manager => "manager",
            Field::ManagerIds => "managerIds",
            Field::GroupIds => "groupIds",
            Field::CreateAt => "createAt",
            // The manager's own fields, reached through the person's row.
            Field::ManagerWorkEmail => "manager.contact.workEmail",
            Field::ManagerNameFirst => "manager.name.first",
            Field::ManagerNamePref => "manager.name.pref",
            Field::ManagerNameLast => "manager.name.last",
            Field::ShirtSize => crate::CUSTOM_FIELD_CODES[0],
            Field::Fte => crate::CUSTOM_FIELD_CODES[1],
        }
    }
}

/// Which person fields a row carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PersonFields(u32);

impl PersonFields {
    /// What a request without `fields` gets: names, work email, employee id, dates, job,
    /// manager and creation time; no personal email, no `groupIds`.
    pub fn default_set() -> Self {
        let defaults = "name.first,name.last,name.pref,contact.workEmail,contact.employee,\
                        startDate,endDate,jobId,title,manager,managerIds,createAt";
        Self::parse(defaults)
    }

    pub fn parse(list: &str) -> Self {
        PersonFields(super::parse_codes(list, &ALL, Field::code))
    }

    pub fn from_query(fields: Option<&str>) -> Self {
        fields.map_or_else(Self::default_set, Self::parse)
    }

    pub fn without_group_ids(self) -> Self {
        PersonFields(self.0 & !Self::bit(Field::GroupIds))
    }

    fn bit(field: Field) -> u32 {
        1 << ALL.iter().position(|f| *f == field).expect("listed")
    }

    fn has(self, field: Field) -> bool {
        self.0 & Self::bit(field) != 0
    }

    fn iter(self) -> impl Iterator<Item = Field> {
        ALL.into_iter().filter(move |f| self.has(*f))
    }
}

enum Value<'a> {
    Text(&'a str),
    Date(NaiveDate),
    Time(DateTime<Utc>),
    Ids(&'a [String]),
    /// Ids joined by commas: a shape a client must not read as an array.
    IdsText(String),
    OptionalId(Option<&'a str>),
    Json(serde_json::Value),
}

impl Serialize for Value<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Text(text) => s.serialize_str(text),
            Value::Date(date) => s.collect_str(&date.format("%Y-%m-%d")),
            Value::Time(time) => s.collect_str(&time.format("%Y-%m-%dT%H:%M:%SZ")),
            Value::Ids(ids) => ids.serialize(s),
            Value::IdsText(text) => s.serialize_str(text),
            Value::Json(value) => value.serialize(s),
            Value::OptionalId(id) => {
                let mut seq = s.serialize_seq(Some(usize::from(id.is_some())))?;
                if let Some(id) = id {
                    seq.serialize_element(id)?;
                }
                seq.end()
            }
        }
    }
}

/// One person as a row: flat (`"name.first"`) or nested (`"name": {"first"}`).
pub(crate) struct PersonRow<'a> {
    pub person: &'a Person,
    pub fields: PersonFields,
    pub nested: bool,
    /// The manager's job id, which the `manager` field carries.
    pub manager_job_id: Option<&'a str>,
    /// The manager, whose fields `manager.*` codes reach.
    pub manager: Option<&'a Person>,
    pub group_ids: GroupIdsAnswer,
    /// Sent instead of the person's title (a fault knob).
    pub title_override: Option<&'a str>,
}

impl<'a> PersonRow<'a> {
    /// The value of `field`, or `None` when the person has none (the key is left out).
    fn value(&self, field: Field) -> Option<Value<'a>> {
        let p = self.person;
        let text = |v: &'a Option<String>| v.as_deref().map(Value::Text);
        match field {
            Field::NameFirst => text(&p.name.first),
            Field::NameMiddle => text(&p.name.middle),
            Field::NameLast => text(&p.name.last),
            Field::NamePref => text(&p.name.preferred_first),
            Field::NamePrefLast => text(&p.name.preferred_last),
            Field::WorkEmail => text(&p.work_email),
            Field::HomeEmail => text(&p.personal_email),
            Field::Employee => text(&p.employee_id),
            Field::StartDate => p.start_date.map(Value::Date),
            Field::EndDate => p.end_date.map(Value::Date),
            Field::JobId => text(&p.job_id),
            Field::Title => self.title_override.map(Value::Text).or_else(|| text(&p.title)),
            Field::Manager => self.manager_job_id.map(Value::Text),
            Field::ManagerIds => Some(Value::OptionalId(p.manager_id.as_deref())),
            Field::GroupIds => {
                let ids = p.group_ids.as_deref().unwrap_or_default();
                match self.group_ids {
                    GroupIdsAnswer::Array => Some(Value::Ids(ids)),
                    GroupIdsAnswer::Absent => None,
                    GroupIdsAnswer::Text => Some(Value::IdsText(ids.join(","))),
                }
            }
            Field::CreateAt => p.created_at.map(Value::Time),
            Field::ManagerWorkEmail => self.manager?.work_email.as_deref().map(Value::Text),
            Field::ManagerNameFirst => self.manager?.name.first.as_deref().map(Value::Text),
            Field::ManagerNamePref => self.manager?.name.preferred_first.as_deref().map(Value::Text),
            Field::ManagerNameLast => self.manager?.name.last.as_deref().map(Value::Text),
            Field::ShirtSize | Field::Fte => crate::custom_field(p, field.code()).map(Value::Json),
        }
    }

    /// Selected fields under `section.` that have a value, with the section prefix removed.
    fn section(&self, section: &'static str) -> Vec<(&'static str, Value<'a>)> {
        self.fields
            .iter()
            .filter_map(|f| {
                let key = f.code().strip_prefix(section)?.strip_prefix('.')?;
                Some((key, self.value(f)?))
            })
            .collect()
    }
}

impl PersonRow<'_> {
    /// `{"contact": {"workEmail"}, "name": {"first", ...}}` of the manager's asked-for
    /// fields that have a value; `None` when there are none.
    fn manager_tree(&self) -> Option<serde_json::Value> {
        let mut tree = serde_json::Map::new();
        for (path, value) in self.section("manager") {
            let Ok(value) = serde_json::to_value(&value) else { continue };
            let (section, key) = path.split_once('.').unwrap_or(("", path));
            let inner = tree.entry(section).or_insert_with(|| serde_json::json!({}));
            if let Some(inner) = inner.as_object_mut() {
                inner.insert(key.to_owned(), value);
            }
        }
        (!tree.is_empty()).then_some(serde_json::Value::Object(tree))
    }
}

struct Section<'a>(Vec<(&'static str, Value<'a>)>);

impl Serialize for Section<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl Serialize for PersonRow<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("id", &self.person.id)?;
        let manager = self.nested.then(|| self.manager_tree()).flatten();
        if self.nested {
            for section in ["name", "contact"] {
                let entries = self.section(section);
                if !entries.is_empty() {
                    map.serialize_entry(section, &Section(entries))?;
                }
            }
            if let Some(manager) = &manager {
                map.serialize_entry("manager", manager)?;
            }
        }
        for field in self.fields.iter() {
            if self.nested && field.code().contains('.') {
                continue;
            }
            // Nested, `manager` is the manager's object when its fields were asked for.
            if field == Field::Manager && manager.is_some() {
                continue;
            }
            if let Some(value) = self.value(field) {
                map.serialize_entry(field.code(), &value)?;
            }
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use charthop_domain::PersonName;
    use serde_json::json;

    use super::*;

    fn ada() -> Person {
        Person {
            id: "p1".into(),
            name: PersonName {
                first: Some("Ada".into()),
                last: Some("Lovelace".into()),
                ..Default::default()
            },
            work_email: Some("ada@example.com".into()),
            personal_email: Some("ada@home.example".into()),
            start_date: Some("2020-02-03".parse().unwrap()),
            manager_id: Some("p0".into()),
            group_ids: Some(vec!["g1".into(), "g2".into()]),
            created_at: Some("2020-01-02T03:04:05Z".parse().unwrap()),
            ..Default::default()
        }
    }

    fn row(person: &Person, fields: &str, nested: bool) -> serde_json::Value {
        let row = PersonRow {
            person,
            fields: PersonFields::parse(fields),
            nested,
            manager_job_id: Some("j0"),
            manager: None,
            group_ids: GroupIdsAnswer::Array,
            title_override: None,
        };
        serde_json::to_value(&row).unwrap()
    }

    #[test]
    fn flat_and_nested_rows_carry_the_same_values() {
        let p = ada();
        let fields = "NAME.FIRST,name.last,contact.workEmail,startDate,endDate,manager,managerIds,groupIds,createAt,bogus";
        assert_eq!(
            row(&p, fields, false),
            json!({"id": "p1", "name.first": "Ada", "name.last": "Lovelace", "contact.workEmail": "ada@example.com",
                   "startDate": "2020-02-03", "manager": "j0", "managerIds": ["p0"], "groupIds": ["g1", "g2"],
                   "createAt": "2020-01-02T03:04:05Z"})
        );
        assert_eq!(
            row(&p, fields, true),
            json!({"id": "p1", "name": {"first": "Ada", "last": "Lovelace"}, "contact": {"workEmail": "ada@example.com"},
                   "startDate": "2020-02-03", "manager": "j0", "managerIds": ["p0"], "groupIds": ["g1", "g2"],
                   "createAt": "2020-01-02T03:04:05Z"})
        );
    }

    #[test]
    fn home_email_only_when_asked_and_empty_sections_are_left_out() {
        let p = ada();
        assert_eq!(row(&p, "name.middle,title", true), json!({"id": "p1"}));
        assert!(row(&p, "", false).get("contact.homeEmail").is_none());
        assert_eq!(row(&p, "contact.homeEmail", false)["contact.homeEmail"], "ada@home.example");
        let defaults = PersonRow {
            person: &p,
            fields: PersonFields::default_set(),
            nested: false,
            manager_job_id: None,
            manager: None,
            group_ids: GroupIdsAnswer::Array,
            title_override: None,
        };
        let defaults = serde_json::to_value(&defaults).unwrap();
        assert!(defaults.get("contact.homeEmail").is_none() && defaults.get("groupIds").is_none());
        assert_eq!(defaults["name.first"], "Ada");
    }

    #[test]
    fn manager_fields_come_from_the_manager_flat_or_nested() {
        let mut manager = ada();
        manager.name.first = Some("Grace".into());
        manager.name.last = Some("Hopper".into());
        manager.work_email = Some("grace@example.com".into());
        let mut report = ada();
        report.job_id = Some("j1".into());
        let fields =
            "manager,manager.contact.workEmail,manager.name.first,manager.name.last,manager.name.pref,fte";
        let row = |nested| {
            let row = PersonRow {
                person: &report,
                fields: PersonFields::parse(fields),
                nested,
                manager_job_id: Some("j0"),
                manager: Some(&manager),
                group_ids: GroupIdsAnswer::Array,
                title_override: None,
            };
            serde_json::to_value(&row).unwrap()
        };
        let fte = crate::custom_field(&report, "fte").expect("a person in a job has an fte");
        assert_eq!(
            row(false),
            json!({"id": "p1", "manager": "j0", "manager.contact.workEmail": "grace@example.com",
                   "manager.name.first": "Grace", "manager.name.last": "Hopper", "fte": fte})
        );
        assert_eq!(
            row(true),
            json!({"id": "p1", "manager": {"contact": {"workEmail": "grace@example.com"},
                   "name": {"first": "Grace", "last": "Hopper"}}, "fte": fte})
        );
        assert_eq!(crate::custom_field(&ada(), "fte"), None, "no job, no custom fields");
    }
}
