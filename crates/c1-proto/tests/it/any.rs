use c1_proto::any::type_url;
use c1_proto::connector::v2::{
    ConnectorCapabilities, ExternalLink, GrantExpandable, GroupTrait, RateLimitDescription, SkipEntitlements,
    SkipEntitlementsAndGrants, SkipGrants, UserTrait, V1Identifier, user_trait,
};
use c1_proto::prost::Name;
use c1_proto::prost_types::Any;
use c1_proto::{find_annotation, has_annotation, pack_any, unpack_any};

fn user_trait() -> UserTrait {
    UserTrait {
        emails: vec![user_trait::Email { address: "ada@example.com".into(), is_primary: true }],
        status: Some(user_trait::Status {
            status: user_trait::status::Status::Enabled as i32,
            details: String::new(),
        }),
        account_type: user_trait::AccountType::Human as i32,
        login: "ada".into(),
        employee_ids: vec!["E-1".into()],
        ..Default::default()
    }
}

#[test]
fn pack_uses_the_googleapis_type_url_and_unpack_round_trips() {
    let original = user_trait();
    let packed = pack_any(&original);
    assert_eq!(packed.type_url, "type.googleapis.com/c1.connector.v2.UserTrait");
    assert_eq!(unpack_any::<UserTrait>(&packed).expect("decodes"), Some(original));
}

#[test]
fn unpack_as_another_type_is_none() {
    let packed = pack_any(&user_trait());
    assert_eq!(unpack_any::<GroupTrait>(&packed).expect("no decode attempted"), None);
}

#[test]
fn unpack_of_corrupt_bytes_is_an_error() {
    let corrupt = Any { type_url: type_url::USER_TRAIT.into(), value: vec![0x0a, 0x05, 0x01] };
    assert!(unpack_any::<UserTrait>(&corrupt).is_err());
}

#[test]
fn a_type_url_with_another_host_still_matches() {
    let mut packed = pack_any(&GroupTrait { group_source_type: "team".into(), ..Default::default() });
    packed.type_url = "example.com/c1.connector.v2.GroupTrait".into();
    let unpacked = unpack_any::<GroupTrait>(&packed).expect("decodes").expect("same type");
    assert_eq!(unpacked.group_source_type, "team");
    // Same message name in another package is another type.
    packed.type_url = "type.googleapis.com/other.v1.GroupTrait".into();
    assert_eq!(unpack_any::<GroupTrait>(&packed).expect("no decode attempted"), None);
}

#[test]
fn find_annotation_picks_the_first_of_its_type() {
    let annotations = vec![
        pack_any(&SkipEntitlementsAndGrants {}),
        pack_any(&V1Identifier { id: "first".into() }),
        pack_any(&V1Identifier { id: "second".into() }),
    ];
    let found = find_annotation::<V1Identifier>(&annotations).expect("decodes");
    assert_eq!(found, Some(V1Identifier { id: "first".into() }));
    assert_eq!(find_annotation::<ExternalLink>(&annotations).expect("decodes"), None);
    assert!(has_annotation::<SkipEntitlementsAndGrants>(&annotations));
    assert!(!has_annotation::<SkipGrants>(&annotations));
}

#[test]
fn type_url_constants_equal_the_generated_names() {
    let pairs = [
        (type_url::USER_TRAIT, UserTrait::type_url()),
        (type_url::GROUP_TRAIT, GroupTrait::type_url()),
        (type_url::SKIP_ENTITLEMENTS_AND_GRANTS, SkipEntitlementsAndGrants::type_url()),
        (type_url::SKIP_GRANTS, SkipGrants::type_url()),
        (type_url::SKIP_ENTITLEMENTS, SkipEntitlements::type_url()),
        (type_url::V1_IDENTIFIER, V1Identifier::type_url()),
        (type_url::EXTERNAL_LINK, ExternalLink::type_url()),
        (type_url::GRANT_EXPANDABLE, GrantExpandable::type_url()),
        (type_url::RATE_LIMIT_DESCRIPTION, RateLimitDescription::type_url()),
        (type_url::CONNECTOR_CAPABILITIES, ConnectorCapabilities::type_url()),
    ];
    for (constant, generated) in pairs {
        assert_eq!(constant, generated);
    }
    // Nested messages carry their parent in the full name.
    assert_eq!(user_trait::Email::type_url(), "type.googleapis.com/c1.connector.v2.UserTrait.Email");
}
