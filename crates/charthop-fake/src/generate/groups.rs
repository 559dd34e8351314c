//! Group types and groups of a generated org.

use std::collections::HashSet;

use charthop_domain::{Group, GroupType};

use super::names::{self, slugify};
use crate::prng::Prng;
use crate::spec::OrgSpec;

pub(super) const DEPARTMENT: &str = "DEPARTMENT";
pub(super) const TEAM: &str = "TEAM";
pub(super) const LOCATION: &str = "LOCATION";
pub(super) const COST_CENTER: &str = "COST_CENTER";

/// The four group types: three built in, one custom.
pub(super) fn group_types(rng: &mut Prng) -> Vec<GroupType> {
    [
        (DEPARTMENT, "department", "SINGLE"),
        (TEAM, "team", "MULTIPLE"),
        (LOCATION, "location", "SINGLE"),
        (COST_CENTER, "costCenter", "SINGLE"),
    ]
    .into_iter()
    .map(|(name, field, membership)| GroupType {
        id: rng.hex_id(),
        name: name.to_owned(),
        field_name: Some(field.to_owned()),
        membership_type: Some(membership.to_owned()),
    })
    .collect()
}

/// Groups of each kind; persons draw their memberships from these.
pub(super) struct Groups {
    pub departments: Vec<Group>,
    pub teams: Vec<Group>,
    pub locations: Vec<Group>,
    pub cost_centers: Vec<Group>,
    pub archived: Vec<Group>,
    pub future: Vec<Group>,
}

impl Groups {
    pub fn all(&self) -> impl Iterator<Item = &Group> {
        [&self.departments, &self.teams, &self.locations, &self.cost_centers, &self.archived, &self.future]
            .into_iter()
            .flatten()
    }
}

struct Builder<'a> {
    rng: &'a mut Prng,
    types: &'a [GroupType],
    slugs: HashSet<String>,
}

impl Builder<'_> {
    fn group(&mut self, type_name: &str, name: String, ascii: &str, code: String) -> Group {
        let group_type = self.types.iter().find(|t| t.name == type_name).expect("generator made this type");
        let base = match slugify(ascii) {
            empty if empty.is_empty() => code.to_ascii_lowercase(),
            slug => slug,
        };
        let mut slug = base.clone();
        let mut n = 2;
        while !self.slugs.insert(slug.clone()) {
            slug = format!("{base}-{n}");
            n += 1;
        }
        let description = self.rng.chance(50.0).then(|| format!("The {name} {}.", type_name.to_lowercase()));
        Group {
            id: self.rng.hex_id(),
            name,
            slug: Some(slug),
            code: Some(code),
            type_id: Some(group_type.id.clone()),
            type_name: Some(group_type.name.clone()),
            parent_group_id: None,
            description,
        }
    }

    /// Gives group `i > 0` a parent among the groups before it, `pct` percent of the time;
    /// parents always come earlier, so the tree has no cycles.
    fn link_parents(&mut self, groups: &mut [Group], pct: f64) {
        for i in 1..groups.len() {
            if self.rng.chance(pct) {
                let parent = self.rng.below(i);
                groups[i].parent_group_id = Some(groups[parent].id.clone());
            }
        }
    }
}

/// The `i`th name from `list`, numbered once the list runs out ("Engineering 2").
fn nth(list: &[&str], i: usize) -> String {
    let round = i / list.len();
    let base = list[i % list.len()];
    if round == 0 { base.to_owned() } else { format!("{base} {}", round + 1) }
}

pub(super) fn groups(rng: &mut Prng, types: &[GroupType], spec: &OrgSpec) -> Groups {
    let mut b = Builder { rng, types, slugs: HashSet::new() };

    let mut departments: Vec<Group> = (0..spec.departments)
        .map(|i| {
            let name = nth(names::DEPARTMENTS, i);
            b.group(DEPARTMENT, name.clone(), &name, format!("D{:03}", i + 1))
        })
        .collect();
    b.link_parents(&mut departments, 60.0);

    let (adjectives, nouns) = (names::TEAM_ADJECTIVES, names::TEAM_NOUNS);
    let mut teams: Vec<Group> = (0..spec.teams)
        .map(|i| {
            let combos = adjectives.len() * nouns.len();
            let mut name = format!(
                "{} {}",
                adjectives[i % adjectives.len()],
                nouns[(i / adjectives.len()) % nouns.len()]
            );
            if i >= combos {
                name = format!("{name} {}", i / combos + 1);
            }
            b.group(TEAM, name.clone(), &name, format!("T{:03}", i + 1))
        })
        .collect();
    b.link_parents(&mut teams, 20.0);

    let locations = (0..spec.locations)
        .map(|i| {
            let (display, ascii) = names::LOCATIONS[i % names::LOCATIONS.len()];
            let round = i / names::LOCATIONS.len();
            let (name, ascii) = if round == 0 {
                (display.to_owned(), ascii.to_owned())
            } else {
                (format!("{display} {}", round + 1), format!("{ascii} {}", round + 1))
            };
            b.group(LOCATION, name, &ascii, format!("L{:03}", i + 1))
        })
        .collect();

    let cost_centers = (0..spec.custom_groups)
        .map(|i| {
            let number = 1000 + i;
            let name = format!("{number} {}", names::COST_CENTERS[i % names::COST_CENTERS.len()]);
            b.group(COST_CENTER, name.clone(), &name, format!("CC{number}"))
        })
        .collect();

    let archived = (0..spec.archived_groups)
        .map(|i| {
            let (kind, name) = if i % 2 == 0 {
                (DEPARTMENT, format!("Legacy {}", nth(names::DEPARTMENTS, i)))
            } else {
                (TEAM, format!("Disbanded {}", nth(names::TEAM_NOUNS, i)))
            };
            b.group(kind, name.clone(), &name, format!("X{:03}", i + 1))
        })
        .collect();

    let future = (0..spec.future_groups)
        .map(|i| {
            let name = format!("Planned office {}", i + 1);
            b.group(LOCATION, name.clone(), &name, format!("F{:03}", i + 1))
        })
        .collect();

    Groups { departments, teams, locations, cost_centers, archived, future }
}
