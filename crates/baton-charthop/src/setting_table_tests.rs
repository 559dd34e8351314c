//! The table against what is made from it: flags, variables, schema, committed files, README.

use std::collections::BTreeSet;
use std::path::Path;

use crate::setting_table::{TABLE, row};
use crate::settings::{Inputs, Settings, invalid_value};

fn workspace_file(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_variable_is_baton_and_the_upper_snake_case_key() {
    let mut variables = BTreeSet::new();
    for row in TABLE {
        assert!(
            row.key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{}",
            row.key
        );
        let snake: String =
            row.key.chars().map(|c| if c == '-' { '_' } else { c.to_ascii_uppercase() }).collect();
        assert_eq!(row.env(), format!("BATON_{snake}"));
        assert!(variables.insert(row.env()), "{} twice", row.env());
    }
    // The variables service mode and the file lookup read are rows like the others.
    for variable in ["BATON_HOST_ID", "BATON_C1_API_HOST", "BATON_CONFIG_PATH", "BATON_WORK_DIR"] {
        assert!(variables.contains(variable), "{variable} is not a row");
    }
}

#[test]
fn every_flag_is_a_row_and_every_row_a_flag() {
    let command = crate::cli::command();
    let flags: BTreeSet<&str> =
        command.get_arguments().filter(|arg| arg.is_global_set()).map(|arg| arg.get_id().as_str()).collect();
    let rows: BTreeSet<&str> = TABLE.iter().map(|row| row.key).collect();
    assert_eq!(flags, rows);
    let help = command.clone().render_long_help().to_string();
    for row in TABLE {
        assert!(help.contains(&format!("--{}", row.key)), "--help lacks --{}", row.key);
        assert!(help.contains(&format!("[env: {}]", row.env())), "--help lacks {}", row.env());
        if let Some(default) = row.default {
            assert!(help.contains(&format!("[default: {default}]")), "--help lacks {}'s default", row.key);
        }
    }
}

#[test]
fn every_default_parses_and_every_row_is_read() {
    for row in TABLE {
        if let Some(default) = row.default {
            assert!(row.kind.parse(default).is_ok(), "{}'s default {default:?}", row.key);
        }
    }
    let (_, read) = Settings::load_reading(&Inputs::default()).unwrap();
    // Read before layering: it names the file that is a layer.
    let unread: Vec<&str> =
        TABLE.iter().map(|row| row.key).filter(|key| !read.contains(key) && *key != "config-path").collect();
    assert!(unread.is_empty(), "settings no code reads: {unread:?}");
}

#[test]
fn secret_rows_never_print_in_debug_or_errors() {
    let secrets: Vec<_> = TABLE.iter().filter(|row| row.secret).collect();
    assert_eq!(secrets.iter().map(|row| row.key).collect::<Vec<_>>(), ["api-token", "client-secret"]);
    let value = |key: &str| format!("value-of-{key}-4f2a");
    for layer in ["flag", "env", "file"] {
        let mut inputs = Inputs::default();
        let dir = tempfile::tempdir().unwrap();
        let mut file = String::from("client-id: someone@tenant.example/x\n");
        for row in &secrets {
            match layer {
                "flag" => drop(inputs.flags.insert(row.key.into(), value(row.key))),
                "env" => drop(inputs.env.insert(row.env(), value(row.key))),
                _ => file.push_str(&format!("{}: {}\n", row.key, value(row.key))),
            }
        }
        std::fs::write(dir.path().join("b.yaml"), &file).unwrap();
        inputs.config_path = Some(dir.path().join("b.yaml"));
        let settings = Settings::load(&inputs).unwrap();
        let shown = format!("{settings:?}");
        for row in &secrets {
            assert!(!shown.contains(&value(row.key)), "{} shows in Debug from the {layer}", row.key);
        }
    }
    for row in TABLE {
        let error = invalid_value(row.key, "the-value-7c1e", "the command line", "refused");
        let shown = format!("{error} {error:?}");
        assert_eq!(!shown.contains("the-value-7c1e"), row.secret, "{}: {shown}", row.key);
    }
}

#[test]
fn the_committed_json_files_are_what_the_binary_prints() {
    assert_eq!(
        workspace_file("config_schema.json"),
        crate::config_schema::config_json(),
        "run `cargo xtask schemas`"
    );
    assert_eq!(
        workspace_file("baton_capabilities.json"),
        c1_mapping::capabilities_json(),
        "run `cargo xtask schemas`"
    );
}

#[test]
fn the_printed_schema_is_the_canonical_protobuf_json_with_one_trailing_newline() {
    let text = crate::config_schema::config_json();
    assert!(text.ends_with("}\n") && !text.ends_with("\n\n"), "one trailing newline");
    let printed: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(printed, c1_proto::json::to_json_value(&crate::config_schema::config_schema()));
    // Field-number order, as Go's protojson writes it: fields (1), display name (2), help URL (3).
    let at = |key: &str| text.rfind(key).unwrap_or_else(|| panic!("{key} missing"));
    assert!(
        at("\"fields\"") < at("\"displayName\": \"ChartHop\"")
            && at("\"displayName\": \"ChartHop\"") < at("\"helpUrl\"")
    );
}

#[test]
fn the_schema_gives_each_schema_row_its_kind_default_and_secrecy() {
    let schema: serde_json::Value = serde_json::from_str(&crate::config_schema::config_json()).unwrap();
    let fields = schema["fields"].as_array().unwrap();
    let rows: Vec<_> = TABLE.iter().filter(|row| row.schema.is_some()).collect();
    assert_eq!(fields.len(), rows.len());
    for (field, row) in fields.iter().zip(rows) {
        assert_eq!(field["name"], row.key);
        assert_eq!(field["isSecret"].as_bool().unwrap_or(false), row.secret, "{}", row.key);
        let default = ["stringField", "intField", "boolField"]
            .iter()
            .find_map(|kind| field.get(kind))
            .map(|value| value.get("defaultValue").cloned());
        let default = default.unwrap_or_else(|| panic!("{} has no value kind", row.key));
        match (row.default, default) {
            (Some(want), Some(got)) => assert_eq!(got.to_string().trim_matches('"'), want, "{}", row.key),
            (Some("false"), None) | (None, None) => {}
            (want, got) => panic!("{}: default {want:?} shown as {got:?}", row.key),
        }
    }
    // Operators' settings, not the connector's configuration.
    for key in ["host-id", "c1-api-host", "work-dir", "config-path", "client-secret"] {
        assert!(row(key).schema.is_none(), "{key} in the C1 schema");
    }
    for key in ["max-removed-ratio", "snapshot-wait", "http-timeout-seconds", "max-page-bytes", "log-level"] {
        assert!(row(key).schema.is_some_and(|s| s.ops), "{key} is an ops field");
    }
}

#[test]
fn the_readme_settings_table_has_a_line_per_row_with_variable_and_default() {
    let readme = workspace_file("README.md");
    for row in TABLE {
        let flag = format!("`--{}`", row.key);
        let line = readme
            .lines()
            .find(|line| line.starts_with('|') && line.contains(&flag))
            .unwrap_or_else(|| panic!("README.md's settings table lacks {flag}"));
        assert!(line.contains(&format!("`{}`", row.env())), "{line}");
        if let Some(default) = row.default {
            assert!(line.contains(&format!("`{default}`")), "{line} lacks the default {default}");
        }
    }
}
