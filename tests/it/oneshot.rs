//! One-shot sync end to end: fake org -> the built binary -> `.c1z` -> reader, in all three
//! membership modes, compared with the fake's ground truth.

use charthop_domain::Employment;
use charthop_fake::{Knobs, OrgSpec};

use crate::harness::{Baton, Contents, Fake, dangling_memberships, read_c1z};

const PERSONS: usize = 600;
const PAGE_SIZE: usize = 100;

/// `Resource.status.status` values (c1.connector.v2.ResourceStatus).
const UNSPECIFIED: i32 = 0;
const ENABLED: i32 = 1;
const DISABLED: i32 = 2;

fn sync(fake: &Fake, membership_source: Option<&str>) -> (Baton, Contents) {
    let mut baton = Baton::new().args(fake.sync_args(PAGE_SIZE));
    if let Some(source) = membership_source {
        baton = baton.args(["--membership-source", source]);
    }
    baton.run().assert_success().assert_hides(crate::harness::TOKEN);
    // No --file: the default is sync.c1z in the working directory, and nothing else is left.
    assert_eq!(baton.files(), ["sync.c1z"]);
    let contents = read_c1z(&baton.path("sync.c1z"));
    (baton, contents)
}

/// Everything the file must agree on with the org the fake served.
fn assert_matches_ground_truth(fake: &Fake, contents: &Contents) {
    let org = fake.org();
    let counts = &contents.counts;
    assert_eq!(counts.resource_types, 2);
    assert_eq!(counts.resources_by_type.get("person").copied(), Some(org.persons.len() as u64));
    assert_eq!(counts.resources_by_type.get("group").copied(), Some(org.groups.len() as u64));
    assert_eq!(counts.entitlements, org.groups.len() as u64, "one member entitlement per group");
    assert_eq!(counts.grants, org.memberships.len() as u64);

    let truth: std::collections::BTreeSet<(String, String)> =
        org.memberships.iter().map(|m| (m.group_id.clone(), m.person_id.clone())).collect();
    assert_eq!(contents.memberships(), truth);
    assert_eq!(contents.dangling_references(), Vec::<String>::new());

    let statuses = contents.statuses_of("person");
    for person in &org.persons {
        let expected = match person.employment_at(org.today) {
            Employment::Active => ENABLED,
            Employment::Departed { .. } => DISABLED,
            Employment::PreHire { .. } | Employment::Unknown => UNSPECIFIED,
        };
        assert_eq!(statuses.get(&person.id), Some(&expected), "status of person {}", person.id);
    }
}

#[test]
fn list_mode_writes_the_org_in_the_lower_bound_of_requests() {
    // A few rows name groups that do not exist: skipped, counted, never dangling.
    let spec = OrgSpec { dangling_group_ids: 5, ..OrgSpec::new(PERSONS, 7) };
    let fake = Fake::with_spec(spec, Knobs::default());
    let (_baton, contents) = sync(&fake, Some("list"));

    assert_matches_ground_truth(&fake, &contents);
    assert_eq!(dangling_memberships(fake.org()), 5);
    assert_eq!(fake.total_requests(), fake.expected_list_requests(PAGE_SIZE).total());
}

#[test]
fn the_final_line_states_what_was_written() {
    let spec = OrgSpec { dangling_group_ids: 3, ..OrgSpec::new(250, 11) };
    let fake = Fake::with_spec(spec, Knobs::default());
    let baton = Baton::new().args(fake.sync_args(PAGE_SIZE)).args(["-f", "out.c1z"]);
    let outcome = baton.run();
    outcome.assert_success();

    let org = fake.org();
    let by_state: Vec<String> = ["active", "departed", "pre-hire", "unknown"]
        .into_iter()
        .map(|state| (org.persons_in_state(state).count(), state))
        .filter(|(n, _)| *n > 0)
        .map(|(n, state)| format!("{n} {state}"))
        .collect();
    let groups = org.groups.len();
    // Personal emails are not recorded by default: only the work email counts.
    let no_email = org.persons.iter().filter(|p| p.work_email.is_none()).count();
    let no_employee_id = org.persons.iter().filter(|p| p.employee_id.is_none()).count();
    assert!(no_email > 0 && no_employee_id > 0, "the org shows the coverage counts");
    let expected_start = format!(
        "wrote out.c1z: {} persons ({}), {groups} groups, {groups} entitlements, {} grants, \
         3 memberships of unknown groups skipped, {no_email} persons without any email, \
         {no_email} without a work email, {no_employee_id} without an employee id; \
         {} ChartHop requests, 0 retries",
        org.persons.len(),
        by_state.join(", "),
        org.memberships.len(),
        fake.expected_list_requests(PAGE_SIZE).total(),
    );
    let line = outcome.last_stdout_line();
    assert!(
        line.starts_with(&expected_start),
        "final line:\n{line}\nexpected it to start with:\n{expected_start}"
    );
    assert_eq!(baton.files(), ["out.c1z"]);
}

#[test]
fn auto_mode_reads_memberships_from_the_list() {
    let fake = Fake::start(PERSONS, Knobs::default());
    let (_baton, contents) = sync(&fake, None);

    assert_matches_ground_truth(&fake, &contents);
    assert_eq!(fake.total_requests(), fake.expected_list_requests(PAGE_SIZE).total());
}

#[test]
fn auto_mode_falls_back_per_person_when_the_list_ignores_group_ids() {
    let fake = Fake::start(PERSONS, Knobs { list_honours_group_ids: false, ..Knobs::default() });
    let (_baton, contents) = sync(&fake, Some("auto"));

    assert_matches_ground_truth(&fake, &contents);
    let persons = fake.org().persons.len() as u64;
    assert_eq!(fake.total_requests(), fake.expected_list_requests(PAGE_SIZE).total() + persons);
}

#[test]
fn per_person_mode_asks_once_per_person() {
    let fake = Fake::start(PERSONS, Knobs::default());
    let (_baton, contents) = sync(&fake, Some("per-person"));

    assert_matches_ground_truth(&fake, &contents);
    let persons = fake.org().persons.len() as u64;
    assert_eq!(fake.total_requests(), fake.expected_list_requests(PAGE_SIZE).total() + persons);
}
