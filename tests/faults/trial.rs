//! One run of the binary under a fault, and the verdict on it: the new file equals the fake's
//! ground truth, or the run failed naming the cause with the previous file byte-identical and
//! nothing stray beside the target.

use std::collections::BTreeSet;
use std::path::Path;

use charthop_domain::Employment;
use charthop_fake::Org;

// The rows import set-up and judging from one place.
use crate::harness::{Contents, read_c1z};
pub use crate::setup::{Setup, finish, limited_command, run, spawn, target_dir};

pub const TARGET: &str = "sync.c1z";
pub const PAGE_SIZE: usize = 50;

/// What a row promises.
#[derive(Debug, Clone, Copy)]
pub enum Expect {
    /// Exit 0 and a file that equals the org the fake served.
    Truth,
    /// A non-zero exit whose final message holds every needle (case-insensitive), the
    /// previous file byte-identical (or still absent), and no stray file.
    Fails(&'static [&'static str]),
    /// Killed by a signal: the previous file byte-identical (or, killed after publishing, the
    /// ground truth); build files may remain.
    Killed,
    /// Stopped by a handled signal: a non-zero exit saying so, no stray file, and either the
    /// previous file byte-identical ("nothing was published") or, when the signal came after
    /// the rename, the ground truth ("had already finished").
    Interrupted,
}

impl std::fmt::Display for Expect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expect::Truth => write!(f, "ground truth"),
            Expect::Fails(needles) => write!(f, "fails naming {}", needles.join("+")),
            Expect::Killed => write!(f, "previous kept"),
            Expect::Interrupted => write!(f, "interrupted: previous kept or whole sync"),
        }
    }
}

/// What stood at the target before the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Previous {
    /// Nothing: a failed run must leave nothing there either.
    Absent,
    /// A regular file with these bytes, which a failed run must leave byte-identical.
    File(Vec<u8>),
    /// Something not to be read (a FIFO, a symlink, a directory): a failed run must leave a
    /// thing of this kind, see [`kind_of`].
    Kind(&'static str),
}

/// A finished run, judged the moment it ended (later runs may change the directory).
pub struct Trial {
    pub expect: Expect,
    pub verdict: Verdict,
    /// What the binary printed: stdout, then stderr (see [`finish`]).
    pub stderr: String,
    previous: Previous,
    org: Org,
    code: Option<i32>,
}

/// The judgement on one trial.
pub struct Verdict {
    pub observed: String,
    pub data_lost: bool,
    /// Observed what the row expects, without losing data or leaving stray files.
    pub ok: bool,
}

/// `symlink`, `dir`, `fifo`, `file` or `absent`: what is at `path`, without following links.
pub fn kind_of(path: &Path) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    match std::fs::symlink_metadata(path) {
        Err(_) => "absent",
        Ok(m) if m.file_type().is_symlink() => "symlink",
        Ok(m) if m.is_dir() => "dir",
        Ok(m) if m.file_type().is_fifo() => "fifo",
        Ok(m) if m.is_file() => "file",
        Ok(_) => "special",
    }
}

impl Trial {
    pub fn new(
        expect: Expect,
        dir: &Path,
        previous: Previous,
        org: &Org,
        code: Option<i32>,
        stderr: String,
    ) -> Self {
        let verdict = judge(expect, dir, &previous, org, code, &stderr, &[]);
        Trial { expect, verdict: hides_token(verdict, &stderr), stderr, previous, org: org.clone(), code }
    }

    /// Judged again with `others` (files another run owns) not counted as strays.
    pub fn ignoring(self, others: &[String], dir: &Path) -> Self {
        let verdict = judge(self.expect, dir, &self.previous, &self.org, self.code, &self.stderr, others);
        Trial { verdict: hides_token(verdict, &self.stderr), ..self }
    }
}

