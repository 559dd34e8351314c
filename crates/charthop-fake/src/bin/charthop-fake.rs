//! Serves a generated org on 127.0.0.1 until Ctrl-C, for manual runs and the demo.

#![forbid(unsafe_code)]

use std::process::ExitCode;
use std::time::Duration;

use charthop_fake::{FakeChartHop, GroupIdsAnswer, Knobs, NextShape, OrgSpec, RetryAfter, generate_org};

const USAGE: &str = "\
usage: charthop-fake [options]
  --persons N              persons in the org (default 100)
  --seed S                 generator seed (default 1)
  --today YYYY-MM-DD       date employment is computed for (default: today, UTC)
  --dangling N             rows whose groupIds name a group that does not exist
  --port P                 port on 127.0.0.1 (default: any free port)
  --token T                bearer token to require
  --nested                 nested rows (\"name\": {\"first\": ..}) instead of flat keys
  --from-inclusive         `from` starts the page at that row
  --overlapping-pages      `from` inclusive and `next` = last row: pages overlap by one row
  --page-cap N             pages never exceed N rows
  --no-list-group-ids      the person list ignores groupIds
  --latency-ms N           answer N ms after each request
  --rate-limit-every N     every Nth request answers 429
  --rate-limit-burst K     the first K requests answer 429
  --retry-after-secs N     Retry-After on 429s (default 1)
  --server-error-burst K   the first K requests answer a 5xx
  --server-error-status S  that 5xx (default 503)
  --accepted-first         the first request of each listing answers 202
  --repeat-next            pages fetched with `from` answer the same `next`
  --close-mid-body K       the next K answers close the connection mid-body
  --truncate-body K        the next K answers cut their JSON short
  --groups-only-token T    a second token that may read groups but not persons (403)
  --person-group-ids S     the person GET's groupIds: array (default), absent or text
  --list-group-ids S       the person list's groupIds: array (default), absent or text
  --next-shape S           `next` sent as string (default), number, object, array or bool
  --person-list-data-null  the person list answers {\"data\": null}
  --endless-cursors        pages with `from` answer no rows and a never-seen `next`
  --snapshot-building-ms N listings' first requests answer 202 for N ms (0 = forever)
  --never-answer           accept connections and never answer
  --pad-bodies-to N        pad successful bodies with spaces to N bytes
  --stream-bodies          send bodies in chunks without a Content-Length
  --cache-bodies           render each answer once per request and serve it again from memory
  --huge-title N           the first person's title is N bytes
  --echo-token-in-errors   error answers echo the token (as sent, upper case, base64)
  --duplicate-person       person pages after the second repeat the first person";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let (spec, knobs, port) = match parse(&args) {
        Ok(parsed) => parsed,
        Err(message) => {
            eprintln!("charthop-fake: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("charthop-fake: could not start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(serve(spec, knobs, port))
}

async fn serve(spec: OrgSpec, knobs: Knobs, port: u16) -> ExitCode {
    let org = generate_org(&spec);
    let (org_id, slug, persons, groups) =
        (org.org_id.clone(), org.slug.clone(), org.persons.len(), org.groups.len());
    let fake = match FakeChartHop::start_on(org, knobs, port).await {
        Ok(fake) => fake,
        Err(e) => {
            eprintln!("charthop-fake: could not listen on 127.0.0.1:{port}: {e} (is the port taken?)");
            return ExitCode::FAILURE;
        }
    };
    println!("base_url: {}", fake.base_url());
    println!("org_id:   {org_id}");
    println!("org_slug: {slug}");
    println!("token:    {}", fake.token());
    println!("persons:  {persons}, current groups: {groups}. Ctrl-C stops.");
    let _ = tokio::signal::ctrl_c().await;
    println!("requests served: {}", fake.total_requests());
    fake.shutdown().await;
    ExitCode::SUCCESS
}

fn parse(args: &[String]) -> Result<(OrgSpec, Knobs, u16), String> {
    let mut persons = 100;
    let mut seed = 1;
    let mut today = None;
    let mut dangling = 0;
    let mut port = 0;
    let mut knobs = Knobs::default();
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--persons" => persons = number(flag, value()?)?,
            "--seed" => seed = number(flag, value()?)?,
            "--today" => today = Some(number(flag, value()?)?),
            "--dangling" => dangling = number(flag, value()?)?,
            "--port" => port = number(flag, value()?)?,
            "--token" => knobs.token = value()?.clone(),
            "--nested" => knobs.nested_rows = true,
            "--from-inclusive" => knobs.from_inclusive = true,
            "--overlapping-pages" => knobs.overlapping_pages = true,
            "--page-cap" => knobs.page_cap = Some(number(flag, value()?)?),
            "--no-list-group-ids" => knobs.list_honours_group_ids = false,
            "--latency-ms" => knobs.latency = Duration::from_millis(number(flag, value()?)?),
            "--rate-limit-every" => knobs.rate_limit_every = Some(number(flag, value()?)?),
            "--rate-limit-burst" => knobs.rate_limit_burst = number(flag, value()?)?,
            "--retry-after-secs" => knobs.retry_after = RetryAfter::Seconds(number(flag, value()?)?),
            "--server-error-burst" => knobs.server_error_burst = number(flag, value()?)?,
            "--server-error-status" => knobs.server_error_status = number(flag, value()?)?,
            "--accepted-first" => knobs.accepted_first = true,
            "--repeat-next" => knobs.repeat_next = true,
            "--close-mid-body" => knobs.close_mid_body = number(flag, value()?)?,
            "--truncate-body" => knobs.truncate_body = number(flag, value()?)?,
            "--groups-only-token" => knobs.token_without_person_access = Some(value()?.clone()),
            "--person-group-ids" => knobs.person_get_group_ids = group_ids_answer(flag, value()?)?,
            "--list-group-ids" => knobs.person_list_group_ids = group_ids_answer(flag, value()?)?,
            "--next-shape" => knobs.next_shape = next_shape(value()?)?,
            "--person-list-data-null" => knobs.person_list_data_null = true,
            "--endless-cursors" => knobs.endless_cursors = true,
            "--snapshot-building-ms" => {
                let ms: u64 = number(flag, value()?)?;
                knobs.snapshot_building =
                    Some(if ms == 0 { Duration::MAX } else { Duration::from_millis(ms) });
            }
            "--never-answer" => knobs.never_answer = true,
            "--cache-bodies" => knobs.cache_bodies = true,
            "--pad-bodies-to" => knobs.pad_bodies_to = Some(number(flag, value()?)?),
            "--stream-bodies" => knobs.stream_bodies = true,
            "--huge-title" => knobs.huge_title = Some(number(flag, value()?)?),
            "--echo-token-in-errors" => knobs.echo_token_in_errors = true,
            "--duplicate-person" => knobs.duplicate_person_across_pages = true,
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    let mut spec = OrgSpec::new(persons, seed);
    spec.dangling_group_ids = dangling;
    if let Some(today) = today {
        spec.today = today;
    }
    Ok((spec, knobs, port))
}

fn group_ids_answer(flag: &str, raw: &str) -> Result<GroupIdsAnswer, String> {
    match raw {
        "array" => Ok(GroupIdsAnswer::Array),
        "absent" => Ok(GroupIdsAnswer::Absent),
        "text" => Ok(GroupIdsAnswer::Text),
        _ => Err(format!("{flag} {raw:?} is not one of array, absent, text")),
    }
}

fn next_shape(raw: &str) -> Result<NextShape, String> {
    match raw {
        "string" => Ok(NextShape::String),
        "number" => Ok(NextShape::Number),
        "object" => Ok(NextShape::Object),
        "array" => Ok(NextShape::Array),
        "bool" => Ok(NextShape::Bool),
        _ => Err(format!("--next-shape {raw:?} is not one of string, number, object, array, bool")),
    }
}

fn number<T: std::str::FromStr>(flag: &str, raw: &str) -> Result<T, String> {
    raw.parse().map_err(|_| format!("{flag} {raw:?} is not a valid value"))
}
