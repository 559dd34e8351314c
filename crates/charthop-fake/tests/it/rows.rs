use std::collections::HashSet;

use charthop_domain::Employment;
use charthop_fake::Knobs;
use serde_json::{Map, Value, json};

use crate::http::{fake, get, groups_path, ids, persons_path, today, walk};

const ALL_FIELDS: &str = "name.first,name.middle,name.last,name.pref,name.prefLast,contact.workEmail,\
contact.homeEmail,contact.employee,startDate,endDate,jobId,title,manager,managerIds,groupIds,createAt";

/// A nested row written the flat way, to compare the two forms.
fn flatten(row: &Value) -> Map<String, Value> {
    let mut flat = Map::new();
    for (key, value) in row.as_object().unwrap() {
        match value {
            Value::Object(inner) => {
                for (child, v) in inner {
                    flat.insert(format!("{key}.{child}"), v.clone());
                }
            }
            other => {
                flat.insert(key.clone(), other.clone());
            }
        }
    }
    flat
}

#[tokio::test]
async fn nested_rows_carry_what_flat_rows_carry() {
    let fake = fake(300, Knobs::default()).await;
    let path = persons_path(&fake, &format!("includeAll=true&limit=300&fields={ALL_FIELDS}"));
    let flat = get(&fake, &path).await.rows();
    assert!(flat.iter().all(|r| r.get("name").is_none() && r.get("name.first").is_some()));
    fake.update_knobs(|k| k.nested_rows = true);
    let nested = get(&fake, &path).await.rows();
    assert!(nested.iter().all(|r| r.get("name.first").is_none() && r["name"]["first"].is_string()));
    assert_eq!(flat.len(), 300);
    for (flat, nested) in flat.iter().zip(&nested) {
        assert_eq!(flat.as_object().unwrap(), &flatten(nested));
    }
    fake.shutdown().await;
}

#[tokio::test]
async fn fields_are_case_insensitive_unknown_ones_ignored_and_id_always_sent() {
    let fake = fake(50, Knobs::default()).await;
    let person = &fake.org().persons[0];
    let path = format!(
        "/v2/org/{}/person/{}?fields=NAME.FIRST,Contact.WorkEmail,noSuchField",
        fake.org().slug,
        person.id
    );
    let mut expected = json!({"id": person.id, "name.first": person.name.first});
    if let Some(email) = &person.work_email {
        expected["contact.workEmail"] = json!(email);
    }
    assert_eq!(get(&fake, &path).await.json(), expected);

    let defaults = get(&fake, &persons_path(&fake, "includeAll=true")).await.rows();
    assert!(defaults.iter().all(|r| r.get("contact.homeEmail").is_none() && r.get("groupIds").is_none()));
    assert!(defaults.iter().all(|r| r.get("name.first").is_some()));
    let homes = get(&fake, &persons_path(&fake, "includeAll=true&fields=contact.homeEmail")).await.rows();
    assert!(homes.iter().any(|r| r.get("contact.homeEmail").is_some()));
    fake.shutdown().await;
}

#[tokio::test]
async fn person_values_match_the_ground_truth() {
    let fake = fake(400, Knobs::default()).await;
    let (rows, _) =
        walk(&fake, &persons_path(&fake, &format!("includeAll=true&limit=150&fields={ALL_FIELDS}")), 10)
            .await;
    assert_eq!(rows.len(), 400);
    for (row, person) in rows.iter().zip(&fake.org().persons) {
        assert_eq!(row["id"], json!(person.id));
        assert_eq!(row.get("name.first").and_then(Value::as_str), person.name.first.as_deref());
        assert_eq!(row.get("contact.workEmail").and_then(Value::as_str), person.work_email.as_deref());
        let start = person.start_date.map(|d| d.to_string());
        assert_eq!(row.get("startDate").and_then(Value::as_str), start.as_deref());
        let end = person.end_date.map(|d| d.to_string());
        assert_eq!(row.get("endDate").and_then(Value::as_str), end.as_deref());
        assert_eq!(row["groupIds"], json!(person.group_ids.clone().unwrap()));
        assert_eq!(row["managerIds"], json!(person.manager_id.iter().collect::<Vec<_>>()));
        let manager_job =
            person.manager_id.as_deref().and_then(|m| fake.org().person(m)).and_then(|m| m.job_id.clone());
        assert_eq!(row.get("manager").and_then(Value::as_str), manager_job.as_deref());
        let created = row["createAt"].as_str().unwrap();
        assert_eq!(
            chrono::DateTime::parse_from_rfc3339(created).unwrap().to_utc(),
            person.created_at.unwrap()
        );
    }
    fake.shutdown().await;
}

