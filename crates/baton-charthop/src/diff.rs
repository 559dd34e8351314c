//! `diff OLD.c1z NEW.c1z`: who joined, left, changed status or moved between two syncs (the
//! latest finished full sync of each file, or with `inspect --diff FILE` the two latest of one
//! file), and which memberships were added or removed.
//! Exit 0 when there is none of these, 1 when there is (as `diff` does), 2 on trouble.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::path::Path;

use anyhow::{Result, bail};
use c1_proto::connector::v2::ResourceId;
use serde_json::{Value, json};

use crate::inspect::{escape, print_table};
use crate::inspect_rows::{Entry, Role, ids};

/// The group types whose change makes a person a mover.
const MOVE_TYPES: &[&str] = &["DEPARTMENT", "TEAM", "LOCATION"];

#[derive(Debug, Clone)]
pub struct DiffArgs {
    pub old: std::path::PathBuf,
    pub new: std::path::PathBuf,
    pub json: bool,
    pub max_decompressed_bytes: Option<u64>,
    /// `inspect --diff FILE`: `old` and `new` are one file; the old side is the finished full
    /// sync before its latest (the one `--keep-previous` kept).
    pub within_one_file: bool,
}

/// One file's latest full sync, reduced to what the diff compares.
struct Side {
    sync_id: String,
    persons: HashMap<String, Entry>,
    groups: HashMap<String, Entry>,
    /// `(group id, person id)`.
    memberships: BTreeSet<(String, String)>,
}

/// Which finished full sync of a file a side is.
#[derive(Clone, Copy, PartialEq)]
enum Which {
    Latest,
    /// The one before the latest.
    Previous,
}

fn read(path: &Path, cap: Option<u64>, which: Which) -> Result<Side> {
    let reader = crate::inspect::open_file(path, cap)?;
    let sync = match which {
        Which::Latest => reader.latest_finished_full_sync()?,
        Which::Previous => {
            // Listed by row id; ordered by end time as the reader picks the latest.
            let mut full: Vec<_> = reader
                .syncs()?
                .into_iter()
                .filter(|s| s.ended_at.is_some() && s.sync_type == "full")
                .collect();
            full.sort_by_key(|s| s.ended_at);
            full.len().checked_sub(2).map(|at| full.swap_remove(at))
        }
    };
    let Some(sync) = sync else {
        match which {
            Which::Latest => {
                bail!("{} holds no finished full sync (inspect syncs lists what it holds)", path.display())
            }
            Which::Previous => bail!(
                "{} holds no earlier finished full sync to compare with: sync with --keep-previous to \
                 keep the last one in the file (inspect syncs lists what it holds)",
                path.display()
            ),
        }
    };
    let mut side = Side {
        sync_id: sync.id.clone(),
        persons: HashMap::new(),
        groups: HashMap::new(),
        memberships: BTreeSet::new(),
    };
    for resource in reader.resources(&sync.id)? {
        let entry = Entry::of(&resource?);
        match entry.role {
            Role::Person => drop(side.persons.insert(entry.id.clone(), entry)),
            Role::Group => drop(side.groups.insert(entry.id.clone(), entry)),
            Role::Other => {}
        }
    }
    for grant in reader.grants(&sync.id)? {
        let grant = grant?;
        let (_, group) =
            ids(grant.entitlement.as_ref().and_then(|e| e.resource.as_ref()).and_then(|r| r.id.as_ref()));
        let (_, person) = ids(grant.principal.as_ref().and_then(|p| p.id.as_ref()));
        side.memberships.insert((group, person));
    }
    Ok(side)
}

/// A group type, and the person's groups of that type before and after.
pub type Move = (String, Vec<String>, Vec<String>);

/// What changed, each list sorted by name.
#[derive(Debug, Default)]
pub struct Changes {
    pub joiners: Vec<Entry>,
    pub leavers: Vec<Entry>,
    /// The person as now, and the status before.
    pub status_changes: Vec<(Entry, String)>,
    /// The group and the person (as in the newer sync for added, the older for removed).
    pub memberships_added: Vec<(Entry, Entry)>,
    pub memberships_removed: Vec<(Entry, Entry)>,
    /// The person, and each group type whose groups changed.
    pub movers: Vec<(Entry, Vec<Move>)>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.joiners.is_empty()
            && self.leavers.is_empty()
            && self.status_changes.is_empty()
            && self.memberships_added.is_empty()
            && self.memberships_removed.is_empty()
    }
}

