use c1_mapping::MappingOptions;

use crate::Baseline;

/// The default [`SyncOptions::max_removed_ratio`].
pub const DEFAULT_MAX_REMOVED_RATIO: f64 = 0.2;

/// Where group memberships come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MembershipSource {
    /// `groupIds` on the person list; one `?fields=groupIds` request per person for the rows
    /// of a page that come back without the key.
    #[default]
    Auto,
    /// Only the person list: a page whose rows lack `groupIds` is an error.
    List,
    /// One request per person (the documented way; slow for large orgs).
    PerPerson,
}

/// Which resource types a sync covers (service mode's `sync_resource_type_ids`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ResourceTypeFilter {
    #[default]
    All,
    Only(Vec<String>),
}

impl ResourceTypeFilter {
    pub fn includes(&self, resource_type_id: &str) -> bool {
        match self {
            ResourceTypeFilter::All => true,
            ResourceTypeFilter::Only(ids) => ids.iter().any(|id| id == resource_type_id),
        }
    }
}

/// Everything that shapes one sync.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    pub mapping: MappingOptions,
    pub include_departed: bool,
    pub membership_source: MembershipSource,
    /// Per-person membership requests in flight at once.
    pub membership_concurrency: usize,
    pub skip_grants: bool,
    pub skip_entitlements_and_grants: bool,
    pub resource_types: ResourceTypeFilter,
    pub compression_level: i32,
    /// The share of the baseline's persons (vanished or newly disabled) or grants (vanished)
    /// that a sync may remove before it is refused as a mass change (at least
    /// [`crate::MIN_REMOVED`] of them). 1 allows any change.
    pub max_removed_ratio: f64,
    /// What the mass-change guard compares with.
    pub baseline: Baseline,
    /// More ChartHop person field codes (the org's own fields) to ask for, each added to the
    /// person profile as `custom_<code>` (`c1_mapping::custom_profile_key`). Empty: none is
    /// asked for. A code that is not a plain field code fails the sync before any request.
    pub extra_fields: Vec<String>,
    /// Only groups of these types (names, case-insensitive) are written, with their
    /// entitlements and memberships; persons are written whole either way (their profiles
    /// still name every listed group). `None`, or no non-blank name: every group. A name the
    /// org has no group type for fails the sync, listing the types it has.
    pub group_types: Option<Vec<String>>,
    /// Keep the latest finished full sync of the file being replaced in the new file, beside
    /// the new sync (which readers and C1 take), so one file tells what changed. A previous
    /// file that cannot be read is not kept, with a warning.
    pub keep_previous: bool,
}

impl SyncOptions {
    pub fn new(mapping: MappingOptions) -> Self {
        Self {
            mapping,
            include_departed: true,
            membership_source: MembershipSource::Auto,
            membership_concurrency: 8,
            skip_grants: false,
            skip_entitlements_and_grants: false,
            resource_types: ResourceTypeFilter::All,
            compression_level: 3,
            max_removed_ratio: DEFAULT_MAX_REMOVED_RATIO,
            baseline: Baseline::PreviousFile,
            extra_fields: Vec::new(),
            group_types: None,
            keep_previous: false,
        }
    }

    /// The person query this sync sends (also checked before any request).
    pub(crate) fn person_query(&self) -> charthop_client::PersonQuery {
        charthop_client::PersonQuery {
            include_personal_email: self.mapping.include_personal_email,
            with_group_ids: self.writes_grants() && self.membership_source != MembershipSource::PerPerson,
            extra_fields: self.extra_fields.clone(),
            ..Default::default()
        }
    }

    pub(crate) fn writes_persons(&self) -> bool {
        self.resource_types.includes(c1_mapping::ids::PERSON)
    }

    pub(crate) fn writes_groups(&self) -> bool {
        self.resource_types.includes(c1_mapping::ids::GROUP)
    }

    pub(crate) fn writes_entitlements(&self) -> bool {
        self.writes_groups() && !self.skip_entitlements_and_grants
    }

    /// Grants need both ends in the file: the group's entitlement and the person.
    pub(crate) fn writes_grants(&self) -> bool {
        self.writes_entitlements() && self.writes_persons() && !self.skip_grants
    }
}
