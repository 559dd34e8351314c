//! From `.c1z` to a private temporary SQLite file: magic check, one zstd frame, window and
//! decoded-size limits.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::Path;

use tempfile::TempPath;

use crate::MAGIC;
use crate::error::ReadError;

/// Readers limit the zstd window to 128 MiB (2^27) and do not enable long-window mode.
const MAX_WINDOW_LOG: u32 = 27;
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";
const V3_MAGIC: &[u8; 5] = b"C1Z3\0";

/// Decompresses `path` into a new file in `temp_dir`; the file is deleted when the result drops.
pub(crate) fn decompress_to_temp(path: &Path, temp_dir: &Path, limit: u64) -> Result<TempPath, ReadError> {
    let file = File::open(path).map_err(ReadError::io("opening", path))?;
    let mut input = BufReader::with_capacity(1 << 16, file);
    check_magic(path, &mut input)?;
    check_declared_size(path, &mut input, limit)?;

    let (output, temp) = tempfile::Builder::new()
        .prefix(".c1z-read-")
        .suffix(".db")
        .tempfile_in(temp_dir)
        .map_err(ReadError::io("creating a temporary file in", temp_dir))?
        .into_parts();
    let mut decoder =
        zstd::stream::read::Decoder::with_buffer(input).map_err(|e| frame_error(path, e))?.single_frame();
    decoder.window_log_max(MAX_WINDOW_LOG).map_err(|e| frame_error(path, e))?;
    copy_limited(path, &mut decoder, output, limit)?;
    check_sqlite_header(path, &temp)?;
    Ok(temp)
}

fn check_magic(path: &Path, input: &mut impl Read) -> Result<(), ReadError> {
    let mut magic = [0u8; 5];
    match input.read_exact(&mut magic) {
        Ok(()) if &magic == MAGIC => Ok(()),
        Ok(()) if &magic == V3_MAGIC => {
            Err(ReadError::UnsupportedFormat { path: path.to_path_buf(), format: "v3 (C1Z3)" })
        }
        Ok(()) => Err(ReadError::BadMagic { path: path.to_path_buf() }),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
            Err(ReadError::BadMagic { path: path.to_path_buf() })
        }
        Err(e) => Err(ReadError::io("reading", path)(e)),
    }
}

/// Refuses early when the frame header already declares more than the limit.
fn check_declared_size(path: &Path, input: &mut BufReader<File>, limit: u64) -> Result<(), ReadError> {
    let header = input.fill_buf().map_err(ReadError::io("reading", path))?;
    if header.is_empty() {
        return Err(ReadError::Truncated { path: path.to_path_buf() });
    }
    if let Ok(Some(declared)) = zstd::zstd_safe::get_frame_content_size(header)
        && declared > limit
    {
        return Err(ReadError::TooLarge { path: path.to_path_buf(), limit });
    }
    Ok(())
}

fn copy_limited(path: &Path, decoder: &mut impl Read, mut output: File, limit: u64) -> Result<(), ReadError> {
    let mut buf = vec![0u8; 1 << 16];
    let mut total: u64 = 0;
    loop {
        let n = match decoder.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(frame_error(path, e)),
        };
        total += n as u64;
        if total > limit {
            return Err(ReadError::TooLarge { path: path.to_path_buf(), limit });
        }
        output.write_all(&buf[..n]).map_err(ReadError::io("writing the decompressed database for", path))?;
    }
    if total == 0 {
        return Err(ReadError::NotSqlite { path: path.to_path_buf() });
    }
    output.flush().map_err(ReadError::io("writing the decompressed database for", path))
}

fn frame_error(path: &Path, e: io::Error) -> ReadError {
    // The zstd stream reader reports input that ends inside the frame as UnexpectedEof.
    if e.kind() == io::ErrorKind::UnexpectedEof {
        ReadError::Truncated { path: path.to_path_buf() }
    } else {
        ReadError::CorruptFrame { path: path.to_path_buf(), reason: e.to_string() }
    }
}

fn check_sqlite_header(path: &Path, db: &Path) -> Result<(), ReadError> {
    let mut header = [0u8; 16];
    let mut file = File::open(db).map_err(ReadError::io("opening the decompressed database for", path))?;
    match file.read_exact(&mut header) {
        Ok(()) if &header == SQLITE_HEADER => Ok(()),
        Ok(()) => Err(ReadError::NotSqlite { path: path.to_path_buf() }),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
            Err(ReadError::NotSqlite { path: path.to_path_buf() })
        }
        Err(e) => Err(ReadError::io("reading the decompressed database for", path)(e)),
    }
}
