//! Shared helpers: fixture paths, raw frames, directory listings.

use std::fs;
use std::path::{Path, PathBuf};

/// The `.c1z` the Go SDK wrote (docs/c1-wire.md#the-go-sdk-file), a contract fixture: `None`
/// (after a visible "skipped" line) when the fixtures are not at hand.
pub fn go_fixture() -> Option<PathBuf> {
    contract_fixtures::find("go-sdk-sync-in-progress.c1z")
}
pub const GO_FIXTURE_SYNC_ID: &str = "3ARefY5G8eOytquwYgm41Nq07IZ";

/// `C1ZF\0` + one zstd frame of `payload`.
pub fn c1z_bytes(payload: &[u8]) -> Vec<u8> {
    let mut out = c1z::MAGIC.to_vec();
    out.extend(zstd::bulk::compress(payload, 3).expect("zstd compresses"));
    out
}

/// The SQLite database inside a `.c1z`.
pub fn decompress(path: &Path) -> Vec<u8> {
    let bytes = fs::read(path).expect("reads the file");
    assert_eq!(&bytes[..5], c1z::MAGIC, "magic of {path:?}");
    zstd::stream::decode_all(&bytes[5..]).expect("one valid zstd frame")
}

/// Names of every entry in `dir`, sorted, but the writer's lock files (`.<name>.lock`), which
/// stay on disk by design.
pub fn dir_entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("lists the directory")
        .map(|e| e.expect("reads an entry").file_name().to_string_lossy().into_owned())
        .filter(|name| !(name.starts_with('.') && name.ends_with(".lock")))
        .collect();
    names.sort();
    names
}

pub fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, bytes).expect("writes the test file");
    path
}

/// The database inside a `.c1z`, copied into `dir` and opened with plain SQLite.
pub fn open_db(c1z: &Path, dir: &Path) -> rusqlite::Connection {
    let path = dir.join("inspect.db");
    fs::write(&path, decompress(c1z)).expect("writes the database");
    rusqlite::Connection::open(&path).expect("opens the database")
}
