//! The v1 schema, as the Go SDK writes it (statement text copied from what a real SDK file
//! stores in `sqlite_master`, so a schema diff against an SDK file is empty apart from the
//! newer `v1_sync_runs` columns listed in `docs/c1-wire.md`, "c1z tables").

/// Tables a reader needs; a file without one of them is not a usable v1 file.
pub const REQUIRED_TABLES: [&str; 5] =
    ["v1_resource_types", "v1_resources", "v1_entitlements", "v1_grants", "v1_sync_runs"];

/// Statements in the order the SDK creates them. The writer runs the indexes of the large tables
/// last (see [`stage`]); `sqlite_master` then lists the same statements, text unchanged.
pub(crate) const CREATE_STATEMENTS: &[&str] = &[
    "CREATE TABLE v1_resource_types (
    id integer primary key,
    external_id text not null,
    data blob not null,
    sync_id text not null,
    discovered_at datetime not null
)",
    "CREATE UNIQUE INDEX idx_resource_types_external_sync_v1 on v1_resource_types (external_id, sync_id)",
    "CREATE TABLE v1_resources (
    id integer primary key,
    resource_type_id text not null,
    external_id text not null,
\tparent_resource_type_id text,
\tparent_resource_id text,
    data blob not null,
    sync_id text not null,
    discovered_at datetime not null
)",
    "CREATE INDEX idx_resources_resource_type_id_v1 on v1_resources (resource_type_id)",
    // The SDK swapped the names of the next two indexes; readers expect them as they are.
    "CREATE INDEX idx_resources_external_sync_v1 on v1_resources (parent_resource_type_id, parent_resource_id)",
    "CREATE UNIQUE INDEX idx_resources_parent_resource_id_v1 on v1_resources (external_id, sync_id)",
    "CREATE TABLE v1_entitlements (
    id integer primary key,
    resource_type_id text not null,
    resource_id text not null,
    external_id text not null,
    data blob not null,
    sync_id text not null,
    discovered_at datetime not null
)",
    "CREATE INDEX idx_entitlements_resource_id_v1 on v1_entitlements (resource_type_id, resource_id)",
    "CREATE UNIQUE INDEX idx_entitlements_external_sync_v1 on v1_entitlements (external_id, sync_id)",
    "CREATE TABLE v1_sync_runs (
    id integer primary key,
    sync_id text not null,
    started_at datetime not null,
    ended_at datetime,
    sync_token text not null,
    sync_type text not null default 'full',
    parent_sync_id text not null default '',
    linked_sync_id text not null default '',
    supports_diff integer not null default 0,
    grants_backfilled integer not null default 0,
    stats text,
    ingest_invariant_generation text not null default '',
    ingest_invariant_coverage text not null default '',
    ingest_invariant_mode text not null default ''
)",
    "CREATE UNIQUE INDEX idx_sync_runs_sync_id_v1 on v1_sync_runs (sync_id)",
    "CREATE TABLE v1_grants (
    id integer primary key,
\tresource_type_id text not null,
    resource_id text not null,
    entitlement_id text not null,
    principal_resource_type_id text not null,
    principal_resource_id text not null,
    external_id text not null,
    expansion blob,                             -- Serialized GrantExpandable proto; NULL if grant is not expandable.
    needs_expansion integer not null default 0, -- 1 if grant should be processed during expansion.
    data blob not null,
    sync_id text not null,
    discovered_at datetime not null
)",
    "CREATE INDEX idx_grants_resource_type_id_resource_id_v1 on v1_grants (resource_type_id, resource_id)",
    "CREATE INDEX idx_grants_principal_id_v1 on v1_grants (principal_resource_type_id, principal_resource_id)",
    "CREATE INDEX idx_grants_entitlement_id_principal_id_v1 on v1_grants (entitlement_id, principal_resource_type_id, principal_resource_id)",
    "CREATE UNIQUE INDEX idx_grants_external_sync_v1 on v1_grants (external_id, sync_id)",
    "CREATE INDEX idx_grants_entitlement_sync_grant_v1 on v1_grants (entitlement_id, sync_id, id)",
    "CREATE INDEX idx_grants_sync_expansion_v1 on v1_grants (sync_id) where expansion is not null",
    "CREATE INDEX idx_grants_sync_needs_expansion_v1 on v1_grants (sync_id) where needs_expansion = 1",
    "CREATE TABLE v1_assets (
    id integer primary key,
    external_id text not null,
    content_type text not null,
    data blob not null,
    sync_id text not null,
    discovered_at datetime not null
)",
    "CREATE UNIQUE INDEX idx_assets_external_sync_v1 on v1_assets (external_id, sync_id)",
    "CREATE TABLE v1_connector_sessions (
    id integer primary key,
\tsync_id text NOT NULL,
\tkey TEXT NOT NULL,
\tvalue BLOB NOT NULL
)",
    "CREATE UNIQUE INDEX idx_session_store_sync_key_v1 on v1_connector_sessions (sync_id, key)",
];

/// Tables that grow with the org: their unique indexes are built at finish, like the
/// non-unique ones, and a repeated id is found then (one sorted pass instead of a B-tree
/// update per row).
const LARGE_TABLES: [&str; 3] = ["v1_resources", "v1_entitlements", "v1_grants"];

/// When the writer runs a CREATE statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    /// Tables, the unique indexes of the small tables (ids refused as they are written), and
    /// the partial indexes: they hold only the rows their `where` matches (grants carrying an
    /// expansion), so keeping them live costs nothing per other row, and the finish saves a
    /// pass over the table for each.
    Create,
    /// Unique indexes of the large tables, built before anything reads through them.
    UniqueAtFinish,
    /// Non-unique indexes, built last: nothing needs them while rows go in.
    AtFinish,
}

/// The stage of `statement` (one of [`CREATE_STATEMENTS`]).
pub(crate) fn stage(statement: &str) -> Stage {
    if statement.starts_with("CREATE INDEX ") && statement.contains(" where ") {
        Stage::Create
    } else if statement.starts_with("CREATE INDEX ") {
        Stage::AtFinish
    } else if statement.starts_with("CREATE UNIQUE INDEX ") && LARGE_TABLES.contains(&index_table(statement))
    {
        Stage::UniqueAtFinish
    } else {
        Stage::Create
    }
}

/// The table a CREATE INDEX statement indexes (the word after " on ").
pub(crate) fn index_table(statement: &str) -> &str {
    statement.split_once(" on ").map_or("", |(_, rest)| rest.split_whitespace().next().unwrap_or(""))
}

/// The statements of `stage`, in [`CREATE_STATEMENTS`] order.
pub(crate) fn statements(stage: Stage) -> impl Iterator<Item = &'static str> {
    CREATE_STATEMENTS.iter().copied().filter(move |s| self::stage(s) == stage)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_large_tables_unique_indexes_wait_for_finish() {
        let unique: Vec<&str> = statements(Stage::UniqueAtFinish).map(index_table).collect();
        assert_eq!(unique, ["v1_resources", "v1_entitlements", "v1_grants"]);
        assert_eq!(statements(Stage::AtFinish).count(), 7);
        let live: Vec<&str> = statements(Stage::Create).filter(|s| s.contains(" where ")).collect();
        assert_eq!(live.len(), 2, "{live:?}");
        assert!(statements(Stage::Create).any(|s| s.contains("idx_resource_types_external_sync_v1")));
        assert_eq!(
            CREATE_STATEMENTS.len(),
            [Stage::Create, Stage::UniqueAtFinish, Stage::AtFinish]
                .map(|s| statements(s).count())
                .iter()
                .sum::<usize>()
        );
    }
}
