//! ChartHop JSON -> domain types. The only place that knows ChartHop's row shapes.

mod row;

use charthop_domain::{Group, GroupType, Person, PersonName};
use serde_json::Value;

pub(crate) use row::Row;

/// A list answer before its rows are decoded: `{"data": [...], "next": "..."}`.
pub(crate) struct RawPage {
    pub(crate) rows: Vec<Value>,
    pub(crate) next: Option<String>,
}

/// Splits a list answer into rows and the next cursor (absent, `null` or empty = last page).
pub(crate) fn envelope(body: Value) -> Result<RawPage, String> {
    let Value::Object(mut map) = body else {
        return Err("expected a JSON object with a 'data' array".into());
    };
    let key = |name: &str| map.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned();
    let next = key("next").and_then(|k| match map.get(&k) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        _ => None,
    });
    let rows = match key("data").and_then(|k| map.remove(&k)) {
        Some(Value::Array(rows)) => rows,
        Some(Value::Null) => Vec::new(),
        Some(_) => return Err("'data' is not an array".into()),
        None => return Err("the object has no 'data' array".into()),
    };
    Ok(RawPage { rows, next })
}

/// A domain type that ChartHop lists, decoded from one row.
pub(crate) trait Listed: Sized {
    fn id(&self) -> &str;
    /// `None` when the row has no `id` (the caller reports it with endpoint and page).
    fn decode(row: Row<'_>) -> Option<Self>;
}

impl Listed for Person {
    fn id(&self) -> &str {
        &self.id
    }

    fn decode(row: Row<'_>) -> Option<Self> {
        let id = row.id()?;
        let lenient_date = |code: &str| {
            row.date(code).unwrap_or_else(|reason| {
                tracing::warn!(person = %id, "{reason}; treated as missing");
                None
            })
        };
        let created_at = row.timestamp("createAt").unwrap_or_else(|reason| {
            tracing::warn!(person = %id, "{reason}; treated as missing");
            None
        });
        Some(Person {
            name: PersonName {
                first: row.text("name.first"),
                middle: row.text("name.middle"),
                last: row.text("name.last"),
                preferred_first: row.text("name.pref"),
                preferred_last: row.text("name.prefLast"),
            },
            work_email: row.text("contact.workEmail"),
            personal_email: row.text("contact.homeEmail"),
            employee_id: row.text("contact.employee"),
            title: row.text("title"),
            job_id: row.text("jobId"),
            // `managerIds` holds person ids, the direct manager first; `manager` is a job id.
            manager_id: row.id_list("managerIds").and_then(|ids| ids.into_iter().next()),
            start_date: lenient_date("startDate"),
            end_date: lenient_date("endDate"),
            created_at,
            // Absent (or null) stays `None`, so the caller can fetch memberships per person.
            group_ids: row.id_list("groupIds"),
            id,
        })
    }
}

impl Listed for Group {
    fn id(&self) -> &str {
        &self.id
    }

    fn decode(row: Row<'_>) -> Option<Self> {
        let id = row.id()?;
        // `type` is a group-type id (or a legacy name); some shapes nest it as an object.
        let type_id = match row.get("type") {
            Some(Value::Object(inner)) => Row(inner).id(),
            _ => row.text("type"),
        };
        Some(Group {
            name: row.text("name").unwrap_or_default(),
            slug: row.text("slug"),
            code: row.text("code"),
            type_id,
            type_name: None,
            parent_group_id: row.text("parentGroupId"),
            description: row.text("description"),
            id,
        })
    }
}

impl Listed for GroupType {
    fn id(&self) -> &str {
        &self.id
    }

