//! B2 latency-bound: every answer of the fake delayed, so the sync's wall is set by round trips.
//! Person pages follow each other (each carries the next cursor), so the lower bound on wall time
//! is the lower bound on requests times the delay.

use std::time::Duration;

use anyhow::Result;
use charthop_fake::{Knobs, OrgSpec};
use serde_json::{Value, json};

use super::report::{ratio, seconds, table};
use super::{Bench, cells};
use crate::local_fake::LocalFake;

const DELAY: Duration = Duration::from_millis(25);
const PERSONS: usize = 20_000;
const PAGE_SIZE: usize = 200;

/// B2: list and per-person mode against `lower-bound requests x DELAY`.
pub fn run(bench: &Bench) -> Result<Value> {
    let knobs = Knobs { latency: DELAY, ..Knobs::default() };
    let local = LocalFake::start(&OrgSpec::new(PERSONS, super::SEED), knobs)?;
    eprintln!("==> fake org: {PERSONS} persons, each answer {} ms after its request", DELAY.as_millis());
    let bound_requests = local.fake().expected_list_requests(PAGE_SIZE).total();
    let bound = DELAY * u32::try_from(bound_requests)?;
    let page = PAGE_SIZE.to_string();
    let mut runs = Vec::new();
    for source in ["list", "per-person"] {
        let run = bench.sync(
            &local,
            &format!("B2 {source}"),
            &["--membership-source", source, "--page-size", &page],
        )?;
        runs.push((source, run));
    }
    local.stop();
    let mut rows = vec![cells(["mode", "wall", "requests", "wall vs bound", "requests vs bound"])];
    rows.push(vec![
        "lower bound".into(),
        seconds(bound),
        bound_requests.to_string(),
        "1.00x".into(),
        "1.00x".into(),
    ]);
    for (source, run) in &runs {
        rows.push(vec![
            (*source).to_owned(),
            seconds(run.wall),
            run.requests.to_string(),
            ratio(run.wall.as_secs_f64(), bound.as_secs_f64()),
            ratio(run.requests as f64, bound_requests as f64),
        ]);
    }
    println!(
        "\nB2 latency-bound: {PERSONS} persons, page size {PAGE_SIZE}, each answer {} ms after its request; \
         the bound is lower-bound requests x {} ms (pages are sequential)\n{}",
        DELAY.as_millis(),
        DELAY.as_millis(),
        table(&rows)
    );
    Ok(json!({
        "persons": PERSONS,
        "page_size": PAGE_SIZE,
        "delay_ms": DELAY.as_millis() as u64,
        "lower_bound_requests": bound_requests,
        "lower_bound_s": bound.as_secs_f64(),
        "runs": runs.iter().map(|(source, run)| json!({
            "mode": source,
            "wall_s": run.wall.as_secs_f64(),
            "requests": run.requests,
            "wall_vs_bound": run.wall.as_secs_f64() / bound.as_secs_f64(),
        })).collect::<Vec<_>>(),
    }))
}
