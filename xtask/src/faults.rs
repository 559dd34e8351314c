//! `cargo xtask faults`: builds the binary, runs the fault matrix (`tests/faults`, and the
//! service-mode rows of `tests/service`) against it and prints one line per row: fault |
//! expected | observed | data lost. Fails when any row lost data or did not keep its promise.
//! `--soak` runs the long service-mode run of `crate::soak` instead.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use anyhow::{Context, Result, bail};

use crate::binary::{self, Profile};

/// The prefix of the one machine-readable line each row prints.
const ROW_PREFIX: &str = "FAULT-ROW\t";

struct Row {
    fault: String,
    expected: String,
    observed: String,
    lost: bool,
}

pub fn run(args: &[String]) -> Result<()> {
    match args {
        [] => matrix(),
        [soak] if soak == "--soak" => crate::soak::run(),
        _ => bail!("faults: unknown options {args:?} (none for the fault matrix, or --soak)"),
    }
}

fn matrix() -> Result<()> {
    let binaries = binary::build(&["baton-charthop"], Profile::Debug, false)?;
    let bin = binaries.get("baton-charthop")?;

    let mut cmd = crate::cargo();
    // One-shot rows (tests/faults) and the service-mode rows against the fake C1.
    // --no-fail-fast: a failing row in one suite must not hide the other suite's rows.
    cmd.args([
        "test",
        "--no-fail-fast",
        "-p",
        "tests",
        "--test",
        "faults",
        "--test",
        "service",
        "--",
        "--nocapture",
    ]);
    // The suite tests exactly the binary built above.
    cmd.env("E2E_BATON_CHARTHOP_BIN", bin);
    eprintln!("==> fault matrix: {cmd:?}");
    let mut child = cmd.stdout(Stdio::piped()).spawn().context("could not start cargo test")?;
    let stdout = child.stdout.take().context("cargo test has no stdout")?;
    let mut rows = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.context("could not read the suite's output")?;
        match parse(&line) {
            Some(row) => rows.push(row),
            None => eprintln!("{line}"),
        }
    }
    let status = child.wait().context("cargo test did not finish")?;

    rows.sort_by(|a, b| a.fault.cmp(&b.fault));
    print_table(&rows);
    let lost = rows.iter().filter(|r| r.lost).count();
    if lost > 0 {
        bail!("{lost} of {} rows lost data", rows.len());
    }
    if !status.success() {
        bail!("the fault matrix failed ({status}): a row did not keep its promise, see above");
    }
    eprintln!("==> {} rows, none lost data", rows.len());
    Ok(())
}

/// `FAULT-ROW<TAB>fault<TAB>setup<TAB>expected<TAB>observed<TAB>yes|no`.
fn parse(line: &str) -> Option<Row> {
    let fields: Vec<&str> = line.strip_prefix(ROW_PREFIX)?.split('\t').collect();
    let [fault, _setup, expected, observed, lost] = fields.as_slice() else { return None };
    Some(Row {
        fault: (*fault).to_owned(),
        expected: (*expected).to_owned(),
        observed: (*observed).to_owned(),
        lost: *lost == "yes",
    })
}

fn print_table(rows: &[Row]) {
    let width = |pick: fn(&Row) -> &str, title: &str| {
        rows.iter().map(|r| pick(r).chars().count()).chain([title.len()]).max().unwrap_or(0)
    };
    let fault_w = width(|r| &r.fault, "fault");
    let expected_w = width(|r| &r.expected, "expected");
    println!("{:fault_w$} | {:expected_w$} | observed | data lost", "fault", "expected");
    for row in rows {
        let lost = if row.lost { "yes" } else { "no" };
        let observed = shortened(&row.observed, OBSERVED_CHARS);
        println!("{:fault_w$} | {:expected_w$} | {observed} | {lost}", row.fault, row.expected);
    }
}

/// The observed column is the run's own message: cut so a row stays one readable line.
const OBSERVED_CHARS: usize = 120;

fn shortened(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_row_line_and_ignores_others() {
        let row = parse("FAULT-ROW\t429\tburst=2\tground truth\tground truth\tno").expect("a row");
        assert_eq!((row.fault.as_str(), row.lost), ("429", false));
        assert!(parse("FAULT-ROW\tx\ty\tz\tw\tyes").is_some_and(|r| r.lost));
        assert!(parse("test kill_9 ... ok").is_none());
        assert!(parse("FAULT-ROW\ttoo\tfew").is_none());
    }

    #[test]
    fn long_observations_are_cut_at_a_character() {
        assert_eq!(shortened("ground truth", 120), "ground truth");
        assert_eq!(shortened("ééééé", 3), "éé…");
    }
}
