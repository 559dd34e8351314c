//! Referential integrity, checked in SQL before a file is published: `baton resources` and
//! `baton grants` fail on a dangling reference, so we refuse to write one.

use rusqlite::{Connection, OptionalExtension};

use crate::error::{RowKind, WriteError};

struct Reference {
    kind: RowKind,
    missing_kind: RowKind,
    // Selects (referring external id, missing id) of the first dangling row, by row order.
    query: &'static str,
    // For grants: whether any row dangles, looking up each distinct referenced id once (900
    // entitlements instead of a million grants) through the grants' own indexes, with the
    // sync id bound as ?1. Only when it finds one does `query` run, to name the first row.
    any: Option<&'static str>,
}

const REFERENCES: &[Reference] = &[
    Reference {
        kind: RowKind::Resource,
        missing_kind: RowKind::ResourceType,
        query: "SELECT r.external_id, r.resource_type_id FROM v1_resources r WHERE NOT EXISTS \
                (SELECT 1 FROM v1_resource_types t WHERE t.external_id = r.resource_type_id \
                AND t.sync_id = r.sync_id) ORDER BY r.id LIMIT 1",
        any: None,
    },
    Reference {
        kind: RowKind::Entitlement,
        missing_kind: RowKind::Resource,
        query: "SELECT e.external_id, e.resource_type_id || ':' || e.resource_id FROM v1_entitlements e \
                WHERE NOT EXISTS (SELECT 1 FROM v1_resources r WHERE \
                r.external_id = e.resource_type_id || ':' || e.resource_id AND r.sync_id = e.sync_id) \
                ORDER BY e.id LIMIT 1",
        any: None,
    },
    Reference {
        kind: RowKind::Grant,
        missing_kind: RowKind::Entitlement,
        query: "SELECT g.external_id, g.entitlement_id FROM v1_grants g WHERE NOT EXISTS \
                (SELECT 1 FROM v1_entitlements e WHERE e.external_id = g.entitlement_id \
                AND e.sync_id = g.sync_id) ORDER BY g.id LIMIT 1",
        any: Some(
            "SELECT 1 FROM (SELECT DISTINCT entitlement_id FROM v1_grants) g WHERE NOT EXISTS \
             (SELECT 1 FROM v1_entitlements e WHERE e.external_id = g.entitlement_id AND e.sync_id = ?1) LIMIT 1",
        ),
    },
    Reference {
        kind: RowKind::Grant,
        missing_kind: RowKind::Resource,
        query: "SELECT g.external_id, g.resource_type_id || ':' || g.resource_id FROM v1_grants g \
                WHERE NOT EXISTS (SELECT 1 FROM v1_resources r WHERE \
                r.external_id = g.resource_type_id || ':' || g.resource_id AND r.sync_id = g.sync_id) \
                ORDER BY g.id LIMIT 1",
        any: Some(
            "SELECT 1 FROM (SELECT DISTINCT resource_type_id, resource_id FROM v1_grants) g WHERE NOT EXISTS \
             (SELECT 1 FROM v1_resources r WHERE r.external_id = g.resource_type_id || ':' || g.resource_id \
             AND r.sync_id = ?1) LIMIT 1",
        ),
    },
    Reference {
        kind: RowKind::Grant,
        missing_kind: RowKind::Resource,
        query: "SELECT g.external_id, g.principal_resource_type_id || ':' || g.principal_resource_id \
                FROM v1_grants g WHERE NOT EXISTS (SELECT 1 FROM v1_resources r WHERE \
                r.external_id = g.principal_resource_type_id || ':' || g.principal_resource_id \
                AND r.sync_id = g.sync_id) ORDER BY g.id LIMIT 1",
        any: Some(
            "SELECT 1 FROM (SELECT DISTINCT principal_resource_type_id, principal_resource_id FROM v1_grants) g \
             WHERE NOT EXISTS (SELECT 1 FROM v1_resources r WHERE \
             r.external_id = g.principal_resource_type_id || ':' || g.principal_resource_id AND r.sync_id = ?1) LIMIT 1",
        ),
    },
];

// The distinct lookups compare with one sync id: they hold only while every grant is of it.
const GRANTS_OF_OTHER_SYNCS: &str = "SELECT 1 FROM v1_grants WHERE sync_id <> ?1 LIMIT 1";

const MISSING_TRAIT: &str = "SELECT l.external_id, l.resource_type_id, \
     (t.declares_user = 1 AND l.lacks_user = 1) FROM temp.c1z_resources_lacking_traits l \
     JOIN temp.c1z_type_traits t ON t.type_id = l.resource_type_id \
     WHERE (t.declares_user = 1 AND l.lacks_user = 1) OR (t.declares_group = 1 AND l.lacks_group = 1) \
     ORDER BY l.resource_row LIMIT 1";

/// Fails with the first dangling reference or missing trait annotation, naming it. `sync_id`
/// is the sync being written (the build database holds no other).
pub(crate) fn check(conn: &Connection, sync_id: &str) -> Result<(), WriteError> {
    let exists = |query: &str| {
        conn.query_row(query, [sync_id], |_| Ok(()))
            .optional()
            .map(|found| found.is_some())
            .map_err(WriteError::sqlite("checking referential integrity"))
    };
    let one_sync = !exists(GRANTS_OF_OTHER_SYNCS)?;
    for reference in REFERENCES {
        if let (Some(any), true) = (reference.any, one_sync)
            && !exists(any)?
        {
            continue;
        }
        let dangling: Option<(String, String)> = conn
            .query_row(reference.query, [], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()
            .map_err(WriteError::sqlite("checking referential integrity"))?;
        if let Some((id, missing_id)) = dangling {
            return Err(WriteError::DanglingReference {
                kind: reference.kind,
                id,
                missing_kind: reference.missing_kind,
                missing_id,
            });
        }
    }
    let lacking: Option<(String, String, bool)> = conn
        .query_row(MISSING_TRAIT, [], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .optional()
        .map_err(WriteError::sqlite("checking trait annotations"))?;
    if let Some((resource_id, resource_type, lacks_user)) = lacking {
        let trait_name = if lacks_user { "TRAIT_USER (UserTrait)" } else { "TRAIT_GROUP (GroupTrait)" };
        return Err(WriteError::MissingTrait { resource_id, resource_type, trait_name });
    }
    Ok(())
}
