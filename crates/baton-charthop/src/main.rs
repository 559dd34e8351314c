//! The baton-charthop binary: flags, settings, logging, and the wiring of the crates.
//! The only crate that knows clap, config files, environment variables and terminals.

mod cli;
mod config_schema;
mod connector_service;
mod debug_log;
mod diff;
#[cfg(test)]
mod diff_tests;
mod health;
mod hints;
mod inspect;
mod inspect_json;
mod inspect_rows;
#[cfg(test)]
mod inspect_tests;
mod log_file;
mod logging;
mod oneshot;
mod progress;
mod serve;
mod service_mode;
mod service_state;
mod setting_table;
#[cfg(test)]
mod setting_table_tests;
mod setting_values;
mod settings;
#[cfg(test)]
mod settings_tests;
mod signals;
mod units;
mod version;
mod wiring;
mod yaml_guard;
mod zap_json;

use error_reporter::Report;
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::Invocation;
use crate::settings::{Inputs, Settings};

/// Exit codes besides 0 (documented in `--help` and README.md).
pub mod exit {
    /// Any failure without a code of its own.
    pub const FAILURE: u8 = 1;
    /// The sync was refused as a mass change (the previous file stays).
    pub const MASS_CHANGE: u8 = 3;
    /// `diff`: the files differ (0: identical); trouble is 2, as `diff` has it.
    pub const DIFFERENT: u8 = 1;
    pub const DIFF_TROUBLE: u8 = 2;
    /// C1 refused the client credentials (the Go SDK's code for it).
    pub const CREDENTIALS_REFUSED: u8 = 16;
}

fn main() -> ExitCode {
    // First of all, before anything opens a descriptor: the socket a parent process passed.
    let (args, inherited) = match connector_service::take_start(std::env::args_os().collect()) {
        Ok(taken) => taken,
        Err(error) => {
            report(&error.into());
            return ExitCode::from(exit::FAILURE);
        }
    };
    let invocation = cli::parse_from(args).unwrap_or_else(|e| e.exit());
    if let Some(listener) = inherited {
        return match run_connector_service(invocation, listener) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                report(&error);
                ExitCode::from(exit::FAILURE)
            }
        };
    }
    if let Invocation::Diff(args) = &invocation {
        return match diff::run(args) {
            Ok(false) => ExitCode::SUCCESS,
            Ok(true) => ExitCode::from(exit::DIFFERENT),
            Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
            Err(error) => {
                report(&error);
                ExitCode::from(exit::DIFF_TROUBLE)
            }
        };
    }
    match run(invocation) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`inspect ... | head`) is the reader's choice, not a failure.
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            report(&error);
            ExitCode::from(exit_code(&error))
        }
    }
}

/// One line: what failed and, through the chain, why; then what to do about it.
fn report(error: &anyhow::Error) {
    eprintln!("baton-charthop: {}", Report::new(&**error));
    if let Some(hint) = hints::hint(error.as_ref()) {
        eprintln!("baton-charthop: {hint}");
    }
}

fn exit_code(error: &anyhow::Error) -> u8 {
    if let Some(interrupted) = error.downcast_ref::<oneshot::Interrupted>() {
        return interrupted.signal.exit_code();
    }
    if credentials_refused(error) {
        return exit::CREDENTIALS_REFUSED;
    }
    match error.downcast_ref::<charthop_connector::SyncError>() {
        Some(charthop_connector::SyncError::MassChange { .. }) => exit::MASS_CHANGE,
        _ => exit::FAILURE,
    }
}

/// The token endpoint refused the credentials, or C1 answered Unauthenticated/PermissionDenied.
fn credentials_refused(error: &anyhow::Error) -> bool {
    use c1_proto::tonic::Code;
    use c1_service::{ServiceError, TokenError};
    error.chain().any(|cause| match cause.downcast_ref::<ServiceError>() {
        Some(ServiceError::Authentication(TokenError::Rejected { .. })) => true,
        Some(ServiceError::Rejected { code, .. }) => {
            matches!(code, Code::Unauthenticated | Code::PermissionDenied)
        }
        _ => false,
    })
}

