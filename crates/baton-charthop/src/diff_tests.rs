//! `diff` on two written files: every kind of change, by name, as tables and JSON.

use std::path::Path;

use c1_proto::connector::v2::{Grant, Resource, ResourceType, status::ResourceStatus};
use c1z::{C1zWriter, WriterOptions};

use crate::diff::{DiffArgs, write_diff};
use crate::inspect_tests::{group, member, person};

/// Persons `(id, name, status)` and memberships `(group index, person id)` over three groups.
fn write(path: &Path, persons: &[(&str, &str, ResourceStatus)], memberships: &[(usize, &str)]) {
    let mut writer = C1zWriter::create(path, WriterOptions::default()).unwrap();
    for kind in ["person", "group"] {
        let rt = ResourceType { id: kind.into(), display_name: kind.into(), ..Default::default() };
        writer.put_resource_type(&rt).unwrap();
    }
    let groups = [
        group("g1", "Engineering", "DEPARTMENT"),
        group("g2", "Sales", "DEPARTMENT"),
        group("g3", "Book Club", "INTEREST"),
    ];
    let persons: Vec<Resource> = persons
        .iter()
        .map(|(id, name, status)| {
            let email = format!("{}@acme.example", name.split(' ').next().unwrap().to_lowercase());
            let details = if *status == ResourceStatus::Disabled { "departed 2026-11-30" } else { "" };
            person(id, name, &email, *status, details)
        })
        .collect();
    for resource in persons.iter().chain(&groups) {
        writer.put_resource(resource).unwrap();
    }
    for group in &groups {
        writer.put_entitlement(&member(group)).unwrap();
    }
    for (g, p) in memberships {
        let entitlement = member(&groups[*g]);
        let principal = persons.iter().find(|r| r.id.as_ref().unwrap().resource == *p).unwrap();
        let grant = Grant {
            id: format!("{}:person:{p}", entitlement.id),
            entitlement: Some(entitlement),
            principal: Some(Resource { id: principal.id.clone(), ..Default::default() }),
            ..Default::default()
        };
        writer.put_grant(&grant).unwrap();
    }
    writer.finish().unwrap();
}

fn diff(json: bool) -> (String, bool) {
    use ResourceStatus::{Disabled, Enabled};
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old.c1z"), dir.path().join("new.c1z"));
    write(
        &old,
        &[("p1", "Ada Byron", Enabled), ("p2", "Ben Okafor", Enabled), ("p3", "Cleo Park", Enabled)],
        &[(0, "p1"), (0, "p2"), (2, "p2"), (1, "p3")],
    );
    write(
        &new,
        &[("p1", "Ada Byron", Enabled), ("p2", "Ben Okafor", Disabled), ("p4", "Dee Quinn", Enabled)],
        &[(1, "p1"), (0, "p2"), (0, "p4"), (2, "p1")],
    );
    let args = DiffArgs { old, new, json, max_decompressed_bytes: None };
    let mut out = Vec::new();
    let different = write_diff(&args, &mut out).unwrap();
    (String::from_utf8(out).unwrap(), different)
}

fn filters() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"[0-9A-Za-z]{27}", "[sync id]");
    settings.add_filter(r"\S+/(old|new)\.c1z", "$1.c1z");
    settings
}

#[test]
fn joiners_leavers_status_changes_movers_and_memberships_by_name() {
    let (table, different) = diff(false);
    assert!(different);
    filters().bind(|| insta::assert_snapshot!("diff_table", table));
    let (json, _) = diff(true);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["identical"], false);
    assert_eq!(value["joiners"][0]["name"], "Dee Quinn");
    assert_eq!(value["leavers"][0]["email"], "cleo@acme.example");
    assert_eq!(value["statusChanges"][0]["from"], "enabled");
    assert_eq!(value["statusChanges"][0]["to"], "disabled (departed 2026-11-30)");
    assert_eq!(value["movers"][0]["name"], "Ada Byron");
    assert_eq!(value["movers"][0]["moves"][0]["from"][0], "Engineering");
    assert_eq!(value["movers"][0]["moves"][0]["to"][0], "Sales");
    // Ada: Sales and Book Club; Dee: Engineering.
    assert_eq!(value["membershipsAdded"].as_array().unwrap().len(), 3);
    // Ada's Engineering, Ben's Book Club, Cleo's Sales.
    assert_eq!(value["membershipsRemoved"].as_array().unwrap().len(), 3);
}

#[test]
fn a_file_against_itself_is_identical() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.c1z");
    write(&path, &[("p1", "Ada Byron", ResourceStatus::Enabled)], &[(0, "p1")]);
    let args = DiffArgs { old: path.clone(), new: path, json: false, max_decompressed_bytes: None };
    let mut out = Vec::new();
    assert!(!write_diff(&args, &mut out).unwrap());
    assert!(String::from_utf8(out).unwrap().contains("identical"));
}

/// Stands for `| head -1`: takes a few bytes, then the pipe is closed.
struct ClosedAfter(usize);

impl std::io::Write for ClosedAfter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.0 == 0 {
            return Err(std::io::ErrorKind::BrokenPipe.into());
        }
        let taken = buf.len().min(self.0);
        self.0 -= taken;
        Ok(taken)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_closed_pipe_keeps_the_answer_different_or_identical() {
    use ResourceStatus::Enabled;
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old.c1z"), dir.path().join("new.c1z"));
    write(&old, &[("p1", "Ada Byron", Enabled)], &[(0, "p1")]);
    write(&new, &[("p1", "Ada Byron", Enabled)], &[(1, "p1")]);
    for json in [false, true] {
        let args = DiffArgs { old: old.clone(), new: new.clone(), json, max_decompressed_bytes: None };
        assert!(write_diff(&args, &mut ClosedAfter(10)).unwrap(), "json: {json}");
        let same = DiffArgs { old: old.clone(), new: old.clone(), json, max_decompressed_bytes: None };
        assert!(!write_diff(&same, &mut ClosedAfter(0)).unwrap(), "json: {json}");
    }
}
