//! `diff` on two written files: every kind of change, by name, as tables and JSON.

use std::path::Path;

use c1_proto::connector::v2::{Grant, Resource, ResourceType, status::ResourceStatus};
use c1z::{C1zWriter, WriterOptions};

use crate::diff::{DiffArgs, write_diff};

fn diff_args(
    old: impl Into<std::path::PathBuf>,
    new: impl Into<std::path::PathBuf>,
    json: bool,
    within_one_file: bool,
) -> DiffArgs {
    DiffArgs { old: old.into(), new: new.into(), json, max_decompressed_bytes: None, within_one_file }
}
use crate::inspect_tests::{group, member, person};

/// Persons `(id, name, status)` and memberships `(group index, person id)` over three groups.
fn write(path: &Path, persons: &[(&str, &str, ResourceStatus)], memberships: &[(usize, &str)]) {
    write_keeping(path, persons, memberships, false);
}

/// As [`write`]; with `keep`, the file at `path` gives its latest sync to the new one.
fn write_keeping(
    path: &Path,
    persons: &[(&str, &str, ResourceStatus)],
    memberships: &[(usize, &str)],
    keep: bool,
) {
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
    if keep {
        writer.keep_previous(path, &c1z::ReaderOptions::default()).unwrap();
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
    let args = diff_args(old, new, json, false);
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
    let args = diff_args(path.clone(), path, false, false);
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
        let args = diff_args(old.clone(), new.clone(), json, false);
        assert!(write_diff(&args, &mut ClosedAfter(10)).unwrap(), "json: {json}");
        let same = diff_args(old.clone(), old.clone(), json, false);
        assert!(!write_diff(&same, &mut ClosedAfter(0)).unwrap(), "json: {json}");
    }
}

#[test]
fn inspect_diff_compares_the_kept_sync_with_the_latest_as_two_files_would() {
    use ResourceStatus::{Disabled, Enabled};
    let dir = tempfile::tempdir().unwrap();
    let (old, new, kept) =
        (dir.path().join("old.c1z"), dir.path().join("new.c1z"), dir.path().join("kept.c1z"));
    let before: &[(&str, &str, ResourceStatus)] =
        &[("p1", "Ada Byron", Enabled), ("p2", "Ben Okafor", Enabled)];
    let after: &[(&str, &str, ResourceStatus)] =
        &[("p1", "Ada Byron", Enabled), ("p2", "Ben Okafor", Disabled)];
    write(&old, before, &[(0, "p1"), (0, "p2")]);
    write(&new, after, &[(1, "p1"), (0, "p2")]);
    write(&kept, before, &[(0, "p1"), (0, "p2")]);
    write_keeping(&kept, after, &[(1, "p1"), (0, "p2")], true);

    let run = |old: &Path, new: &Path, within_one_file: bool| {
        let args = diff_args(old, new, true, within_one_file);
        let mut out = Vec::new();
        let different = write_diff(&args, &mut out).unwrap();
        let mut value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        for side in ["old", "new"] {
            value.as_object_mut().unwrap().remove(side);
        }
        (different, value)
    };
    let (two_files, one_file) = (run(&old, &new, false), run(&kept, &kept, true));
    assert!(one_file.0, "the kept and the latest sync differ");
    assert_eq!(one_file, two_files);
    assert_eq!(one_file.1["statusChanges"].as_array().map(Vec::len), Some(1), "{}", one_file.1);
}

#[test]
fn inspect_diff_of_a_file_without_a_kept_sync_says_how_to_keep_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sync.c1z");
    write(&path, &[("p1", "Ada Byron", ResourceStatus::Enabled)], &[(0, "p1")]);
    let args = diff_args(path.clone(), path, false, true);
    let error = write_diff(&args, &mut Vec::new()).unwrap_err();
    assert!(format!("{error:#}").contains("sync with --keep-previous"), "{error:#}");
}
