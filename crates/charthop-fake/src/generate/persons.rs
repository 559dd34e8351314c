//! Persons of a generated org: names, dates, jobs, managers and group memberships.

use std::collections::HashSet;

use charthop_domain::{DateTime, Group, NaiveDate, Person, PersonName, Utc};
use chrono::{Days, NaiveTime};

use super::groups::Groups;
use super::names;
use crate::prng::Prng;
use crate::spec::OrgSpec;

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Active,
    /// Active, with an old end date (before the start date) left from an earlier stint.
    Rehired,
    Departed,
    PreHire,
    NeverInJob,
}

impl State {
    fn has_job(self) -> bool {
        self != State::NeverInJob
    }

    fn is_current(self) -> bool {
        matches!(self, State::Active | State::Rehired)
    }
}

/// How many of `total` persons `pct` percent is, rounded to the nearest person.
fn share(total: usize, pct: f64) -> usize {
    ((total as f64 * pct / 100.0).round().max(0.0) as usize).min(total)
}

/// Exact numbers of each state, spread at random; person 0 (the CEO) is always active.
fn states(rng: &mut Prng, spec: &OrgSpec) -> Vec<State> {
    let n = spec.persons;
    let mut states = vec![State::Active; n];
    let mut others: Vec<usize> = (1..n).collect();
    rng.shuffle(&mut others);
    let mut others = others.into_iter();
    for (state, pct) in [
        (State::Departed, spec.departed_pct),
        (State::PreHire, spec.pre_hire_pct),
        (State::NeverInJob, spec.never_in_job_pct),
        (State::Rehired, spec.rehired_pct),
    ] {
        for i in others.by_ref().take(share(n, pct)) {
            states[i] = state;
        }
    }
    states
}

fn days_before(date: NaiveDate, days: i64) -> NaiveDate {
    date.checked_sub_days(Days::new(days.unsigned_abs())).unwrap_or(date)
}

fn days_after(date: NaiveDate, days: i64) -> NaiveDate {
    date.checked_add_days(Days::new(days.unsigned_abs())).unwrap_or(date)
}

/// (start, end) of the most recent hire.
fn dates(rng: &mut Prng, state: State, today: NaiveDate) -> (Option<NaiveDate>, Option<NaiveDate>) {
    match state {
        State::Active => (Some(days_before(today, rng.between(30, 3650))), None),
        State::Rehired => {
            let start = days_before(today, rng.between(30, 1000));
            (Some(start), Some(days_before(start, rng.between(30, 700))))
        }
        State::Departed => {
            let end = days_before(today, rng.between(1, 1000));
            (Some(days_before(end, rng.between(30, 2500))), Some(end))
        }
        State::PreHire => (Some(days_after(today, rng.between(1, 90))), None),
        State::NeverInJob => (None, None),
    }
}

fn created_at(rng: &mut Prng, start: Option<NaiveDate>, today: NaiveDate) -> DateTime<Utc> {
    let base = match start {
        Some(start) => start.min(today),
        None => days_before(today, rng.between(0, 700)),
    };
    let day = days_before(base, rng.between(1, 90));
    let time = NaiveTime::from_num_seconds_from_midnight_opt(rng.between(0, 86_399) as u32, 0)
        .unwrap_or(NaiveTime::MIN);
    day.and_time(time).and_utc()
}

struct NamePick {
    name: PersonName,
    first_ascii: &'static str,
    last_ascii: &'static str,
}

fn name(rng: &mut Prng, unicode: bool) -> NamePick {
    let (first, first_ascii) = if unicode && rng.chance(8.0) {
        *rng.pick(names::UNICODE_FIRST_NAMES)
    } else {
        *rng.pick(names::FIRST_NAMES)
    };
    let (last, last_ascii) = if unicode && rng.chance(8.0) {
        *rng.pick(names::UNICODE_LAST_NAMES)
    } else {
        *rng.pick(names::LAST_NAMES)
    };
    let name = PersonName {
        first: Some(first.to_owned()),
        middle: rng.chance(20.0).then(|| rng.pick(names::MIDDLE_NAMES).to_string()),
        last: Some(last.to_owned()),
        preferred_first: rng.chance(10.0).then(|| rng.pick(names::PREFERRED_FIRST_NAMES).to_string()),
        preferred_last: rng.chance(2.0).then(|| rng.pick(names::PREFERRED_LAST_NAMES).to_string()),
    };
    NamePick { name, first_ascii, last_ascii }
}

