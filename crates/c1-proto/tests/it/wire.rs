//! Field numbers and wire types checked on the encoded bytes against the spec tables.

use std::collections::BTreeMap;

use c1_proto::connector::v2::{
    AssetRef, Capability, ConnectorCapabilities, ConnectorMetadata, Entitlement, Grant, GrantSources,
    Resource, ResourceId, ResourceType, Status, UserTrait, entitlement, grant_sources, resource_type, status,
    user_trait,
};
use c1_proto::pack_any;
use c1_proto::prost::Message;
use c1_proto::prost_types::{Struct, Timestamp, Value, value::Kind};

const VARINT: u8 = 0;
const LEN: u8 = 2;

/// One top-level field of an encoded message.
#[derive(Debug, PartialEq)]
struct Field {
    number: u64,
    wire_type: u8,
    payload: Vec<u8>,
}

fn read_varint(bytes: &[u8], at: &mut usize) -> u64 {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = bytes[*at];
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            break;
        }
    }
    value
}

/// Splits an encoding into its top-level fields (only varint and length-delimited occur here).
fn fields(bytes: &[u8]) -> Vec<Field> {
    let mut at = 0;
    let mut out = Vec::new();
    while at < bytes.len() {
        let key = read_varint(bytes, &mut at);
        let wire_type = (key & 7) as u8;
        let payload = match wire_type {
            VARINT => {
                let start = at;
                read_varint(bytes, &mut at);
                bytes[start..at].to_vec()
            }
            LEN => {
                let len = read_varint(bytes, &mut at) as usize;
                at += len;
                bytes[at - len..at].to_vec()
            }
            other => panic!("unexpected wire type {other}"),
        };
        out.push(Field { number: key >> 3, wire_type, payload });
    }
    out
}

fn numbers(bytes: &[u8]) -> Vec<(u64, u8)> {
    fields(bytes).iter().map(|f| (f.number, f.wire_type)).collect()
}

fn field(bytes: &[u8], number: u64) -> Field {
    fields(bytes).into_iter().find(|f| f.number == number).unwrap_or_else(|| panic!("field {number} missing"))
}

fn profile() -> Struct {
    let mut fields = BTreeMap::new();
    fields.insert("title".to_owned(), Value { kind: Some(Kind::StringValue("Engineer".into())) });
    Struct { fields }
}

#[test]
fn resource_fields_are_numbered_as_the_spec_says() {
    let resource = Resource {
        id: Some(ResourceId {
            resource_type: "person".into(),
            resource: "60aa".into(),
            baton_resource: false,
        }),
        parent_resource_id: Some(ResourceId {
            resource_type: "group".into(),
            resource: "5f1c".into(),
            ..Default::default()
        }),
        display_name: "Ada Lovelace".into(),
        annotations: vec![pack_any(&UserTrait::default())],
        description: "d".into(),
        baton_resource: true,
        profile: Some(profile()),
        icon: Some(AssetRef { id: "icon".into() }),
        status: Some(Status { status: status::ResourceStatus::Disabled as i32, details: "left".into() }),
        created_at: Some(Timestamp { seconds: 1, nanos: 0 }),
    };
    let bytes = resource.encode_to_vec();
    assert_eq!(
        numbers(&bytes),
        [
            (1, LEN),
            (2, LEN),
            (3, LEN),
            (4, LEN),
            (5, LEN),
            (6, VARINT),
            (9, LEN),
            (10, LEN),
            (11, LEN),
            (12, LEN)
        ]
    );
    // Status (11): status=1 enum DISABLED (2), details=2.
    let status = field(&bytes, 11);
    assert_eq!(numbers(&status.payload), [(1, VARINT), (2, LEN)]);
    assert_eq!(field(&status.payload, 1).payload, [2]);
    // ResourceId: resource_type=1, resource=2.
    assert_eq!(field(&field(&bytes, 1).payload, 2).payload, b"60aa");
}

