//! The command line: the Baton flags (one per settings key) and the subcommands.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::settings::{KEYS, env_var};

/// What the user asked for.
#[derive(Debug)]
pub enum Invocation {
    /// Sync (one-shot or service mode, decided by the settings).
    Run {
        flags: BTreeMap<String, String>,
    },
    Capabilities,
    Config,
    Inspect(InspectArgs),
    HealthCheck {
        flags: BTreeMap<String, String>,
    },
}

#[derive(Debug, Clone)]
pub struct InspectArgs {
    pub file: PathBuf,
    pub sync_id: Option<String>,
    pub resources: bool,
    pub entitlements: bool,
    pub grants: bool,
    pub json: bool,
}

fn help_for(key: &str) -> &'static str {
    match key {
        "api-token" => "ChartHop API token (secret)",
        "org-id" => "ChartHop organization id or slug",
        "file" => "Path of the .c1z file to write [default: sync.c1z]",
        "log-level" => "Log level: debug, info, warn, error [default: info]",
        "log-format" => "Log format: console or json [default: console on a terminal, else json]",
        "charthop-url" => "ChartHop API base URL [default: https://api.charthop.com]",
        "page-size" => "Rows per ChartHop page [default: 1000]",
        "include-departed" => "Include persons whose employment ended [default: true]",
        "include-personal-email" => "Also record personal (home) email addresses [default: false]",
        "membership-source" => "Group memberships from: auto, list or per-person [default: auto]",
        "client-id" => "C1 client id: with --client-secret, run in service mode",
        "client-secret" => "C1 client secret (secret)",
        "task-concurrency" => "Service mode: tasks run at once [default: 3]",
        "skip-full-sync" => "One-shot: only check ChartHop access, write no file",
        "health-check" => "Service mode: serve /health, /live and /ready",
        "health-check-port" => "Port of the health endpoint [default: 8081]",
        "health-check-bind-address" => "Address of the health endpoint [default: 127.0.0.1]",
        _ => "",
    }
}

const BOOL_KEYS: &[&str] = &["include-departed", "include-personal-email", "skip-full-sync", "health-check"];

fn setting_args() -> Vec<Arg> {
    KEYS.iter()
        .map(|key| {
            let help = format!("{} [env: {}]", help_for(key), env_var(key));
            let arg = Arg::new(*key).long(*key).help(help).global(true);
            let arg = if *key == "file" { arg.short('f') } else { arg };
            if BOOL_KEYS.contains(key) {
                arg.num_args(0..=1).require_equals(true).default_missing_value("true").value_name("BOOL")
            } else {
                arg.action(ArgAction::Set).value_name("VALUE")
            }
        })
        .collect()
}

pub fn command() -> Command {
    Command::new("baton-charthop")
        .version(env!("CARGO_PKG_VERSION"))
        .about("ConductorOne Baton connector for ChartHop: persons, groups and memberships")
        .after_help(
            "Settings come from flags, then BATON_* environment variables, then the YAML file \
             BATON_CONFIG_PATH (default ./.baton.yaml) whose keys are the flag names.",
        )
        .args(setting_args())
        .subcommand(Command::new("capabilities").about("Print the connector's capabilities as JSON"))
        .subcommand(Command::new("config").about("Print the connector's configuration schema as JSON"))
        .subcommand(
            Command::new("inspect")
                .about("Summarize what a .c1z file holds")
                .arg(Arg::new("path").required(true).value_name("FILE"))
                .arg(
                    Arg::new("sync-id")
                        .long("sync-id")
                        .help("Read this sync instead of the latest finished one"),
                )
                .arg(
                    Arg::new("resources").long("resources").action(ArgAction::SetTrue).help("List resources"),
                )
                .arg(
                    Arg::new("entitlements")
                        .long("entitlements")
                        .action(ArgAction::SetTrue)
                        .help("List entitlements"),
                )
                .arg(Arg::new("grants").long("grants").action(ArgAction::SetTrue).help("List grants"))
                .arg(
                    Arg::new("output")
                        .long("output")
                        .short('o')
                        .value_parser(["table", "json"])
                        .default_value("table")
                        .help("Output format"),
                ),
        )
        .subcommand(
            Command::new("health-check")
                .about("Probe the health endpoint of a running service (exit 0 when healthy, else 1)"),
        )
}

fn flags(matches: &ArgMatches) -> BTreeMap<String, String> {
    KEYS.iter()
        .filter(|key| matches.value_source(key) == Some(clap::parser::ValueSource::CommandLine))
        .filter_map(|key| matches.get_one::<String>(key).map(|v| (key.to_string(), v.clone())))
        .collect()
}

pub fn parse_from<I, T>(args: I) -> Result<Invocation, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let matches = command().try_get_matches_from(args)?;
    Ok(match matches.subcommand() {
        Some(("capabilities", _)) => Invocation::Capabilities,
        Some(("config", _)) => Invocation::Config,
        Some(("inspect", sub)) => Invocation::Inspect(InspectArgs {
            file: PathBuf::from(sub.get_one::<String>("path").expect("required")),
            sync_id: sub.get_one::<String>("sync-id").cloned(),
            resources: sub.get_flag("resources"),
            entitlements: sub.get_flag("entitlements"),
            grants: sub.get_flag("grants"),
            json: sub.get_one::<String>("output").map(String::as_str) == Some("json"),
        }),
        Some(("health-check", sub)) => Invocation::HealthCheck { flags: flags(sub) },
        _ => Invocation::Run { flags: flags(&matches) },
    })
}
