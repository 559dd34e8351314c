//! The fault matrix: one test per row, each running the real binary (one-shot) against the
//! fake ChartHop with one fault and a previous good `.c1z` at the target. Every row ends in one
//! of two ways: the new file equals the fake's ground truth, or the run fails naming the cause
//! with the previous file byte-identical and no stray file beside it.
//!
//! Each row prints one machine-readable line, which `cargo xtask faults` turns into a table:
//! `FAULT-ROW<TAB>fault<TAB>setup<TAB>expected<TAB>observed<TAB>data lost (yes/no)`.

#[allow(dead_code, unused_imports)]
#[path = "../it/harness/mod.rs"]
mod harness;

mod proxy;
mod setup;
mod specials;
mod tampers;
mod trial;

use std::time::Duration;

use charthop_fake::{GroupIdsAnswer, Knobs, NextShape, RetryAfter};

use crate::trial::{Expect, PAGE_SIZE, Setup, Trial};

/// Runs a row's trials, prints its line, and fails the test unless every trial kept its promise.
fn check(fault: &str, setup: &str, trials: Vec<Trial>) {
    if trials.is_empty() {
        println!("FAULT-ROW\t{fault}\t{setup}\t-\tskipped (cannot be set up here)\tno");
        return;
    }
    let verdicts: Vec<_> = trials.iter().map(|t| &t.verdict).collect();
    let mut expected: Vec<String> = trials.iter().map(|t| t.expect.to_string()).collect();
    expected.dedup();
    let mut observed: Vec<&str> = Vec::new();
    for verdict in &verdicts {
        if !observed.contains(&verdict.observed.as_str()) {
            observed.push(&verdict.observed);
        }
    }
    let lost = verdicts.iter().any(|v| v.data_lost);
    let line = format!(
        "FAULT-ROW\t{fault}\t{setup}\t{}\t{}\t{}",
        expected.join(" / "),
        observed.join(" / ").replace(['\t', '\n'], " "),
        if lost { "yes" } else { "no" }
    );
    println!("{line}");
    for (trial, verdict) in trials.iter().zip(&verdicts) {
        assert!(verdict.ok, "{line}\n--- output of the failing trial\n{}", trial.stderr);
    }
}

/// One `#[test]` per row: `name: "fault", "setup" => trials;`.
macro_rules! fault_rows {
    ($($name:ident: $fault:literal, $setup:literal => $trials:expr;)*) => {
        $(
            #[test]
            fn $name() {
                let trials: Vec<Trial> = $trials;
                check($fault, $setup, trials);
            }
        )*
    };
}

fn knobs(persons: usize, knobs: Knobs, expect: Expect) -> Vec<Trial> {
    vec![Setup { knobs, ..Setup::new(persons) }.run(expect)]
}

fn tampered(persons: usize, tamper: proxy::Tamper, expect: Expect) -> Vec<Trial> {
    vec![Setup { tamper: Some(tamper), ..Setup::new(persons) }.run(expect)]
}

/// Tampered, with more flags after the fake's own.
fn tampered_with(
    tamper: proxy::Tamper,
    args: fn(&harness::Fake) -> Vec<String>,
    expect: Expect,
) -> Vec<Trial> {
    vec![Setup { tamper: Some(tamper), args, ..Setup::new(150) }.run(expect)]
}

fn with_args(fake: &harness::Fake, extra: &[&str]) -> Vec<String> {
    let mut args = fake.sync_args(PAGE_SIZE);
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    args
}

const D: fn() -> Knobs = Knobs::default;