#[tokio::test]
async fn include_all_date_and_ids_select_persons() {
    let fake = fake(500, Knobs::default()).await;
    let (fake, org) = (&fake, fake.org());
    let listed = |query: String| {
        let path = persons_path(fake, &format!("{query}&limit=1000&fields=name.first"));
        async move { ids(&get(fake, &path).await.rows()).into_iter().collect::<HashSet<_>>() }
    };
    let all: HashSet<_> = org.persons.iter().map(|p| p.id.clone()).collect();
    assert_eq!(listed("includeAll=true".into()).await, all);

    let active_on = |date| -> HashSet<_> {
        org.persons
            .iter()
            .filter(|p| p.employment_at(date) == Employment::Active)
            .map(|p| p.id.clone())
            .collect()
    };
    let current = listed("includeAll=false".into()).await;
    assert_eq!(current, active_on(today()));
    assert_eq!(listed(String::new()).await, current, "includeAll defaults to false");
    assert!(current.len() < all.len() - 30, "departed, pre-hires and never-in-job are left out");

    let earlier = today() - chrono::Days::new(700);
    assert_eq!(listed(format!("date={earlier}")).await, active_on(earlier));
    assert_ne!(active_on(earlier), current);

    let some: Vec<_> = org.persons.iter().step_by(50).map(|p| p.id.clone()).collect();
    assert_eq!(
        listed(format!("includeAll=true&ids={}", some.join(","))).await,
        some.iter().cloned().collect()
    );
    assert_eq!(get(fake, &persons_path(fake, "date=yesterday")).await.status, 400);
}

#[tokio::test]
async fn the_person_list_honours_group_ids_only_when_the_knob_says_so() {
    let fake = fake(100, Knobs::default()).await;
    let path = persons_path(&fake, "includeAll=true&fields=name.first,groupIds");
    assert!(get(&fake, &path).await.rows().iter().all(|r| r["groupIds"].is_array()));

    fake.update_knobs(|k| k.list_honours_group_ids = false);
    let rows = get(&fake, &path).await.rows();
    assert!(rows.iter().all(|r| r.get("groupIds").is_none() && r.get("name.first").is_some()));
    // The single-person call still answers them.
    let person = &fake.org().persons[3];
    let one =
        get(&fake, &format!("/v2/org/{}/person/{}?fields=groupIds", fake.org().org_id, person.id)).await;
    assert_eq!(one.json(), json!({"id": person.id, "groupIds": person.group_ids}));
    let missing = get(&fake, &format!("/v2/org/{}/person/ffffffffffffffffffffffff", fake.org().org_id)).await;
    assert_eq!((missing.status, missing.json()["code"].clone()), (404, json!(404)));
    fake.shutdown().await;
}

