//! The command line: the Baton flags (one per settings key) and the subcommands.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::inspect_rows::Filter;
use crate::setting_table::TABLE;
use crate::units::{parse_bytes, parse_duration};

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
    Diff(crate::diff::DiffArgs),
    HealthCheck {
        flags: BTreeMap<String, String>,
        /// `health`, `ready` or `live`.
        endpoint: String,
        timeout: Duration,
    },
    /// Serve the connector gRPC API until SIGINT/SIGTERM/SIGHUP.
    Serve {
        flags: BTreeMap<String, String>,
        listen: SocketAddr,
        tls: Option<TlsFiles>,
    },
}

/// `serve`'s PEM files: the server's certificate chain and key, and the CA client
/// certificates must be signed by (none: no client certificate asked for).
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
    pub client_ca: Option<PathBuf>,
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
    pub filter: Filter,
    /// `inspect syncs`: list the file's syncs.
    pub syncs: bool,
}

/// Settings are global flags; under their own heading a subcommand's own options come first.
const SETTINGS_HEADING: &str = "Connector settings (flag, BATON_* variable or .baton.yaml key)";

/// One global flag per row of the settings table.
fn setting_args() -> Vec<Arg> {
    TABLE
        .iter()
        .map(|row| {
            let arg = Arg::new(row.key)
                .long(row.key)
                .help(row.help_line())
                .help_heading(SETTINGS_HEADING)
                .global(true);
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
             replaced). diff exits 0 identical, 1 different, 2 on trouble.",
        )
        .args(setting_args())
        .subcommand(Command::new("capabilities").about("Print the connector's capabilities as JSON"))
        .subcommand(Command::new("config").about("Print the connector's configuration schema as JSON"))
        .subcommand(inspect_command())
        .subcommand(
            Command::new("diff")
                .about(
                    "Who joined, left, changed status or moved between two .c1z files, and the memberships \
                     added and removed (exit 0 identical, 1 different, 2 trouble)",
                )
                .arg(Arg::new("old").required(true).value_name("OLD.c1z"))
                .arg(Arg::new("new").required(true).value_name("NEW.c1z"))
                .arg(output_arg())
                .arg(max_decompressed_arg()),
        )
        .subcommand(serve_command())
        .subcommand(
            Command::new("health-check")
                .about("Probe the health endpoint of a running service (exit 0 when healthy, else 1)")
                .arg(
                    Arg::new("endpoint")
                        .long("endpoint")
                        .value_parser(["health", "ready", "live"])
                        .default_value("health")
                        .help("Which endpoint to probe"),
                )
                .arg(
                    Arg::new("timeout")
                        .long("timeout")
                        .value_name("DURATION")
                        .value_parser(|v: &str| {
                            parse_duration(v, Duration::from_millis(1), Duration::from_secs(3600))
                        })
                        .default_value("3s")
                        .help("How long to wait for the answer: seconds, or 90s, 5m"),
                ),
        )
}

fn serve_command() -> Command {
    let file = |id: &'static str, help: &'static str| {
        Arg::new(id).long(id).value_name("FILE").value_parser(clap::value_parser!(PathBuf)).help(help)
    };
    Command::new("serve")
        .about(
            "Serve the connector gRPC API (c1.connector.v2) on HOST:PORT, plain HTTP/2 unless --tls-cert; \
             prints the bound address on stdout; stops on SIGINT, SIGTERM or SIGHUP",
        )
        .arg(
            Arg::new("listen")
                .long("listen")
                .value_name("HOST:PORT")
                .value_parser(clap::value_parser!(SocketAddr))
                .default_value("127.0.0.1:50051")
                .help("Address to listen on (port 0: any free port)"),
        )
        .arg(file("tls-cert", "Serve TLS 1.3 with this PEM certificate chain").requires("tls-key"))
        .arg(file("tls-key", "The PEM private key of --tls-cert").requires("tls-cert"))
        .arg(
            file("tls-client-ca", "Require client certificates signed by this PEM CA certificate")
                .requires("tls-cert"),
        )
}

fn inspect_command() -> Command {
    let file = || {
        Arg::new("path")
            .value_name("FILE")
            .help("The .c1z file; or -f FILE [default: BATON_FILE, else sync.c1z]")
    };
    let text = |id: &'static str, name: &'static str, help: &'static str| {
        Arg::new(id).long(id).value_name(name).help(help)
    };
    Command::new("inspect")
        .about("Summarize what a .c1z file holds; list its resources, entitlements or grants by name")
        .args_conflicts_with_subcommands(true)
        .arg(file())
        .arg(
            Arg::new("sync-id")
                .long("sync-id")
                .global(true)
                .help("Read this sync instead of the latest finished full one (inspect syncs lists them)"),
        )
        .arg(Arg::new("resources").long("resources").action(ArgAction::SetTrue).help("List resources"))
        .arg(
            Arg::new("entitlements")
                .long("entitlements")
                .action(ArgAction::SetTrue)
                .help("List entitlements"),
        )
        .arg(Arg::new("grants").long("grants").action(ArgAction::SetTrue).help("List grants"))
        .arg(
            Arg::new("diff")
                .long("diff")
                .action(ArgAction::SetTrue)
                .conflicts_with_all(["resources", "entitlements", "grants", "sync-id"])
                .help("What changed from the sync kept in the file (--keep-previous) to its latest one, as diff shows it"),
        )
        .arg(text("person", "TEXT", "Only rows of a person: id, email, or part of the name"))
        .arg(text("group", "TEXT", "Only rows of a group: id, or part of the name"))
        .arg(text("type", "TYPE", "Only rows of a resource type (person, group) or group type (team)"))
        .arg(text("status", "STATUS", "Only rows of persons with this status").value_parser([
            "enabled",
            "disabled",
            "unspecified",
            "deleted",
        ]))
        .arg(text("search", "TEXT", "Only rows with TEXT in an id, name, email or group type"))
        .arg(output_arg().global(true))
        .arg(max_decompressed_arg().global(true))
        .subcommand(Command::new("syncs").about("List the syncs a .c1z file holds").arg(file()))
}