/// Ids of one department, one location, zero to two teams and maybe a cost center.
fn memberships(rng: &mut Prng, groups: &Groups) -> Vec<String> {
    let mut ids = Vec::with_capacity(5);
    for single in [&groups.departments, &groups.locations] {
        if !single.is_empty() {
            ids.push(rng.pick(single).id.clone());
        }
    }
    let wanted_teams = match rng.below(10) {
        0 | 1 => 0,
        2..=6 => 1,
        _ => 2,
    };
    let mut teams: Vec<&Group> = Vec::with_capacity(2);
    for _ in 0..wanted_teams.min(groups.teams.len()) {
        let team = rng.pick(&groups.teams);
        if !teams.iter().any(|t| t.id == team.id) {
            teams.push(team);
        }
    }
    ids.extend(teams.iter().map(|t| t.id.clone()));
    if !groups.cost_centers.is_empty() && rng.chance(70.0) {
        ids.push(rng.pick(&groups.cost_centers).id.clone());
    }
    ids
}

pub(super) fn persons(rng: &mut Prng, spec: &OrgSpec, groups: &Groups, org_slug: &str) -> Vec<Person> {
    let states = states(rng, spec);
    let mut without_email: Vec<usize> = (0..spec.persons).collect();
    rng.shuffle(&mut without_email);
    let without_email: HashSet<usize> =
        without_email.into_iter().take(share(spec.persons, spec.no_email_pct)).collect();

    let mut persons: Vec<Person> = Vec::with_capacity(spec.persons);
    // Group ids are in here too, so no person id or dangling id can equal one.
    let mut ids: HashSet<String> = groups.all().map(|g| g.id.clone()).collect();
    let mut email_locals = HashSet::with_capacity(spec.persons);
    // Current job holders, in hiring order: managers are drawn from the early ones.
    let mut managers: Vec<usize> = Vec::new();

    for (i, state) in states.into_iter().enumerate() {
        let id = fresh_id(rng, &mut ids);
        let NamePick { name, first_ascii, last_ascii } = name(rng, spec.unicode_names);
        let (start_date, end_date) = dates(rng, state, spec.today);
        let created_at = Some(created_at(rng, start_date, spec.today));

        let mut local = format!("{first_ascii}.{last_ascii}");
        if !email_locals.insert(local.clone()) {
            local = format!("{first_ascii}.{last_ascii}{i}");
            email_locals.insert(local.clone());
        }
        let work_email = (!without_email.contains(&i)).then(|| format!("{local}@{org_slug}.example.com"));
        let personal_email = rng.chance(50.0).then(|| format!("{local}.home@mail.example.net"));

        let mut person = Person {
            id,
            name,
            work_email,
            personal_email,
            start_date,
            end_date,
            created_at,
            group_ids: Some(Vec::new()),
            ..Person::default()
        };
        if state.has_job() {
            person.employee_id = Some(format!("E{:05}", i + 1));
            person.job_id = Some(rng.hex_id());
            person.title = Some(rng.pick(names::TITLES).to_string());
            if !managers.is_empty() {
                let manager = managers[rng.below(managers.len().min(1 + i / 8))];
                person.manager_id = Some(persons[manager].id.clone());
            }
            person.group_ids = Some(memberships(rng, groups));
        }
        if state.is_current() {
            managers.push(i);
        }
        persons.push(person);
    }

    add_dangling_group_ids(rng, &mut persons, spec.dangling_group_ids, &mut ids);
    persons
}

fn fresh_id(rng: &mut Prng, taken: &mut HashSet<String>) -> String {
    loop {
        let id = rng.hex_id();
        if taken.insert(id.clone()) {
            return id;
        }
    }
}

/// Appends to `count` distinct persons' `groupIds` an id no group has.
fn add_dangling_group_ids(rng: &mut Prng, persons: &mut [Person], count: usize, taken: &mut HashSet<String>) {
    let mut order: Vec<usize> = (0..persons.len()).collect();
    rng.shuffle(&mut order);
    for &i in order.iter().take(count) {
        let missing_group = fresh_id(rng, taken);
        persons[i].group_ids.get_or_insert_with(Vec::new).push(missing_group);
    }
}
