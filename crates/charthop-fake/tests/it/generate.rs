use std::collections::{HashMap, HashSet};
use std::time::Instant;

use charthop_domain::{Employment, Membership};
use charthop_fake::{OrgSpec, generate_org};

use crate::http::{org, today};

#[test]
fn the_same_seed_gives_the_same_org_and_another_seed_another() {
    let a = org(500, 7);
    assert_eq!(a, org(500, 7));
    let b = org(500, 8);
    assert_ne!(a.org_id, b.org_id);
    let a_ids: HashSet<_> = a.persons.iter().map(|p| &p.id).collect();
    assert!(b.persons.iter().all(|p| !a_ids.contains(&p.id)));
}

fn pct(part: usize, whole: usize) -> f64 {
    part as f64 * 100.0 / whole as f64
}

#[test]
fn a_10000_person_org_has_the_specified_proportions() {
    let started = Instant::now();
    let org = org(10_000, 1);
    let took = started.elapsed();
    // Release builds take a few tens of ms; this bound only catches something quadratic.
    assert!(took.as_secs_f64() < 5.0, "generating 10,000 persons took {took:?}");

    let n = org.persons.len();
    assert_eq!(n, 10_000);
    let count = |label: &str| org.persons_in_state(label).count();
    let departed = pct(count("departed"), n);
    let pre_hire = pct(count("pre-hire"), n);
    let unknown = pct(count("unknown"), n);
    assert!((4.5..=5.5).contains(&departed), "departed {departed}%");
    assert!((1.5..=2.5).contains(&pre_hire), "pre-hires {pre_hire}%");
    assert!((0.5..=1.5).contains(&unknown), "never in a job {unknown}%");
    let rehired =
        org.persons.iter().filter(|p| matches!((p.start_date, p.end_date), (Some(s), Some(e)) if e < s));
    let rehired: Vec<_> = rehired.collect();
    assert!(!rehired.is_empty() && rehired.iter().all(|p| p.employment_at(today()) == Employment::Active));
    let no_email = pct(org.persons.iter().filter(|p| p.work_email.is_none()).count(), n);
    assert!((1.5..=2.5).contains(&no_email), "without work email {no_email}%");
    let unicode = org
        .persons
        .iter()
        .filter(|p| [&p.name.first, &p.name.last].iter().any(|s| s.as_deref().is_some_and(|s| !s.is_ascii())))
        .count();
    assert!(pct(unicode, n) > 5.0, "only {unicode} persons with a non-ASCII name");
    assert!(org.persons.iter().any(|p| p.name.last.as_deref() == Some("山田")));

    let emails: HashSet<_> = org.persons.iter().filter_map(|p| p.work_email.as_ref()).collect();
    assert_eq!(
        emails.len(),
        org.persons.iter().filter(|p| p.work_email.is_some()).count(),
        "work emails unique"
    );
    let employee_ids: HashSet<_> = org.persons.iter().filter_map(|p| p.employee_id.as_ref()).collect();
    assert_eq!(employee_ids.len(), n - count("unknown"), "every job holder has a unique employee id");
}

#[test]
fn every_job_holder_is_in_one_department_one_location_and_up_to_two_teams() {
    let org = org(3_000, 2);
    let type_of: HashMap<&str, &str> =
        org.groups.iter().map(|g| (g.id.as_str(), g.type_name.as_deref().unwrap())).collect();
    let mut team_counts = [0usize; 3];
    for person in &org.persons {
        let ids = person.group_ids.as_ref().expect("generated rows always carry groupIds");
        let of = |kind: &str| ids.iter().filter(|id| type_of.get(id.as_str()) == Some(&kind)).count();
        if person.employment_at(today()) == Employment::Unknown {
            assert!(ids.is_empty() && person.job_id.is_none(), "never in a job, yet in groups: {person:?}");
            continue;
        }
        assert_eq!((of("DEPARTMENT"), of("LOCATION")), (1, 1), "{person:?}");
        assert!(of("COST_CENTER") <= 1);
        team_counts[of("TEAM")] += 1;
    }
    assert!(team_counts.iter().all(|c| *c > 0), "0, 1 and 2 teams all occur: {team_counts:?}");

    let names: Vec<_> = org.group_types.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["DEPARTMENT", "TEAM", "LOCATION", "COST_CENTER"]);
}

#[test]
fn departments_form_a_tree_and_managers_exist() {
    let org = org(2_000, 3);
    let by_id: HashMap<&str, _> = org.groups.iter().map(|g| (g.id.as_str(), g)).collect();
    let departments: Vec<_> =
        org.groups.iter().filter(|g| g.type_name.as_deref() == Some("DEPARTMENT")).collect();
    assert!(departments.iter().any(|d| d.parent_group_id.is_some()), "some departments have parents");
    for department in &departments {
        let mut current = *department;
        for _ in 0..=departments.len() {
            match current.parent_group_id.as_deref() {
                None => break,
                Some(parent) => {
                    current = by_id.get(parent).expect("parent exists");
                    assert_eq!(current.type_name.as_deref(), Some("DEPARTMENT"));
                }
            }
        }
        assert!(current.parent_group_id.is_none(), "cycle above {}", department.name);
    }
    let with_manager = org.persons.iter().filter(|p| p.manager_id.is_some()).count();
    assert!(with_manager > 1_900);
    for person in org.persons.iter().filter(|p| p.manager_id.is_some()) {
        let manager = org.person(person.manager_id.as_deref().unwrap()).expect("manager is a person");
        assert_ne!(manager.id, person.id);
        assert_eq!(manager.employment_at(today()), Employment::Active, "managers are current employees");
    }
}

#[test]
fn memberships_are_exactly_the_existing_groups_in_the_rows() {
    let mut spec = OrgSpec::new(1_000, 4).with_today(today());
    spec.dangling_group_ids = 5;
    let org = generate_org(&spec);
    let all_groups: HashSet<&str> = org.all_groups().map(|g| g.id.as_str()).collect();
    let dangling: Vec<(&str, &str)> = org
        .persons
        .iter()
        .flat_map(|p| p.group_ids.iter().flatten().map(move |g| (p.id.as_str(), g.as_str())))
        .filter(|(_, g)| !all_groups.contains(g))
        .collect();
    assert_eq!(dangling.len(), 5);
    assert_eq!(dangling.iter().map(|(p, _)| p).collect::<HashSet<_>>().len(), 5, "five distinct rows");

    let mut expected: Vec<Membership> = org
        .persons
        .iter()
        .flat_map(|p| p.group_ids.iter().flatten().map(move |g| (p, g)))
        .filter(|(_, g)| org.groups.iter().any(|group| &group.id == *g))
        .map(|(p, g)| Membership { group_id: g.clone(), person_id: p.id.clone() })
        .collect();
    expected.sort();
    assert_eq!(org.memberships, expected);
    assert!(org.memberships.len() > 2_500);

    let hidden: HashSet<&str> =
        org.archived_groups.iter().chain(&org.future_groups).map(|g| g.id.as_str()).collect();
    assert_eq!((org.archived_groups.len(), org.future_groups.len()), (3, 1));
    assert!(org.memberships.iter().all(|m| !hidden.contains(m.group_id.as_str())));
}
