//! Settings: flags > `BATON_*` environment > `.baton.yaml`, layered with the `config` crate.
//! Every value is checked here, and every error names the flag and its variable.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use charthop_connector::MembershipSource;
use config::{Config, File, FileFormat, Map, Source, Value, ValueKind};

use crate::units::{parse_bytes, parse_duration, parse_ratio};
use crate::yaml_guard;

/// Every key a user can set, by its flag name (also its `.baton.yaml` key).
pub const KEYS: &[&str] = &[
    "api-token",
    "org-id",
    "file",
    "log-level",
    "log-format",
    "charthop-url",
    "page-size",
    "include-departed",
    "include-personal-email",
    "membership-source",
    "client-id",
    "client-secret",
    "task-concurrency",
    "skip-full-sync",
    "health-check",
    "health-check-port",
    "health-check-bind-address",
    "max-removed-ratio",
    "snapshot-wait",
    "http-timeout-seconds",
    "max-page-bytes",
];

pub const DEFAULT_MAX_REMOVED_RATIO: f64 = 0.2;
pub const DEFAULT_SNAPSHOT_WAIT: Duration = Duration::from_secs(300);
pub const DEFAULT_HTTP_TIMEOUT: Duration = Duration::from_secs(300);
pub const DEFAULT_MAX_PAGE_BYTES: u64 = 64 << 20;

/// Keys whose values are credentials: never printed.
const SECRET_KEYS: &[&str] = &["api-token", "client-secret"];

/// `--api-token` -> `BATON_API_TOKEN`.
pub fn env_var(key: &str) -> String {
    format!("BATON_{}", key.to_ascii_uppercase().replace('-', "_"))
}

/// A credential that never prints.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    Debug,
    Info,
    Warn,
    Error,
}

impl LogLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Debug => "debug",
            LogLevel::Info => "info",
            LogLevel::Warn => "warn",
            LogLevel::Error => "error",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Console,
    Json,
}

/// The settings after layering and checking.
#[derive(Debug, Clone)]
pub struct Settings {
    pub api_token: Option<Secret>,
    pub org_id: Option<String>,
    pub file: PathBuf,
    pub log_level: LogLevel,
    /// `None`: console on a terminal, else JSON.
    pub log_format: Option<LogFormat>,
    pub charthop_url: String,
    pub page_size: u32,
    pub include_departed: bool,
    pub include_personal_email: bool,
    pub membership_source: MembershipSource,
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
    pub task_concurrency: usize,
    pub skip_full_sync: bool,
    pub health_check: bool,
    pub health_check_port: u16,
    pub health_check_bind_address: IpAddr,
    /// Refuse a sync that removes or disables more than this share of the previous one.
    pub max_removed_ratio: f64,
    /// How long to wait for ChartHop to build a snapshot (202 answers).
    pub snapshot_wait: Duration,
    /// One deadline per ChartHop request, retries included.
    pub http_timeout: Duration,
    /// The largest ChartHop response body read.
    pub max_page_bytes: u64,
    /// Secret keys given as command-line flags (visible to other users in `ps`).
    pub secrets_on_command_line: Vec<&'static str>,
}

/// What went wrong with the settings. Messages are one line and name the flag and variable.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read config file {path} ({origin}): {reason}")]
    File { path: String, origin: &'static str, reason: String },
    #[error("unknown key '{key}' in config file {path}: known keys are the flag names ({known})")]
    UnknownKey { key: String, path: String, known: String },
    #[error("invalid {what} for --{key} / {env} (from {origin}): {reason}")]
    Invalid { key: &'static str, env: String, origin: String, what: String, reason: String },
    #[error("missing {what}: pass --{key} or set {env}")]
    Missing { key: &'static str, env: String, what: &'static str },
    #[error(
        "--client-id / BATON_CLIENT_ID and --client-secret / BATON_CLIENT_SECRET go together: {0} is missing"
    )]
    HalfServiceCredentials(&'static str),
    #[error("configuration error: {0}")]
    Layering(String),
}

/// A layer of plain string values with a name for error messages.
#[derive(Debug, Clone)]
struct Layer {
    origin: String,
    values: BTreeMap<String, String>,
}

impl Source for Layer {
    fn clone_into_box(&self) -> Box<dyn Source + Send + Sync> {
        Box::new(self.clone())
    }

    fn collect(&self) -> Result<Map<String, Value>, config::ConfigError> {
        Ok(self
            .values
            .iter()
            .map(|(k, v)| (k.clone(), Value::new(Some(&self.origin), ValueKind::String(v.clone()))))
            .collect())
    }
}

/// The inputs to [`Settings::load`], gathered by the caller (so tests need no real environment).
#[derive(Debug, Default)]
pub struct Inputs {
    /// Flag values given on the command line, by key.
    pub flags: BTreeMap<String, String>,
    /// The process environment (only `BATON_*` names of known keys are read).
    pub env: BTreeMap<String, String>,
    /// The config file: `BATON_CONFIG_PATH` (must exist) or `./.baton.yaml` (optional).
    pub config_path: Option<PathBuf>,
    pub config_path_required: bool,
}

