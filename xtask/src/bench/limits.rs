//! The distance to the limits: B1 request counts against the lower bound, B3 the largest org's
//! CPU-bound sync beside its writer stages alone, B4 peak memory by org size, B7 the growth
//! exponents. No delay is added to the fake's answers here.

use std::time::Duration;

use anyhow::{Result, bail};
use charthop_fake::{Knobs, OrgSpec};
use serde_json::{Value, json};

use super::external::ExternalFake;
use super::report::{mib, ratio, seconds, table};
use super::{Bench, Outcome, cells, stages};
use crate::local_fake::LocalFake;

/// Org sizes of one run.
pub struct Sizes {
    pub requests: &'static [usize],
    pub growth: &'static [usize],
}

pub const FULL: Sizes = Sizes { requests: &[1_000, 10_000, 100_000], growth: &[10_000, 100_000, 300_000] };
pub const QUICK: Sizes = Sizes { requests: &[1_000], growth: &[2_000, 10_000] };

/// Page size of every sync here (the binary's default).
const PAGE_SIZE: usize = 1000;

fn fake(persons: usize) -> Result<LocalFake> {
    let local = LocalFake::start(&OrgSpec::new(persons, super::SEED), Knobs::default())?;
    eprintln!("==> fake org: {persons} persons, {} groups, no delay", local.org().groups.len());
    Ok(local)
}

/// B1: requests in list and per-person mode against person + group + group-type pages.
pub fn requests(bench: &Bench, sizes: &Sizes) -> Result<(Value, bool)> {
    let mut rows =
        vec![cells(["persons", "lower bound", "list", "list vs bound", "per-person", "per-person vs bound"])];
    let mut runs = Vec::new();
    let mut all_at_bound = true;
    for &persons in sizes.requests {
        let local = fake(persons)?;
        let bound = local.fake().expected_list_requests(PAGE_SIZE).total();
        let list = bench.sync(&local, &format!("{persons} list"), &["--membership-source", "list"])?;
        let per_person =
            bench.sync(&local, &format!("{persons} per-person"), &["--membership-source", "per-person"])?;
        local.stop();
        all_at_bound &= list.requests == bound;
        rows.push(vec![
            persons.to_string(),
            bound.to_string(),
            list.requests.to_string(),
            ratio(list.requests as f64, bound as f64),
            per_person.requests.to_string(),
            ratio(per_person.requests as f64, bound as f64),
        ]);
        runs.push(json!({
            "persons": persons,
            "lower_bound": bound,
            "list": list.requests,
            "per_person": per_person.requests,
        }));
    }
    println!(
        "\nB1 requests: page size {PAGE_SIZE}; the lower bound is person pages + group pages + group-type pages\n{}",
        table(&rows)
    );
    Ok((json!({ "runs": runs, "list_at_lower_bound": all_at_bound }), all_at_bound))
}

