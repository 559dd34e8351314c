//! The target and what lives beside it: the kind of file a target may be, the lock file that
//! keeps two writers apart, and the names of this crate's own temporary files.

use std::ffi::OsStr;
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::error::WriteError;

/// Random characters in a temporary file's name (tempfile's default, pinned here because
/// [`remove_stale_files`] matches the exact names).
pub(crate) const RANDOM_CHARS: usize = 6;
pub(crate) const BUILD_SUFFIX: &str = ".db-build";
pub(crate) const STAGING_SUFFIX: &str = ".tmp";

/// Checks that `path` may be replaced by a `.c1z`: it does not exist yet or is a regular file.
///
/// A symlink is refused even when it points to a regular file (the rename would replace the
/// link, not its target), and so are directories, devices, FIFOs and sockets.
pub fn check_target(path: &Path) -> Result<(), WriteError> {
    let metadata = match fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(WriteError::io("checking the target", path)(e)),
    };
    let file_type = metadata.file_type();
    let kind = if file_type.is_file() {
        return Ok(());
    } else if file_type.is_symlink() {
        "symbolic link"
    } else if file_type.is_dir() {
        "directory"
    } else if file_type.is_block_device() {
        "block device"
    } else if file_type.is_char_device() {
        "character device"
    } else if file_type.is_fifo() {
        "FIFO"
    } else if file_type.is_socket() {
        "socket"
    } else {
        "special file"
    };
    Err(WriteError::UnsafeTarget { path: path.to_path_buf(), kind })
}

fn file_name(target: &Path) -> String {
    target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// `.<name>.` : what every temporary file of `target` starts with.
pub(crate) fn temp_prefix(target: &Path) -> String {
    format!(".{}.", file_name(target))
}

fn lock_path(dir: &Path, target: &Path) -> PathBuf {
    dir.join(format!(".{}.lock", file_name(target)))
}

/// Takes the exclusive lock of `target` (`.<name>.lock` in `dir`), or fails with
/// [`WriteError::TargetBusy`]. The lock file stays on disk: deleting it would let a third writer
/// lock a new file while the second still holds the old one.
pub(crate) fn lock(dir: &Path, target: &Path) -> Result<File, WriteError> {
    let path = lock_path(dir, target);
    if fs::symlink_metadata(&path).is_ok_and(|m| !m.file_type().is_file()) {
        return Err(WriteError::UnsafeTarget { path, kind: "lock path that is not a regular file" });
    }
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&path)
        .map_err(WriteError::io("opening the lock file", &path))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(WriteError::TargetBusy { path: target.to_path_buf() }),
        Err(TryLockError::Error(e)) => Err(WriteError::io("locking", &path)(e)),
    }
}

/// Whether `name` is one of the writer's temporary files for a target whose prefix is `prefix`:
/// `<prefix>XXXXXX.db-build` or `<prefix>XXXXXX.tmp`, XXXXXX being ASCII letters and digits.
fn is_own_temp_name(name: &OsStr, prefix: &str) -> bool {
    let Some(name) = name.to_str() else { return false };
    let Some(rest) = name.strip_prefix(prefix) else { return false };
    let Some(random) = rest.strip_suffix(BUILD_SUFFIX).or_else(|| rest.strip_suffix(STAGING_SUFFIX)) else {
        return false;
    };
    random.len() == RANDOM_CHARS && random.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Removes the build databases and staging files that writers of `target` left beside it (a
/// killed process cannot clean up) when their mtime is older than `older_than`; returns the
/// removed paths. Nothing is removed while a writer holds the target's lock, so call this before
/// [`C1zWriter::create`](crate::C1zWriter::create). The target, the lock file and any other file
/// are never touched; failures are logged and skipped.
pub fn remove_stale_files(target: &Path, older_than: Duration) -> Vec<PathBuf> {
    let dir = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if target.file_name().is_none() || lock_is_held(&dir, target) {
        return Vec::new();
    }
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(error) => {
            tracing::warn!(dir = %dir.display(), %error, "could not list the target's directory for stale files");
            return Vec::new();
        }
    };
    let prefix = temp_prefix(target);
    let now = SystemTime::now();
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        if !is_own_temp_name(&entry.file_name(), &prefix) {
            continue;
        }
        let path = entry.path();
        // symlink_metadata: a link of that name is not ours, whatever it points to.
        let Ok(metadata) = fs::symlink_metadata(&path) else { continue };
        let old_enough = metadata
            .modified()
            .ok()
            .and_then(|mtime| now.duration_since(mtime).ok())
            .is_some_and(|age| age > older_than);
        if !metadata.file_type().is_file() || !old_enough {
            continue;
        }
        match fs::remove_file(&path) {
            Ok(()) => removed.push(path),
            Err(error) => {
                tracing::warn!(path = %path.display(), %error, "could not remove a stale temporary file")
            }
        }
    }
    removed.sort();
    removed
}

/// Whether a writer (in any process) holds the lock of `target` right now.
fn lock_is_held(dir: &Path, target: &Path) -> bool {
    let path = lock_path(dir, target);
    match fs::symlink_metadata(&path) {
        Ok(m) if m.file_type().is_file() => {}
        // No lock file: no writer since the directory was created. Anything else: not ours.
        Ok(_) => return true,
        Err(_) => return false,
    }
    match File::open(&path) {
        Ok(file) => matches!(file.try_lock(), Err(TryLockError::WouldBlock)),
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_temporary_names_are_ours() {
        let prefix = ".sync.c1z.";
        assert!(is_own_temp_name(OsStr::new(".sync.c1z.aB3xY9.db-build"), prefix));
        assert!(is_own_temp_name(OsStr::new(".sync.c1z.aB3xY9.tmp"), prefix));
        for foreign in [
            ".sync.c1z.lock",
            "sync.c1z",
            ".sync.c1z.aB3xY.tmp",
            ".sync.c1z.aB3xY90.tmp",
            ".sync.c1z.aB-xY9.tmp",
            ".other.c1z.aB3xY9.tmp",
            ".sync.c1z.aB3xY9.db",
            ".sync.c1z.aB3xY9.tmp.keep",
        ] {
            assert!(!is_own_temp_name(OsStr::new(foreign), prefix), "{foreign}");
        }
    }
}
