//! Every setting, once: its key (the flag and the `.baton.yaml` key), variable, default, help,
//! secrecy, kind of value and C1 config-schema field. The flags (`cli`), the layering and
//! checking (`settings`), `--help` and the `config` schema (`config_schema`) all come from
//! [`TABLE`]. Adding a setting is one row here plus the code that uses its value.

/// One setting.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    /// The flag's long name and the `.baton.yaml` key; the variable is [`Row::env`].
    pub key: &'static str,
    pub short: Option<char>,
    pub help: &'static str,
    /// What the value is called in an error ("page size").
    pub what: &'static str,
    /// The value when no layer sets one, as a user would type it; `None`: unset, or computed
    /// (then [`Row::help`] says what it is).
    pub default: Option<&'static str>,
    /// A credential: never printed, and a warning when given as a flag.
    pub secret: bool,
    pub kind: Kind,
    /// `false` for the setting that names the file itself.
    pub in_file: bool,
    /// The field C1 shows for this setting, if it shows one.
    pub schema: Option<SchemaField>,
}

/// What a value may be: its parser and validator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    Text,
    Path,
    /// `true`/`false` (also 1/0, yes/no, on/off); a bare flag means true.
    Bool,
    /// A whole number in `min..=max`.
    Int {
        min: u32,
        max: u32,
    },
    /// One of `words` (any case); `aliases` are other spellings of them.
    Word {
        words: &'static [&'static str],
        aliases: &'static [(&'static str, &'static str)],
    },
    Ip,
    /// A fraction from 0 to 1.
    Ratio,
    /// Seconds, or `90s`, `5m`, `1h`, up to `max_secs`.
    Duration {
        max_secs: u64,
    },
    /// Bytes, or `64MiB`, `1GiB`, in `min..=max`.
    Bytes {
        min: u64,
        max: u64,
    },
    /// Names separated by commas (a list in the YAML file); blanks are dropped.
    List,
}

/// A field of the C1 configuration schema (`docs/c1-wire.md`, "Capabilities and config
/// output"). Its type, default and secrecy come from the row.
#[derive(Debug, Clone, Copy)]
pub struct SchemaField {
    pub display_name: &'static str,
    pub description: &'static str,
    pub required: bool,
    /// An operational setting (how the connector runs), not what it syncs.
    pub ops: bool,
    /// C1 offers the [`Kind::Word`] words as the only choices.
    pub choices: bool,
}

impl Row {
    /// `api-token` -> `BATON_API_TOKEN`.
    pub fn env(&self) -> String {
        env_var(self.key)
    }

    /// `--help` text: the help, the default when it is not already said, and the variable.
    pub fn help_line(&self) -> String {
        match self.default {
            Some(default) if !self.help.contains("[default:") => {
                format!("{} [default: {default}] [env: {}]", self.help, self.env())
            }
            _ => format!("{} [env: {}]", self.help, self.env()),
        }
    }
}

/// `api-token` -> `BATON_API_TOKEN`.
pub fn env_var(key: &str) -> String {
    format!("BATON_{}", key.to_ascii_uppercase().replace('-', "_"))
}

/// The row of `key`. Every key the code reads is a row (the settings tests read them all).
pub fn row(key: &str) -> &'static Row {
    TABLE.iter().find(|row| row.key == key).unwrap_or_else(|| panic!("'{key}' is not a setting"))
}

const fn plain(key: &'static str, what: &'static str, help: &'static str, kind: Kind) -> Row {
    Row { key, short: None, help, what, default: None, secret: false, kind, in_file: true, schema: None }
}

const fn field(display_name: &'static str, description: &'static str) -> SchemaField {
    SchemaField { display_name, description, required: false, ops: false, choices: false }
}

const fn ops(display_name: &'static str, description: &'static str) -> SchemaField {
    SchemaField { ops: true, ..field(display_name, description) }
}

const BOOL: Kind = Kind::Bool;

