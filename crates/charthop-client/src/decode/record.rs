//! A person row with what it carries beyond [`Person`]: the manager's contact and name, and
//! the extra field codes the query asked for.

use charthop_domain::{Person, PersonName};
use serde_json::Value;

use super::{Listed, Row, RowFault};

/// One person of the list and the row's extra data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonRecord {
    pub person: Person,
    /// `manager.contact.workEmail` of the row.
    pub manager_email: Option<String>,
    /// `manager.name.first`, `.pref` and `.last` of the row (middle and preferred last are
    /// not asked for).
    pub manager_name: PersonName,
    /// The query's extra field codes that the row answered, in the order asked for, with
    /// the value as text: strings trimmed, numbers and booleans printed, arrays and objects
    /// as compact JSON. Codes the row left out (or `null`, or blank) are not here.
    pub extra_fields: Vec<(String, String)>,
}

impl PersonRecord {
    pub(crate) fn decode_with(row: Row<'_>, extra_codes: &[String]) -> Result<Self, RowFault> {
        let person = Person::decode(row)?;
        let extra_fields =
            extra_codes.iter().filter_map(|code| Some((code.clone(), as_text(row.get(code)?)?))).collect();
        Ok(PersonRecord {
            person,
            manager_email: row.text("manager.contact.workEmail"),
            manager_name: PersonName {
                first: row.text("manager.name.first"),
                preferred_first: row.text("manager.name.pref"),
                last: row.text("manager.name.last"),
                ..Default::default()
            },
            extra_fields,
        })
    }
}

impl Listed for PersonRecord {
    fn decode(row: Row<'_>) -> Result<Self, RowFault> {
        Self::decode_with(row, &[])
    }
}

fn as_text(value: &Value) -> Option<String> {
    let text = match value {
        Value::Null => return None,
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Array(_) | Value::Object(_) => value.to_string(),
    };
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::decode::decode_row;

    fn record(value: Value, codes: &[&str]) -> PersonRecord {
        let codes: Vec<String> = codes.iter().map(|c| (*c).to_owned()).collect();
        let Value::Object(map) = value else { unreachable!("test rows are objects") };
        PersonRecord::decode_with(Row(&map), &codes).unwrap()
    }

    #[test]
    fn manager_fields_read_flat_and_nested_and_not_from_the_job_id() {
        let flat = record(
            json!({"id": "p1", "manager": "j0", "manager.contact.workEmail": "grace@example.com",
                   "manager.name.first": "Grace", "manager.name.last": "Hopper"}),
            &[],
        );
        let nested = record(
            json!({"id": "p1", "manager": {"contact": {"workEmail": "grace@example.com"},
                   "name": {"first": "Grace", "last": "Hopper"}}}),
            &[],
        );
        assert_eq!(flat, nested);
        assert_eq!(flat.manager_email.as_deref(), Some("grace@example.com"));
        assert_eq!(flat.manager_name.last.as_deref(), Some("Hopper"));
        let job_only = record(json!({"id": "p1", "manager": "j0"}), &[]);
        assert_eq!((job_only.manager_email, job_only.manager_name), (None, PersonName::default()));
    }

    #[test]
    fn extra_fields_become_text_in_the_order_asked() {
        let row = json!({"id": "p1", "fte": 0.8, "shirtSize": " M ", "remote": true, "empty": "",
                         "custom": {"badge": {"id": 7}}, "tags": ["a", "b"], "gone": null});
        let got =
            record(row, &["shirtSize", "fte", "remote", "empty", "custom.badge", "tags", "gone", "absent"]);
        let got: Vec<(&str, &str)> = got.extra_fields.iter().map(|(c, v)| (c.as_str(), v.as_str())).collect();
        assert_eq!(
            got,
            [
                ("shirtSize", "M"),
                ("fte", "0.8"),
                ("remote", "true"),
                ("custom.badge", r#"{"id":7}"#),
                ("tags", r#"["a","b"]"#)
            ]
        );
    }

    #[test]
    fn a_record_is_its_person() {
        let row = json!({"id": "p1", "name.first": "Ada", "groupIds": ["g1"]});
        let person: Person = decode_row(&row).unwrap();
        let record: PersonRecord = decode_row(&row).unwrap();
        assert_eq!(record.person, person);
    }
}
