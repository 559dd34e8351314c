use std::collections::BTreeMap;
use std::io::Write;

use super::settings::*;

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn load(flags: &[(&str, &str)], env: &[(&str, &str)], file: Option<&str>) -> Result<Settings, SettingsError> {
    let dir = tempfile::tempdir().unwrap();
    let config_path = file.map(|text| {
        let path = dir.path().join(".baton.yaml");
        std::fs::File::create(&path).unwrap().write_all(text.as_bytes()).unwrap();
        path
    });
    Settings::load(&Inputs { flags: map(flags), env: map(env), config_path, config_path_named_by: None })
}

#[test]
fn defaults_follow_the_baton_conventions() {
    let s = load(&[], &[], None).unwrap();
    assert_eq!(s.file, std::path::PathBuf::from("sync.c1z"));
    assert_eq!(s.log_level, LogLevel::Info);
    assert_eq!(s.page_size, 1000);
    assert!(s.include_departed);
    assert!(!s.include_personal_email);
    assert_eq!(s.membership_source, charthop_connector::MembershipSource::Auto);
    assert_eq!(s.health_check_port, 8081);
    assert_eq!(s.task_concurrency, 3);
    assert!(!s.service_mode());
}

#[test]
fn flag_beats_environment_beats_file() {
    let file = "org-id: from-file\npage-size: 10\nlog-level: warn\n";
    let env = [("BATON_ORG_ID", "from-env"), ("BATON_PAGE_SIZE", "20")];
    let s = load(&[("org-id", "from-flag")], &env, Some(file)).unwrap();
    assert_eq!(s.org_id.as_deref(), Some("from-flag"));
    assert_eq!(s.page_size, 20);
    assert_eq!(s.log_level, LogLevel::Warn);
}

#[test]
fn unknown_file_key_is_named() {
    let err = load(&[], &[], Some("org-id: x\npage_sise: 3\n")).unwrap_err().to_string();
    assert!(err.contains("unknown key 'page_sise'"), "{err}");
}

#[test]
fn bad_value_names_flag_variable_and_origin() {
    let err = load(&[], &[("BATON_PAGE_SIZE", "lots")], None).unwrap_err().to_string();
    assert!(err.contains("--page-size / BATON_PAGE_SIZE"), "{err}");
    assert!(err.contains("the environment"), "{err}");
    assert!(err.contains("'lots'"), "{err}");
}

#[test]
fn missing_token_names_flag_and_variable() {
    let s = load(&[("org-id", "acme")], &[], None).unwrap();
    let err = s.charthop_credentials().unwrap_err().to_string();
    assert_eq!(err, "missing ChartHop API token: pass --api-token or set BATON_API_TOKEN");
}

#[test]
fn service_credentials_go_together() {
    let err = load(&[("client-id", "a@b/c")], &[], None).unwrap_err().to_string();
    assert!(err.contains("the client secret is missing"), "{err}");
    let s = load(&[("client-id", "a@b/c")], &[("BATON_CLIENT_SECRET", "s3cr3t")], None).unwrap();
    assert!(s.service_mode());
}

#[test]
fn secrets_never_print_in_debug() {
    let s = load(
        &[("api-token", "tok-123456")],
        &[("BATON_CLIENT_SECRET", "sec-987"), ("BATON_CLIENT_ID", "x")],
        None,
    )
    .unwrap();
    let shown = format!("{s:?}");
    assert!(!shown.contains("tok-123456") && !shown.contains("sec-987"), "{shown}");
    assert_eq!(s.api_token.as_ref().unwrap().expose(), "tok-123456");
}

#[test]
fn unreadable_required_file_is_an_error() {
    let inputs = Inputs {
        config_path: Some("/nonexistent/baton.yaml".into()),
        config_path_named_by: Some("named by BATON_CONFIG_PATH"),
        ..Default::default()
    };
    let err = Settings::load(&inputs).unwrap_err().to_string();
    assert!(
        err.starts_with("cannot read config file /nonexistent/baton.yaml (named by BATON_CONFIG_PATH):"),
        "{err}"
    );
}

#[test]
fn booleans_accept_explicit_false() {
    let s =
        load(&[("include-departed", "false")], &[("BATON_INCLUDE_PERSONAL_EMAIL", "true")], None).unwrap();
    assert!(!s.include_departed);
    assert!(s.include_personal_email);
}

