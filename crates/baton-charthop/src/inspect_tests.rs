//! `inspect` on a written file of persons, groups and memberships: tables by name, filters,
//! wide characters, `-f`, and `inspect syncs`.

use std::path::{Path, PathBuf};

use c1_proto::connector::v2::{
    Entitlement, Grant, GroupTrait, Resource, ResourceId, ResourceType, Status, UserTrait,
    status::ResourceStatus, user_trait,
};
use c1_proto::pack_any;
use c1_proto::prost_types::{Struct, Value, value::Kind};
use c1z::{C1zWriter, WriterOptions};

use crate::cli::{InspectArgs, Invocation, parse_from};
use crate::inspect::write_report;
use crate::inspect_rows::Filter;

fn id(kind: &str, id: &str) -> ResourceId {
    ResourceId { resource_type: kind.into(), resource: id.into(), ..Default::default() }
}

pub(crate) fn person(key: &str, name: &str, email: &str, status: ResourceStatus, details: &str) -> Resource {
    let user = UserTrait {
        emails: vec![user_trait::Email { address: email.into(), is_primary: true }],
        ..Default::default()
    };
    Resource {
        id: Some(id("person", key)),
        display_name: name.into(),
        annotations: vec![pack_any(&user)],
        status: Some(Status { status: status as i32, details: details.into() }),
        ..Default::default()
    }
}

pub(crate) fn group(key: &str, name: &str, kind: &str) -> Resource {
    let value = Value { kind: Some(Kind::StringValue(kind.into())) };
    let profile = Struct { fields: [("type".to_owned(), value)].into_iter().collect() };
    let group = GroupTrait { profile: Some(profile), ..Default::default() };
    Resource {
        id: Some(id("group", key)),
        display_name: name.into(),
        annotations: vec![pack_any(&group)],
        ..Default::default()
    }
}

pub(crate) fn member(group: &Resource) -> Entitlement {
    let key = &group.id.as_ref().unwrap().resource;
    Entitlement {
        id: format!("group:{key}:member"),
        display_name: format!("{} Member", group.display_name),
        resource: Some(group.clone()),
        ..Default::default()
    }
}

/// Three persons (one with a wide name, one departed), two groups, four memberships.
pub(crate) fn write_org(path: &Path) {
    let mut writer = C1zWriter::create(path, WriterOptions::default()).unwrap();
    for kind in ["person", "group"] {
        let rt = ResourceType { id: kind.into(), display_name: kind.into(), ..Default::default() };
        writer.put_resource_type(&rt).unwrap();
    }
    let enabled = ResourceStatus::Enabled;
    let persons = [
        person("p1", "Ada Byron", "ada@acme.example", enabled, ""),
        person("p2", "山田 太郎", "taro@acme.example", enabled, ""),
        person("p3", "Zoë Roe", "zoe@acme.example", ResourceStatus::Disabled, "departed 2024-03-31"),
    ];
    let groups = [group("g1", "Engineering", "DEPARTMENT"), group("g2", "東京", "LOCATION")];
    for resource in persons.iter().chain(&groups) {
        writer.put_resource(resource).unwrap();
    }
    for group in &groups {
        writer.put_entitlement(&member(group)).unwrap();
    }
    for (g, p) in [(0, 0), (0, 1), (1, 1), (0, 2)] {
        let entitlement = member(&groups[g]);
        let grant = Grant {
            id: format!("{}:person:{}", entitlement.id, persons[p].id.as_ref().unwrap().resource),
            entitlement: Some(entitlement),
            principal: Some(Resource { id: persons[p].id.clone(), ..Default::default() }),
            ..Default::default()
        };
        writer.put_grant(&grant).unwrap();
    }
    writer.finish().unwrap();
}

fn inspect(args: &[&str]) -> String {
    let argv = ["baton-charthop", "inspect"].iter().chain(args);
    let Invocation::Inspect(args) = parse_from(argv).unwrap() else { panic!("not inspect") };
    let mut out = Vec::new();
    write_report(&args, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn filters() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"[0-9A-Za-z]{27}", "[sync id]");
    settings.add_filter(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?", "[time]");
    settings.add_filter(r"file: +\S+", "file: [path]");
    settings
}

fn org() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("org.c1z");
    write_org(&path);
    let path = path.to_str().unwrap().to_owned();
    (dir, path)
}