    fn decode(row: Row<'_>) -> Option<Self> {
        let id = row.id()?;
        Some(GroupType {
            name: row.text("name").unwrap_or_default(),
            field_name: row.text("fieldName"),
            membership_type: row.text("membershipType"),
            id,
        })
    }
}

/// Decodes one row; `None` when it is not an object or has no id.
pub(crate) fn decode_row<T: Listed>(value: &Value) -> Option<T> {
    match value {
        Value::Object(map) => T::decode(Row(map)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use serde_json::json;

    use super::*;

    fn person(value: Value) -> Option<Person> {
        decode_row(&value)
    }

    #[test]
    fn flat_and_nested_persons_decode_alike() {
        let flat = json!({
            "id": "p1", "name.first": "Ada", "name.last": "Lovelace", "name.pref": "Addie",
            "contact.workEmail": "ada@example.com", "contact.employee": 42, "title": "Engineer",
            "jobId": "j1", "managerIds": ["p0", "p00"], "startDate": "2020-01-02", "endDate": "",
            "createAt": "2019-12-01T10:00:00Z", "groupIds": ["g1", "g2"], "extra": {"ignored": true}
        });
        let nested = json!({
            "ID": "p1", "Name": {"First": "Ada", "last": "Lovelace", "pref": "Addie"},
            "contact": {"workEmail": "ada@example.com", "employee": "42"}, "TITLE": "Engineer",
            "jobid": "j1", "managerIds": ["p0"], "startDate": "2020-01-02", "endDate": null,
            "createAt": "2019-12-01T10:00:00Z", "groupIds": ["g1", "g2"]
        });
        let flat = person(flat).unwrap();
        assert_eq!(flat, person(nested).unwrap());
        assert_eq!(flat.name.preferred_first.as_deref(), Some("Addie"));
        assert_eq!(flat.employee_id.as_deref(), Some("42"));
        assert_eq!(flat.manager_id.as_deref(), Some("p0"));
        assert_eq!(flat.start_date, NaiveDate::from_ymd_opt(2020, 1, 2));
        assert_eq!(flat.end_date, None);
        assert_eq!(flat.group_ids, Some(vec!["g1".to_owned(), "g2".to_owned()]));
    }

    #[test]
    fn missing_group_ids_stay_unknown_and_empty_ones_are_known() {
        assert_eq!(person(json!({"id": "p1"})).unwrap().group_ids, None);
        assert_eq!(person(json!({"id": "p1", "groupIds": null})).unwrap().group_ids, None);
        assert_eq!(person(json!({"id": "p1", "groupIds": []})).unwrap().group_ids, Some(vec![]));
    }

    #[test]
    fn a_row_with_only_an_id_is_a_person_and_one_without_is_not() {
        let bare = person(json!({"id": "p1", "startDate": "not a date"})).unwrap();
        assert_eq!(bare, Person { id: "p1".into(), ..Default::default() });
        assert_eq!(person(json!({"name.first": "Ada"})), None);
        assert_eq!(person(json!("p1")), None);
    }

    #[test]
    fn groups_and_group_types_decode() {
        let group: Group = decode_row(&json!({
            "id": "g1", "name": "Platform", "slug": "platform", "type": "5f00", "parentGroupId": "g0"
        }))
        .unwrap();
        assert_eq!(group.type_id.as_deref(), Some("5f00"));
        assert_eq!(group.parent_group_id.as_deref(), Some("g0"));
        let nested: Group = decode_row(&json!({"id": "g2", "type": {"id": "5f01", "name": "TEAM"}})).unwrap();
        assert_eq!(nested.type_id.as_deref(), Some("5f01"));
        let kind: GroupType = decode_row(
            &json!({"id": "t1", "name": "TEAM", "fieldName": "team", "membershipType": "MULTIPLE"}),
        )
        .unwrap();
        assert_eq!(kind.membership_type.as_deref(), Some("MULTIPLE"));
    }

    #[test]
    fn envelopes_give_rows_and_an_opaque_next() {
        let page = envelope(json!({"data": [{"id": "a"}], "next": "x=1&y"})).unwrap();
        assert_eq!((page.rows.len(), page.next.as_deref()), (1, Some("x=1&y")));
        for last in [json!({"data": []}), json!({"data": [], "next": ""}), json!({"Data": [], "next": null})]
        {
            assert_eq!(envelope(last).unwrap().next, None);
        }
        assert!(envelope(json!([1, 2])).is_err());
        assert!(envelope(json!({"rows": []})).is_err());
    }
}