/// B3, B4 and B7 from one sync per size (membership source auto), then the writer stages alone on
/// the largest org's file.
pub fn growth(bench: &Bench, sizes: &Sizes) -> Result<Value> {
    let mut runs: Vec<(usize, Outcome)> = Vec::new();
    let mut largest_file = None;
    let mut before_writer = stages::SyncStages::default();
    for (i, &persons) in sizes.growth.iter().enumerate() {
        let fake = ExternalFake::start_with(&bench.fake_bin, persons, super::SEED, &["--cache-bodies"])?;
        // Untimed: the fake renders each page once, and the timed sync and stages are served
        // the bodies as rendered, so they time the connector rather than the fake's rendering.
        bench.sync_external(&fake, &format!("{persons} persons, warm-up (untimed)"), None)?;
        let keep = (i + 1 == sizes.growth.len()).then(|| bench.scratch.join("largest.c1z"));
        runs.push((persons, bench.sync_external(&fake, &format!("{persons} persons"), keep.as_deref())?));
        if keep.is_some() {
            // Stages (a) and (b) on the same org, from the same fake, right after the sync.
            before_writer = stages::run_sync(&bench.stages.sync, &fake.env())?;
            if before_writer.persons != persons as u64 {
                bail!("the sync_stages example listed {} persons, not {persons}", before_writer.persons);
            }
        }
        largest_file = keep;
    }
    let (&(first_persons, ref first), &(last_persons, ref last)) =
        (runs.first().expect("sizes"), runs.last().expect("sizes"));

    let mut rows = vec![cells([
        "persons",
        "wall",
        "CPU (user+sys)",
        "persons/s",
        "peak RSS",
        "RSS vs first",
        "bytes/person",
    ])];
    for (persons, run) in &runs {
        rows.push(vec![
            persons.to_string(),
            seconds(run.wall),
            seconds(run.cpu()),
            format!("{:.0}", *persons as f64 / run.wall.as_secs_f64()),
            mib(run.usage.peak_kib),
            ratio(run.usage.peak_kib as f64, first.usage.peak_kib as f64),
            format!("{:.0}", run.file_bytes as f64 / *persons as f64),
        ]);
    }
    println!(
        "\nB3/B4 syncs without delay (the release fake as its own process, serving pre-rendered bodies; membership source auto, page size {PAGE_SIZE})\n{}",
        table(&rows)
    );

    let time_exponent = exponent(&runs, |r| r.wall.as_secs_f64());
    let memory_exponent = exponent(&runs, |r| r.usage.peak_kib as f64);
    println!(
        "\nB7 growth from {first_persons} to {last_persons} persons (least-squares fit of log y on log persons):\n  \
         wall ~ persons^{time_exponent:.2}, peak RSS ~ persons^{memory_exponent:.2} (1.00 = constant per person)"
    );

    let file = largest_file.expect("the last run keeps its file");
    let stage = stages::run(&bench.stages.writer, &file, &bench.scratch.join("stages.c1z"), DEFAULT_LEVEL)?;
    let write_rows = stage.read_and_write.saturating_sub(stage.read);
    // The sync's stages, each alone: (a) and (b) before the writer, then the writer's three.
    // Reading the rows back from the file is how the writer's stages get their input, not a
    // stage of the sync: it is shown, but neither the slowest nor in the sum.
    let sync_stages = [
        before_writer.fetch_and_decode,
        before_writer.map,
        write_rows,
        stage.index_and_check,
        stage.compress_and_publish,
    ];
    let slowest = sync_stages.into_iter().max().unwrap_or_default();
    let sum: Duration = sync_stages.into_iter().sum();
    let stage_rows = vec![
        cells(["stage alone, same org", "wall"]),
        vec![
            "(a) fetch + decode every page (the fake serving)".into(),
            seconds(before_writer.fetch_and_decode),
        ],
        vec!["(b) map the rows to protobuf".into(), seconds(before_writer.map)],
        vec!["(c) write the rows to SQLite".into(), seconds(write_rows)],
        vec!["(c) build indexes + check integrity".into(), seconds(stage.index_and_check)],
        vec!["(d) compress and publish".into(), seconds(stage.compress_and_publish)],
        vec!["(input of c, d: read + decode the rows from the file)".into(), seconds(stage.read)],
    ];
    println!(
        "\nB3 stages, each alone on the {last_persons}-person org ({} rows mapped; the file: {} rows, {:.0} MB before compression)\n{}\n  \
         whole sync {} = {} the slowest stage, {} the sum of stages (a) to (d)",
        before_writer.rows,
        stage.rows,
        stage.raw_bytes as f64 / 1e6,
        table(&stage_rows),
        seconds(last.wall),
        ratio(last.wall.as_secs_f64(), slowest.as_secs_f64()),
        ratio(last.wall.as_secs_f64(), sum.as_secs_f64()),
    );
    let output = output_levels(bench, &file, last_persons, stage)?;
    let _ = std::fs::remove_file(&file);

    Ok(json!({
        "runs": runs.iter().map(|(persons, run)| json!({
            "persons": persons,
            "wall_s": run.wall.as_secs_f64(),
            "user_s": run.usage.user_ms as f64 / 1000.0,
            "sys_s": run.usage.sys_ms as f64 / 1000.0,
            "persons_per_s": *persons as f64 / run.wall.as_secs_f64(),
            "peak_rss_kib": run.usage.peak_kib,
            "file_bytes": run.file_bytes,
            "requests": run.requests,
            "grants": run.grants,
        })).collect::<Vec<_>>(),
        "growth": { "time_exponent": time_exponent, "memory_exponent": memory_exponent },
        "b5_output": output,
        "stages": {
            "persons": last_persons,
            "rows": stage.rows,
            "fetch_and_decode_s": before_writer.fetch_and_decode.as_secs_f64(),
            "map_s": before_writer.map.as_secs_f64(),
            "read_s": stage.read.as_secs_f64(),
            "write_rows_s": write_rows.as_secs_f64(),
            "index_and_check_s": stage.index_and_check.as_secs_f64(),
            "compress_and_publish_s": stage.compress_and_publish.as_secs_f64(),
            "raw_bytes": stage.raw_bytes,
            "compressed_bytes": stage.compressed_bytes,
            "whole_vs_slowest": last.wall.as_secs_f64() / slowest.as_secs_f64().max(1e-9),
            "whole_vs_sum": last.wall.as_secs_f64() / sum.as_secs_f64().max(1e-9),
        },
    }))
}

