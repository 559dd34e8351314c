//! Logs go to standard error: console lines on a terminal, JSON elsewhere (Baton's default).

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::settings::{LogFormat, LogLevel};

pub fn init(level: LogLevel, format: Option<LogFormat>) {
    // Libraries under us are chatty at debug (and would print request headers at trace):
    // --log-level is for this connector; they stay at warn.
    let directives =
        format!("{},hyper=warn,hyper_util=warn,h2=warn,rustls=warn,tower=warn,reqwest=warn", level.as_str());
    let filter = EnvFilter::try_new(directives).unwrap_or_else(|_| EnvFilter::new(level.as_str()));
    let json = match format {
        Some(LogFormat::Json) => true,
        Some(LogFormat::Console) => false,
        None => !std::io::stderr().is_terminal(),
    };
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let installed = if json {
        builder.json().flatten_event(true).with_current_span(false).try_init()
    } else {
        builder.with_target(false).try_init()
    };
    // A second init (tests) keeps the first subscriber.
    drop(installed);
}
