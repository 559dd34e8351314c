//! A ChartHop group as a C1 `group` resource, its `member` entitlement and membership grants.

use std::borrow::Cow;

use c1_proto::connector::v2::{Entitlement, Grant, GroupTrait, Resource, ResourceId, entitlement};
use c1_proto::pack_any;
use charthop_domain::{Group, Person};

use crate::directory::{GroupDirectory, group_display_name};
use crate::group_fields::{group_profile, member_description, member_display_name};
use crate::ids;
use crate::limits::{DESCRIPTION_MAX, DISPLAY_NAME_MAX, FIELD_CAP};
use crate::notes::{Mapped, MappingNotes, RowRefused, check_id, drop_over_cap};
use crate::person::{fitted, person_resource_id};
use crate::proto_values::profile_struct;
use crate::resource_types::person_resource_type;
use crate::text::non_blank;

/// The resource id of a group.
pub fn group_resource_id(group_id: &str) -> ResourceId {
    ResourceId { resource_type: ids::GROUP.to_owned(), resource: group_id.to_owned(), ..Default::default() }
}

/// The group as a resource with a group trait; the trait and the resource carry the same
/// profile. The parent group is named in the profile, not in `parent_resource_id`: C1 only
/// accepts a parent whose type declares child resource types, which `group` does not.
/// Over-long texts are cut and values over the field cap left out (noted); only a group whose
/// id [`check_group`] refuses is refused here too.
pub fn group_resource(group: &Group, groups: &GroupDirectory) -> Result<Mapped<Resource>, RowRefused> {
    check_group(group)?;
    let mut notes = MappingNotes::default();
    let group = within_cap(group, &mut notes);
    let resource = group_resource_fitted(&group, groups, &mut notes);
    Ok(Mapped { value: resource, notes })
}

fn group_resource_fitted(group: &Group, groups: &GroupDirectory, notes: &mut MappingNotes) -> Resource {
    let profile = profile_struct(&group_profile(group, groups));
    let trait_ = GroupTrait { profile: Some(profile.clone()), ..Default::default() };
    let description = non_blank(group.description.as_deref()).unwrap_or_default();
    Resource {
        id: Some(group_resource_id(&group.id)),
        display_name: fitted(&group_display_name(group), DISPLAY_NAME_MAX, "display_name", notes),
        description: fitted(description, DESCRIPTION_MAX, "description", notes),
        annotations: vec![pack_any(&trait_)],
        profile: Some(profile),
        ..Default::default()
    }
}

/// Refuses a group whose id is too long (an id cannot be cut). The caller must leave refused
/// groups out of the [`GroupDirectory`], so that no entitlement or grant points at them.
pub fn check_group(group: &Group) -> Result<(), RowRefused> {
    check_id(ids::GROUP, &group.id)
}

/// The group without values over the cap (noted), borrowed when nothing is that large. A huge
/// description must not take the group, and every membership in it, out of the sync.
fn within_cap<'a>(group: &'a Group, notes: &mut MappingNotes) -> Cow<'a, Group> {
    let over = |value: Option<&str>| value.is_some_and(|v| v.len() > FIELD_CAP);
    let fields = [
        Some(group.name.as_str()),
        group.slug.as_deref(),
        group.code.as_deref(),
        group.type_id.as_deref(),
        group.type_name.as_deref(),
        group.parent_group_id.as_deref(),
        group.description.as_deref(),
    ];
    if !fields.into_iter().any(over) {
        return Cow::Borrowed(group);
    }
    let mut copy = group.clone();
    if copy.name.len() > FIELD_CAP {
        copy.name = String::new();
        notes.dropped.push("name");
    }
    drop_over_cap(&mut copy.slug, "slug", notes);
    drop_over_cap(&mut copy.code, "code", notes);
    drop_over_cap(&mut copy.type_id, "type", notes);
    drop_over_cap(&mut copy.type_name, "type_name", notes);
    drop_over_cap(&mut copy.parent_group_id, "parent_group_id", notes);
    drop_over_cap(&mut copy.description, "description", notes);
    Cow::Owned(copy)
}

/// The group's one entitlement, `member`, embedding the full group resource (as the SDK
/// does), grantable to persons. The notes cover the entitlement's own texts only (the
/// embedded resource's are [`group_resource`]'s).
pub fn member_entitlement(group: &Group, groups: &GroupDirectory) -> Result<Mapped<Entitlement>, RowRefused> {
    check_group(group)?;
    let mut notes = MappingNotes::default();
    let group = &*within_cap(group, &mut MappingNotes::default());
    let resource = group_resource_fitted(group, groups, &mut MappingNotes::default());
    let entitlement = Entitlement {
        resource: Some(resource),
        id: ids::member_entitlement_id(&group.id),
        display_name: fitted(
            &member_display_name(group),
            DISPLAY_NAME_MAX,
            "entitlement_display_name",
            &mut notes,
        ),
        description: fitted(
            &member_description(group),
            DESCRIPTION_MAX,
            "entitlement_description",
            &mut notes,
        ),
        grantable_to: vec![person_resource_type()],
        purpose: entitlement::PurposeValue::Assignment as i32,
        slug: ids::MEMBER.to_owned(),
        ..Default::default()
    };
    Ok(Mapped { value: entitlement, notes })
}

/// The grant saying that a person is a member of a group. Grants are the most numerous
/// rows, so they carry only what readers need: the entitlement's id and resource id, and
/// the principal's id. This does not check that the group exists: see [`person_grants`].
pub fn membership_grant(group_id: &str, person_id: &str) -> Grant {
    let entitlement = Entitlement {
        resource: Some(Resource { id: Some(group_resource_id(group_id)), ..Default::default() }),
        id: ids::member_entitlement_id(group_id),
        ..Default::default()
    };
    Grant {
        entitlement: Some(entitlement),
        principal: Some(Resource { id: Some(person_resource_id(person_id)), ..Default::default() }),
        id: ids::membership_grant_id(group_id, person_id),
        ..Default::default()
    }
}

/// A person's membership grants, and the memberships that name no synced group.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PersonGrants {
    /// One grant per distinct known group, in the order ChartHop listed them.
    pub grants: Vec<Grant>,
    /// Group ids not in the directory; no grant is made for them (it would dangle).
    pub unknown_group_ids: Vec<String>,
}

/// One grant per group of `person.group_ids` that is in `groups`. Repeated ids give one
/// grant (grant ids must be unique in a sync). A person whose `group_ids` is `None` has no
/// grants here: the caller must fetch the memberships and fill them in first.
pub fn person_grants(person: &Person, groups: &GroupDirectory) -> PersonGrants {
    let mut result = PersonGrants::default();
    let mut seen = std::collections::HashSet::new();
    for group_id in person.group_ids.iter().flatten() {
        if !seen.insert(group_id.as_str()) {
            continue;
        }
        if groups.contains(group_id) {
            result.grants.push(membership_grant(group_id, &person.id));
        } else {
            result.unknown_group_ids.push(group_id.clone());
        }
    }
    result
}
