//! The connector's configuration schema (`c1.config.v1.Configuration`; `docs/c1-wire.md`,
//! "Capabilities and config output").

use c1_proto::config::v1::{BoolField, Configuration, Field, IntField, StringField, StringRules, field};

use crate::config_names::*;
use crate::metadata::DISPLAY_NAME;

pub const HELP_URL: &str = "/docs/baton/charthop";

pub fn config_schema() -> Configuration {
    Configuration {
        fields: vec![
            Field {
                is_secret: true,
                ..required_string(
                    API_TOKEN,
                    "API Token",
                    "ChartHop API token with read access to people and groups",
                )
            },
            required_string(ORG_ID, "Organization ID", "ChartHop organization id or slug"),
            string(CHARTHOP_URL, "ChartHop URL", "Base URL of the ChartHop API", DEFAULT_CHARTHOP_URL),
            Field {
                field: Some(field::Field::IntField(IntField {
                    default_value: DEFAULT_PAGE_SIZE,
                    ..Default::default()
                })),
                ..described(PAGE_SIZE, "Page size", "Persons or groups asked for per ChartHop request")
            },
            boolean(
                INCLUDE_DEPARTED,
                "Include departed",
                "Sync departed employees too (as disabled accounts)",
                DEFAULT_INCLUDE_DEPARTED,
            ),
            boolean(
                INCLUDE_PERSONAL_EMAIL,
                "Include personal email",
                "Add each person's personal email to their account (personal data: off by default)",
                DEFAULT_INCLUDE_PERSONAL_EMAIL,
            ),
            Field {
                field: Some(field::Field::StringField(StringField {
                    default_value: DEFAULT_MEMBERSHIP_SOURCE.to_owned(),
                    rules: Some(StringRules {
                        r#in: MEMBERSHIP_SOURCES.map(str::to_owned).to_vec(),
                        ..Default::default()
                    }),
                    ..Default::default()
                })),
                ..described(
                    MEMBERSHIP_SOURCE,
                    "Membership source",
                    "How group memberships are read: auto (the person list, else one request per person), \
                     list, or per-person",
                )
            },
            Field {
                is_ops: true,
                ..string(LOG_LEVEL, "Log level", "Log level: debug, info, warn or error", DEFAULT_LOG_LEVEL)
            },
        ],
        display_name: DISPLAY_NAME.to_owned(),
        help_url: HELP_URL.to_owned(),
        ..Default::default()
    }
}

fn described(name: &str, display_name: &str, description: &str) -> Field {
    Field {
        name: name.to_owned(),
        display_name: display_name.to_owned(),
        description: description.to_owned(),
        ..Default::default()
    }
}

/// Required on the field and in its rules, as the SDK marks required strings.
fn required_string(name: &str, display_name: &str, description: &str) -> Field {
    Field {
        is_required: true,
        field: Some(field::Field::StringField(StringField {
            rules: Some(StringRules { is_required: true, ..Default::default() }),
            ..Default::default()
        })),
        ..described(name, display_name, description)
    }
}

fn string(name: &str, display_name: &str, description: &str, default_value: &str) -> Field {
    Field {
        field: Some(field::Field::StringField(StringField {
            default_value: default_value.to_owned(),
            ..Default::default()
        })),
        ..described(name, display_name, description)
    }
}

fn boolean(name: &str, display_name: &str, description: &str, default_value: bool) -> Field {
    Field {
        field: Some(field::Field::BoolField(BoolField { default_value, ..Default::default() })),
        ..described(name, display_name, description)
    }
}
