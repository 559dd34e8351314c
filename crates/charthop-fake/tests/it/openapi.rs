//! Contract: every route and query parameter the fake serves is one ChartHop declares
//! (docs/charthop-api.md#the-published-api-description). The files are contract fixtures, kept
//! outside the repository; without them these tests skip.

use std::path::PathBuf;

use charthop_fake::ROUTES;
use serde_norway::Value;

fn openapi_files() -> Option<Vec<(PathBuf, Value)>> {
    let dir = contract_fixtures::find("charthop-openapi")?;
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the OpenAPI fixtures should be at {}: {e}", dir.display()));
    let mut files: Vec<(PathBuf, Value)> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yml"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let yaml = serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p, yaml)
        })
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(files.len(), 4);
    Some(files)
}

fn param_names<'a>(operation: &'a Value, location: &str) -> Vec<&'a str> {
    operation["parameters"]
        .as_sequence()
        .into_iter()
        .flatten()
        .filter(|p| p["in"].as_str() == Some(location))
        .filter_map(|p| p["name"].as_str())
        .collect()
}

#[test]
fn contract_every_route_and_query_parameter_is_declared_by_charthop() {
    let Some(files) = openapi_files() else { return };
    for route in ROUTES {
        let get = files
            .iter()
            .find_map(|(_, yaml)| yaml["paths"].get(route.path).and_then(|p| p.get("get")))
            .unwrap_or_else(|| panic!("GET {} is not in ChartHop's OpenAPI files", route.path));
        let declared_query = param_names(get, "query");
        for param in route.query_params {
            assert!(
                declared_query.contains(param),
                "GET {} reads `{param}`, which is not declared",
                route.path
            );
        }
        let mut in_path: Vec<&str> =
            route.path.split('/').filter_map(|s| s.strip_prefix('{')?.strip_suffix('}')).collect();
        let mut declared_path = param_names(get, "path");
        in_path.sort_unstable();
        declared_path.sort_unstable();
        assert_eq!(in_path, declared_path, "path parameters of GET {}", route.path);
    }
}

#[test]
fn contract_the_listings_that_answer_202_are_declared_to() {
    let Some(files) = openapi_files() else { return };
    for path in ["/v2/org/{orgId}/person", "/v2/org/{orgId}/group"] {
        let get = files.iter().find_map(|(_, y)| y["paths"].get(path).and_then(|p| p.get("get"))).unwrap();
        assert!(get["responses"].get("202").is_some(), "{path} does not declare 202");
    }
}