impl Inputs {
    /// Flags plus the real environment and config path.
    pub fn from_process(flags: BTreeMap<String, String>) -> Self {
        let env: BTreeMap<String, String> =
            std::env::vars().filter(|(k, _)| k.starts_with("BATON_")).collect();
        let (config_path, config_path_required) = match env.get("BATON_CONFIG_PATH") {
            Some(path) if !path.is_empty() => (Some(PathBuf::from(path)), true),
            _ => (Some(PathBuf::from(".baton.yaml")), false),
        };
        Self { flags, env, config_path, config_path_required }
    }
}

impl Settings {
    pub fn load(inputs: &Inputs) -> Result<Self, SettingsError> {
        let file = match &inputs.config_path {
            Some(path) => file_layer(path, inputs.config_path_required)?,
            None => None,
        };
        let env_values = KEYS
            .iter()
            .filter_map(|key| inputs.env.get(&env_var(key)).map(|v| (key.to_string(), v.clone())))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        // Lowest precedence first.
        let layers: Vec<Layer> = file
            .into_iter()
            .chain([
                Layer { origin: "the environment".into(), values: env_values },
                Layer { origin: "the command line".into(), values: inputs.flags.clone() },
            ])
            .collect();
        let merged = layers
            .iter()
            .fold(Config::builder(), |builder, layer| builder.add_source(layer.clone()))
            .build()
            .map_err(|e| SettingsError::Layering(e.to_string()))?;
        let mut settings = Self::from_merged(&Getter { merged: &merged, layers: &layers })?;
        settings.secrets_on_command_line =
            SECRET_KEYS.iter().copied().filter(|key| inputs.flags.contains_key(*key)).collect();
        Ok(settings)
    }

    fn from_merged(get: &Getter<'_>) -> Result<Self, SettingsError> {
        let client_id = get.string("client-id")?;
        let client_secret = get.string("client-secret")?.map(Secret);
        match (&client_id, &client_secret) {
            (Some(_), None) => return Err(SettingsError::HalfServiceCredentials("the client secret")),
            (None, Some(_)) => return Err(SettingsError::HalfServiceCredentials("the client id")),
            _ => {}
        }
        Ok(Settings {
            api_token: get.string("api-token")?.map(Secret),
            org_id: get.string("org-id")?,
            file: get.string("file")?.map(PathBuf::from).unwrap_or_else(|| PathBuf::from("sync.c1z")),
            log_level: get.parsed("log-level", "log level", parse_log_level)?.unwrap_or(LogLevel::Info),
            log_format: get.parsed("log-format", "log format", parse_log_format)?,
            charthop_url: get.string("charthop-url")?.unwrap_or_else(|| "https://api.charthop.com".into()),
            page_size: get
                .parsed("page-size", "page size", |v| parse_in_range(v, 1, 10_000))?
                .unwrap_or(1000),
            include_departed: get.parsed("include-departed", "boolean", parse_bool)?.unwrap_or(true),
            include_personal_email: get
                .parsed("include-personal-email", "boolean", parse_bool)?
                .unwrap_or(false),
            membership_source: get
                .parsed("membership-source", "membership source", parse_membership_source)?
                .unwrap_or(MembershipSource::Auto),
            client_id,
            client_secret,
            task_concurrency: get
                .parsed("task-concurrency", "task concurrency", |v| parse_in_range(v, 1, 64))?
                .unwrap_or(3) as usize,
            skip_full_sync: get.parsed("skip-full-sync", "boolean", parse_bool)?.unwrap_or(false),
            health_check: get.parsed("health-check", "boolean", parse_bool)?.unwrap_or(false),
            health_check_port: get
                .parsed("health-check-port", "port", |v| parse_in_range(v, 1, 65_535))?
                .map_or(8081, |p| p as u16),
            health_check_bind_address: get
                .parsed("health-check-bind-address", "IP address", |v| {
                    v.parse::<IpAddr>().map_err(|_| "expected an IP address such as 127.0.0.1".into())
                })?
                .unwrap_or(IpAddr::from([127, 0, 0, 1])),
            max_removed_ratio: get
                .parsed("max-removed-ratio", "ratio", parse_ratio)?
                .unwrap_or(DEFAULT_MAX_REMOVED_RATIO),
            snapshot_wait: get
                .parsed("snapshot-wait", "duration", |v| {
                    parse_duration(v, Duration::ZERO, Duration::from_secs(24 * 3600))
                })?
                .unwrap_or(DEFAULT_SNAPSHOT_WAIT),
            http_timeout: get
                .parsed("http-timeout-seconds", "timeout", |v| parse_in_range(v, 1, 86_400))?
                .map_or(DEFAULT_HTTP_TIMEOUT, |s| Duration::from_secs(s.into())),
            max_page_bytes: get
                .parsed("max-page-bytes", "size", |v| parse_bytes(v, 1 << 10, 4 << 30))?
                .unwrap_or(DEFAULT_MAX_PAGE_BYTES),
            secrets_on_command_line: Vec::new(),
        })
    }

