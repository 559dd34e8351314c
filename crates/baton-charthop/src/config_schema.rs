//! The connector's configuration schema (`c1.config.v1.Configuration`; `docs/c1-wire.md`,
//! "Capabilities and config output"), made from the rows of the settings table that have a
//! schema field. `config` prints it; the committed `config_schema.json` must equal that output.

use c1_proto::config::v1::{BoolField, Configuration, Field, IntField, StringField, StringRules, field};
use c1_proto::json::to_json_string_pretty;

use crate::setting_table::{Kind, Row, SchemaField, TABLE};

pub const HELP_URL: &str = "/docs/baton/charthop";

pub fn config_schema() -> Configuration {
    Configuration {
        fields: TABLE.iter().filter_map(|row| row.schema.map(|schema| schema_field(row, &schema))).collect(),
        display_name: c1_mapping::DISPLAY_NAME.to_owned(),
        help_url: HELP_URL.to_owned(),
        ..Default::default()
    }
}

/// Protobuf JSON in field-number order, 2-space indent, one trailing newline.
pub fn config_json() -> String {
    to_json_string_pretty(&config_schema()) + "\n"
}

fn schema_field(row: &Row, schema: &SchemaField) -> Field {
    let default = row.default.map(|text| row.kind.parse(text).expect("the defaults parse"));
    let value = match (row.kind, default) {
        (Kind::Bool, default) => field::Field::BoolField(BoolField {
            default_value: default.is_some_and(|v| v.bool()),
            ..Default::default()
        }),
        (Kind::Int { .. }, default) => field::Field::IntField(IntField {
            default_value: default.map_or(0, |v| i64::from(v.int())),
            ..Default::default()
        }),
        (kind, _) => {
            let choices = match kind {
                Kind::Word { words, .. } if schema.choices => words.iter().map(|w| w.to_string()).collect(),
                _ => Vec::new(),
            };
            // Required on the field and in its rules, as the SDK marks required strings.
            let rules = (schema.required || !choices.is_empty()).then(|| StringRules {
                is_required: schema.required,
                r#in: choices,
                ..Default::default()
            });
            field::Field::StringField(StringField {
                default_value: row.default.unwrap_or_default().to_owned(),
                rules,
                ..Default::default()
            })
        }
    };
    Field {
        name: row.key.to_owned(),
        display_name: schema.display_name.to_owned(),
        description: schema.description.to_owned(),
        is_required: schema.required,
        is_secret: row.secret,
        is_ops: schema.ops,
        field: Some(value),
        ..Default::default()
    }
}
