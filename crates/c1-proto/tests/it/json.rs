use std::collections::BTreeMap;

use c1_proto::config::v1::{Configuration, Field, StringField, StringRules, field};
use c1_proto::connector::v2::{
    Capability, CapabilityPermissions, ConnectorCapabilities, CredentialDetails, RateLimitDescription,
    Resource, ResourceId, ResourceType, ResourceTypeCapability, SkipEntitlementsAndGrants, Status,
    rate_limit_description, resource_type, status,
};
use c1_proto::json::{
    JsonError, to_json_string_pretty, to_json_value, try_to_json_string_pretty, try_to_json_value,
};
use c1_proto::pack_any;
use c1_proto::prost_types::{Struct, Timestamp, Value, value::Kind};
use serde_json::json;

fn capability(
    id: &str,
    display_name: &str,
    trait_: resource_type::Trait,
    skip: bool,
) -> ResourceTypeCapability {
    ResourceTypeCapability {
        resource_type: Some(ResourceType {
            id: id.into(),
            display_name: display_name.into(),
            traits: vec![trait_ as i32],
            annotations: if skip { vec![pack_any(&SkipEntitlementsAndGrants {})] } else { vec![] },
            ..Default::default()
        }),
        capabilities: vec![Capability::Sync as i32],
        permissions: Some(CapabilityPermissions::default()),
        ..Default::default()
    }
}

#[test]
fn capabilities_in_an_any_print_with_type_camel_case_and_enum_names() {
    let capabilities = ConnectorCapabilities {
        resource_type_capabilities: vec![
            capability("group", "Group", resource_type::Trait::Group, false),
            capability("person", "Person", resource_type::Trait::User, true),
        ],
        connector_capabilities: vec![Capability::Sync as i32],
        credential_details: Some(CredentialDetails {}),
    };
    let value = to_json_value(&pack_any(&capabilities));
    assert_eq!(
        value,
        json!({
            "@type": "type.googleapis.com/c1.connector.v2.ConnectorCapabilities",
            "resourceTypeCapabilities": [
                {
                    "resourceType": { "id": "group", "displayName": "Group", "traits": ["TRAIT_GROUP"] },
                    "capabilities": ["CAPABILITY_SYNC"],
                    "permissions": {}
                },
                {
                    "resourceType": {
                        "id": "person",
                        "displayName": "Person",
                        "traits": ["TRAIT_USER"],
                        "annotations": [
                            { "@type": "type.googleapis.com/c1.connector.v2.SkipEntitlementsAndGrants" }
                        ]
                    },
                    "capabilities": ["CAPABILITY_SYNC"],
                    "permissions": {}
                }
            ],
            "connectorCapabilities": ["CAPABILITY_SYNC"],
            "credentialDetails": {}
        })
    );
}

#[test]
fn pretty_output_keeps_field_order_and_indents_by_two_spaces() {
    let text = to_json_string_pretty(&pack_any(&ConnectorCapabilities {
        resource_type_capabilities: vec![capability("group", "Group", resource_type::Trait::Group, false)],
        connector_capabilities: vec![Capability::Sync as i32],
        credential_details: Some(CredentialDetails {}),
    }));
    let expected = r#"{
  "@type": "type.googleapis.com/c1.connector.v2.ConnectorCapabilities",
  "resourceTypeCapabilities": [
    {
      "resourceType": {
        "id": "group",
        "displayName": "Group",
        "traits": [
          "TRAIT_GROUP"
        ]
      },
      "capabilities": [
        "CAPABILITY_SYNC"
      ],
      "permissions": {}
    }
  ],
  "connectorCapabilities": [
    "CAPABILITY_SYNC"
  ],
  "credentialDetails": {}
}"#;
    assert_eq!(text, expected);
}

#[test]
fn pretty_output_of_a_small_message() {
    let text = to_json_string_pretty(&pack_any(&ConnectorCapabilities {
        connector_capabilities: vec![Capability::Sync as i32],
        ..Default::default()
    }));
    assert_eq!(
        text,
        "{\n  \"@type\": \"type.googleapis.com/c1.connector.v2.ConnectorCapabilities\",\n  \
         \"connectorCapabilities\": [\n    \"CAPABILITY_SYNC\"\n  ]\n}"
    );
}

#[test]
fn configuration_prints_oneof_fields_and_skips_defaults() {
    let configuration = Configuration {
        fields: vec![
            Field {
                name: "api-token".into(),
                display_name: "API Token".into(),
                description: "ChartHop API token".into(),
                is_required: true,
                is_secret: true,
                field: Some(field::Field::StringField(StringField {
                    rules: Some(StringRules { is_required: true, ..Default::default() }),
                    ..Default::default()
                })),
                ..Default::default()
            },
            Field {
                name: "log-level".into(),
                is_ops: true,
                field: Some(field::Field::StringField(StringField {
                    default_value: "info".into(),
                    ..Default::default()
                })),
                ..Default::default()
            },
        ],
        display_name: "ChartHop".into(),
        help_url: "/docs/baton/charthop".into(),
        ..Default::default()
    };
    assert_eq!(
        to_json_value(&configuration),
        json!({
            "fields": [
                {
                    "name": "api-token",
                    "displayName": "API Token",
                    "description": "ChartHop API token",
                    "isRequired": true,
                    "isSecret": true,
                    "stringField": { "rules": { "isRequired": true } }
                },
                { "name": "log-level", "isOps": true, "stringField": { "defaultValue": "info" } }
            ],
            "displayName": "ChartHop",
            "helpUrl": "/docs/baton/charthop"
        })
    );
}

#[test]
fn well_known_types_and_int64_print_canonically() {
    let mut fields = BTreeMap::new();
    fields.insert("title".to_owned(), Value { kind: Some(Kind::StringValue("Engineer".into())) });
    fields.insert("level".to_owned(), Value { kind: Some(Kind::NumberValue(3.0)) });
    let resource = Resource {
        id: Some(ResourceId {
            resource_type: "person".into(),
            resource: "60aa".into(),
            ..Default::default()
        }),
        display_name: "Ada".into(),
        profile: Some(Struct { fields }),
        status: Some(Status { status: status::ResourceStatus::Enabled as i32, details: String::new() }),
        created_at: Some(Timestamp { seconds: 1_767_225_600, nanos: 0 }),
        ..Default::default()
    };
    assert_eq!(
        to_json_value(&resource),
        json!({
            "id": { "resourceType": "person", "resource": "60aa" },
            "displayName": "Ada",
            "profile": { "level": 3.0, "title": "Engineer" },
            "status": { "status": "RESOURCE_STATUS_ENABLED" },
            "createdAt": "2026-01-01T00:00:00Z"
        })
    );

    let rate_limit = RateLimitDescription {
        status: rate_limit_description::Status::Overlimit as i32,
        limit: 100,
        ..Default::default()
    };
    assert_eq!(to_json_value(&rate_limit), json!({ "status": "STATUS_OVERLIMIT", "limit": "100" }));
}

#[test]
fn a_type_outside_the_descriptor_set_is_a_typed_error() {
    // An Any holding a type the pool does not know cannot be printed.
    let unknown =
        c1_proto::prost_types::Any { type_url: "type.googleapis.com/nowhere.Thing".into(), value: vec![] };
    let error = try_to_json_value(&unknown).expect_err("unknown @type");
    assert!(matches!(error, JsonError::Serialize { .. }), "{error:?}");
    let error = try_to_json_string_pretty(&unknown).expect_err("unknown @type");
    assert!(error.to_string().contains("google.protobuf.Any"), "{error}");
}
