//! An entry point for the fuzz target and the property tests: read everything a `.c1z` holds.

use std::path::Path;

use crate::error::ReadError;
use crate::{C1zReader, ReaderOptions};

/// Decompressed databases the fuzzer builds stay this small.
const FUZZ_MAX_DECODED_BYTES: u64 = 8 << 20;

/// Writes `bytes` to a file in `dir`, opens it as a `.c1z` within an 8 MiB cap and reads every
/// sync, count and row; returns how many rows decoded. Any input gives a result, never a panic.
#[doc(hidden)]
pub fn read_everything(bytes: &[u8], dir: &Path) -> Result<u64, ReadError> {
    let path = dir.join("input.c1z");
    std::fs::write(&path, bytes).map_err(ReadError::io("writing", &path))?;
    let options =
        ReaderOptions { max_decoded_bytes: FUZZ_MAX_DECODED_BYTES, temp_dir: Some(dir.to_path_buf()) };
    let reader = C1zReader::open(&path, options)?;
    let mut rows = 0u64;
    reader.latest_finished_full_sync()?;
    for sync in reader.syncs()? {
        reader.counts(&sync.id)?;
        rows += count(reader.resource_types(&sync.id)?)?;
        rows += count(reader.resources(&sync.id)?)?;
        rows += count(reader.entitlements(&sync.id)?)?;
        rows += count(reader.grants(&sync.id)?)?;
    }
    Ok(rows)
}

fn count<T>(rows: impl Iterator<Item = Result<T, ReadError>>) -> Result<u64, ReadError> {
    let mut n = 0;
    for row in rows {
        row?;
        n += 1;
    }
    Ok(n)
}
