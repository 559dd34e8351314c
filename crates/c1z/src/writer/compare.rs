//! [`C1zWriter::compare_with`]: how the sync being written differs from the previous file, so a
//! caller can refuse to publish a mass change. The set differences run in SQLite over the
//! attached previous database; Rust decodes only resources present in both whose bytes differ.

use std::io;
use std::path::Path;

use c1_proto::connector::v2::{Resource, UserTrait, status::ResourceStatus, user_trait};
use c1_proto::find_annotation;
use c1_proto::prost::Message;
use rusqlite::{Connection, params};

use super::C1zWriter;
use crate::error::{ReadError, WriteError};
use crate::{C1zReader, Comparison, ReaderOptions};

const SCHEMA: &str = "c1z_previous";

const VANISHED_RESOURCES: &str = "SELECT p.resource_type_id, count(*) FROM c1z_previous.v1_resources p \
     WHERE p.sync_id = ?1 AND NOT EXISTS (SELECT 1 FROM main.v1_resources n \
     WHERE n.external_id = p.external_id AND n.sync_id = ?2) GROUP BY p.resource_type_id";
const VANISHED_GRANTS: &str = "SELECT count(*) FROM c1z_previous.v1_grants p WHERE p.sync_id = ?1 \
     AND NOT EXISTS (SELECT 1 FROM main.v1_grants n WHERE n.external_id = p.external_id AND n.sync_id = ?2)";
// Identical bytes mean an identical status: only changed rows are decoded.
const CHANGED_RESOURCES: &str = "SELECT p.id, p.resource_type_id, p.data, n.data \
     FROM c1z_previous.v1_resources p JOIN main.v1_resources n \
     ON n.external_id = p.external_id AND n.sync_id = ?2 WHERE p.sync_id = ?1 AND p.data IS NOT n.data";

impl C1zWriter {
    /// Compares the rows written so far with the latest finished full sync of `previous` (the
    /// file this sync would replace): resources and grants that vanished, and resources that
    /// turned disabled. `None` when `previous` does not exist; a previous file without a finished
    /// full sync compares as empty. The previous file is decompressed within `options`' limits
    /// and checked like any file [`C1zReader`] opens; any failure to read it is
    /// [`WriteError::Previous`], which a caller may choose to downgrade.
    pub fn compare_with(
        &mut self,
        previous: &Path,
        options: &ReaderOptions,
    ) -> Result<Option<Comparison>, WriteError> {
        let previous_error =
            |source: ReadError| WriteError::Previous { path: previous.to_path_buf(), source };
        match std::fs::symlink_metadata(previous) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(previous_error(ReadError::io("opening", previous)(e))),
            Ok(_) => {}
        }
        let reader = C1zReader::open(previous, options.clone()).map_err(previous_error)?;
        let Some(sync) = reader.latest_finished_full_sync().map_err(previous_error)? else {
            return Ok(Some(Comparison::default()));
        };
        let counts = reader.counts(&sync.id).map_err(previous_error)?;
        // The lookups below go through the new sync's unique indexes.
        self.db_mut().build_unique_indexes()?;
        let db = self.db();
        let mut comparison = db.with_attached(reader.db_path(), SCHEMA, |conn| {
            compare(conn, &sync.id, db.sync_id()).map_err(|e| match e {
                Failure::Sqlite(e) => WriteError::sqlite("comparing with the previous sync")(e),
                Failure::Decode(e) => previous_error(e),
            })
        })?;
        comparison.previous = counts;
        self.previous = Some((previous.to_path_buf(), reader));
        Ok(Some(comparison))
    }
}

enum Failure {
    Sqlite(rusqlite::Error),
    Decode(ReadError),
}

impl From<rusqlite::Error> for Failure {
    fn from(e: rusqlite::Error) -> Self {
        Failure::Sqlite(e)
    }
}

impl From<rusqlite::types::FromSqlError> for Failure {
    fn from(e: rusqlite::types::FromSqlError) -> Self {
        Failure::Sqlite(rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Blob,
            Box::new(e),
        ))
    }
}

fn compare(conn: &Connection, previous_sync: &str, new_sync: &str) -> Result<Comparison, Failure> {
    let mut comparison = Comparison::default();
    let mut vanished = conn.prepare(VANISHED_RESOURCES)?;
    let mut rows = vanished.query(params![previous_sync, new_sync])?;
    while let Some(row) = rows.next()? {
        let n: i64 = row.get(1)?;
        comparison.vanished_by_type.insert(row.get(0)?, u64::try_from(n).unwrap_or(0));
    }
    let grants: i64 = conn.query_row(VANISHED_GRANTS, params![previous_sync, new_sync], |r| r.get(0))?;
    comparison.grants_vanished = u64::try_from(grants).unwrap_or(0);

    let mut changed = conn.prepare(CHANGED_RESOURCES)?;
    let mut rows = changed.query(params![previous_sync, new_sync])?;
    while let Some(row) = rows.next()? {
        let row_id: i64 = row.get(0)?;
        let was = is_disabled(row.get_ref(2)?.as_blob()?)
            .map_err(|source| Failure::Decode(ReadError::Decode { table: "v1_resources", row_id, source }))?;
        // The new side was encoded by this writer from a valid message.
        let now = is_disabled(row.get_ref(3)?.as_blob()?).unwrap_or(false);
        if !was && now {
            *comparison.disabled_by_type.entry(row.get(1)?).or_insert(0) += 1;
        }
    }
    Ok(comparison)
}

/// `Resource.status`, or when it is unset the UserTrait annotation's status, is DISABLED.
fn is_disabled(data: &[u8]) -> Result<bool, crate::DecodeError> {
    let resource = Resource::decode(data)?;
    if let Some(status) = resource.status.as_ref().filter(|s| s.status != ResourceStatus::Unspecified as i32)
    {
        return Ok(status.status == ResourceStatus::Disabled as i32);
    }
    let user = find_annotation::<UserTrait>(&resource.annotations)?;
    Ok(user.and_then(|u| u.status).is_some_and(|s| s.status == user_trait::status::Status::Disabled as i32))
}
