//! Publishing: compress the closed database into `<target>.tmp` (mode 0600), fsync, rename over
//! the target, fsync the directory. The target is replaced whole or not at all.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::MAGIC;
use crate::error::WriteError;

/// The directory the target lives in (where the temporary files go, so the rename is atomic).
pub(crate) fn target_dir(target: &Path) -> Result<PathBuf, WriteError> {
    if target.file_name().is_none() {
        return Err(WriteError::InvalidTarget { path: target.to_path_buf(), reason: "it names no file" });
    }
    let dir = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(WriteError::InvalidTarget {
            path: target.to_path_buf(),
            reason: "its directory does not exist; create it first",
        });
    }
    Ok(dir)
}

/// `<target>.tmp`, the name the SDK uses too.
pub(crate) fn staging_path(target: &Path) -> PathBuf {
    let mut name = OsString::from(target.as_os_str());
    name.push(".tmp");
    PathBuf::from(name)
}

/// Removes the staging file unless publishing got as far as the rename.
struct StagingGuard {
    path: PathBuf,
    armed: bool,
}

impl Drop for StagingGuard {
    fn drop(&mut self) {
        if self.armed {
            let _removed = fs::remove_file(&self.path);
        }
    }
}

/// Compresses `db` into the target; returns (raw bytes, published bytes).
pub(crate) fn compress_and_replace(db: &Path, target: &Path, level: i32) -> Result<(u64, u64), WriteError> {
    let staging = staging_path(target);
    match fs::remove_file(&staging) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => {
            return Err(WriteError::io("removing a stale staging file", &staging)(e));
        }
        _ => {}
    }
    let mut input = File::open(db).map_err(WriteError::io("opening the built database", db))?;
    let raw_bytes = input.metadata().map_err(WriteError::io("reading the size of", db))?.len();
    // create_new with mode 0600: the file is never readable by others, not even briefly.
    let output = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&staging)
        .map_err(WriteError::io("creating", &staging))?;
    let mut guard = StagingGuard { path: staging.clone(), armed: true };

    let output = write_frame(&mut input, output, raw_bytes, level)
        .map_err(WriteError::io("compressing into", &staging))?;
    output.sync_all().map_err(WriteError::io("fsyncing", &staging))?;
    let compressed_bytes = output.metadata().map_err(WriteError::io("reading the size of", &staging))?.len();
    drop(output);

    fs::rename(&staging, target).map_err(WriteError::io("renaming the staging file over", target))?;
    guard.armed = false;
    let dir = target_dir(target)?;
    File::open(&dir).and_then(|d| d.sync_all()).map_err(WriteError::io("fsyncing the directory", &dir))?;
    Ok((raw_bytes, compressed_bytes))
}

/// Magic, then ONE zstd frame with content size and checksum, streamed from `input`.
fn write_frame(input: &mut File, mut output: File, raw_bytes: u64, level: i32) -> io::Result<File> {
    output.write_all(MAGIC)?;
    let mut encoder = zstd::stream::write::Encoder::new(output, level)?;
    encoder.include_checksum(true)?;
    encoder.include_contentsize(true)?;
    encoder.set_pledged_src_size(Some(raw_bytes))?;
    // No long-distance mode: levels 1..=22 keep the window at or under 2^27 = 128 MiB.
    encoder.long_distance_matching(false)?;
    io::copy(input, &mut encoder)?;
    encoder.finish()
}