fn compare(old: &Side, new: &Side) -> Changes {
    let by_name = |a: &Entry, b: &Entry| (a.shown_name(), &a.id).cmp(&(b.shown_name(), &b.id));
    let mut changes = Changes {
        joiners: new.persons.values().filter(|p| !old.persons.contains_key(&p.id)).cloned().collect(),
        leavers: old.persons.values().filter(|p| !new.persons.contains_key(&p.id)).cloned().collect(),
        ..Changes::default()
    };
    changes.joiners.sort_by(by_name);
    changes.leavers.sort_by(by_name);
    for person in new.persons.values() {
        if let Some(before) = old.persons.get(&person.id)
            && before.status_text() != person.status_text()
        {
            changes.status_changes.push((person.clone(), before.status_text()));
        }
    }
    changes.status_changes.sort_by(|a, b| by_name(&a.0, &b.0));
    let entry = |side: &Side, group: &str, person: &str| {
        let find = |map: &HashMap<String, Entry>, id: &str, kind: &str| {
            map.get(id).cloned().unwrap_or_else(|| {
                let id = ResourceId { resource_type: kind.into(), resource: id.into(), ..Default::default() };
                Entry::unknown(Some(&id))
            })
        };
        (find(&side.groups, group, "group"), find(&side.persons, person, "person"))
    };
    changes.memberships_added =
        new.memberships.difference(&old.memberships).map(|(g, p)| entry(new, g, p)).collect();
    changes.memberships_removed =
        old.memberships.difference(&new.memberships).map(|(g, p)| entry(old, g, p)).collect();
    for list in [&mut changes.memberships_added, &mut changes.memberships_removed] {
        list.sort_by(|a, b| by_name(&a.1, &b.1).then_with(|| by_name(&a.0, &b.0)));
    }
    changes.movers = movers(old, new);
    changes.movers.sort_by(|a, b| by_name(&a.0, &b.0));
    changes
}

/// Persons in both syncs whose department, team or location groups changed.
fn movers(old: &Side, new: &Side) -> Vec<(Entry, Vec<Move>)> {
    // Person -> group type -> group names.
    fn placed(side: &Side) -> HashMap<&str, BTreeMap<String, BTreeSet<String>>> {
        let mut map: HashMap<&str, BTreeMap<String, BTreeSet<String>>> = HashMap::new();
        for (group, person) in &side.memberships {
            let Some(group) = side.groups.get(group) else { continue };
            let kind = group.group_type.to_ascii_uppercase();
            if MOVE_TYPES.contains(&kind.as_str()) {
                map.entry(person.as_str())
                    .or_default()
                    .entry(kind)
                    .or_default()
                    .insert(group.shown_name().to_owned());
            }
        }
        map
    }
    let (before, after) = (placed(old), placed(new));
    let empty = BTreeMap::new();
    let mut movers = Vec::new();
    for person in new.persons.values().filter(|p| old.persons.contains_key(&p.id)) {
        let was = before.get(person.id.as_str()).unwrap_or(&empty);
        let is = after.get(person.id.as_str()).unwrap_or(&empty);
        let moves: Vec<_> = MOVE_TYPES
            .iter()
            .filter_map(|kind| {
                let from = was.get(*kind).cloned().unwrap_or_default();
                let to = is.get(*kind).cloned().unwrap_or_default();
                (from != to).then(|| (kind.to_string(), from.into_iter().collect(), to.into_iter().collect()))
            })
            .collect();
        if !moves.is_empty() {
            movers.push((person.clone(), moves));
        }
    }
    movers
}

/// Prints the changes; `Ok(true)` when there are some.
/// A reader that closes the pipe early (`diff A B | head -1`) still learns whether they differ.
pub fn run(args: &DiffArgs) -> Result<bool> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let different = write_diff(args, &mut out)?;
    match out.flush() {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(different),
        other => other.map(|()| different).map_err(Into::into),
    }
}

pub(crate) fn write_diff(args: &DiffArgs, out: &mut impl Write) -> Result<bool> {
    let old_sync = if args.within_one_file { Which::Previous } else { Which::Latest };
    let old = read(&args.old, args.max_decompressed_bytes, old_sync)?;
    let new = read(&args.new, args.max_decompressed_bytes, Which::Latest)?;
    let changes = compare(&old, &new);
    let written = if args.json {
        serde_json::to_string_pretty(&to_json(args, &old, &new, &changes))
            .map_err(anyhow::Error::from)
            .and_then(|text| writeln!(out, "{text}").map_err(Into::into))
    } else {
        write_tables(args, &old, &new, &changes, out)
    };
    match written {
        Err(error) if !closed_pipe(&error) => Err(error),
        _ => Ok(!changes.is_empty()),
    }
}

