use c1_mapping::{capabilities_json, connector_metadata, resource_types};

#[test]
fn resource_types_snapshot() {
    let types: Vec<_> = resource_types().iter().map(c1_proto::json::to_json_value).collect();
    insta::assert_json_snapshot!(types);
}

#[test]
fn capabilities_json_snapshot() {
    let text = capabilities_json();
    assert!(text.ends_with("}\n"), "one trailing newline");
    assert!(
        text.starts_with("{\n  \"@type\": \"type.googleapis.com/c1.connector.v2.ConnectorCapabilities\"")
    );
    insta::assert_snapshot!(text);
}

#[test]
fn metadata_carries_the_capabilities() {
    let metadata = connector_metadata();
    assert_eq!(metadata.display_name, "ChartHop");
    assert!(!metadata.description.is_empty());
    assert_eq!(metadata.capabilities, Some(c1_mapping::capabilities()));
    assert!(metadata.help_url.is_empty() || metadata.help_url.starts_with("https://"));
}

#[test]
fn printed_json_is_the_canonical_protobuf_json_in_field_order() {
    let capabilities: serde_json::Value = serde_json::from_str(&capabilities_json()).expect("valid JSON");
    let packed = c1_proto::pack_any(&c1_mapping::capabilities());
    assert_eq!(capabilities, c1_proto::json::to_json_value(&packed));

    // Field-number order, as Go's protojson writes it (`docs/c1-wire.md` shows this order).
    let text = capabilities_json();
    let position = |key: &str| text.find(key).unwrap_or_else(|| panic!("{key} missing"));
    assert!(position("\"resourceTypeCapabilities\"") < position("\"connectorCapabilities\""));
    assert!(position("\"connectorCapabilities\"") < position("\"credentialDetails\""));
}
