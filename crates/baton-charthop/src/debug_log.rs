//! The debug log C1 asks for with `Task.debug`: while such a task runs, every log line of the
//! connector at debug level and above (in the JSON logs' format) is also written to the file
//! service mode uploads after the sync. Tasks running side by side share what they log, so with
//! `--task-concurrency` above 1 one task's debug log may hold another's lines.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use tracing::Subscriber;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{FilterFn, LevelFilter};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::JsonFields;
use tracing_subscriber::registry::LookupSpan;

use crate::zap_json::ZapJson;

/// One debug log is cut here: a sync of a large org logs a line per page, far below this.
const MAX_BYTES: u64 = 64 * 1024 * 1024;
const CUT_MARKER: &[u8] = b"{\"level\":\"warn\",\"msg\":\"debug log cut at its size limit\"}\n";

/// Libraries under us log request details at debug; the debug log is the connector's own.
const QUIET_TARGETS: [&str; 6] = ["hyper", "hyper_util", "h2", "rustls", "tower", "reqwest"];

/// The debug logs being written, shared by the log layer and the tasks.
#[derive(Clone, Default)]
pub struct DebugLogs(Arc<Inner>);

#[derive(Default)]
struct Inner {
    active: AtomicUsize,
    next_id: AtomicU64,
    sinks: Mutex<Vec<Sink>>,
}

struct Sink {
    id: u64,
    file: File,
    written: u64,
}

/// Stops writing its debug log when dropped.
#[must_use = "the debug log is written only while this is held"]
pub struct Capture {
    logs: DebugLogs,
    id: u64,
}

impl Drop for Capture {
    fn drop(&mut self) {
        let mut sinks = self.logs.0.sinks.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(at) = sinks.iter().position(|sink| sink.id == self.id) {
            let mut sink = sinks.swap_remove(at);
            let _ = sink.file.flush();
            self.logs.0.active.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// The process's debug logs (one log layer serves every task).
pub fn global() -> &'static DebugLogs {
    static LOGS: OnceLock<DebugLogs> = OnceLock::new();
    LOGS.get_or_init(DebugLogs::default)
}

impl DebugLogs {
    /// Starts writing a debug log to `path` (created, or truncated).
    pub fn start(&self, path: &Path) -> io::Result<Capture> {
        let file = File::create(path)?;
        let id = self.0.next_id.fetch_add(1, Ordering::SeqCst);
        self.0.sinks.lock().unwrap_or_else(|e| e.into_inner()).push(Sink { id, file, written: 0 });
        self.0.active.fetch_add(1, Ordering::SeqCst);
        Ok(Capture { logs: self.clone(), id })
    }

    fn active(&self) -> bool {
        self.0.active.load(Ordering::Relaxed) > 0
    }

    /// The log layer: nothing is formatted while no debug log is being written.
    pub fn layer<S>(&self) -> impl Layer<S> + Send + Sync + 'static
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let logs = self.clone();
        let wanted = FilterFn::new(move |meta| {
            logs.active() && !QUIET_TARGETS.iter().any(|quiet| is_within(meta.target(), quiet))
        })
        .with_max_level_hint(LevelFilter::DEBUG);
        tracing_subscriber::fmt::layer()
            .fmt_fields(JsonFields::new())
            .event_format(ZapJson)
            .with_writer(self.clone())
            .with_filter(wanted)
    }
}

fn is_within(target: &str, module: &str) -> bool {
    target.strip_prefix(module).is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
}

impl<'a> MakeWriter<'a> for DebugLogs {
    type Writer = DebugLogs;
    fn make_writer(&'a self) -> DebugLogs {
        self.clone()
    }
}

/// Each formatted line goes to every debug log being written; a failing file loses its lines,
/// never the task.
impl Write for DebugLogs {
    fn write(&mut self, line: &[u8]) -> io::Result<usize> {
        let mut sinks = self.0.sinks.lock().unwrap_or_else(|e| e.into_inner());
        for sink in sinks.iter_mut() {
            if sink.written > MAX_BYTES {
                continue;
            }
            if sink.written + line.len() as u64 > MAX_BYTES {
                sink.written = MAX_BYTES + 1;
                let _ = sink.file.write_all(CUT_MARKER);
            } else {
                sink.written += line.len() as u64;
                let _ = sink.file.write_all(line);
            }
        }
        Ok(line.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use tracing_subscriber::layer::SubscriberExt as _;

    use super::*;

    fn lines(path: &Path) -> Vec<serde_json::Value> {
        let text = std::fs::read_to_string(path).unwrap();
        text.lines().map(|line| serde_json::from_str(line).unwrap()).collect()
    }

    #[test]
    fn debug_lines_are_written_only_while_a_capture_is_held() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("debug.log");
        let logs = DebugLogs::default();
        let subscriber = tracing_subscriber::registry().with(logs.layer());
        tracing::subscriber::with_default(subscriber, || {
            tracing::debug!("before any capture");
            let capture = logs.start(&path).unwrap();
            tracing::debug!(page = 3, "fetched a page");
            tracing::trace!("too fine");
            tracing::debug!(target: "hyper::proto", "library detail");
            drop(capture);
            tracing::info!("after the capture");
        });
        let seen = lines(&path);
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert_eq!(
            (seen[0]["level"].as_str(), seen[0]["msg"].as_str()),
            (Some("debug"), Some("fetched a page"))
        );
        assert_eq!(seen[0]["page"], 3);
    }

    #[test]
    fn a_debug_log_is_cut_at_its_limit_with_a_marker() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("debug.log");
        let mut logs = DebugLogs::default();
        let capture = logs.start(&path).unwrap();
        logs.0.sinks.lock().unwrap()[0].written = MAX_BYTES - 10;
        logs.write_all(b"a line longer than ten bytes\n").unwrap();
        logs.write_all(b"another\n").unwrap();
        drop(capture);
        assert_eq!(std::fs::read(&path).unwrap(), CUT_MARKER);
    }

    #[test]
    fn quiet_targets_match_whole_module_names() {
        assert!(is_within("hyper", "hyper") && is_within("hyper::client", "hyper"));
        assert!(!is_within("hyper_util", "hyper") && is_within("hyper_util::rt", "hyper_util"));
    }
}
