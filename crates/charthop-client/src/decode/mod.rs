//! ChartHop JSON -> domain types. The only place that knows ChartHop's row shapes.

mod cost;
mod record;
mod row;

use charthop_domain::{Group, GroupType, Person, PersonName};
use serde_json::Value;

pub(crate) use cost::decoded_bytes;
pub use record::PersonRecord;
pub(crate) use row::{Row, kind_of};

/// A list answer before its rows are decoded: `{"data": [...], "next": "..."}`.
pub(crate) struct RawPage {
    pub(crate) rows: Vec<Value>,
    pub(crate) next: Option<String>,
}

/// Why a list answer is not a page. Never holds the body's values, only their kinds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EnvelopeFault {
    NotAnObject(&'static str),
    /// `data` absent (`"absent"`), `null`, or not an array.
    Data(&'static str),
    /// `next` present but not a string.
    Next(&'static str),
}

/// Splits a list answer into rows and the next cursor (absent, `null` or empty = last page).
/// A `data` that is not an array is never read as an empty page: a page that lost its rows
/// would pass for the end of the listing.
pub(crate) fn envelope(body: Value) -> Result<RawPage, EnvelopeFault> {
    let Value::Object(mut map) = body else {
        return Err(EnvelopeFault::NotAnObject(kind_of(&body)));
    };
    let key = |name: &str| map.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned();
    let next = match key("next").and_then(|k| map.get(&k)) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()).filter(|s| !s.trim().is_empty()),
        Some(other) => return Err(EnvelopeFault::Next(kind_of(other))),
    };
    let rows = match key("data").and_then(|k| map.remove(&k)) {
        Some(Value::Array(rows)) => rows,
        Some(other) => return Err(EnvelopeFault::Data(kind_of(&other))),
        None => return Err(EnvelopeFault::Data("absent")),
    };
    Ok(RawPage { rows, next })
}

/// Why one row could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RowFault {
    /// Not an object, or no `id`.
    NoId,
    /// A field present with a shape that cannot be read (`found` is its kind).
    Field { id: String, field: &'static str, found: &'static str },
}

/// A domain type that ChartHop lists, decoded from one row.
pub(crate) trait Listed: Sized {
    /// The caller reports a fault with endpoint and page.
    fn decode(row: Row<'_>) -> Result<Self, RowFault>;
}

impl Listed for Person {
    fn decode(row: Row<'_>) -> Result<Self, RowFault> {
        let id = row.id().ok_or(RowFault::NoId)?;
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
        // Absent (or null) stays `None`, so the caller can fetch memberships per person; a
        // wrong shape is an error, never "no group".
        let group_ids =
            row.group_ids().map_err(|found| RowFault::Field { id: id.clone(), field: "groupIds", found })?;
        Ok(Person {
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
            group_ids,
            id,
        })
    }
}

impl Listed for Group {
    fn decode(row: Row<'_>) -> Result<Self, RowFault> {
        let id = row.id().ok_or(RowFault::NoId)?;
        // `type` is a group-type id (or a legacy name); some shapes nest it as an object.
        let type_id = match row.get("type") {
            Some(Value::Object(inner)) => Row(inner).id(),
            _ => row.text("type"),
        };
        Ok(Group {
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
    fn decode(row: Row<'_>) -> Result<Self, RowFault> {
        let id = row.id().ok_or(RowFault::NoId)?;
        Ok(GroupType {
            name: row.text("name").unwrap_or_default(),
            field_name: row.text("fieldName"),
            membership_type: row.text("membershipType"),
            id,
        })
    }
}

/// Decodes one row.
pub(crate) fn decode_row<T: Listed>(value: &Value) -> Result<T, RowFault> {
    match value {
        Value::Object(map) => T::decode(Row(map)),
        _ => Err(RowFault::NoId),
    }
}

/// See [`crate::decode_page_for_fuzzing`].
pub(crate) fn decode_page_for_fuzzing(bytes: &[u8]) -> Result<usize, String> {
    fn all<T: Listed>(rows: &[Value]) -> Result<(), String> {
        rows.iter().try_for_each(|row| decode_row::<T>(row).map(drop).map_err(|f| format!("{f:?}")))
    }
    let body: Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let page = envelope(body).map_err(|f| format!("{f:?}"))?;
    let persons = all::<Person>(&page.rows);
    let groups = all::<Group>(&page.rows);
    let types = all::<GroupType>(&page.rows);
    persons.and(groups).and(types).map(|()| page.rows.len())
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use serde_json::json;

    use super::*;

    fn person(value: Value) -> Option<Person> {
        decode_row(&value).ok()
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
    fn group_ids_of_a_wrong_type_name_the_person() {
        let fault = decode_row::<Person>(&json!({"id": "p1", "groupIds": {"g1": true}})).unwrap_err();
        assert_eq!(fault, RowFault::Field { id: "p1".into(), field: "groupIds", found: "an object" });
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
        assert_eq!(envelope(json!([1, 2])).err(), Some(EnvelopeFault::NotAnObject("an array")));
        assert_eq!(envelope(json!({"rows": []})).err(), Some(EnvelopeFault::Data("absent")));
        assert_eq!(envelope(json!({"data": null})).err(), Some(EnvelopeFault::Data("null")));
        assert_eq!(envelope(json!({"data": {}})).err(), Some(EnvelopeFault::Data("an object")));
        for (next, kind) in [
            (json!(2), "a number"),
            (json!({}), "an object"),
            (json!(["x"]), "an array"),
            (json!(true), "a boolean"),
        ] {
            let fault = envelope(json!({"data": [], "next": next})).err();
            assert_eq!(fault, Some(EnvelopeFault::Next(kind)));
        }
    }
}
