//! What a `.c1z` holds, read back with the workspace's reader, in a shape tests compare.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use c1_proto::connector::v2::ResourceId;
use c1z::{C1zReader, Counts, ReaderOptions};

/// `(resource type, resource id)`.
pub type Ref = (String, String);

#[derive(Debug)]
pub struct Contents {
    pub counts: Counts,
    pub resource_types: BTreeSet<String>,
    /// Every resource, with its `Resource.status.status` (0 when absent).
    pub resources: BTreeMap<Ref, i32>,
    /// Entitlement id -> the resource it belongs to.
    pub entitlements: BTreeMap<String, Ref>,
    pub grants: Vec<GrantRow>,
}

#[derive(Debug)]
pub struct GrantRow {
    pub id: String,
    pub entitlement_id: String,
    pub entitlement_resource: Ref,
    pub principal: Ref,
}

/// Reads the latest finished full sync of `path`; panics on anything unreadable.
pub fn read_c1z(path: &Path) -> Contents {
    let reader = C1zReader::open(path, ReaderOptions::default()).expect("the .c1z opens");
    let sync = reader.latest_finished_full_sync().expect("sync table reads").expect("a finished full sync");
    let counts = reader.counts(&sync.id).expect("counts");
    let resource_types =
        reader.resource_types(&sync.id).expect("types").map(|t| t.expect("type").id).collect();
    let resources = reader
        .resources(&sync.id)
        .expect("resources")
        .map(|r| {
            let r = r.expect("resource");
            (to_ref(r.id.as_ref()), r.status.map_or(0, |s| s.status))
        })
        .collect();
    let entitlements = reader
        .entitlements(&sync.id)
        .expect("entitlements")
        .map(|e| {
            let e = e.expect("entitlement");
            (e.id, to_ref(e.resource.as_ref().and_then(|r| r.id.as_ref())))
        })
        .collect();
    let grants = reader
        .grants(&sync.id)
        .expect("grants")
        .map(|g| {
            let g = g.expect("grant");
            let entitlement = g.entitlement.unwrap_or_default();
            GrantRow {
                id: g.id,
                entitlement_id: entitlement.id,
                entitlement_resource: to_ref(entitlement.resource.as_ref().and_then(|r| r.id.as_ref())),
                principal: to_ref(g.principal.as_ref().and_then(|p| p.id.as_ref())),
            }
        })
        .collect();
    Contents { counts, resource_types, resources, entitlements, grants }
}

fn to_ref(id: Option<&ResourceId>) -> Ref {
    id.map(|id| (id.resource_type.clone(), id.resource.clone())).unwrap_or_default()
}

impl Contents {
    /// Status of every resource of `resource_type`, by resource id.
    pub fn statuses_of(&self, resource_type: &str) -> BTreeMap<String, i32> {
        self.resources
            .iter()
            .filter(|((kind, _), _)| kind == resource_type)
            .map(|((_, id), status)| (id.clone(), *status))
            .collect()
    }

    /// `(group id, person id)` of every grant.
    pub fn memberships(&self) -> BTreeSet<(String, String)> {
        self.grants.iter().map(|g| (g.entitlement_resource.1.clone(), g.principal.1.clone())).collect()
    }

    /// Every reference that points at nothing in the file, described; empty when none does.
    pub fn dangling_references(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for (kind, id) in self.resources.keys() {
            if !self.resource_types.contains(kind) {
                problems.push(format!("resource {kind}:{id} has an unknown resource type"));
            }
        }
        for (entitlement, owner) in &self.entitlements {
            if !self.resources.contains_key(owner) {
                problems.push(format!("entitlement {entitlement} belongs to missing resource {owner:?}"));
            }
        }
        for grant in &self.grants {
            match self.entitlements.get(&grant.entitlement_id) {
                None => problems.push(format!("grant {} names missing entitlement", grant.id)),
                Some(owner) if *owner != grant.entitlement_resource => {
                    problems.push(format!("grant {} embeds the wrong entitlement resource", grant.id));
                }
                Some(_) => {}
            }
            if !self.resources.contains_key(&grant.principal) {
                problems.push(format!("grant {} has missing principal {:?}", grant.id, grant.principal));
            }
        }
        problems
    }
}
