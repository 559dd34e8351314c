//! Contract: every route and query parameter the fake serves is one ChartHop declares
//! (docs/charthop-api.md#the-published-api-description). The files are contract fixtures, kept
//! outside the repository; without them these tests skip.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use charthop_fake::ROUTES;
use serde_norway::Value;

/// ChartHop's OpenAPI files, from the contract fixtures folder: `BATON_CONTRACT_FIXTURES`, else
/// `../shared/fixtures`, both taken from the workspace root. `None` when it is absent, after a
/// "skipped" line on stderr; with `BATON_REQUIRE_CONTRACT_FIXTURES=1` absence fails the test.
fn openapi_dir() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).expect("crates/<name>");
    let dir = match std::env::var_os("BATON_CONTRACT_FIXTURES") {
        Some(dir) if !dir.is_empty() => root.join(dir),
        _ => root.parent().unwrap_or(root).join("shared/fixtures"),
    };
    let path = dir.join("charthop-openapi");
    if path.is_dir() {
        return Some(path);
    }
    let required = std::env::var_os("BATON_REQUIRE_CONTRACT_FIXTURES").is_some_and(|v| v == "1");
    assert!(!required, "contract fixtures required but not found at {}", path.display());
    let test = std::thread::current().name().unwrap_or("a contract test").to_owned();
    // Straight to the process's stderr: the test harness captures `eprintln!`, not this.
    let line = format!("skipped: contract fixtures not found at {} ({test})\n", path.display());
    let _ = std::io::stderr().write_all(line.as_bytes());
    None
}

fn openapi_files() -> Option<Vec<(PathBuf, Value)>> {
    let dir = openapi_dir()?;
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
