//! Values C1 would reject never reach the file; coverage tells what the data lacks.

use charthop_fake::{FakeChartHop, Knobs, OrgSpec, generate_org};

use crate::harness::*;

async fn fake_editing(persons: usize, edit: impl FnOnce(&mut charthop_fake::Org)) -> FakeChartHop {
    let mut org = generate_org(&OrgSpec::new(persons, 42).with_today(today()));
    edit(&mut org);
    FakeChartHop::start(org, Knobs::default()).await.unwrap()
}

#[tokio::test]
async fn a_person_with_a_huge_value_keeps_the_row_and_its_memberships_without_that_value() {
    let mut person_id = String::new();
    let fake = fake_editing(120, |org| {
        let person =
            org.persons.iter_mut().find(|p| p.group_ids.as_ref().is_some_and(|g| !g.is_empty())).unwrap();
        person.title = Some("t".repeat(100 * 1024));
        person_id = person.id.clone();
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("sync.c1z");
    let report = run(&fake, &target, &options()).await.unwrap();

    let contents = read(&target);
    assert!(contents.person_statuses.contains_key(&person_id));
    assert_eq!(contents.memberships, truth(&fake), "every membership, the huge value's owner's too");
    assert_eq!((report.mapping.refused_persons, report.mapping.refused_memberships), (0, 0));
    assert_eq!(report.mapping.dropped.get("title"), Some(&1));
    assert_eq!(report.persons(), fake.org().persons.len() as u64);
}

#[tokio::test]
async fn a_person_whose_id_cannot_be_valid_is_refused_with_its_memberships() {
    let mut refused_id = String::new();
    let fake = fake_editing(120, |org| {
        let person =
            org.persons.iter_mut().find(|p| p.group_ids.as_ref().is_some_and(|g| !g.is_empty())).unwrap();
        // The fake's ground truth keeps naming the person by the old id.
        refused_id = person.id.clone();
        person.id = "p".repeat(c1_mapping::limits::ID_MAX + 1);
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("sync.c1z");
    let report = run(&fake, &target, &options()).await.unwrap();

    let expected: std::collections::BTreeSet<_> =
        truth(&fake).into_iter().filter(|(_, p)| *p != refused_id).collect();
    let contents = read(&target);
    assert_eq!(report.persons(), fake.org().persons.len() as u64 - 1, "the person is left out");
    assert_eq!(contents.resources_by_type["person"], report.persons());
    assert_eq!(contents.memberships, expected, "no grant dangles");
    assert_eq!(report.mapping.refused_persons, 1);
    assert_eq!(report.mapping.refused_memberships, (truth(&fake).len() - expected.len()) as u64);
    assert!(report.mapping.refused_memberships > 0);
}

#[tokio::test]
async fn invalid_emails_are_left_out_and_counted() {
    let fake = fake_editing(60, |org| {
        for person in org.persons.iter_mut().take(5) {
            person.work_email = Some("not an email".into());
        }
        for person in org.persons.iter_mut().skip(5).take(3) {
            person.work_email = None;
            person.employee_id = None;
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("sync.c1z");
    let report = run(&fake, &target, &options()).await.unwrap();

    assert_eq!(report.mapping.dropped.get("work_email"), Some(&5));
    let without_work_email = fake.org().persons.iter().filter(|p| p.work_email.is_none()).count() as u64;
    assert_eq!(report.coverage.without_work_email, without_work_email + 5);
    assert_eq!(report.coverage.without_any_email, without_work_email + 5);
    let without_employee_id = fake.org().persons.iter().filter(|p| p.employee_id.is_none()).count() as u64;
    assert!(without_employee_id >= 3);
    assert_eq!(report.coverage.without_employee_id, without_employee_id);
    assert!(report.coverage.unreadable_fields.is_empty(), "{:?}", report.coverage.unreadable_fields);
}

#[tokio::test]
async fn a_field_missing_on_every_row_is_named_with_the_access_it_needs() {
    let fake = fake_editing(80, |org| {
        for person in &mut org.persons {
            person.work_email = None;
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let report = run(&fake, &dir.path().join("sync.c1z"), &options()).await.unwrap();

    let [field] = report.coverage.unreadable_fields.as_slice() else {
        panic!("{:?}", report.coverage.unreadable_fields)
    };
    assert_eq!(field.field, "contact.workEmail");
    assert!(field.access.contains("contact"), "{}", field.access);
    assert_eq!(report.coverage.without_any_email, report.persons());
}

#[tokio::test]
async fn a_list_without_group_ids_is_not_a_coverage_gap_when_per_person_answers_carry_them() {
    let knobs = Knobs { list_honours_group_ids: false, ..Knobs::default() };
    let fake = fake(40, knobs).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("sync.c1z");
    let report = run(&fake, &target, &options()).await.unwrap();
    assert_eq!(read(&target).memberships, truth(&fake));
    assert!(report.coverage.unreadable_fields.is_empty(), "{:?}", report.coverage.unreadable_fields);
}

#[tokio::test]
async fn long_group_texts_are_cut_a_huge_description_left_out_and_a_bad_id_refused_without_dangling_grants() {
    let mut huge_id = String::new();
    let mut refused = String::new();
    let fake = fake_editing(150, |org| {
        org.groups[0].name = "G".repeat(3000);
        let memberships = &org.memberships;
        let huge =
            org.groups[1..].iter_mut().find(|g| memberships.iter().any(|m| m.group_id == g.id)).unwrap();
        huge.description = Some("d".repeat(70 * 1024));
        huge_id = huge.id.clone();
        let bad = org.groups[1..]
            .iter_mut()
            .find(|g| g.id != huge_id && memberships.iter().any(|m| m.group_id == g.id))
            .unwrap();
        refused = bad.id.clone();
        bad.id = "g".repeat(c1_mapping::limits::ID_MAX + 1);
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("sync.c1z");
    let report = run(&fake, &target, &options()).await.unwrap();

    assert_eq!(report.mapping.refused_groups, 1);
    assert_eq!(report.mapping.dropped.get("description"), Some(&1));
    assert_eq!(report.mapping.cut.get("display_name"), Some(&1));
    assert_eq!(report.mapping.cut.get("entitlement_display_name"), Some(&1));
    let contents = read(&target);
    assert_eq!(contents.resources_by_type["group"], fake.org().groups.len() as u64 - 1);
    assert!(
        contents.entitlement_ids.contains(&format!("group:{huge_id}:member")),
        "kept, without its description"
    );
    let expected: std::collections::BTreeSet<_> =
        truth(&fake).into_iter().filter(|(g, _)| *g != refused).collect();
    assert_eq!(contents.memberships, expected);
    assert_eq!(report.skipped_memberships, (truth(&fake).len() - expected.len()) as u64);
}
