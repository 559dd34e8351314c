//! The baton-charthop binary: flags, settings, logging, and the wiring of the crates.
//! The only crate that knows clap, config files, environment variables and terminals.

mod cli;
mod settings;
#[cfg(test)]
mod settings_tests;

fn main() -> anyhow::Result<()> {
    let invocation = cli::parse_from(std::env::args_os()).unwrap_or_else(|e| e.exit());
    if let cli::Invocation::Run { flags } = invocation {
        let settings = settings::Settings::load(&settings::Inputs::from_process(flags))?;
        settings.charthop_credentials()?;
    }
    anyhow::bail!("baton-charthop: the sync is not wired yet")
}