#[test]
fn tables_show_names_emails_group_types_and_status_aligned_by_display_width() {
    let (_dir, path) = org();
    let resources = inspect(&[&path, "--resources"]);
    let grants = inspect(&["-f", &path, "--grants"]);
    let entitlements = inspect(&[&path, "--entitlements"]);
    filters().bind(|| {
        insta::assert_snapshot!("resources", resources);
        insta::assert_snapshot!("grants", grants);
        insta::assert_snapshot!("entitlements", entitlements);
    });
    // The column after a wide name starts where the others do.
    use unicode_width::UnicodeWidthStr;
    let starts: Vec<usize> = grants
        .lines()
        .filter(|line| line.contains("@acme.example"))
        .map(|line| {
            let at = line.find('@').unwrap();
            line[..line[..at].rfind(' ').unwrap() + 1].width()
        })
        .collect();
    assert_eq!(starts.len(), 4);
    assert!(starts.windows(2).all(|w| w[0] == w[1]), "{starts:?}\n{grants}");
}

#[test]
fn filters_pick_rows_by_person_group_type_status_and_text() {
    let (_dir, path) = org();
    let rows = |extra: &[&str]| -> Vec<String> {
        let mut args = vec![path.as_str(), "--grants"];
        args.extend_from_slice(extra);
        let text = inspect(&args);
        let table = text.split("\n\n").nth(1).unwrap_or_default().to_owned();
        table.lines().skip(1).map(|line| line.split_whitespace().collect::<Vec<_>>().join(" ")).collect()
    };
    assert_eq!(rows(&["--person", "taro@ACME.example"]).len(), 2);
    assert_eq!(rows(&["--group", "engineering"]).len(), 3);
    assert_eq!(rows(&["--type", "location"]), ["東京 LOCATION 山田 太郎 taro@acme.example enabled"]);
    assert_eq!(rows(&["--status", "disabled"]).len(), 1);
    assert_eq!(rows(&["--search", "zoë", "--group", "g1"]).len(), 1);
    assert!(rows(&["--person", "ada", "--type", "location"]).is_empty());
    let resources = inspect(&[&path, "--resources", "--type", "person", "--status", "enabled"]);
    assert_eq!(resources.matches("@acme.example").count(), 2, "{resources}");
}

#[test]
fn json_keeps_its_shape_and_filters_its_lists() {
    let (_dir, path) = org();
    let text = inspect(&[&path, "--grants", "--group", "東京", "-o", "json"]);
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["grants"], 4, "the summary counts the whole sync");
    let list = value["grantList"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["principal"]["id"]["resource"], "p2");
}

#[test]
fn inspect_syncs_lists_each_sync_and_marks_the_one_read() {
    let (_dir, path) = org();
    let table = inspect(&["syncs", &path]);
    filters().bind(|| insta::assert_snapshot!("syncs", table));
    let json: serde_json::Value =
        serde_json::from_str(&inspect(&["syncs", "-f", &path, "-o", "json"])).unwrap();
    assert_eq!(json["syncs"][0]["latestFullSync"], true);
    assert_eq!(json["syncs"][0]["grants"], 4);
}

#[test]
fn the_file_comes_from_the_positional_or_dash_f() {
    let parse = |args: &[&str]| -> InspectArgs {
        let argv = ["baton-charthop", "inspect"].iter().chain(args);
        match parse_from(argv).unwrap() {
            Invocation::Inspect(args) => args,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(parse(&["a.c1z"]).file, PathBuf::from("a.c1z"));
    assert_eq!(parse(&["-f", "b.c1z", "--grants"]).file, PathBuf::from("b.c1z"));
    let syncs = parse(&["syncs", "c.c1z"]);
    assert!(syncs.syncs && syncs.file == Path::new("c.c1z"));
    let filtered = parse(&["a.c1z", "--person", "ada", "--type", "TEAM", "--status", "enabled"]);
    assert_eq!(
        filtered.filter,
        Filter {
            person: Some("ada".into()),
            kind: Some("TEAM".into()),
            status: Some("enabled".into()),
            ..Default::default()
        }
    );
}
