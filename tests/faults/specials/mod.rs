//! Rows that need more than a knob: odd data, refusals, mass changes, hostile settings. The
//! rows about processes (a server that goes away, signals, kills, two writers), a full disk and
//! unsafe targets have a module each.

mod disk;
mod processes;
mod targets;

use charthop_fake::{Knobs, Org, OrgSpec};

pub use self::disk::{DiskFull, disk_full};
pub use self::processes::{
    concurrent_syncs, kill_nine, server_vanishes, signal_mid_sync, signal_while_compressing,
    stale_files_removed,
};
pub use self::targets::{Unsafe, unsafe_target};
use crate::harness::Fake;
use crate::trial::{Expect, PAGE_SIZE, Setup, Trial, finish, limited_command, target_dir};

/// Names and emails with non-ASCII letters, emoji, a right-to-left mark and control characters.
pub fn odd_characters(org: &mut Org) {
    let odd = ["Zoë\u{0007}", "山田\t太郎", "\u{202e}evil", "Ñoño\r\n", "😀", "a\u{0000}b"];
    for (i, person) in org.persons.iter_mut().enumerate().take(60) {
        let text = odd[i % odd.len()];
        person.name.first = Some(text.to_owned());
        person.name.last = Some(format!("{text}{i}"));
        person.title = Some(format!("\u{001b}[31m{text}"));
        if i % 2 == 0 {
            person.work_email = Some(format!("zoë.{i}@exämple.com"));
        }
    }
}

pub fn forbidden() -> Trial {
    const GROUPS_ONLY: &str = "faults-groups-only-token";
    let knobs = Knobs { token_without_person_access: Some(GROUPS_ONLY.to_owned()), ..Knobs::default() };
    Setup {
        knobs,
        args: |f| [f.args_without_token(PAGE_SIZE), vec!["--api-token".into(), GROUPS_ONLY.into()]].concat(),
        ..Setup::new(100)
    }
    .run(Expect::Fails(&["403"]))
}

pub fn unknown_org() -> Trial {
    Setup {
        args: |f| {
            let mut args = f.sync_args(PAGE_SIZE);
            let i = args.iter().position(|a| a == "--org-id").expect("the fake's args name the org");
            args[i + 1] = "0123456789abcdef01234567".to_owned();
            args
        },
        ..Setup::new(100)
    }
    .run(Expect::Fails(&["404"]))
}

/// The first 100 persons who are active become departed (a day ago): disabled in the new file.
pub fn depart_hundred(org: &mut Org) {
    let today = org.today;
    let active = org.persons.iter_mut().filter(|p| Org::is_current(p, today)).take(100);
    for person in active {
        person.end_date = today.pred_opt();
    }
}

/// The previous file holds 300 persons; the org now has 30 of them: refused, file kept, unless
/// `allowed` passes `--max-removed-ratio=1`.
pub fn mass_change(allowed: bool) -> Trial {
    let setup = Setup {
        alter: |org| {
            org.persons.truncate(30);
            let kept: std::collections::HashSet<String> = org.persons.iter().map(|p| p.id.clone()).collect();
            org.memberships.retain(|m| kept.contains(&m.person_id));
        },
        ..Setup::new(300)
    };
    if allowed {
        Setup { args: |f| [f.sync_args(PAGE_SIZE), vec!["--max-removed-ratio=1".into()]].concat(), ..setup }
            .run(Expect::Truth)
    } else {
        setup.run(Expect::Fails(&["max-removed-ratio"]))
    }
}

/// A tiny `.baton.yaml` whose aliases would expand to 9^9 strings: refused, nothing written.
pub fn yaml_alias_bomb() -> Trial {
    let spec = OrgSpec::new(50, 7);
    let fake = Fake::with_spec(spec.clone(), Knobs::default());
    let (dir, previous) = target_dir(&spec, true);
    let mut yaml = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for level in 1..9 {
        let prev = format!("*a{}", level - 1);
        yaml.push_str(&format!("a{level}: &a{level} [{}]\n", vec![prev; 9].join(", ")));
    }
    std::fs::write(dir.path().join(".baton.yaml"), yaml).expect("write .baton.yaml");
    let child = limited_command(dir.path(), &fake.sync_args(PAGE_SIZE))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("sh starts the binary");
    let (code, stderr) = finish(child);
    Trial::new(Expect::Fails(&["alias"]), dir.path(), previous, fake.org(), code, stderr)
}

/// The fake echoes the refused token in its error bodies, in several encodings: the run fails
/// on the 401 and prints none of them.
pub fn token_echo() -> Trial {
    use base64::Engine;
    const WRONG: &str = "faults-echoed-token-7d41c2";
    let mut trial = Setup {
        knobs: Knobs { echo_token_in_errors: true, ..Knobs::default() },
        args: |f| [f.args_without_token(PAGE_SIZE), vec!["--api-token".into(), WRONG.into()]].concat(),
        ..Setup::new(80)
    }
    .run(Expect::Fails(&["401"]));
    let forms = [
        WRONG.to_owned(),
        WRONG.to_uppercase(),
        base64::engine::general_purpose::STANDARD.encode(WRONG),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(WRONG),
    ];
    for form in forms.iter().filter(|form| trial.stderr.contains(form.as_str())) {
        trial.verdict.observed.push_str(&format!("; the output shows the token as {form:?}"));
        trial.verdict.ok = false;
    }
    trial
}

/// The first person's title is 1 MiB: that person (and their memberships) is left out with a
/// warning naming them, and the rest of the org is written as it is.
pub fn huge_title() -> Trial {
    let mut trial = Setup {
        // The title is left out; the person and every membership stay (C1 must not revoke).
        knobs: Knobs { huge_title: Some(1 << 20), ..Knobs::default() },
        ..Setup::new(100)
    }
    .run(Expect::Truth);
    let warned = trial
        .stderr
        .lines()
        .any(|l| l.to_lowercase().contains("warn") && l.contains("left out") && l.contains("title"));
    if !warned {
        trial.verdict.observed.push_str("; no warning names the value left out");
        trial.verdict.ok = false;
    }
    trial
}
