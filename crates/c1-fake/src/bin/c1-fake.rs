//! Serves a fake C1 on 127.0.0.1 until Ctrl-C, for manual runs of service mode: prints the
//! API host, the CA file to trust and one set of client credentials, and queues sync tasks.

#![forbid(unsafe_code)]

use std::process::ExitCode;
use std::time::Duration;

use c1_fake::{FakeC1, Knobs, new_task_id};
use c1_proto::connectorapi::baton::v1::Task;
use c1_proto::connectorapi::baton::v1::task::{SyncFullTask, TaskType};

const USAGE: &str = "\
usage: c1-fake [options]
  --tenant HOST          the tenant host named in the client id (default tenant.example)
  --sync-tasks N         sync_full tasks to queue at start (default 1)
  --next-poll-ms N       next_poll sent with GetTask answers (default 1000)";

struct Options {
    tenant: String,
    sync_tasks: usize,
    next_poll: Duration,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let options = match parse(&args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("c1-fake: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("c1-fake: could not start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(serve(options))
}

async fn serve(options: Options) -> ExitCode {
    let knobs = Knobs { next_poll: options.next_poll, ..Knobs::default() };
    let fake = match FakeC1::start(knobs).await {
        Ok(fake) => fake,
        Err(e) => {
            eprintln!("c1-fake: could not start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let credentials = fake.mint_credentials(&options.tenant);
    for _ in 0..options.sync_tasks {
        let task_type = Some(TaskType::SyncFull(SyncFullTask::default()));
        fake.push_task(Task { id: new_task_id(), task_type, ..Task::default() });
    }
    println!("BATON_C1_API_HOST={}", fake.api_host());
    println!("SSL_CERT_FILE={}", fake.ca_file().display());
    println!("BATON_CLIENT_ID={}", credentials.client_id);
    println!("BATON_CLIENT_SECRET={}", credentials.client_secret);
    println!("{} sync task(s) queued. Ctrl-C stops.", options.sync_tasks);
    let _ = tokio::signal::ctrl_c().await;
    let recorded = fake.recorded();
    let complete = recorded.uploads.iter().filter(|upload| upload.complete).count();
    println!(
        "hellos: {}, polls: {}, finished tasks: {}, complete uploads: {complete}",
        recorded.hellos.len(),
        recorded.get_tasks,
        recorded.finishes.len()
    );
    ExitCode::SUCCESS
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options =
        Options { tenant: "tenant.example".to_owned(), sync_tasks: 1, next_poll: Duration::from_secs(1) };
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--tenant" => options.tenant = value()?.clone(),
            "--sync-tasks" => options.sync_tasks = number(flag, value()?)?,
            "--next-poll-ms" => options.next_poll = Duration::from_millis(number(flag, value()?)? as u64),
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(options)
}

fn number(flag: &str, value: &str) -> Result<usize, String> {
    value.parse().map_err(|_| format!("{flag} takes a whole number, not '{value}'"))
}
