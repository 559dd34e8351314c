//! The command line: the Baton flags (one per settings key) and the subcommands.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::setting_table::TABLE;
use crate::units::parse_bytes;

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
    pub max_decompressed_bytes: Option<u64>,
}

/// One global flag per row of the settings table.
fn setting_args() -> Vec<Arg> {
    TABLE
        .iter()
        .map(|row| {
            let arg = Arg::new(row.key).long(row.key).help(row.help_line()).global(true);
            let arg = match row.short {
                Some(short) => arg.short(short),
                None => arg,
            };
            if row.kind.is_bool() {
                arg.num_args(0..=1).require_equals(true).default_missing_value("true").value_name("BOOL")
            } else {
                arg.action(ArgAction::Set).value_name("VALUE")
            }
        })
        .collect()
}

pub fn command() -> Command {
    Command::new("baton-charthop")
        .version(crate::version::LONG)
        .about("ConductorOne Baton connector for ChartHop: persons, groups and memberships")
        .after_help(
            "Settings come from flags, then BATON_* environment variables, then the YAML file \
             --config-path / BATON_CONFIG_PATH (default ./.baton.yaml) whose keys are the flag names. Pass secrets \
             in the environment or the file: flags are visible to other users (ps).\n\n\
             Exit codes: 0 done; 1 failed; 2 bad flags; 3 refused as a mass change \
             (--max-removed-ratio); 16 C1 refused the client credentials (service mode); 129, 130, \
             143 stopped by SIGHUP, SIGINT, SIGTERM (the last line says whether the file was \
             replaced).",
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
                )
                .arg(
                    Arg::new("max-decompressed-bytes")
                        .long("max-decompressed-bytes")
                        .value_name("SIZE")
                        .value_parser(|v: &str| parse_bytes(v, 1 << 20, 1 << 40))
                        .help("Refuse a file that decompresses to more: bytes, or 4GiB [default: 1GiB]"),
                ),
        )
        .subcommand(
            Command::new("health-check")
                .about("Probe the health endpoint of a running service (exit 0 when healthy, else 1)"),
        )
}

fn flags(matches: &ArgMatches) -> BTreeMap<String, String> {
    TABLE
        .iter()
        .filter(|row| matches.value_source(row.key) == Some(clap::parser::ValueSource::CommandLine))
        .filter_map(|row| matches.get_one::<String>(row.key).map(|v| (row.key.to_string(), v.clone())))
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
            max_decompressed_bytes: sub.get_one::<u64>("max-decompressed-bytes").copied(),
        }),
        Some(("health-check", sub)) => Invocation::HealthCheck { flags: flags(sub) },
        _ => Invocation::Run { flags: flags(&matches) },
    })
}
