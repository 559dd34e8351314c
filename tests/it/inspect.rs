//! `inspect FILE` on a file the binary wrote: its numbers are the fake's ground truth.

use std::collections::BTreeMap;

use charthop_fake::Knobs;
use serde_json::Value;

use crate::harness::{Baton, Fake};

const PAGE_SIZE: usize = 100;

/// Syncs a 300-person org; returns the fake and the run whose directory holds `sync.c1z`.
fn synced() -> (Fake, Baton) {
    let fake = Fake::start(300, Knobs::default());
    let baton = Baton::new().args(fake.sync_args(PAGE_SIZE));
    baton.run().assert_success();
    (fake, baton)
}

fn inspect(dir_of: &Baton, extra: &[&str]) -> String {
    let outcome = Baton::new().arg("inspect").arg(dir_of.path("sync.c1z")).args(extra).run();
    outcome.assert_success();
    outcome.stdout
}

#[test]
fn the_text_summary_shows_the_ground_truth() {
    let (fake, baton) = synced();
    let text = inspect(&baton, &[]);
    let fields: BTreeMap<&str, &str> =
        text.lines().filter_map(|line| line.split_once(':')).map(|(k, v)| (k.trim(), v.trim())).collect();

    let org = fake.org();
    let (persons, groups, grants) = (org.persons.len(), org.groups.len(), org.memberships.len());
    assert_eq!(fields.get("resource types"), Some(&"2"), "{text}");
    let resources = format!("{} (group {groups}, person {persons})", persons + groups);
    assert_eq!(fields.get("resources"), Some(&resources.as_str()), "{text}");
    assert_eq!(fields.get("entitlements"), Some(&groups.to_string().as_str()), "{text}");
    assert_eq!(fields.get("grants"), Some(&grants.to_string().as_str()), "{text}");
}

#[test]
fn the_json_summary_and_lists_show_the_ground_truth() {
    let (fake, baton) = synced();
    let json: Value =
        serde_json::from_str(&inspect(&baton, &["--output", "json", "--grants", "--resources"]))
            .expect("inspect --output json prints JSON");

    let org = fake.org();
    let (persons, groups, grants) =
        (org.persons.len() as u64, org.groups.len() as u64, org.memberships.len());
    assert_eq!(json["resourceTypes"], 2);
    assert_eq!(json["resources"], persons + groups);
    assert_eq!(json["resourcesByType"]["person"], persons);
    assert_eq!(json["resourcesByType"]["group"], groups);
    assert_eq!(json["entitlements"], groups);
    assert_eq!(json["grants"], grants as u64);
    assert_eq!(json["grantList"].as_array().map(Vec::len), Some(grants));
    assert_eq!(json["resourceList"].as_array().map(Vec::len), Some((persons + groups) as usize));
    assert!(json["endedAt"].is_string(), "the sync is finished: {}", json["endedAt"]);
}

/// Contract: the Go SDK's file. Its one sync is unfinished, so it is read by id; its resources
/// carry annotation types this build has no schema for, which the JSON leaves out.
#[test]
fn contract_a_go_sdk_file_lists_as_json_by_sync_id() {
    let Some(fixture) = contract_fixtures::find("go-sdk-sync-in-progress.c1z") else { return };
    let plain = Baton::new().arg("inspect").arg(&fixture).run();
    plain.assert_failure();
    assert!(plain.last_stderr_line().contains("holds no finished full sync"), "{}", plain.stderr);

    let outcome = Baton::new()
        .arg("inspect")
        .arg(&fixture)
        .args(["--sync-id", "3ARefY5G8eOytquwYgm41Nq07IZ", "--output", "json", "--resources"])
        .run();
    outcome.assert_success();
    let json: Value = serde_json::from_str(&outcome.stdout).expect("JSON");
    assert_eq!(json["resources"], 79);
    let listed = json["resourceList"].as_array().expect("a list");
    assert_eq!(listed.len(), 79);
    let users = listed.iter().filter(|r| r["id"]["resourceType"] == "user").count();
    assert_eq!(users, 10);
}

/// The syncs `inspect syncs -o json` lists: (id, whether it is the latest full sync).
fn syncs_of(baton: &Baton) -> Vec<(String, bool)> {
    let outcome =
        Baton::new().arg("inspect").arg("syncs").arg(baton.path("sync.c1z")).args(["-o", "json"]).run();
    outcome.assert_success();
    let listed: Value = serde_json::from_str(&outcome.stdout).unwrap();
    let rows = listed["syncs"].as_array().expect("a list of syncs");
    rows.iter()
        .map(|row| (row["syncId"].as_str().unwrap().to_owned(), row["latestFullSync"].as_bool().unwrap()))
        .collect()
}

#[test]
fn keep_previous_keeps_one_earlier_sync_that_inspect_diff_compares_with() {
    let fake = Fake::start(120, Knobs::default());
    let baton = Baton::new().args(fake.sync_args(PAGE_SIZE)).arg("--keep-previous");
    baton.run().assert_success();
    assert_eq!(syncs_of(&baton).len(), 1, "nothing to keep at first");
    for _ in 0..2 {
        baton.run().assert_success();
        let syncs = syncs_of(&baton);
        assert_eq!(syncs.len(), 2, "one kept beside the new one, never more: {syncs:?}");
        assert_eq!(syncs.iter().filter(|(_, latest)| *latest).count(), 1);
        assert!(
            syncs.last().unwrap().1,
            "the new sync is listed last and is the one readers take: {syncs:?}"
        );
    }
    let diff = Baton::new().arg("inspect").arg("--diff").arg(baton.path("sync.c1z")).run();
    assert_eq!(diff.code, Some(0), "the same org twice is identical:\n{diff}");
    assert!(diff.stdout.contains("identical"), "{}", diff.stdout);

    // Without the setting the next file holds the new sync alone.
    Baton::new()
        .args(fake.sync_args(PAGE_SIZE))
        .args(["-f", &baton.path("sync.c1z").display().to_string()])
        .run()
        .assert_success();
    assert_eq!(syncs_of(&baton).len(), 1);
}
