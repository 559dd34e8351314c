//! Streaming row iteration: pages of rows by ascending row id, so memory holds one page however
//! large the table.

use std::collections::VecDeque;
use std::marker::PhantomData;

use rusqlite::{Connection, params};

use super::QueryGuard;
use crate::error::ReadError;

const PAGE_SIZE: i64 = 1000;

/// The tables whose `data` column [`Rows`] decodes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum DataTable {
    ResourceTypes,
    Resources,
    Entitlements,
    Grants,
}

impl DataTable {
    pub(crate) fn name(self) -> &'static str {
        match self {
            DataTable::ResourceTypes => "v1_resource_types",
            DataTable::Resources => "v1_resources",
            DataTable::Entitlements => "v1_entitlements",
            DataTable::Grants => "v1_grants",
        }
    }

    fn page_query(self) -> &'static str {
        match self {
            DataTable::ResourceTypes => {
                "SELECT id, data FROM v1_resource_types WHERE sync_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3"
            }
            DataTable::Resources => {
                "SELECT id, data FROM v1_resources WHERE sync_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3"
            }
            DataTable::Entitlements => {
                "SELECT id, data FROM v1_entitlements WHERE sync_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3"
            }
            DataTable::Grants => {
                "SELECT id, data FROM v1_grants WHERE sync_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3"
            }
        }
    }
}

/// The decoded messages of one table for one sync, in the order they were written.
pub struct Rows<'a, T> {
    conn: &'a Connection,
    guard: &'a QueryGuard,
    table: DataTable,
    sync_id: String,
    after_id: i64,
    page: VecDeque<(i64, Vec<u8>)>,
    exhausted: bool,
    message: PhantomData<fn() -> T>,
}

impl<'a, T> Rows<'a, T> {
    pub(crate) fn new(conn: &'a Connection, guard: &'a QueryGuard, table: DataTable, sync_id: &str) -> Self {
        Rows {
            conn,
            guard,
            table,
            sync_id: sync_id.to_owned(),
            after_id: 0,
            page: VecDeque::new(),
            exhausted: false,
            message: PhantomData,
        }
    }

    fn fetch_page(&mut self) -> Result<(), ReadError> {
        self.guard.arm();
        let mut statement = self
            .conn
            .prepare_cached(self.table.page_query())
            .map_err(ReadError::sqlite("preparing a row query"))?;
        let rows = statement
            .query_map(params![self.sync_id, self.after_id, PAGE_SIZE], |row| Ok((row.get(0)?, row.get(1)?)))
            .map_err(ReadError::sqlite("reading rows"))?;
        for row in rows {
            let (id, data): (i64, Vec<u8>) = row.map_err(ReadError::sqlite("reading rows"))?;
            self.after_id = id;
            self.page.push_back((id, data));
        }
        if (self.page.len() as i64) < PAGE_SIZE {
            self.exhausted = true;
        }
        Ok(())
    }
}

impl<T: c1_proto::prost::Message + Default> Iterator for Rows<'_, T> {
    type Item = Result<T, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.page.is_empty()
            && !self.exhausted
            && let Err(e) = self.fetch_page()
        {
            self.exhausted = true;
            self.page.clear();
            return Some(Err(e));
        }
        let (row_id, data) = self.page.pop_front()?;
        Some(T::decode(data.as_slice()).map_err(|source| ReadError::Decode {
            table: self.table.name(),
            row_id,
            source,
        }))
    }
}