    /// The API token and org id, required to read ChartHop.
    pub fn charthop_credentials(&self) -> Result<(&Secret, &str), SettingsError> {
        let token = self.api_token.as_ref().ok_or_else(|| missing("api-token", "ChartHop API token"))?;
        let org = self.org_id.as_deref().ok_or_else(|| missing("org-id", "ChartHop organization id"))?;
        Ok((token, org))
    }

    /// Service mode is on when both C1 client credentials are set.
    pub fn service_mode(&self) -> bool {
        self.client_id.is_some() && self.client_secret.is_some()
    }
}

fn missing(key: &'static str, what: &'static str) -> SettingsError {
    SettingsError::Missing { key, env: env_var(key), what }
}

fn file_layer(path: &Path, required: bool) -> Result<Option<Layer>, SettingsError> {
    let shown = path.display().to_string();
    let origin =
        if required { "named by BATON_CONFIG_PATH" } else { "the default; BATON_CONFIG_PATH names another" };
    let text = match yaml_guard::read_bounded(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => return Ok(None),
        Err(e) => return Err(SettingsError::File { path: shown, origin, reason: e.to_string() }),
    };
    // Before `config` sees it: its loader would expand aliases.
    yaml_guard::check_plain(&text).map_err(|reason| SettingsError::File {
        path: shown.clone(),
        origin,
        reason,
    })?;
    let parsed = Config::builder()
        .add_source(File::from_str(&text, FileFormat::Yaml))
        .build()
        .map_err(|e| SettingsError::File { path: shown.clone(), origin, reason: e.to_string() })?;
    let table = parsed.collect().map_err(|e| SettingsError::File {
        path: shown.clone(),
        origin,
        reason: e.to_string(),
    })?;
    let mut values = BTreeMap::new();
    for (key, value) in table {
        if !KEYS.contains(&key.as_str()) {
            return Err(SettingsError::UnknownKey { key, path: shown, known: KEYS.join(", ") });
        }
        let text = value.into_string().map_err(|_| SettingsError::File {
            path: shown.clone(),
            origin,
            reason: format!("key '{key}' must be a single value, not a list or a map"),
        })?;
        values.insert(key, text);
    }
    Ok(Some(Layer { origin: shown, values }))
}

struct Getter<'a> {
    merged: &'a Config,
    layers: &'a [Layer],
}

impl Getter<'_> {
    fn string(&self, key: &'static str) -> Result<Option<String>, SettingsError> {
        Ok(self.raw(key)?.map(|(value, _)| value).filter(|v| !v.is_empty()))
    }

    /// The value and where it came from.
    fn raw(&self, key: &'static str) -> Result<Option<(String, String)>, SettingsError> {
        let Ok(text) = self.merged.get_string(key) else { return Ok(None) };
        let origin = self
            .layers
            .iter()
            .rev()
            .find(|layer| layer.values.contains_key(key))
            .map_or_else(|| "the configuration".to_string(), |layer| layer.origin.clone());
        Ok(Some((text, origin)))
    }

    fn parsed<T>(
        &self,
        key: &'static str,
        what: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Option<T>, SettingsError> {
        match self.raw(key)? {
            None => Ok(None),
            Some((text, origin)) => parse(text.trim()).map(Some).map_err(|reason| {
                let reason = if SECRET_KEYS.contains(&key) { reason } else { format!("'{text}': {reason}") };
                invalid(key, what, &origin, &reason)
            }),
        }
    }
}

fn invalid(key: &'static str, what: &str, origin: &str, reason: &str) -> SettingsError {
    SettingsError::Invalid {
        key,
        env: env_var(key),
        origin: origin.to_string(),
        what: what.to_string(),
        reason: reason.to_string(),
    }
}

fn parse_bool(value: &str) -> Result<bool, String> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err("expected true or false".into()),
    }
}

fn parse_in_range(value: &str, min: u32, max: u32) -> Result<u32, String> {
    match value.parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!("expected a whole number from {min} to {max}")),
    }
}

fn parse_log_level(value: &str) -> Result<LogLevel, String> {
    match value.to_ascii_lowercase().as_str() {
        "debug" => Ok(LogLevel::Debug),
        "info" => Ok(LogLevel::Info),
        "warn" | "warning" => Ok(LogLevel::Warn),
        "error" => Ok(LogLevel::Error),
        _ => Err("expected debug, info, warn or error".into()),
    }
}

fn parse_log_format(value: &str) -> Result<LogFormat, String> {
    match value.to_ascii_lowercase().as_str() {
        "console" => Ok(LogFormat::Console),
        "json" => Ok(LogFormat::Json),
        _ => Err("expected console or json".into()),
    }
}

fn parse_membership_source(value: &str) -> Result<MembershipSource, String> {
    match value.to_ascii_lowercase().as_str() {
        "auto" => Ok(MembershipSource::Auto),
        "list" => Ok(MembershipSource::List),
        "per-person" | "per_person" => Ok(MembershipSource::PerPerson),
        _ => Err("expected auto, list or per-person".into()),
    }
}