fn judge(
    expect: Expect,
    dir: &Path,
    previous: &Previous,
    org: &Org,
    code: Option<i32>,
    stderr: &str,
    others: &[String],
) -> Verdict {
    let target = dir.join(TARGET);
    let strays: Vec<String> = strays(dir).into_iter().filter(|s| !others.contains(s)).collect();
    let message = final_message(stderr);
    let now = match previous {
        Previous::Kind(_) => Previous::Kind(kind_of(&target)),
        _ => std::fs::read(&target).map_or(Previous::Absent, Previous::File),
    };
    let kept = now == *previous;

    if code == Some(0) {
        if !matches!(now, Previous::File(_)) {
            return verdict("exit 0 without a file", false, false);
        }
        return match compare(org, &read_c1z(&target)) {
            Ok(()) => {
                // A signal that came after the run had ended finds the whole sync.
                let ok = matches!(expect, Expect::Killed)
                    || (matches!(expect, Expect::Truth | Expect::Interrupted) && strays.is_empty());
                verdict(&with_strays("ground truth", &strays), false, ok)
            }
            // A successful run that wrote anything else is a silently partial sync.
            Err(why) => verdict(&format!("exit 0 but {why}"), true, false),
        };
    }
    let how = match code {
        Some(code) => format!("exit {code}: {}", short(&message)),
        None => "killed".to_owned(),
    };
    if !kept && matches!(expect, Expect::Interrupted) && matches!(now, Previous::File(_)) && code.is_some() {
        let says = message.contains("interrupted by") && message.contains("had already finished");
        return match compare(org, &read_c1z(&target)) {
            Ok(()) => verdict(
                &with_strays(&format!("{how}; ground truth"), &strays),
                false,
                says && strays.is_empty(),
            ),
            Err(why) => verdict(&format!("{how}; the file now has {why}"), true, false),
        };
    }
    if !kept && matches!(expect, Expect::Killed) && matches!(now, Previous::File(_)) {
        // Killed after the atomic rename: the new file must then be the whole sync.
        return match compare(org, &read_c1z(&target)) {
            Ok(()) => verdict("killed after publishing: ground truth", false, true),
            Err(why) => verdict(&format!("killed; the file now has {why}"), true, false),
        };
    }
    if !kept {
        let what =
            if matches!(previous, Previous::Absent) { "a file appeared" } else { "previous file changed" };
        return verdict(&format!("{how}; {what}"), !matches!(previous, Previous::Absent), false);
    }
    let ok = match expect {
        Expect::Truth => false,
        Expect::Killed => true,
        Expect::Interrupted => {
            code.is_some_and(|c| c != 0)
                && message.contains("interrupted by")
                && message.contains("nothing was published")
                && strays.is_empty()
        }
        Expect::Fails(needles) => {
            let line = message.to_lowercase();
            code.is_some() && needles.iter().all(|n| line.contains(&n.to_lowercase())) && strays.is_empty()
        }
    };
    verdict(&with_strays(&how, &strays), false, ok)
}

/// Whatever else happened, the token never shows in what the binary printed.
fn hides_token(mut verdict: Verdict, stderr: &str) -> Verdict {
    if stderr.contains(crate::harness::TOKEN) {
        verdict.observed.push_str("; the token shows in the output");
        verdict.ok = false;
    }
    verdict
}

fn verdict(observed: &str, data_lost: bool, ok: bool) -> Verdict {
    Verdict { observed: observed.to_owned(), data_lost, ok }
}

/// Strays named without their random part (`.sync.c1z.*.db-build`), so runs compare equal.
fn with_strays(observed: &str, strays: &[String]) -> String {
    if strays.is_empty() {
        return observed.to_owned();
    }
    let mut kinds: Vec<String> = strays
        .iter()
        .map(|name| {
            match name.rsplit_once('.').and_then(|(stem, ext)| Some((stem.rsplit_once('.')?.0, ext))) {
                Some((prefix, ext)) if prefix.starts_with('.') => format!("{prefix}.*.{ext}"),
                _ => name.clone(),
            }
        })
        .collect();
    kinds.sort();
    kinds.dedup();
    format!("{observed}; stray {}", kinds.join(","))
}

fn short(line: &str) -> String {
    line.chars().take(160).collect()
}

/// The lines the binary ends a failed run with (`baton-charthop: <error>`, then any hint),
/// joined; the last stderr line when there are none.
fn final_message(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().filter_map(|l| l.strip_prefix("baton-charthop: ")).collect();
    if lines.is_empty() { stderr.lines().last().unwrap_or_default().to_owned() } else { lines.join(" / ") }
}

/// Files beside the target other than the target itself and its lock file.
pub fn strays(dir: &Path) -> Vec<String> {
    let allowed = [TARGET.to_owned(), format!(".{TARGET}.lock"), ".baton.yaml".to_owned()];
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("list the target's directory")
        .map(|e| e.expect("a directory entry").file_name().to_string_lossy().into_owned())
        .filter(|name| !allowed.contains(name))
        .collect();
    names.sort();
    names
}

/// `Resource.status.status`: unspecified, enabled, disabled.
fn expected_status(person: &charthop_domain::Person, org: &Org) -> i32 {
    match person.employment_at(org.today) {
        Employment::Active => 1,
        Employment::Departed { .. } => 2,
        Employment::PreHire { .. } | Employment::Unknown => 0,
    }
}

/// Persons, groups, memberships (as grants) and statuses equal the org's; else what differs.
pub fn compare(org: &Org, contents: &Contents) -> Result<(), String> {
    let persons: BTreeSet<&String> = org.persons.iter().map(|p| &p.id).collect();
    let statuses = contents.statuses_of("person");
    if statuses.keys().collect::<BTreeSet<_>>() != persons {
        return Err(format!("{} persons instead of {}", statuses.len(), persons.len()));
    }
    let groups: BTreeSet<&String> = org.groups.iter().map(|g| &g.id).collect();
    let written_groups = contents.statuses_of("group");
    if written_groups.keys().collect::<BTreeSet<_>>() != groups {
        return Err(format!("{} groups instead of {}", written_groups.len(), groups.len()));
    }
    let truth: BTreeSet<(String, String)> =
        org.memberships.iter().map(|m| (m.group_id.clone(), m.person_id.clone())).collect();
    let memberships = contents.memberships();
    if memberships != truth {
        return Err(format!("{} grants instead of {}", memberships.len(), truth.len()));
    }
    if let Some(p) = org.persons.iter().find(|p| statuses.get(&p.id) != Some(&expected_status(p, org))) {
        return Err(format!("person {} has the wrong status", p.id));
    }
    match contents.dangling_references().first() {
        Some(problem) => Err(problem.clone()),
        None => Ok(()),
    }
}
