//! An entry point for the benchmark: the writer's stages alone, on the rows of an existing file.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::error::{ReadError, WriteError};
use crate::{C1zReader, C1zWriter, ReaderOptions, WriterOptions};

/// How long each stage of rewriting a `.c1z` took.
#[derive(Debug, Clone, Copy)]
pub struct StageTimes {
    /// Rows read and decoded from the input (its decompression not included).
    pub rows: u64,
    /// Reading and decoding every row alone.
    pub read: Duration,
    /// Reading every row again and writing it into a new database (put_* calls).
    pub read_and_write: Duration,
    /// Building indexes and checking integrity.
    pub index_and_check: Duration,
    /// Compressing, fsyncing and renaming.
    pub compress_and_publish: Duration,
    pub raw_bytes: u64,
    pub compressed_bytes: u64,
}

/// Why a rewrite failed.
#[derive(Debug, thiserror::Error)]
pub enum StageError {
    #[error("reading the input failed")]
    Read(#[from] ReadError),
    #[error("writing the output failed")]
    Write(#[from] WriteError),
    #[error("the input has no finished full sync")]
    NoSync,
}

/// Rewrites the latest finished full sync of `input` into `output` with `options`, timing each
/// stage.
pub fn rewrite(input: &Path, output: &Path, options: WriterOptions) -> Result<StageTimes, StageError> {
    let reader = C1zReader::open(input, ReaderOptions::default())?;
    let sync = reader.latest_finished_full_sync()?.ok_or(StageError::NoSync)?;
    let started = Instant::now();
    let rows = copy_rows(&reader, &sync.id, None)?;
    let read = started.elapsed();

    let started = Instant::now();
    let mut writer = C1zWriter::create(output, options)?;
    copy_rows(&reader, &sync.id, Some(&mut writer))?;
    let read_and_write = started.elapsed();
    let (summary, times) = writer.finish_timed()?;
    Ok(StageTimes {
        rows,
        read,
        read_and_write,
        index_and_check: times.index_and_check,
        compress_and_publish: times.compress_and_publish,
        raw_bytes: summary.raw_bytes,
        compressed_bytes: summary.compressed_bytes,
    })
}

/// Reads every row of `sync_id`, writing each into `writer` when there is one; returns the rows.
fn copy_rows(
    reader: &C1zReader,
    sync_id: &str,
    mut writer: Option<&mut C1zWriter>,
) -> Result<u64, StageError> {
    let mut rows = 0u64;
    for row in reader.resource_types(sync_id)? {
        let row = row?;
        writer.as_deref_mut().map_or(Ok(()), |w| w.put_resource_type(&row))?;
        rows += 1;
    }
    for row in reader.resources(sync_id)? {
        let row = row?;
        writer.as_deref_mut().map_or(Ok(()), |w| w.put_resource(&row))?;
        rows += 1;
    }
    for row in reader.entitlements(sync_id)? {
        let row = row?;
        writer.as_deref_mut().map_or(Ok(()), |w| w.put_entitlement(&row))?;
        rows += 1;
    }
    for row in reader.grants(sync_id)? {
        let row = row?;
        writer.as_deref_mut().map_or(Ok(()), |w| w.put_grant(&row))?;
        rows += 1;
    }
    Ok(rows)
}
