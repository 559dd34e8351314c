//! Failed syncs: a non-zero exit, one line that says what to fix, the previous file untouched,
//! no temporary file left, and never the token in any output.

use charthop_fake::Knobs;

use crate::harness::{Baton, Fake, TOKEN};

const PAGE_SIZE: usize = 50;

/// A real `.c1z` from a good sync of `fake`, to stand as the previous file.
fn previous_file(fake: &Fake) -> Vec<u8> {
    let good = Baton::new().args(fake.sync_args(PAGE_SIZE));
    good.run().assert_success();
    std::fs::read(good.path("sync.c1z")).expect("the good sync wrote sync.c1z")
}

fn run_over_previous(fake: &Fake, token: &str, previous: &[u8]) -> (Baton, crate::harness::Outcome) {
    let baton = Baton::new().args(fake.args_without_token(PAGE_SIZE)).args(["--api-token", token]);
    std::fs::write(baton.path("sync.c1z"), previous).expect("write the previous file");
    let outcome = baton.run();
    (baton, outcome)
}

#[test]
fn a_rejected_token_fails_and_keeps_the_previous_file() {
    let fake = Fake::start(80, Knobs::default());
    let previous = previous_file(&fake);
    let wrong = "e2e-wrong-token-51c0e8";
    let (baton, outcome) = run_over_previous(&fake, wrong, &previous);

    outcome.assert_failure().assert_hides(wrong).assert_hides(TOKEN);
    assert!(outcome.last_stderr_line().starts_with("baton-charthop: "), "{outcome}");
    let message = outcome.error_message();
    for name in ["401", "--api-token", "BATON_API_TOKEN"] {
        assert!(message.contains(name), "the error message names {name}: {message}");
    }
    assert_eq!(outcome.stdout, "", "nothing claims a file was written");
    assert_eq!(std::fs::read(baton.path("sync.c1z")).unwrap(), previous, "previous file changed");
    assert_eq!(baton.files(), ["sync.c1z"], "temporary files left behind");
}

/// This token reads groups but not persons: the sync fails after it has begun writing.
#[test]
fn a_sync_failing_midway_leaves_no_temporary_file() {
    let groups_only = "e2e-groups-only-token-0a7e";
    let knobs = Knobs { token_without_person_access: Some(groups_only.to_owned()), ..Knobs::default() };
    let fake = Fake::start(80, knobs);
    let previous = previous_file(&fake);
    let (baton, outcome) = run_over_previous(&fake, groups_only, &previous);

    outcome.assert_failure().assert_hides(groups_only);
    assert!(outcome.error_message().contains("403"), "{outcome}");
    assert!(fake.requests(charthop_fake::Endpoint::GroupList) > 0, "groups were read before the failure");
    assert_eq!(std::fs::read(baton.path("sync.c1z")).unwrap(), previous, "previous file changed");
    assert_eq!(baton.files(), ["sync.c1z"], "temporary files left behind");
}

#[test]
fn the_token_never_shows_even_at_debug_level() {
    let fake = Fake::start(120, Knobs::default());
    for format in ["json", "console"] {
        let baton = Baton::new().args(fake.sync_args(PAGE_SIZE)).args([
            "--log-level",
            "debug",
            "--log-format",
            format,
        ]);
        let outcome = baton.run();
        outcome.assert_success().assert_hides(TOKEN);
        // Debug logging really was on: lines beyond the info level were written.
        assert!(outcome.stderr.to_lowercase().contains("debug"), "no debug lines in:\n{}", outcome.stderr);
    }
}
