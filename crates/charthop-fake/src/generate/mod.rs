//! The seeded org generator.

mod groups;
mod names;
mod persons;

use std::collections::HashSet;

use charthop_domain::{Group, Membership};

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

    let existing: HashSet<&str> = current.iter().map(|g| g.id.as_str()).collect();
    let mut memberships: Vec<Membership> = persons
        .iter()
        .flat_map(|p| {
            p.group_ids
                .iter()
                .flatten()
                .filter(|g| existing.contains(g.as_str()))
                .map(|g| Membership { group_id: g.clone(), person_id: p.id.clone() })
        })
        .collect();
    memberships.sort();

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