/// Rows in `--help` order; the schema lists its fields in this order too.
pub const TABLE: &[Row] = &[
    Row {
        secret: true,
        schema: Some(SchemaField {
            required: true,
            ..field("API Token", "ChartHop API token with read access to people and groups")
        }),
        ..plain("api-token", "ChartHop API token", "ChartHop API token (secret)", Kind::Text)
    },
    Row {
        schema: Some(SchemaField {
            required: true,
            ..field("Organization ID", "ChartHop organization id or slug")
        }),
        ..plain("org-id", "ChartHop organization id", "ChartHop organization id or slug", Kind::Text)
    },
    Row {
        short: Some('f'),
        default: Some("sync.c1z"),
        ..plain("file", "file", "Path of the .c1z file to write", Kind::Path)
    },
    Row {
        default: Some(charthop_client::DEFAULT_BASE_URL),
        schema: Some(field("ChartHop URL", "Base URL of the ChartHop API")),
        ..plain("charthop-url", "URL", "ChartHop API base URL", Kind::Text)
    },
    Row {
        default: Some("1000"),
        schema: Some(field("Page size", "Persons or groups asked for per ChartHop request")),
        ..plain("page-size", "page size", "Rows per ChartHop page", Kind::Int { min: 1, max: 10_000 })
    },
    Row {
        default: Some("true"),
        schema: Some(field("Include departed", "Sync departed employees too (as disabled accounts)")),
        ..plain("include-departed", "boolean", "Include persons whose employment ended", BOOL)
    },
    Row {
        default: Some("false"),
        schema: Some(field(
            "Include personal email",
            "Add each person's personal email to their account (personal data: off by default)",
        )),
        ..plain("include-personal-email", "boolean", "Also record personal (home) email addresses", BOOL)
    },
    Row {
        default: Some("auto"),
        schema: Some(SchemaField {
            choices: true,
            ..field(
                "Membership source",
                "How group memberships are read: auto (the person list, else one request per person), \
                 list, or per-person",
            )
        }),
        ..plain(
            "membership-source",
            "membership source",
            "Group memberships from: auto, list or per-person",
            Kind::Word { words: &["auto", "list", "per-person"], aliases: &[("per_person", "per-person")] },
        )
    },
    Row {
        schema: Some(field(
            "Extra person fields",
            "ChartHop person field codes, separated by commas, added to each person's profile as \
             custom_<code> (such as costCenter,shirtSize)",
        )),
        ..plain(
            "extra-fields",
            "field codes",
            "ChartHop person field codes (comma-separated) to add to profiles as custom_<code>",
            Kind::List,
        )
    },
    Row {
        schema: Some(field(
            "Group types",
            "Only sync groups of these types, separated by commas (such as DEPARTMENT,TEAM); empty: all",
        )),
        ..plain(
            "group-types",
            "group types",
            "Only sync groups of these types (comma-separated, any case) [default: all]",
            Kind::List,
        )
    },
    Row {
        default: Some("info"),
        schema: Some(ops("Log level", "Log level: debug, info, warn or error")),
        ..plain(
            "log-level",
            "log level",
            "Log level: debug, info, warn, error",
            Kind::Word { words: &["debug", "info", "warn", "error"], aliases: &[("warning", "warn")] },
        )
    },
    plain(
        "log-format",
        "log format",
        "Log format: console or json [default: console on a terminal, else json]",
        Kind::Word { words: &["console", "json"], aliases: &[] },
    ),
    plain(
        "log-path",
        "log file",
        "Append logs to this file instead of standard error; at 100 MiB it becomes FILE.1 and a new \
         one starts",
        Kind::Path,
    ),
    plain("client-id", "C1 client id", "C1 client id: with --client-secret, run in service mode", Kind::Text),
    Row {
        secret: true,
        ..plain("client-secret", "C1 client secret", "C1 client secret (secret)", Kind::Text)
    },
    Row {
        default: Some("3"),
        ..plain(
            "task-concurrency",
            "task concurrency",
            "Service mode: tasks run at once",
            Kind::Int { min: 1, max: 64 },
        )
    },
    Row {
        default: Some("false"),
        ..plain("skip-full-sync", "boolean", "One-shot: only check ChartHop access, write no file", BOOL)
    },
    Row {
        default: Some("false"),
        ..plain(
            "keep-previous",
            "boolean",
            "One-shot: keep the last sync of the file being replaced in the new one (inspect --diff FILE)",
            BOOL,
        )
    },
    Row {
        default: Some("false"),
        ..plain("health-check", "boolean", "Service mode: serve /health, /live and /ready", BOOL)
    },
    Row {
        default: Some("8081"),
        ..plain("health-check-port", "port", "Port of the health endpoint", Kind::Int { min: 1, max: 65_535 })
    },
    Row {
        default: Some("127.0.0.1"),
        ..plain("health-check-bind-address", "IP address", "Address of the health endpoint", Kind::Ip)
    },
    Row {
        default: Some("0.2"),
        schema: Some(ops(
            "Max removed ratio",
            "Refuse a sync that removes or disables more than this share of the previous sync's \
             persons or grants (0 to 1; 1 allows any change)",
        )),
        ..plain(
            "max-removed-ratio",
            "ratio",
            "Refuse a sync that removes or disables more than this share of the previous sync's \
             persons or grants (0 to 1; 1 allows any change)",
            Kind::Ratio,
        )
    },
    Row {
        default: Some("5m"),
        schema: Some(ops("Snapshot wait", "How long to wait while ChartHop builds a snapshot: 300, 90s, 5m")),
        ..plain(
            "snapshot-wait",
            "duration",
            "How long to wait while ChartHop builds a snapshot: 300, 90s, 5m",
            Kind::Duration { max_secs: 24 * 3600 },
        )
    },
    Row {
        default: Some("300"),
        schema: Some(ops("HTTP timeout (seconds)", "Deadline of one ChartHop request, retries included")),
        ..plain(
            "http-timeout-seconds",
            "timeout",
            "Deadline of one ChartHop request, retries included",
            Kind::Int { min: 1, max: 86_400 },
        )
    },
    Row {
        default: Some("64MiB"),
        schema: Some(ops("Max page bytes", "Largest ChartHop response body read: bytes, or 64MiB, 1GiB")),
        ..plain(
            "max-page-bytes",
            "size",
            "Largest ChartHop response body read: bytes, or 64MiB, 1GiB",
            Kind::Bytes { min: 1 << 10, max: 4 << 30 },
        )
    },
    plain(
        "host-id",
        "host id",
        "Service mode: this instance's name in C1 [default: the hostname]",
        Kind::Text,
    ),
    plain(
        "c1-api-host",
        "C1 API host",
        "Service mode: C1 host[:port] to use instead of the client id's host",
        Kind::Text,
    ),
    plain(
        "work-dir",
        "directory",
        "Service mode: where task files and the last sync's counts are kept [default: the \
         temporary directory, TMPDIR]",
        Kind::Path,
    ),
    Row {
        in_file: false,
        ..plain(
            "config-path",
            "config file",
            "The YAML settings file, whose keys are the flag names [default: ./.baton.yaml, if present]",
            Kind::Path,
        )
    },
];
