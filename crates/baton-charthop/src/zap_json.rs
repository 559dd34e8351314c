//! One JSON object per event, keys in zap's order: `level` (lower case), `ts` (epoch seconds
//! with a fraction), `logger` (the event's module), `caller` (`crate/src/file.rs:line`), `msg`,
//! then the span fields (outermost first) and the event's fields in the order written.

use std::fmt::{self, Write as _};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::{JsonFields, Writer};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormattedFields};
use tracing_subscriber::registry::LookupSpan;

pub struct ZapJson;

impl<S> FormatEvent<S, JsonFields> for ZapJson
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, JsonFields>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let meta = event.metadata();
        let ts = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs_f64();
        let mut fields = Fields::default();
        event.record(&mut fields);
        let mut line = String::with_capacity(256);
        line.push_str("{\"level\":");
        push_json(&mut line, &Value::from(level(*meta.level())));
        let _ = write!(line, ",\"ts\":{ts:.6},\"logger\":");
        push_json(&mut line, &Value::from(meta.target()));
        if let (Some(file), Some(number)) = (meta.file(), meta.line()) {
            line.push_str(",\"caller\":");
            push_json(&mut line, &Value::from(format!("{}:{number}", short_file(file))));
        }
        line.push_str(",\"msg\":");
        push_json(&mut line, &Value::from(fields.message.take().unwrap_or_default()));
        for span in ctx.event_scope().into_iter().flat_map(|scope| scope.from_root()) {
            let extensions = span.extensions();
            let Some(formatted) = extensions.get::<FormattedFields<JsonFields>>() else { continue };
            if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(formatted) {
                for (key, value) in map {
                    push_field(&mut line, &key, &value);
                }
            }
        }
        for (key, value) in &fields.rest {
            push_field(&mut line, key, value);
        }
        line.push('}');
        writeln!(writer, "{line}")
    }
}

/// zap has no trace level: trace is debug.
fn level(level: Level) -> &'static str {
    match level {
        Level::ERROR => "error",
        Level::WARN => "warn",
        Level::INFO => "info",
        _ => "debug",
    }
}

/// zap's short caller: the crate's directory and the path inside it, not the whole path.
fn short_file(file: &str) -> &str {
    match file.rfind("/src/") {
        Some(at) => {
            let crate_start = file[..at].rfind('/').map_or(0, |slash| slash + 1);
            &file[crate_start..]
        }
        None => file,
    }
}

fn push_json(line: &mut String, value: &Value) {
    line.push_str(&value.to_string());
}

fn push_field(line: &mut String, key: &str, value: &Value) {
    line.push(',');
    push_json(line, &Value::from(key));
    line.push(':');
    push_json(line, value);
}

/// The message and the other fields, in the order the event wrote them.
#[derive(Default)]
struct Fields {
    message: Option<String>,
    rest: Vec<(&'static str, Value)>,
}

impl Fields {
    fn put(&mut self, field: &Field, value: Value) {
        if field.name() == "message" {
            self.message = Some(match value {
                Value::String(text) => text,
                other => other.to_string(),
            });
        } else {
            self.rest.push((field.name(), value));
        }
    }
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.put(field, Value::from(format!("{value:?}")));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, Value::from(value));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, Value::from(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, Value::from(value));
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.put(field, Value::from(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, Value::from(value));
    }

    /// The error and its causes, as one text (zap's `error` field is one string too).
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        let text = error_reporter::Report::new(value).to_string();
        self.put(field, Value::from(text));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callers_are_short_and_levels_are_zaps() {
        assert_eq!(short_file("crates/charthop-connector/src/sync.rs"), "charthop-connector/src/sync.rs");
        assert_eq!(
            short_file("/home/u/.cargo/registry/src/index/c1z-0.1.0/src/writer/mod.rs"),
            "c1z-0.1.0/src/writer/mod.rs"
        );
        assert_eq!(short_file("main.rs"), "main.rs");
        assert_eq!(level(Level::TRACE), "debug");
        assert_eq!(level(Level::WARN), "warn");
    }
}
