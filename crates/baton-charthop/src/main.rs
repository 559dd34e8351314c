//! The baton-charthop binary: flags, settings, logging, and the wiring of the crates.
//! The only crate that knows clap, config files, environment variables and terminals.

mod cli;
mod health;
mod inspect;
mod logging;
mod oneshot;
mod progress;
mod service_mode;
mod settings;
#[cfg(test)]
mod settings_tests;
mod wiring;

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::Invocation;
use crate::settings::{Inputs, Settings};

fn main() -> ExitCode {
    let invocation = cli::parse_from(std::env::args_os()).unwrap_or_else(|e| e.exit());
    match run(invocation) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`inspect ... | head`) is the reader's choice, not a failure.
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            // One line: what failed and, through the chain, why.
            eprintln!("baton-charthop: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(invocation: Invocation) -> Result<()> {
    match invocation {
        Invocation::Capabilities => {
            print!("{}", c1_mapping::capabilities_json());
            Ok(())
        }
        Invocation::Config => {
            print!("{}", c1_mapping::config_json());
            Ok(())
        }
        Invocation::Inspect(args) => inspect::run(&args),
        Invocation::HealthCheck { flags } => {
            let settings = Settings::load(&Inputs::from_process(flags))?;
            health::probe(settings.health_check_bind_address, settings.health_check_port)
        }
        Invocation::Run { flags } => {
            let settings = Settings::load(&Inputs::from_process(flags))?;
            logging::init(settings.log_level, settings.log_format);
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

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
