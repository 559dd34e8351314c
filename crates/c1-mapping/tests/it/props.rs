//! Whatever ChartHop sends, every emitted value obeys the protos' limits.

use c1_mapping::limits::FIELD_CAP;
use c1_mapping::limits::{
    CUT_MARKER, DESCRIPTION_MAX, DISPLAY_NAME_MAX, EMAIL_MAX, STATUS_DETAILS_MAX, fit, is_valid_email,
};
use c1_mapping::{
    GroupDirectory, PersonExtras, custom_profile_key, member_entitlement, person_resource,
    person_resource_with,
};
use c1_proto::connector::v2::UserTrait;
use c1_proto::prost::Message;
use charthop_domain::{Group, Person, PersonName};
use proptest::prelude::*;

use crate::fixtures::options;

/// Text that is often long, often multi-byte, sometimes control characters.
fn text() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        ".{0,40}".prop_map(Some),
        ("[a-zé€😀 \\x00-\\x1f]{1,8}", 100usize..800).prop_map(|(unit, n)| Some(unit.repeat(n))),
        "[a-z.+]{1,20}@[a-z-]{1,12}(\\.[a-z]{2,4})?".prop_map(Some),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn fit_keeps_a_prefix_within_the_limit(value in ".{0,300}", max in 3usize..200) {
        let (fitted, cut) = fit(&value, max);
        prop_assert!(fitted.len() <= max);
        prop_assert_eq!(cut, value.len() > max);
        if cut {
            prop_assert!(value.starts_with(fitted.trim_end_matches(CUT_MARKER)));
        } else {
            prop_assert_eq!(fitted, value);
        }
    }

    #[test]
    fn persons_always_fit(first in text(), last in text(), preferred in text(), work in text(), home in text(), title in text()) {
        let person = Person {
            id: "p1".into(),
            name: PersonName { first, last, preferred_first: preferred, ..Default::default() },
            work_email: work,
            personal_email: home,
            title,
            ..Default::default()
        };
        let mapped = person_resource(&person, &GroupDirectory::default(), &options(true)).unwrap();
        let resource = mapped.value;
        prop_assert!((1..=DISPLAY_NAME_MAX).contains(&resource.display_name.len()));
        prop_assert!(resource.status.as_ref().unwrap().details.len() <= STATUS_DETAILS_MAX);
        let user = UserTrait::decode(resource.annotations[0].value.as_slice()).unwrap();
        for email in &user.emails {
            prop_assert!(is_valid_email(&email.address) && email.address.len() <= EMAIL_MAX, "{:?}", email.address);
        }
        prop_assert!(user.login.is_empty() || is_valid_email(&user.login));
    }

    #[test]
    fn entitlements_always_fit(name in text(), kind in text(), description in text()) {
        let group = Group {
            id: "g1".into(),
            name: name.unwrap_or_default(),
            type_name: kind,
            description,
            ..Default::default()
        };
        let entitlement = member_entitlement(&group, &GroupDirectory::default()).unwrap().value;
        prop_assert!(entitlement.display_name.len() <= DISPLAY_NAME_MAX);
        prop_assert!(entitlement.description.len() <= DESCRIPTION_MAX);
        let resource = entitlement.resource.unwrap();
        prop_assert!((1..=DISPLAY_NAME_MAX).contains(&resource.display_name.len()));
        prop_assert!(resource.description.len() <= DESCRIPTION_MAX);
    }

    #[test]
    fn extras_are_kept_under_the_cap_with_their_keys_or_left_out(
        manager in text(), code in "[A-Za-z][A-Za-z0-9_.]{0,30}", value in text(), huge in any::<bool>()
    ) {
        let person = Person { id: "p1".into(), ..Default::default() };
        let value = if huge { Some("v".repeat(FIELD_CAP + 1)) } else { value };
        let extras = PersonExtras {
            manager_email: manager,
            custom_fields: value.clone().map(|v| (code.clone(), v)).into_iter().collect(),
            ..Default::default()
        };
        let mapped = person_resource_with(&person, &extras, &GroupDirectory::default(), &options(false));
        let mapped = mapped.expect("only an over-long id refuses a person");
        let profile = mapped.value.profile.unwrap();
        let key = custom_profile_key(&code);
        prop_assert!(key.starts_with("custom_") && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'));
        let trimmed = value.as_deref().map(str::trim).filter(|v| !v.is_empty() && !huge);
        prop_assert_eq!(profile.fields.contains_key(&key), trimmed.is_some());
        prop_assert_eq!(mapped.notes.dropped.contains(&"custom_field"), huge);
        prop_assert!(profile.fields.len() <= 3, "employment_status, manager_email, one custom");
        let largest = profile.fields.values().map(|v| format!("{:?}", v).len()).max().unwrap_or(0);
        prop_assert!(largest <= FIELD_CAP + 64, "a value over the cap was emitted");
    }
}
