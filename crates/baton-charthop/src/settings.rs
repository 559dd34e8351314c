//! Settings: flags > `BATON_*` environment > `.baton.yaml`, layered with the `config` crate,
//! for the rows of the settings table (`setting_table`). Every value is checked by its row's
//! kind (`setting_values`), and every error names the flag and its variable.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use charthop_connector::MembershipSource;
use config::{Config, File, FileFormat, Map, Source, Value, ValueKind};

pub use crate::setting_table::env_var;
use crate::setting_table::{Kind, TABLE, row};
use crate::setting_values::Parsed;
use crate::yaml_guard;

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

    fn from_word(word: &str) -> Self {
        match word {
            "debug" => LogLevel::Debug,
            "warn" => LogLevel::Warn,
            "error" => LogLevel::Error,
            _ => LogLevel::Info,
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
    /// Logs appended here instead of standard error.
    pub log_path: Option<PathBuf>,
    pub charthop_url: String,
    pub page_size: u32,
    pub include_departed: bool,
    pub include_personal_email: bool,
    pub membership_source: MembershipSource,
    /// ChartHop person field codes added to profiles as `custom_<code>` (each checked).
    pub extra_fields: Vec<String>,
    /// Only groups of these types; `None`: every group.
    pub group_types: Option<Vec<String>>,
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
    pub task_concurrency: usize,
    pub skip_full_sync: bool,
    /// One-shot: the new file also holds the last sync of the file it replaces.
    pub keep_previous: bool,
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
    /// Service mode: this instance's name in C1 (`None`: the hostname).
    pub host_id: Option<String>,
    /// Service mode: C1's `host[:port]` instead of the client id's host.
    pub c1_api_host: Option<String>,
    /// Service mode: where task files and the state file go (`None`: the temporary directory).
    pub work_dir: Option<PathBuf>,
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
    #[error("invalid --org-id / BATON_ORG_ID (from {origin}): {problem}")]
    OrgIdIsUrl { origin: String, problem: charthop_client::OrgIdProblem },
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
    /// The config file: named by `config-path` (must exist) or `./.baton.yaml` (optional).
    pub config_path: Option<PathBuf>,
    /// What named the file (then it must exist), for its errors.
    pub config_path_named_by: Option<&'static str>,
}

impl Inputs {
    /// Flags plus the real environment and config path.
    pub fn from_process(flags: BTreeMap<String, String>) -> Self {
        let env: BTreeMap<String, String> =
            std::env::vars().filter(|(k, _)| k.starts_with("BATON_")).collect();
        Self::with_env(flags, env)
    }

    /// The config file is the one `config-path` names (flag, then variable), else `./.baton.yaml`.
    pub fn with_env(flags: BTreeMap<String, String>, env: BTreeMap<String, String>) -> Self {
        let key = row("config-path");
        let named = match (flags.get(key.key), env.get(&key.env())) {
            (Some(path), _) if !path.is_empty() => Some((path.clone(), "named by --config-path")),
            (_, Some(path)) if !path.is_empty() => Some((path.clone(), "named by BATON_CONFIG_PATH")),
            _ => None,
        };
        let (config_path, config_path_named_by) = match named {
            Some((path, by)) => (PathBuf::from(path), Some(by)),
            None => (PathBuf::from(".baton.yaml"), None),
        };
        Self { flags, env, config_path: Some(config_path), config_path_named_by }
    }
}

impl Settings {
    pub fn load(inputs: &Inputs) -> Result<Self, SettingsError> {
        Self::load_reading(inputs).map(|(settings, _)| settings)
    }

    /// The settings and the keys read to make them.
    pub(crate) fn load_reading(inputs: &Inputs) -> Result<(Self, BTreeSet<&'static str>), SettingsError> {
        let file = match &inputs.config_path {
            Some(path) => file_layer(path, inputs.config_path_named_by)?,
            None => None,
        };
        let env_values = TABLE
            .iter()
            .filter_map(|row| inputs.env.get(&row.env()).map(|v| (row.key.to_string(), v.clone())))
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
        let getter = Getter { merged: &merged, layers: &layers, read: RefCell::default() };
        let mut settings = Self::from_merged(&getter)?;
        settings.secrets_on_command_line = TABLE
            .iter()
            .filter(|row| row.secret && inputs.flags.contains_key(row.key))
            .map(|row| row.key)
            .collect();
        Ok((settings, getter.read.into_inner()))
    }

    fn from_merged(get: &Getter<'_>) -> Result<Self, SettingsError> {
        let client_id = get.optional("client-id")?.map(Parsed::text);
        let client_secret = get.optional("client-secret")?.map(|v| Secret(v.text()));
        match (&client_id, &client_secret) {
            (Some(_), None) => return Err(SettingsError::HalfServiceCredentials("the client secret")),
            (None, Some(_)) => return Err(SettingsError::HalfServiceCredentials("the client id")),
            _ => {}
        }
        Ok(Settings {
            api_token: get.optional("api-token")?.map(|v| Secret(v.text())),
            org_id: get.org_id()?,
            file: get.value("file")?.path(),
            log_level: LogLevel::from_word(get.value("log-level")?.word()),
            log_format: get.optional("log-format")?.map(|v| match v.word() {
                "json" => LogFormat::Json,
                _ => LogFormat::Console,
            }),
            log_path: get.optional("log-path")?.map(Parsed::path),
            charthop_url: get.value("charthop-url")?.text(),
            page_size: get.value("page-size")?.int(),
            include_departed: get.value("include-departed")?.bool(),
            include_personal_email: get.value("include-personal-email")?.bool(),
            membership_source: match get.value("membership-source")?.word() {
                "list" => MembershipSource::List,
                "per-person" => MembershipSource::PerPerson,
                _ => MembershipSource::Auto,
            },
            extra_fields: get.list("extra-fields", |code| {
                charthop_client::request::check_field_code(code).map_err(|problem| problem.to_string())
            })?,
            group_types: Some(get.list("group-types", |_| Ok(()))?).filter(|types| !types.is_empty()),
            client_id,
            client_secret,
            task_concurrency: get.value("task-concurrency")?.int() as usize,
            skip_full_sync: get.value("skip-full-sync")?.bool(),
            keep_previous: get.value("keep-previous")?.bool(),
            health_check: get.value("health-check")?.bool(),
            health_check_port: u16::try_from(get.value("health-check-port")?.int()).unwrap_or(u16::MAX),
            health_check_bind_address: get.value("health-check-bind-address")?.ip(),
            max_removed_ratio: get.value("max-removed-ratio")?.ratio(),
            snapshot_wait: get.value("snapshot-wait")?.duration(),
            http_timeout: Duration::from_secs(get.value("http-timeout-seconds")?.int().into()),
            max_page_bytes: get.value("max-page-bytes")?.bytes(),
            host_id: get.optional("host-id")?.map(Parsed::text),
            c1_api_host: get.optional("c1-api-host")?.map(Parsed::text),
            work_dir: get.optional("work-dir")?.map(Parsed::path),
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

fn file_layer(path: &Path, named_by: Option<&'static str>) -> Result<Option<Layer>, SettingsError> {
    let shown = path.display().to_string();
    let origin = named_by.unwrap_or("the default; BATON_CONFIG_PATH names another");
    let text = match yaml_guard::read_bounded(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && named_by.is_none() => return Ok(None),
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
        if !TABLE.iter().any(|row| row.in_file && row.key == key) {
            let known: Vec<&str> = TABLE.iter().filter(|row| row.in_file).map(|row| row.key).collect();
            return Err(SettingsError::UnknownKey { key, path: shown, known: known.join(", ") });
        }
        let list_row = TABLE.iter().any(|row| row.key == key && row.kind == Kind::List);
        let text = match value.clone().into_array() {
            Ok(items) if list_row => items
                .into_iter()
                .map(|item| item.into_string())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| SettingsError::File {
                    path: shown.clone(),
                    origin,
                    reason: format!("key '{key}' must be a list of names"),
                })?
                .join(","),
            _ => value.into_string().map_err(|_| SettingsError::File {
                path: shown.clone(),
                origin,
                reason: format!("key '{key}' must be a single value, not a list or a map"),
            })?,
        };
        values.insert(key, text);
    }
    Ok(Some(Layer { origin: shown, values }))
}

struct Getter<'a> {
    merged: &'a Config,
    layers: &'a [Layer],
    read: RefCell<BTreeSet<&'static str>>,
}

impl Getter<'_> {
    /// The checked value, else the row's default, else `None`.
    fn optional(&self, key: &'static str) -> Result<Option<Parsed>, SettingsError> {
        let row = row(key);
        self.read.borrow_mut().insert(row.key);
        let given = self.raw(key).filter(|(text, _)| !(text.is_empty() && row.kind.empty_is_unset()));
        let (text, origin) = match (given, row.default) {
            (Some(given), _) => given,
            (None, Some(default)) => (default.to_owned(), "the default".to_owned()),
            (None, None) => return Ok(None),
        };
        row.kind.parse(&text).map(Some).map_err(|reason| invalid_value(key, &text, &origin, &reason))
    }

    /// A list whose every item passes `check` (its error names the item); unset: empty.
    fn list(
        &self,
        key: &'static str,
        check: impl Fn(&str) -> Result<(), String>,
    ) -> Result<Vec<String>, SettingsError> {
        let items = self.optional(key)?.map(Parsed::list).unwrap_or_default();
        for item in &items {
            if let Err(reason) = check(item) {
                let (text, origin) = self.raw(key).unwrap_or_default();
                return Err(invalid_value(key, &text, &origin, &format!("'{item}': {reason}")));
            }
        }
        Ok(items)
    }

    /// The org id, refused when it is an address (the usual mistake: the web app's URL).
    fn org_id(&self) -> Result<Option<String>, SettingsError> {
        let Some(org) = self.optional("org-id")?.map(Parsed::text) else { return Ok(None) };
        match charthop_client::org_id_problem(&org) {
            Some(problem) => {
                let origin = self.raw("org-id").map(|(_, origin)| origin).unwrap_or_default();
                Err(SettingsError::OrgIdIsUrl { origin, problem })
            }
            None => Ok(Some(org)),
        }
    }

    /// The value of a row that has a default.
    fn value(&self, key: &'static str) -> Result<Parsed, SettingsError> {
        Ok(self.optional(key)?.unwrap_or_else(|| panic!("the setting '{key}' has no default")))
    }

    /// The value and where it came from.
    fn raw(&self, key: &'static str) -> Option<(String, String)> {
        let text = self.merged.get_string(key).ok()?;
        let origin = self
            .layers
            .iter()
            .rev()
            .find(|layer| layer.values.contains_key(key))
            .map_or_else(|| "the configuration".to_string(), |layer| layer.origin.clone());
        Some((text, origin))
    }
}

/// The error for a value its row refuses; a secret row's value is never shown.
pub(crate) fn invalid_value(key: &'static str, text: &str, origin: &str, reason: &str) -> SettingsError {
    let row = row(key);
    let reason = if row.secret { reason.to_owned() } else { format!("'{text}': {reason}") };
    SettingsError::Invalid {
        key: row.key,
        env: row.env(),
        origin: origin.to_owned(),
        what: row.what.to_owned(),
        reason,
    }
}
