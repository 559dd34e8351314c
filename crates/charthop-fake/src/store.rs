//! The org, indexed for serving.

use std::collections::HashMap;

use charthop_domain::{Group, GroupType};

use crate::org::Org;

/// Which `timeFilter` shows a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GroupTime {
    Current,
    Archived,
    Future,
}

pub(crate) struct StoredGroup {
    pub time: GroupTime,
    pub group: Group,
}

pub(crate) struct Store {
    pub org: Org,
    /// Every group of every time filter, sorted by id.
    pub groups: Vec<StoredGroup>,
    /// Sorted by id.
    pub group_types: Vec<GroupType>,
    /// person id -> job id, for the `manager` field (which carries the manager's job id).
    job_ids: HashMap<String, String>,
}

impl Store {
    pub fn new(org: Org) -> Self {
        let mut groups: Vec<StoredGroup> = [
            (GroupTime::Current, &org.groups),
            (GroupTime::Archived, &org.archived_groups),
            (GroupTime::Future, &org.future_groups),
        ]
        .into_iter()
        .flat_map(|(time, groups)| groups.iter().map(move |g| StoredGroup { time, group: g.clone() }))
        .collect();
        groups.sort_by(|a, b| a.group.id.cmp(&b.group.id));
        let mut group_types = org.group_types.clone();
        group_types.sort_by(|a, b| a.id.cmp(&b.id));
        let job_ids = org.persons.iter().filter_map(|p| Some((p.id.clone(), p.job_id.clone()?))).collect();
        Store { org, groups, group_types, job_ids }
    }

    pub fn job_id_of(&self, person_id: &str) -> Option<&str> {
        self.job_ids.get(person_id).map(String::as_str)
    }

    /// `{orgId}` may be the org's id or its slug.
    pub fn is_this_org(&self, id_or_slug: &str) -> bool {
        id_or_slug == self.org.org_id || id_or_slug == self.org.slug
    }
}