/// (persons, wall s, peak MiB) of each growth run in `growth`'s report.
pub fn growth_points(growth: &Value) -> Vec<(usize, f64, f64)> {
    let runs = growth["runs"].as_array().map(Vec::as_slice).unwrap_or_default();
    runs.iter()
        .map(|r| {
            let persons = r["persons"].as_u64().unwrap_or(0) as usize;
            let peak = r["peak_rss_kib"].as_u64().unwrap_or(0) as f64 / 1024.0;
            (persons, r["wall_s"].as_f64().unwrap_or(0.0), peak)
        })
        .collect()
}

/// The binary's default zstd level, and the two others B5 compares it with.
const DEFAULT_LEVEL: i32 = 3;
const OTHER_LEVELS: [i32; 2] = [1, 9];

/// B5: bytes per person and compression time at three levels, on the same database.
fn output_levels(
    bench: &Bench,
    file: &std::path::Path,
    persons: usize,
    default: stages::Stages,
) -> Result<Value> {
    let mut runs = vec![(DEFAULT_LEVEL, default)];
    for level in OTHER_LEVELS {
        runs.push((
            level,
            stages::run(&bench.stages.writer, file, &bench.scratch.join("stages.c1z"), level)?,
        ));
    }
    let base = default.compressed_bytes as f64;
    let mut rows = vec![cells([
        "zstd level",
        "bytes/person",
        "database bytes",
        "compress + publish",
        "size vs level 3",
    ])];
    for (level, s) in &runs {
        rows.push(vec![
            level.to_string(),
            format!("{:.0}", s.compressed_bytes as f64 / persons as f64),
            s.raw_bytes.to_string(),
            seconds(s.compress_and_publish),
            ratio(s.compressed_bytes as f64, base),
        ]);
    }
    println!(
        "\nB5 output: the {persons}-person database compressed at three levels (same rows)\n{}",
        table(&rows)
    );
    Ok(json!(
        runs.iter()
            .map(|(level, s)| json!({
                "level": level,
                "bytes_per_person": s.compressed_bytes as f64 / persons as f64,
                "raw_bytes": s.raw_bytes,
                "compressed_bytes": s.compressed_bytes,
                "compress_and_publish_s": s.compress_and_publish.as_secs_f64(),
            }))
            .collect::<Vec<_>>()
    ))
}

/// The slope of log `y` against log persons (least squares).
fn exponent(runs: &[(usize, Outcome)], y: impl Fn(&Outcome) -> f64) -> f64 {
    let points: Vec<(f64, f64)> =
        runs.iter().map(|(n, run)| ((*n as f64).ln(), y(run).max(f64::MIN_POSITIVE).ln())).collect();
    slope(&points)
}

fn slope(points: &[(f64, f64)]) -> f64 {
    let n = points.len() as f64;
    let (mx, my) = points.iter().fold((0.0, 0.0), |(x, y), p| (x + p.0 / n, y + p.1 / n));
    let (num, den) = points
        .iter()
        .fold((0.0, 0.0), |(num, den), p| (num + (p.0 - mx) * (p.1 - my), den + (p.0 - mx).powi(2)));
    if den == 0.0 { 0.0 } else { num / den }
}

impl Outcome {
    pub fn cpu(&self) -> Duration {
        Duration::from_millis(self.usage.user_ms + self.usage.sys_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slope_of_a_power_law_is_its_exponent() {
        let points: Vec<(f64, f64)> =
            [1e4f64, 1e5, 3e5].iter().map(|n| (n.ln(), (3.0 * n.powf(1.2)).ln())).collect();
        assert!((slope(&points) - 1.2).abs() < 1e-9, "{}", slope(&points));
        assert_eq!(slope(&[(1.0, 2.0)]), 0.0);
    }
}
