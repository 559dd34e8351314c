//! `--log-path`: lines appended to a file that never grows without bound. Past
//! [`ROTATE_AT`] bytes it is renamed to `<file>.1` (replacing the previous one) and started
//! afresh, so the logs take at most twice that; `logrotate` with `copytruncate` works too.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tracing_subscriber::fmt::MakeWriter;

/// 100 MiB.
pub const ROTATE_AT: u64 = 100 << 20;

/// The open file, shared by every event; each event is one write (the formatter buffers it).
#[derive(Clone)]
pub struct LogFile(Arc<Mutex<Inner>>);

struct Inner {
    path: PathBuf,
    file: File,
    size: u64,
    limit: u64,
}

impl LogFile {
    pub fn open(path: &Path, limit: u64) -> io::Result<Self> {
        let file = append(path)?;
        let size = file.metadata()?.len();
        Ok(Self(Arc::new(Mutex::new(Inner { path: path.to_owned(), file, size, limit }))))
    }
}

fn append(path: &Path) -> io::Result<File> {
    OpenOptions::new().create(true).append(true).open(path)
}

impl Inner {
    fn rotate(&mut self) -> io::Result<()> {
        let mut old = self.path.clone().into_os_string();
        old.push(".1");
        std::fs::rename(&self.path, &old)?;
        self.file = append(&self.path)?;
        self.size = 0;
        Ok(())
    }
}

impl Write for LogFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut inner = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        // Between lines only; a file someone truncated (copytruncate) starts over.
        let on_disk = inner.file.metadata().map(|m| m.len()).unwrap_or(inner.size);
        inner.size = inner.size.min(on_disk);
        if inner.size > 0 && inner.size + buf.len() as u64 > inner.limit {
            // A failed rotation keeps appending: a log line is not worth losing over it.
            let _ = inner.rotate();
        }
        inner.file.write_all(buf)?;
        inner.size += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let mut inner = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        inner.file.flush()
    }
}

impl<'a> MakeWriter<'a> for LogFile {
    type Writer = LogFile;

    fn make_writer(&'a self) -> LogFile {
        self.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_appended_and_the_file_rotates_past_its_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("connector.log");
        std::fs::write(&path, "earlier run\n").unwrap();
        let mut log = LogFile::open(&path, 40).unwrap();
        log.write_all(b"first line of this run\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "earlier run\nfirst line of this run\n");
        log.write_all(b"second line, past the limit\n").unwrap();
        let rotated = dir.path().join("connector.log.1");
        assert_eq!(std::fs::read_to_string(&rotated).unwrap(), "earlier run\nfirst line of this run\n");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "second line, past the limit\n");
        log.write_all(b"third\n").unwrap();
        log.write_all(b"a fourth line that rotates again\n").unwrap();
        assert_eq!(std::fs::read_to_string(&rotated).unwrap(), "second line, past the limit\nthird\n");
    }

    #[test]
    fn a_file_that_cannot_be_opened_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(LogFile::open(&dir.path().join("missing/dir/x.log"), ROTATE_AT).is_err());
    }
}