#[tokio::test]
async fn groups_by_time_filter_type_and_fields() {
    let fake = fake(1_000, Knobs::default()).await;
    let org = fake.org().clone();
    let fake_ref = &fake;
    let listed = |query: &str| {
        let path = groups_path(fake_ref, &format!("limit=1000&{query}"));
        async move { get(fake_ref, &path).await.rows() }
    };
    let current = listed("").await;
    assert_eq!(ids(&current), org.groups.iter().map(|g| g.id.clone()).collect::<Vec<_>>());
    assert_eq!(ids(&listed("timeFilter=CURRENT").await), ids(&current));
    let archived = ids(&listed("timeFilter=ARCHIVED").await);
    assert_eq!(archived, org.archived_groups.iter().map(|g| g.id.clone()).collect::<Vec<_>>());
    assert_eq!(ids(&listed("timeFilter=FUTURE").await).len(), org.future_groups.len());
    let all = listed("timeFilter=ALL").await;
    assert_eq!(all.len(), org.groups.len() + org.archived_groups.len() + org.future_groups.len());
    assert_eq!(listed("includeAll=true").await.len(), all.len());
    assert_eq!(get(&fake, &groups_path(&fake, "timeFilter=SOMETIMES")).await.status, 400);

    let team_type = org.group_type_named("TEAM").unwrap();
    let teams = org.groups.iter().filter(|g| g.type_id.as_deref() == Some(&team_type.id)).count();
    assert_eq!(listed(&format!("type={}", team_type.id)).await.len(), teams);
    assert_eq!(listed("type=team").await.len(), teams);

    let group = &org.groups[0];
    let row = &current[0];
    assert_eq!(row["name"], json!(group.name));
    assert_eq!(row["type"], json!(group.type_id));
    assert_eq!(row.get("slug").and_then(Value::as_str), group.slug.as_deref());
    assert_eq!(row.get("parentGroupId").and_then(Value::as_str), group.parent_group_id.as_deref());
    let narrow = listed("fields=name,PARENTGROUPID").await;
    assert!(
        narrow.iter().all(|r| r.get("slug").is_none() && r.get("type").is_none() && r["name"].is_string())
    );

    let by_slug = format!("/v2/org/{}/group/{}", org.org_id, group.slug.as_deref().unwrap());
    assert_eq!(get(&fake, &by_slug).await.json(), *row);
    let archived_one = format!("/v2/org/{}/group/{}", org.slug, archived[0]);
    assert_eq!(get(&fake, &archived_one).await.json()["id"], json!(archived[0]));
    assert_eq!(get(&fake, &format!("/v2/org/{}/group/nope", org.slug)).await.status, 404);
    fake.shutdown().await;
}

#[tokio::test]
async fn group_types_and_orgs_have_the_documented_shape() {
    let fake = fake(20, Knobs::default()).await;
    let org = fake.org();
    let types = get(&fake, &format!("/v1/org/{}/group-type", org.slug)).await.rows();
    assert_eq!(types.len(), 4);
    for row in &types {
        let t = org.group_types.iter().find(|t| json!(t.id) == row["id"]).expect("a known type");
        assert_eq!(row["name"], json!(t.name));
        assert_eq!(row["fieldName"], json!(t.field_name));
        assert!(matches!(row["membershipType"].as_str(), Some("SINGLE" | "MULTIPLE")));
    }
    let orgs = get(&fake, "/v1/org").await.rows();
    assert_eq!(
        orgs,
        [json!({"id": org.org_id, "name": org.name, "slug": org.slug, "type": "PRIVATE", "options": {}})]
    );
    fake.shutdown().await;
}

#[tokio::test]
async fn manager_and_custom_fields_are_served_from_the_generated_org() {
    let fake = fake(120, Knobs::default()).await;
    let path = persons_path(
        &fake,
        "includeAll=true&limit=200&fields=manager.contact.workEmail,manager.name.first,manager.name.last,shirtSize,fte",
    );
    let flat = get(&fake, &path).await.rows();
    fake.update_knobs(|k| k.nested_rows = true);
    let nested = get(&fake, &path).await.rows();
    let org = fake.org();
    let mut with_manager = 0;
    for ((row, nested), person) in flat.iter().zip(&nested).zip(&org.persons) {
        assert_eq!(row["id"], json!(person.id));
        let manager = person.manager_id.as_deref().and_then(|m| org.person(m));
        with_manager += usize::from(manager.is_some());
        let email = manager.and_then(|m| m.work_email.as_deref());
        assert_eq!(row.get("manager.contact.workEmail").and_then(Value::as_str), email);
        assert_eq!(nested.pointer("/manager/contact/workEmail").and_then(Value::as_str), email);
        let last = manager.and_then(|m| m.name.last.as_deref());
        assert_eq!(nested.pointer("/manager/name/last").and_then(Value::as_str), last);
        for code in charthop_fake::CUSTOM_FIELD_CODES {
            assert_eq!(row.get(code), charthop_fake::custom_field(person, code).as_ref(), "{code}");
            assert_eq!(nested.get(code), row.get(code));
        }
    }
    assert!(with_manager > 50, "most persons have a manager: {with_manager}");
    assert!(flat.iter().any(|r| r.get("shirtSize").is_some()) && flat.iter().any(|r| r.get("fte").is_some()));
    fake.shutdown().await;
}