#[test]
fn data_safety_settings_have_defaults_and_accept_units() {
    use std::time::Duration;
    let s = load(&[], &[], None).unwrap();
    assert_eq!(s.max_removed_ratio, 0.2);
    assert_eq!(s.snapshot_wait, Duration::from_secs(300));
    assert_eq!(s.http_timeout, Duration::from_secs(300));
    assert_eq!(s.max_page_bytes, 64 << 20);
    let file = "max-removed-ratio: 1\nsnapshot-wait: 10m\n";
    let env = [("BATON_HTTP_TIMEOUT_SECONDS", "30"), ("BATON_MAX_PAGE_BYTES", "8MiB")];
    let s = load(&[("snapshot-wait", "90")], &env, Some(file)).unwrap();
    assert_eq!(s.max_removed_ratio, 1.0);
    assert_eq!(s.snapshot_wait, Duration::from_secs(90));
    assert_eq!(s.http_timeout, Duration::from_secs(30));
    assert_eq!(s.max_page_bytes, 8 << 20);
    let err = load(&[("max-removed-ratio", "1.5")], &[], None).unwrap_err().to_string();
    assert!(err.contains("--max-removed-ratio / BATON_MAX_REMOVED_RATIO"), "{err}");
}

#[test]
fn yaml_anchors_and_aliases_are_refused_with_file_and_line() {
    let err = load(&[], &[], Some("org-id: &o acme\nfile: *o\n")).unwrap_err().to_string();
    assert!(err.starts_with("cannot read config file "), "{err}");
    assert!(err.contains(".baton.yaml") && err.contains("line 1:") && err.contains("not supported"), "{err}");
}

#[test]
fn a_config_file_over_one_mib_is_refused() {
    let big = format!("org-id: acme\n#{}\n", "x".repeat(1 << 20));
    let err = load(&[], &[], Some(&big)).unwrap_err().to_string();
    assert!(err.contains(".baton.yaml") && err.contains("larger than 1024 KiB"), "{err}");
}

#[test]
fn secrets_given_as_flags_are_noted_for_a_warning() {
    let s = load(
        &[("api-token", "t"), ("org-id", "o")],
        &[("BATON_CLIENT_SECRET", "s"), ("BATON_CLIENT_ID", "i")],
        None,
    )
    .unwrap();
    assert_eq!(s.secrets_on_command_line, ["api-token"]);
    let s = load(&[], &[("BATON_API_TOKEN", "t")], None).unwrap();
    assert!(s.secrets_on_command_line.is_empty());
}

#[test]
fn extra_fields_and_group_types_are_comma_lists_or_yaml_lists() {
    let s = load(&[], &[], None).unwrap();
    assert!(s.extra_fields.is_empty());
    assert_eq!(s.group_types, None, "unset: every group type");
    let s = load(
        &[("extra-fields", " costCenter, ,customFields.shirtSize ")],
        &[("BATON_GROUP_TYPES", "DEPARTMENT,team")],
        None,
    )
    .unwrap();
    assert_eq!(s.extra_fields, ["costCenter", "customFields.shirtSize"]);
    assert_eq!(s.group_types.as_deref(), Some(&["DEPARTMENT".to_owned(), "team".to_owned()][..]));
    let file = "extra-fields: [costCenter, level]\ngroup-types:\n  - TEAM\n";
    let s = load(&[], &[], Some(file)).unwrap();
    assert_eq!(s.extra_fields, ["costCenter", "level"]);
    assert_eq!(s.group_types, Some(vec!["TEAM".to_owned()]));
    assert_eq!(load(&[("group-types", " , ")], &[], None).unwrap().group_types, None);
}

#[test]
fn an_extra_field_that_is_not_a_field_code_is_refused_at_load_naming_it() {
    let err = load(&[], &[("BATON_EXTRA_FIELDS", "costCenter,shirt size")], None).unwrap_err().to_string();
    assert!(err.contains("--extra-fields / BATON_EXTRA_FIELDS"), "{err}");
    assert!(err.contains("'shirt size'") && err.contains("the environment"), "{err}");
    let err = load(&[], &[], Some("page-size: [1, 2]\n")).unwrap_err().to_string();
    assert!(err.contains("must be a single value"), "{err}");
}

#[test]
fn an_org_id_that_is_an_address_is_refused_at_load_with_the_slug() {
    let err = load(&[("org-id", "https://app.charthop.com/acme-inc/home")], &[], None).unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("invalid --org-id / BATON_ORG_ID (from the command line)"), "{text}");
    assert!(text.contains("slug 'acme-inc'") && text.contains("https://api.charthop.com"), "{text}");
    assert!(crate::hints::hint(&err).is_some_and(|h| h.contains("the slug")));
    assert_eq!(load(&[("org-id", "acme-inc")], &[], None).unwrap().org_id.as_deref(), Some("acme-inc"));
}