fn run(invocation: Invocation) -> Result<()> {
    match invocation {
        Invocation::Capabilities => {
            print!("{}", c1_mapping::capabilities_json());
            Ok(())
        }
        Invocation::Config => {
            print!("{}", config_schema::config_json());
            Ok(())
        }
        Invocation::Inspect(args) => inspect::run(&args),
        Invocation::Diff(args) => diff::run(&args).map(drop),
        Invocation::HealthCheck { flags, endpoint, timeout } => {
            let settings = Settings::load(&Inputs::from_process(flags))?;
            health::probe(settings.health_check_bind_address, settings.health_check_port, &endpoint, timeout)
        }
        Invocation::Serve { flags, listen, tls } => {
            let settings = Settings::load(&Inputs::from_process(flags))?;
            logging::init(&settings)?;
            warn_about_secret_flags(&settings);
            settings.charthop_credentials()?;
            let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            runtime.block_on(serve::run(&settings, listen, tls.as_ref()))
        }
        Invocation::Run { flags } => {
            let settings = Settings::load(&Inputs::from_process(flags))?;
            logging::init(&settings)?;
            warn_about_secret_flags(&settings);
            // Fail on missing ChartHop credentials before anything starts.
            settings.charthop_credentials()?;
            let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            if settings.service_mode() {
                runtime.block_on(service_mode::run(settings))
            } else {
                runtime.block_on(oneshot::run(&settings))
            }
        }
    }
}

/// `_connector-service`: the settings flags before it are the connector's, as for a sync.
fn run_connector_service(invocation: Invocation, listener: std::net::TcpListener) -> Result<()> {
    let Invocation::Run { flags } = invocation else {
        anyhow::bail!(
            "`{}` follows the connector's settings flags only, not a subcommand",
            connector_service::ARG
        );
    };
    let settings = Settings::load(&Inputs::from_process(flags))?;
    logging::init(&settings)?;
    warn_about_secret_flags(&settings);
    settings.charthop_credentials()?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(connector_service::run(&settings, listener))
}

/// Once per run: a flag's value is visible to every user of the machine (`ps`).
fn warn_about_secret_flags(settings: &Settings) {
    if settings.secrets_on_command_line.is_empty() {
        return;
    }
    let flags: Vec<String> = settings.secrets_on_command_line.iter().map(|key| format!("--{key}")).collect();
    let vars: Vec<String> =
        settings.secrets_on_command_line.iter().map(|key| settings::env_var(key)).collect();
    tracing::warn!(
        "{} given on the command line, where other users of this machine can read it (ps); \
         set {} or put it in the settings file instead",
        flags.join(" and "),
        vars.join(" / ")
    );
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use charthop_connector::SyncError;

    use super::*;

    #[test]
    fn refusals_and_signals_have_their_own_exit_codes() {
        let mass = SyncError::MassChange { comparison: Default::default(), persons: 0, ratio: 0.2 };
        assert_eq!(exit_code(&anyhow::Error::new(mass).context("sync")), exit::MASS_CHANGE);
        let stopped = oneshot::Interrupted {
            signal: signals::Signal::Terminate,
            published: false,
            path: PathBuf::from("s.c1z"),
        };
        assert_eq!(exit_code(&stopped.into()), 143);
        assert_eq!(exit_code(&anyhow::anyhow!("disk full")), exit::FAILURE);
    }

    #[test]
    fn c1_refusing_the_credentials_exits_16_and_other_service_failures_1() {
        use c1_proto::tonic::Code;
        use c1_service::{ServiceError, TokenError};
        let rejected =
            || TokenError::Rejected { url: "https://t.example".into(), status: 401, detail: String::new() };
        let hello = |code| ServiceError::Rejected { call: "Hello", code, message: "no".into() };
        let code = |error: ServiceError| exit_code(&anyhow::Error::new(error).context("service mode"));
        assert_eq!(code(ServiceError::Authentication(rejected())), 16);
        assert_eq!(code(hello(Code::Unauthenticated)), exit::CREDENTIALS_REFUSED);
        assert_eq!(code(hello(Code::PermissionDenied)), exit::CREDENTIALS_REFUSED);
        assert_eq!(code(hello(Code::InvalidArgument)), exit::FAILURE);
        let down = TokenError::ServerError { url: "u".into(), status: 503, detail: String::new() };
        assert_eq!(code(ServiceError::Authentication(down)), exit::FAILURE);
        let bad_host = ServiceError::InvalidApiHost { host: "a b".into(), reason: "x".into() };
        assert_eq!(code(bad_host), exit::FAILURE);
    }
}