fn closed_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn person_json(person: &Entry) -> Value {
    json!({ "id": person.id, "name": person.name, "email": person.email, "status": person.status_text() })
}

fn membership_json((group, person): &(Entry, Entry)) -> Value {
    json!({
        "groupId": group.id, "group": group.name, "groupType": group.group_type,
        "personId": person.id, "person": person.name, "email": person.email,
    })
}

fn to_json(args: &DiffArgs, old: &Side, new: &Side, changes: &Changes) -> Value {
    json!({
        "old": { "file": args.old.display().to_string(), "syncId": old.sync_id },
        "new": { "file": args.new.display().to_string(), "syncId": new.sync_id },
        "identical": changes.is_empty(),
        "joiners": changes.joiners.iter().map(person_json).collect::<Vec<_>>(),
        "leavers": changes.leavers.iter().map(person_json).collect::<Vec<_>>(),
        "statusChanges": changes.status_changes.iter().map(|(person, from)| {
            let mut value = person_json(person);
            value["from"] = json!(from);
            value["to"] = json!(person.status_text());
            value
        }).collect::<Vec<_>>(),
        "movers": changes.movers.iter().map(|(person, moves)| {
            let mut value = person_json(person);
            value["moves"] = moves.iter().map(|(kind, from, to)| json!({ "groupType": kind, "from": from, "to": to })).collect();
            value
        }).collect::<Vec<_>>(),
        "membershipsAdded": changes.memberships_added.iter().map(membership_json).collect::<Vec<_>>(),
        "membershipsRemoved": changes.memberships_removed.iter().map(membership_json).collect::<Vec<_>>(),
    })
}

fn write_tables(
    args: &DiffArgs,
    old: &Side,
    new: &Side,
    changes: &Changes,
    out: &mut impl Write,
) -> Result<()> {
    let file = |path: &Path, side: &Side| {
        format!("{} (sync {})", escape(&path.display().to_string()), escape(&side.sync_id))
    };
    writeln!(out, "old: {}", file(&args.old, old))?;
    writeln!(out, "new: {}", file(&args.new, new))?;
    if changes.is_empty() {
        writeln!(out, "identical: no joiners, leavers, status changes or membership changes")?;
        return Ok(());
    }
    persons(out, "joiners", &changes.joiners)?;
    persons(out, "leavers", &changes.leavers)?;
    section(out, "status changes", changes.status_changes.len())?;
    if !changes.status_changes.is_empty() {
        print_table(out, &["NAME", "EMAIL", "FROM", "TO"], || {
            Ok(changes.status_changes.iter().map(|(p, from)| {
                Ok(vec![p.shown_name().to_owned(), p.email.clone(), from.clone(), p.status_text()])
            }))
        })?;
    }
    section(out, "movers", changes.movers.len())?;
    if !changes.movers.is_empty() {
        print_table(out, &["NAME", "EMAIL", "GROUP TYPE", "FROM", "TO"], || {
            Ok(changes.movers.iter().flat_map(|(p, moves)| {
                moves.iter().map(move |(kind, from, to)| {
                    Ok(vec![
                        p.shown_name().to_owned(),
                        p.email.clone(),
                        kind.clone(),
                        from.join(", "),
                        to.join(", "),
                    ])
                })
            }))
        })?;
    }
    for (title, list) in [
        ("memberships added", &changes.memberships_added),
        ("memberships removed", &changes.memberships_removed),
    ] {
        section(out, title, list.len())?;
        if !list.is_empty() {
            print_table(out, &["PERSON", "EMAIL", "GROUP", "GROUP TYPE"], || {
                Ok(list.iter().map(|(g, p)| {
                    Ok(vec![
                        p.shown_name().to_owned(),
                        p.email.clone(),
                        g.shown_name().to_owned(),
                        g.group_type.clone(),
                    ])
                }))
            })?;
        }
    }
    Ok(())
}

fn section(out: &mut impl Write, title: &str, count: usize) -> Result<()> {
    writeln!(out, "\n{title}: {count}")?;
    Ok(())
}

fn persons(out: &mut impl Write, title: &str, list: &[Entry]) -> Result<()> {
    section(out, title, list.len())?;
    if list.is_empty() {
        return Ok(());
    }
    print_table(out, &["NAME", "EMAIL", "STATUS"], || {
        Ok(list.iter().map(|p| Ok(vec![p.shown_name().to_owned(), p.email.clone(), p.status_text()])))
    })
}