fault_rows! {
    rate_limited_with_retry_after: "429 with Retry-After", "rate_limit_burst=2, Retry-After: 1" =>
        knobs(150, Knobs { rate_limit_burst: 2, retry_after: RetryAfter::Seconds(1), ..D() }, Expect::Truth);
    rate_limited_without_retry_after: "429 without Retry-After", "rate_limit_every=3, no header" =>
        knobs(150, Knobs { rate_limit_every: Some(3), retry_after: RetryAfter::Absent, ..D() }, Expect::Truth);
    rate_limit_storm: "429 storm past the retry budget", "rate_limit_burst=50, Retry-After: 0" =>
        knobs(150, Knobs { rate_limit_burst: 50, retry_after: RetryAfter::Seconds(0), ..D() }, Expect::Fails(&["429"]));
    server_error_burst: "5xx burst", "server_error_burst=3 (503)" =>
        knobs(150, Knobs { server_error_burst: 3, ..D() }, Expect::Truth);
    server_error_storm: "5xx storm past the retry budget", "server_error_burst=50 (502)" =>
        knobs(150, Knobs { server_error_burst: 50, server_error_status: 502, ..D() }, Expect::Fails(&["502"]));
    latency: "slow answers", "latency=150ms" =>
        knobs(150, Knobs { latency: Duration::from_millis(150), ..D() }, Expect::Truth);
    closed_mid_body: "connection closed mid-body", "close_mid_body=2" =>
        knobs(150, Knobs { close_mid_body: 2, ..D() }, Expect::Truth);
    truncated_json: "truncated JSON", "truncate_body=2" =>
        knobs(150, Knobs { truncate_body: 2, ..D() }, Expect::Truth);
    malformed_json: "malformed JSON", "proxy: 2nd person page is not JSON" =>
        tampered(150, tampers::malformed_json, Expect::Fails(&["not valid json"]));
    row_without_id: "a row without id", "proxy: 1st person row loses id" =>
        tampered(150, tampers::row_without_id, Expect::Fails(&["no 'id'"]));
    repeating_next: "a repeating next", "repeat_next" =>
        knobs(150, Knobs { repeat_next: true, ..D() }, Expect::Fails(&["next=", "loops"]));
    overlapping_pages: "pages overlapping by one row", "overlapping_pages" =>
        knobs(150, Knobs { overlapping_pages: true, ..D() }, Expect::Truth);
    unknown_groups: "memberships naming unknown groups", "OrgSpec dangling_group_ids=7" =>
        vec![Setup { spec: charthop_fake::OrgSpec { dangling_group_ids: 7, ..charthop_fake::OrgSpec::new(150, 7) }, ..Setup::new(150) }.run(Expect::Truth)];
    empty_org: "an empty org, no previous file", "0 persons" =>
        vec![Setup { previous: false, ..Setup::new(0) }.run(Expect::Truth)];
    odd_characters: "unicode and control characters in names and emails", "altered org" =>
        vec![Setup { alter: specials::odd_characters, ..Setup::new(150) }.run(Expect::Truth)];
    unauthorized: "401", "a wrong token" =>
        vec![Setup { args: |f| [f.args_without_token(PAGE_SIZE), vec!["--api-token".into(), "faults-wrong-token".into()]].concat(), ..Setup::new(100) }.run(Expect::Fails(&["401"]))];
    forbidden: "403", "a token without person access" =>
        vec![specials::forbidden()];
    not_found: "404", "an org id the server does not know" =>
        vec![specials::unknown_org()];
    server_vanishes: "the server vanishing mid-sync", "fake stopped after 3 requests" =>
        vec![specials::server_vanishes()];
    kill_9: "kill -9 at ten moments", "SIGKILL spaced through a 3,000-person sync, one dir; then strays aged 2 h, run again" =>
        specials::kill_nine();
    sigint: "SIGINT mid-sync", "SIGINT after 3 requests" =>
        vec![specials::signal_mid_sync("INT", &["interrupted by SIGINT", "nothing was published"])];
    sigterm: "SIGTERM mid-sync", "SIGTERM after 3 requests" =>
        vec![specials::signal_mid_sync("TERM", &["interrupted by SIGTERM", "nothing was published"])];
    sighup: "SIGHUP mid-sync", "SIGHUP after 3 requests" =>
        vec![specials::signal_mid_sync("HUP", &["interrupted by SIGHUP", "nothing was published"])];
    sigint_compressing: "SIGINT while compressing", "SIGINT on the \"checking and compressing\" line" =>
        vec![specials::signal_while_compressing("INT")];
    sigterm_compressing: "SIGTERM while compressing", "SIGTERM on the \"checking and compressing\" line" =>
        vec![specials::signal_while_compressing("TERM")];
    stale_files: "stale build files of a killed run", "SIGKILL mid-build, files aged 2 h, run again" =>
        specials::stale_files_removed();
    symlink_target: "-f names a symlink", "sync.c1z -> a file elsewhere" =>
        vec![specials::unsafe_target(specials::Unsafe::Symlink)];
    directory_target: "-f names a directory", "mkdir sync.c1z" =>
        vec![specials::unsafe_target(specials::Unsafe::Directory)];
    fifo_target: "-f names a FIFO", "mkfifo sync.c1z" =>
        vec![specials::unsafe_target(specials::Unsafe::Fifo)];
    concurrent_syncs: "two concurrent syncs to one target", "a second run while the first lists persons" =>
        specials::concurrent_syncs();
    disk_full_build: "disk full during build", "tmpfs just above the previous file" =>
        specials::disk_full(specials::DiskFull::DuringBuild);
    disk_full_compression: "disk full during compression", "tmpfs: previous + build db + half the .c1z" =>
        specials::disk_full(specials::DiskFull::DuringCompression);
    latency_past_deadline: "latency above the timeout", "latency=1.5s, --http-timeout-seconds 1" =>
        vec![Setup {
            knobs: Knobs { latency: Duration::from_millis(1500), ..D() },
            args: |f| with_args(f, &["--http-timeout-seconds", "1"]),
            ..Setup::new(100)
        }.run(Expect::Fails(&["deadline"]))];
    duplicate_persons: "duplicate persons across pages", "proxy: page 3 repeats a row of page 1" =>
        tampered(200, tampers::duplicate_across_pages, Expect::Truth);
    per_person_without_group_ids: "per-person answers without groupIds", "proxy: GET person drops groupIds; per-person" =>
        tampered_with(tampers::person_without_group_ids, |f| with_args(f, &["--membership-source", "per-person"]), Expect::Fails(&["'groupIds'"]));
    data_null: "a person list answering {\"data\": null}", "proxy: 1st person page" =>
        tampered(150, tampers::data_null, Expect::Fails(&["'data' is null"]));
    numeric_next: "a non-string next", "proxy: next = 12345" =>
        tampered(150, tampers::numeric_next, Expect::Fails(&["'next' as a number"]));
    endless_cursors: "cursors that never repeat", "proxy: a new cursor and one new row per page" =>
        tampered(150, tampers::endless_cursors, Expect::Fails(&["progress"]));
    accepted_forever: "202 forever", "proxy: person list answers 202; --snapshot-wait 3s" =>
        tampered_with(tampers::accepted_forever, |f| with_args(f, &["--snapshot-wait", "3s"]), Expect::Fails(&["still building its snapshot", "--snapshot-wait"]));
    never_answers: "a server that never answers", "proxy holds every request; --http-timeout-seconds 3" =>
        tampered_with(tampers::never_answer, |f| with_args(f, &["--http-timeout-seconds", "3"]), Expect::Fails(&["timed out"]));
    huge_page: "a 100 MB page", "proxy: a 100 MB title in the 1st person page" =>
        tampered(150, tampers::huge_page, Expect::Fails(&["larger than", "bytes allowed"]));
    mass_change: "mass change", "previous 300 persons, the org now 30" =>
        vec![specials::mass_change(false)];
    mass_change_allowed: "mass change, allowed", "previous 300 persons, the org now 30; --max-removed-ratio=1" =>
        vec![specials::mass_change(true)];
    mass_departure: "mass departure", "previous 300 persons, 100 of them now departed" =>
        vec![Setup { alter: specials::depart_hundred, ..Setup::new(300) }.run(Expect::Fails(&["max-removed-ratio"]))];
    emptied_org: "an empty person list over a good previous file", "previous 300 persons, the org now none" =>
        vec![Setup {
            alter: |org| {
                org.persons.clear();
                org.memberships.clear();
            },
            ..Setup::new(300)
        }.run(Expect::Fails(&["max-removed-ratio"]))];
    yaml_alias_bomb: "a YAML alias bomb in .baton.yaml", "9 levels of 9 aliases" =>
        vec![specials::yaml_alias_bomb()];
    // The same faults as the fake itself plays them (no proxy between), and more.
    knob_group_ids_text: "per-person groupIds as text", "person_get_group_ids=Text; per-person" =>
        vec![Setup {
            knobs: Knobs { person_get_group_ids: GroupIdsAnswer::Text, ..D() },
            args: |f| with_args(f, &["--membership-source", "per-person"]),
            ..Setup::new(100)
        }.run(Expect::Fails(&["groupIds"]))];
    knob_list_without_group_ids: "the list leaves out groupIds (auto falls back)", "person_list_group_ids=Absent; auto" =>
        knobs(150, Knobs { person_list_group_ids: GroupIdsAnswer::Absent, ..D() }, Expect::Truth);
    knob_no_group_ids_anywhere: "neither list nor person carries groupIds", "list and GET groupIds Absent; auto" =>
        knobs(100, Knobs { person_list_group_ids: GroupIdsAnswer::Absent, person_get_group_ids: GroupIdsAnswer::Absent, ..D() }, Expect::Fails(&["groupIds"]));
    knob_next_shapes: "next as a number, object, array or bool", "next_shape=Number|Object|Array|Bool" =>
        [NextShape::Number, NextShape::Object, NextShape::Array, NextShape::Bool]
            .into_iter()
            .flat_map(|next_shape| knobs(120, Knobs { next_shape, ..D() }, Expect::Fails(&["'next' as"])))
            .collect();
    knob_data_null: "{\"data\": null} from the fake", "person_list_data_null" =>
        knobs(100, Knobs { person_list_data_null: true, ..D() }, Expect::Fails(&["'data' is null"]));
    knob_endless_cursors: "empty pages with ever-new cursors", "endless_cursors" =>
        knobs(120, Knobs { endless_cursors: true, ..D() }, Expect::Fails(&["progress"]));
    knob_accepted_once: "202 once, then served", "accepted_first" =>
        knobs(150, Knobs { accepted_first: true, ..D() }, Expect::Truth);
    knob_snapshot_building: "202 for 2 s, then served", "snapshot_building=2s" =>
        knobs(150, Knobs { snapshot_building: Some(Duration::from_secs(2)), ..D() }, Expect::Truth);
    knob_snapshot_forever: "202 forever from the fake", "snapshot_building=MAX; --snapshot-wait 2s" =>
        vec![Setup {
            knobs: Knobs { snapshot_building: Some(Duration::MAX), ..D() },
            args: |f| with_args(f, &["--snapshot-wait", "2s"]),
            ..Setup::new(100)
        }.run(Expect::Fails(&["snapshot"]))];
    knob_never_answer: "the fake never answers", "never_answer; --http-timeout-seconds 2" =>
        vec![Setup {
            knobs: Knobs { never_answer: true, ..D() },
            args: |f| with_args(f, &["--http-timeout-seconds", "2"]),
            ..Setup::new(100)
        }.run(Expect::Fails(&["deadline"]))];
    knob_streamed_oversize: "an oversize body streamed without Content-Length", "stream_bodies, pad_bodies_to=3 MB; --max-page-bytes 1MiB" =>
        vec![Setup {
            knobs: Knobs { stream_bodies: true, pad_bodies_to: Some(3 << 20), ..D() },
            args: |f| with_args(f, &["--max-page-bytes", "1MiB"]),
            ..Setup::new(100)
        }.run(Expect::Fails(&["larger than"]))];
    knob_streamed_bodies: "bodies streamed in chunks", "stream_bodies" =>
        knobs(150, Knobs { stream_bodies: true, ..D() }, Expect::Truth);
    knob_token_echo: "error bodies echo the token (as sent, upper-case, base64)", "echo_token_in_errors; a wrong token" =>
        vec![specials::token_echo()];
    knob_huge_title: "a 1 MiB title (over the 64 KiB value cap): left out, the person kept", "huge_title=1 MiB" =>
        vec![specials::huge_title()];
}
