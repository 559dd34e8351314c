//! Logs go to standard error, or appended to `--log-path`: console lines on a terminal, JSON
//! elsewhere (Baton's default). JSON lines carry the keys the Go SDK's zap logger writes
//! (`level`, `ts`, `logger`, `caller`, `msg`, then the fields), so log pipelines built for the
//! Go connectors read them unchanged. A second layer writes the debug log of a task that asks
//! for one (`debug_log.rs`).

use std::io::IsTerminal;
use std::path::Path;

use anyhow::{Context, Result};
use tracing::Subscriber;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::JsonFields;
use tracing_subscriber::fmt::writer::BoxMakeWriter;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::{EnvFilter, Layer as _};

use crate::log_file::LogFile;
use crate::settings::{LogFormat, LogLevel, Settings};
use crate::zap_json::ZapJson;

pub fn init(settings: &Settings) -> Result<()> {
    let (writer, terminal) = match &settings.log_path {
        Some(path) => (BoxMakeWriter::new(open(path)?), false),
        None => (BoxMakeWriter::new(std::io::stderr), std::io::stderr().is_terminal()),
    };
    let json = match settings.log_format {
        Some(LogFormat::Json) => true,
        Some(LogFormat::Console) => false,
        None => !terminal,
    };
    // A second init (tests) keeps the first subscriber.
    drop(if json {
        tracing::subscriber::set_global_default(json_subscriber(settings.log_level, writer))
    } else {
        tracing::subscriber::set_global_default(console_subscriber(settings.log_level, writer, terminal))
    });
    Ok(())
}

fn open(path: &Path) -> Result<LogFile> {
    LogFile::open(path, crate::log_file::ROTATE_AT)
        .with_context(|| format!("cannot open --log-path / BATON_LOG_PATH {}", path.display()))
}

/// Libraries under us are chatty at debug (and would print request headers at trace):
/// --log-level is for this connector; they stay at warn.
fn filter(level: LogLevel) -> EnvFilter {
    let directives =
        format!("{},hyper=warn,hyper_util=warn,h2=warn,rustls=warn,tower=warn,reqwest=warn", level.as_str());
    EnvFilter::try_new(directives).unwrap_or_else(|_| EnvFilter::new(level.as_str()))
}

pub(crate) fn json_subscriber<W>(level: LogLevel, writer: W) -> impl Subscriber + Send + Sync
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let main = tracing_subscriber::fmt::layer()
        .with_writer(writer)
        .fmt_fields(JsonFields::new())
        .event_format(ZapJson)
        .with_filter(filter(level));
    tracing_subscriber::registry().with(main).with(crate::debug_log::global().layer())
}

pub(crate) fn console_subscriber<W>(level: LogLevel, writer: W, ansi: bool) -> impl Subscriber + Send + Sync
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let main = tracing_subscriber::fmt::layer()
        .with_writer(writer)
        .with_ansi(ansi)
        .with_target(false)
        .with_filter(filter(level));
    tracing_subscriber::registry().with(main).with(crate::debug_log::global().layer())
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// Lines written, for the test to read.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Captured {
        type Writer = Captured;
        fn make_writer(&'a self) -> Captured {
            self.clone()
        }
    }

    impl Captured {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    fn one_event() {
        let error = std::io::Error::other("disk full");
        tracing::info!(
            task = "t-1",
            persons = 2000,
            ratio = 0.5,
            ok = true,
            error = &error as &dyn std::error::Error,
            "sync \"done\""
        );
        tracing::debug!("left out at info");
    }

    fn filters() -> insta::Settings {
        let mut settings = insta::Settings::clone_current();
        settings.add_filter(r#""ts":\d+\.\d+"#, r#""ts":"[ts]""#);
        settings.add_filter(r"\.rs:\d+", ".rs:[line]");
        settings.add_filter(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z", "[timestamp]");
        settings
    }

    #[test]
    fn a_json_line_has_the_keys_zap_writes() {
        let out = Captured::default();
        tracing::subscriber::with_default(json_subscriber(LogLevel::Info, out.clone()), one_event);
        let text = out.text();
        assert_eq!(text.lines().count(), 1, "{text}");
        let line: serde_json::Value = serde_json::from_str(&text).unwrap();
        let ts = line["ts"].as_f64().unwrap();
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64();
        assert!((now - ts).abs() < 60.0 && ts.fract() != 0.0, "{ts} is epoch seconds with a fraction");
        filters().bind(|| insta::assert_snapshot!("json_line", text));
    }

    #[test]
    fn a_console_line_is_plain_text() {
        let out = Captured::default();
        tracing::subscriber::with_default(console_subscriber(LogLevel::Info, out.clone(), false), one_event);
        let text = out.text();
        filters().bind(|| insta::assert_snapshot!("console_line", text));
    }
}
