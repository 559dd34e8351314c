//! The seeded org generator.

mod groups;
mod names;
mod persons;

use std::collections::HashMap;

use charthop_domain::{Group, Membership, Person};

use crate::org::Org;
use crate::prng::Prng;
use crate::spec::OrgSpec;

/// Builds the org `spec` describes. Deterministic: the same spec gives the same org.
pub fn generate_org(spec: &OrgSpec) -> Org {
    let mut rng = Prng::new(spec.seed);
    let org_id = rng.hex_id();
    let name = rng.pick(names::ORG_NAMES).to_string();
    let slug = format!("{}-{}", names::slugify(&name), spec.seed);

    let group_types = groups::group_types(&mut rng);
    let made = groups::groups(&mut rng, &group_types, spec);
    let mut persons = persons::persons(&mut rng, spec, &made, &slug);

    let groups::Groups { departments, teams, locations, cost_centers, archived, future } = made;
    let by_id = |mut groups: Vec<Group>| {
        groups.sort_by(|a, b| a.id.cmp(&b.id));
        groups
    };
    let current = by_id([departments, teams, locations, cost_centers].into_iter().flatten().collect());
    let (archived_groups, future_groups) = (by_id(archived), by_id(future));
    persons.sort_by(|a, b| a.id.cmp(&b.id));

    let memberships = memberships(&current, &persons);
    Org {
        org_id,
        slug,
        name,
        today: spec.today,
        group_types,
        groups: current,
        archived_groups,
        future_groups,
        persons,
        memberships,
    }
}

/// Every (group, person) pair for the groups in `groups`, sorted by group id then person id.
/// Both inputs are sorted by id, so sorting positions sorts ids (and is much faster than
/// comparing strings: a 10,000-person org has ~40,000 pairs).
fn memberships(groups: &[Group], persons: &[Person]) -> Vec<Membership> {
    let rank: HashMap<&str, usize> = groups.iter().enumerate().map(|(i, g)| (g.id.as_str(), i)).collect();
    let rank = &rank;
    let mut pairs: Vec<(usize, usize)> = persons
        .iter()
        .enumerate()
        .flat_map(|(p, person)| {
            person.group_ids.iter().flatten().filter_map(move |g| Some((*rank.get(g.as_str())?, p)))
        })
        .collect();
    pairs.sort_unstable();
    pairs
        .into_iter()
        .map(|(g, p)| Membership { group_id: groups[g].id.clone(), person_id: persons[p].id.clone() })
        .collect()
}