#[test]
fn resource_type_entitlement_and_grant_numbers() {
    let resource_type = ResourceType {
        id: "group".into(),
        display_name: "Group".into(),
        traits: vec![resource_type::Trait::Group as i32],
        annotations: vec![],
        description: "x".into(),
        sourced_externally: true,
    };
    let bytes = resource_type.encode_to_vec();
    assert_eq!(numbers(&bytes), [(1, LEN), (2, LEN), (3, LEN), (5, LEN), (6, VARINT)]);
    assert_eq!(field(&bytes, 3).payload, [2], "traits are packed: TRAIT_GROUP = 2");

    let entitlement = Entitlement {
        resource: Some(Resource::default()),
        id: "group:5f1c:member".into(),
        display_name: "member".into(),
        description: "d".into(),
        grantable_to: vec![resource_type.clone()],
        annotations: vec![pack_any(&resource_type)],
        purpose: entitlement::PurposeValue::Assignment as i32,
        slug: "member".into(),
    };
    let bytes = entitlement.encode_to_vec();
    assert_eq!(
        numbers(&bytes),
        [(1, LEN), (2, LEN), (3, LEN), (4, LEN), (5, LEN), (6, LEN), (7, VARINT), (8, LEN)]
    );
    assert_eq!(field(&bytes, 7).payload, [1]);

    let grant = Grant {
        entitlement: Some(entitlement),
        principal: Some(Resource::default()),
        id: "g".into(),
        annotations: vec![pack_any(&resource_type)],
        sources: Some(GrantSources::default()),
    };
    assert_eq!(numbers(&grant.encode_to_vec()), [(1, LEN), (2, LEN), (3, LEN), (4, LEN), (5, LEN)]);
}

#[test]
fn user_trait_numbers_include_structured_name_and_employee_ids() {
    let user = UserTrait {
        emails: vec![user_trait::Email { address: "a@b.c".into(), is_primary: true }],
        status: Some(user_trait::Status {
            status: user_trait::status::Status::Enabled as i32,
            details: String::new(),
        }),
        profile: Some(profile()),
        account_type: user_trait::AccountType::Human as i32,
        login: "a".into(),
        mfa_status: Some(user_trait::MfaStatus { mfa_enabled: true }),
        sso_status: Some(user_trait::SsoStatus { sso_enabled: true }),
        structured_name: Some(user_trait::StructuredName {
            given_name: "Ada".into(),
            family_name: "Lovelace".into(),
            ..Default::default()
        }),
        employee_ids: vec!["E-1".into()],
        ..Default::default()
    };
    let bytes = user.encode_to_vec();
    assert_eq!(
        numbers(&bytes),
        [(1, LEN), (2, LEN), (3, LEN), (5, VARINT), (6, LEN), (10, LEN), (11, LEN), (12, LEN), (13, LEN)]
    );
    assert_eq!(numbers(&field(&bytes, 12).payload), [(1, LEN), (2, LEN)]);
}

#[test]
fn connector_metadata_and_capabilities_numbers() {
    let metadata = ConnectorMetadata {
        display_name: "ChartHop".into(),
        help_url: "https://example.com".into(),
        description: "d".into(),
        capabilities: Some(ConnectorCapabilities {
            resource_type_capabilities: vec![],
            connector_capabilities: vec![Capability::Sync as i32, Capability::CredentialIssue as i32],
            credential_details: Some(Default::default()),
        }),
        ..Default::default()
    };
    let bytes = metadata.encode_to_vec();
    assert_eq!(numbers(&bytes), [(1, LEN), (2, LEN), (7, LEN), (8, LEN)]);
    let capabilities = field(&bytes, 8).payload;
    assert_eq!(numbers(&capabilities), [(2, LEN), (3, LEN)]);
    assert_eq!(field(&capabilities, 2).payload, [2, 14], "SYNC = 2, CREDENTIAL_ISSUE = 14, packed");
}

#[test]
fn maps_encode_in_key_order() {
    let mut sources = BTreeMap::new();
    sources.insert("b".to_owned(), grant_sources::GrantSource { is_direct: true });
    sources.insert("a".to_owned(), grant_sources::GrantSource { is_direct: false });
    let bytes = GrantSources { sources }.encode_to_vec();
    let entries = fields(&bytes);
    assert_eq!(entries.len(), 2);
    let keys: Vec<_> = entries.iter().map(|entry| field(&entry.payload, 1).payload).collect();
    assert_eq!(keys, [b"a".to_vec(), b"b".to_vec()]);
}