/// `--output table|json`, for the commands that read .c1z files.
fn output_arg() -> Arg {
    Arg::new("output")
        .long("output")
        .short('o')
        .value_parser(["table", "json"])
        .default_value("table")
        .help("Output format")
}

/// The decompression cap of the commands that read .c1z files (named in the cap's error).
fn max_decompressed_arg() -> Arg {
    Arg::new("max-decompressed-bytes")
        .long("max-decompressed-bytes")
        .value_name("SIZE")
        .value_parser(|v: &str| parse_bytes(v, 1 << 20, 1 << 40))
        .help("Refuse a file that decompresses to more: bytes, or 4GiB [default: 1GiB]")
}

/// `inspect FILE`, `inspect -f FILE` (the Go tools' habit), else BATON_FILE, else `sync.c1z`.
fn inspect_file(sub: &ArgMatches) -> PathBuf {
    let row = crate::setting_table::row("file");
    let given = sub.get_one::<String>("path").cloned().or_else(|| flags(sub).remove(row.key));
    let from_env = || std::env::var(row.env()).ok().filter(|path| !path.is_empty());
    PathBuf::from(given.or_else(from_env).unwrap_or_else(|| row.default.unwrap_or_default().to_owned()))
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
        Some(("inspect", sub)) if sub.subcommand_matches("syncs").is_none() && sub.get_flag("diff") => {
            let file = inspect_file(sub);
            Invocation::Diff(crate::diff::DiffArgs {
                old: file.clone(),
                new: file,
                json: sub.get_one::<String>("output").map(String::as_str) == Some("json"),
                max_decompressed_bytes: sub.get_one::<u64>("max-decompressed-bytes").copied(),
                within_one_file: true,
            })
        }
        Some(("inspect", sub)) => {
            let syncs = sub.subcommand_matches("syncs");
            let text = |id: &str| sub.get_one::<String>(id).cloned();
            Invocation::Inspect(InspectArgs {
                file: inspect_file(syncs.unwrap_or(sub)),
                sync_id: syncs.unwrap_or(sub).get_one::<String>("sync-id").cloned(),
                resources: sub.get_flag("resources"),
                entitlements: sub.get_flag("entitlements"),
                grants: sub.get_flag("grants"),
                json: syncs.unwrap_or(sub).get_one::<String>("output").map(String::as_str) == Some("json"),
                max_decompressed_bytes: syncs
                    .unwrap_or(sub)
                    .get_one::<u64>("max-decompressed-bytes")
                    .copied(),
                filter: Filter {
                    person: text("person"),
                    group: text("group"),
                    kind: text("type"),
                    status: text("status"),
                    search: text("search"),
                },
                syncs: syncs.is_some(),
            })
        }
        Some(("diff", sub)) => Invocation::Diff(crate::diff::DiffArgs {
            old: PathBuf::from(sub.get_one::<String>("old").expect("required")),
            new: PathBuf::from(sub.get_one::<String>("new").expect("required")),
            json: sub.get_one::<String>("output").map(String::as_str) == Some("json"),
            max_decompressed_bytes: sub.get_one::<u64>("max-decompressed-bytes").copied(),
            within_one_file: false,
        }),
        Some(("health-check", sub)) => Invocation::HealthCheck {
            flags: flags(sub),
            endpoint: sub.get_one::<String>("endpoint").cloned().unwrap_or_else(|| "health".to_owned()),
            timeout: sub.get_one::<Duration>("timeout").copied().unwrap_or(Duration::from_secs(3)),
        },
        Some(("serve", sub)) => {
            let path = |id: &str| sub.get_one::<PathBuf>(id).cloned();
            let tls = path("tls-cert").zip(path("tls-key")).map(|(cert, key)| TlsFiles {
                cert,
                key,
                client_ca: path("tls-client-ca"),
            });
            Invocation::Serve {
                flags: flags(sub),
                listen: *sub.get_one::<SocketAddr>("listen").expect("has a default"),
                tls,
            }
        }
        _ => Invocation::Run { flags: flags(&matches) },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serve_listens_on_loopback_50051_by_default_and_tls_needs_both_files() {
        let Invocation::Serve { listen, tls, .. } = parse_from(["b", "serve"]).unwrap() else {
            panic!("not serve")
        };
        assert_eq!(listen, "127.0.0.1:50051".parse().unwrap());
        assert!(tls.is_none());
        let argv = ["b", "serve", "--listen", "[::1]:0", "--tls-cert", "c.pem", "--tls-key", "k.pem"];
        let Invocation::Serve { listen, tls, .. } = parse_from(argv).unwrap() else { panic!("not serve") };
        assert_eq!(listen.port(), 0);
        let tls = tls.unwrap();
        assert_eq!((tls.cert, tls.key, tls.client_ca), ("c.pem".into(), "k.pem".into(), None));
        for argv in [
            &["b", "serve", "--tls-key", "k.pem"][..],
            &["b", "serve", "--tls-client-ca", "ca.pem"],
            &["b", "serve", "--listen", "localhost"],
        ] {
            assert!(parse_from(argv).is_err(), "{argv:?} accepted");
        }
        let Invocation::Serve { flags, .. } = parse_from(["b", "serve", "--org-id", "acme"]).unwrap() else {
            panic!("not serve")
        };
        assert_eq!(flags.get("org-id").map(String::as_str), Some("acme"));
    }
}
