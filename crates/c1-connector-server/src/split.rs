//! Cutting one backend page into responses that stay under the size limit.

use prost::Message;
use tonic::Status;

use crate::backend::Page;
use crate::token::{self, Cursor};

/// Bytes a length-delimited field adds around a payload of `len` bytes (tag and length).
fn framed(len: usize) -> usize {
    1 + prost::encoding::encoded_len_varint(len as u64) + len
}

/// How big one response may be.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Bounds the whole encoded response.
    pub max_bytes: usize,
    /// The request's `page_size`: at most this many rows when not 0.
    pub max_rows: u32,
}

/// The rows to send now and the next server token ("" at the end), from the backend page
/// fetched for `cursor`.
pub(crate) fn cut<T: Message>(
    cursor: &Cursor,
    page: Page<T>,
    limits: Limits,
    row_name: impl Fn(&T) -> String,
) -> Result<(Vec<T>, String), Status> {
    let max_bytes = limits.max_bytes;
    let max_rows = if limits.max_rows == 0 { usize::MAX } else { limits.max_rows as usize };
    let next_backend = page.next.filter(|t| !t.is_empty());
    if next_backend.is_some() && next_backend == cursor.backend {
        return Err(Status::invalid_argument(format!(
            "the connector answered page token {:?} with the same token: the page would repeat forever",
            next_backend.unwrap_or_default()
        )));
    }
    let skip = cursor.skip as usize;
    if skip > page.items.len() {
        return Err(Status::invalid_argument(format!(
            "the page token skips {skip} rows of a page of {}: the page changed since it was issued",
            page.items.len()
        )));
    }
    let after_page = next_backend
        .map(|t| token::encode(&Cursor { scope: cursor.scope.clone(), backend: Some(t), skip: 0 }));
    let inside_page = token::encode(&Cursor {
        scope: cursor.scope.clone(),
        backend: cursor.backend.clone(),
        skip: u32::MAX,
    });
    let reserve = framed(after_page.as_ref().map_or(0, String::len).max(inside_page.len()));
    let budget = max_bytes.saturating_sub(reserve);

    let mut rows = page.items.into_iter().skip(skip);
    let mut out = Vec::new();
    let mut used = 0;
    let mut left_over = false;
    for row in rows.by_ref() {
        if out.len() == max_rows {
            left_over = true;
            break;
        }
        let size = framed(row.encoded_len());
        if used + size > budget {
            if out.is_empty() {
                return Err(Status::resource_exhausted(format!(
                    "{} alone is {size} bytes, more than a response may hold ({max_bytes})",
                    row_name(&row)
                )));
            }
            left_over = true;
            break;
        }
        used += size;
        out.push(row);
    }
    let next = if left_over {
        let sent = u32::try_from(skip + out.len())
            .map_err(|_| Status::internal("a backend page of more than 2^32 rows"))?;
        token::encode(&Cursor { scope: cursor.scope.clone(), backend: cursor.backend.clone(), skip: sent })
    } else {
        after_page.unwrap_or_default()
    };
    Ok((out, next))
}
