//! Contract: every path and query parameter the client sends must be declared by ChartHop's
//! own API description (docs/charthop-api.md#the-published-api-description), for a GET. The
//! files are contract fixtures, kept outside the repository; without them these tests skip.

use std::collections::{BTreeMap, BTreeSet};

use charthop_client::{EndpointKind, GroupQuery, PersonQuery, TimeFilter};
use chrono::NaiveDate;
use futures::TryStreamExt;
use serde_json::json;

use crate::support::{Stub, TOKEN, client, config};

fn declared_gets() -> Option<BTreeMap<String, BTreeSet<String>>> {
    let dir = contract_fixtures::find("charthop-openapi")?;
    let mut gets = BTreeMap::new();
    for file in ["person", "group", "group-type", "org"] {
        let path = dir.join(format!("charthop-{file}-api-openapi.yml"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let (mut current, mut in_get, mut pending_name) = (None::<String>, false, None::<String>);
        for line in text.lines() {
            let indent = line.len() - line.trim_start().len();
            let trimmed = line.trim();
            if indent == 2 && trimmed.starts_with('/') && trimmed.ends_with(':') {
                current = Some(trimmed.trim_end_matches(':').to_owned());
                in_get = false;
            } else if indent == 0 {
                current = None;
            } else if indent == 4 && trimmed.ends_with(':') {
                in_get = trimmed == "get:";
                if let (true, Some(path)) = (in_get, &current) {
                    gets.entry(path.clone()).or_insert_with(BTreeSet::new);
                }
            } else if in_get && let Some(name) = trimmed.strip_prefix("- name: ") {
                pending_name = Some(name.to_owned());
            } else if in_get && trimmed == "in: query" {
                if let (Some(path), Some(name)) = (&current, pending_name.take()) {
                    gets.get_mut(path).unwrap().insert(name);
                }
            } else if trimmed.starts_with("in: ") {
                pending_name = None;
            }
        }
    }
    Some(gets)
}

fn matches_template(template: &str, path: &str) -> bool {
    let (t, p): (Vec<_>, Vec<_>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len() && t.iter().zip(&p).all(|(t, p)| t.starts_with('{') || t == p)
}

#[test]
fn contract_the_scan_reads_the_files() {
    let Some(gets) = declared_gets() else { return };
    let person = &gets["/v2/org/{orgId}/person"];
    assert!(person.contains("includeAll") && person.contains("fields") && person.contains("from"));
    assert!(!person.contains("orgId"), "path parameters are not query parameters");
    assert!(!gets.contains_key("/v2/org/{orgId}/group/{type}"), "that path has only a POST");
    for kind in EndpointKind::ALL {
        assert!(gets.contains_key(kind.template()), "{} is not a declared GET", kind.template());
    }
}

#[tokio::test]
async fn contract_every_request_the_client_sends_is_declared() {
    let Some(gets) = declared_gets() else { return };
    let stub = Stub::start(|_, request| {
        let is_person_get = request.path.matches('/').count() == 5 && request.path.contains("/person/");
        if is_person_get {
            return crate::support::json(200, json!({"id": "p1", "groupIds": ["g1"]}));
        }
        match request.param("from") {
            None => crate::support::json(200, json!({"data": [{"id": "r1"}], "next": "r1"})),
            Some(_) => crate::support::json(200, json!({"data": [{"id": "r2"}]})),
        }
    })
    .await;
    let client = client(config(stub.base_url(), TOKEN, "acme-inc"));
    let date = NaiveDate::from_ymd_opt(2026, 11, 1);
    let everything = PersonQuery { include_personal_email: true, date, ..Default::default() };
    let groups = GroupQuery { time_filter: TimeFilter::All, group_type: Some("TEAM".into()), date };

    client.validate_access().await.unwrap();
    let _: Vec<_> = client.group_types().try_collect().await.unwrap();
    let _: Vec<_> = client.groups(&groups).try_collect().await.unwrap();
    let _: Vec<_> = client.groups(&GroupQuery::default()).try_collect().await.unwrap();
    let _: Vec<_> = client.person_pages(&everything).try_collect().await.unwrap();
    let _: Vec<_> = client.persons(&PersonQuery::default()).try_collect().await.unwrap();
    client.person_group_ids("p1").await.unwrap();
    client.person("p1", &everything).await.unwrap();

    let mut used_templates = BTreeSet::new();
    let requests = stub.requests();
    assert!(requests.len() >= 12, "{} requests", requests.len());
    for request in &requests {
        let template = gets
            .keys()
            .find(|t| matches_template(t, &request.path))
            .unwrap_or_else(|| panic!("GET {} is not declared in the OpenAPI files", request.path));
        for (name, _) in &request.query {
            assert!(
                gets[template].contains(name),
                "GET {template} does not declare query parameter '{name}'"
            );
        }
        used_templates.insert(template.clone());
    }
    let expected: BTreeSet<String> = EndpointKind::ALL.iter().map(|k| k.template().to_owned()).collect();
    assert_eq!(used_templates, expected);
}
