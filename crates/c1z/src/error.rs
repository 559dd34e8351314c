//! One error enum per direction: [`WriteError`] for the writer, [`ReadError`] for the reader.

use std::io;
use std::path::PathBuf;

/// What kind of row an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    ResourceType,
    Resource,
    Entitlement,
    Grant,
}

impl RowKind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            RowKind::ResourceType => "resource type",
            RowKind::Resource => "resource",
            RowKind::Entitlement => "entitlement",
            RowKind::Grant => "grant",
        }
    }
}

impl std::fmt::Display for RowKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What SQLite reported. Opaque on purpose: only this crate knows the file holds SQLite.
#[derive(Debug)]
pub struct SqliteError(pub(crate) rusqlite::Error);

// A leaf of the chain: rusqlite's own Display already repeats its source (the result code) in
// several variants, so the code goes into this one line instead of a further link.
impl std::fmt::Display for SqliteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            rusqlite::Error::SqliteFailure(code, Some(message)) => write!(f, "{message} ({code})"),
            other => other.fmt(f),
        }
    }
}

impl std::error::Error for SqliteError {}

/// Why a `.c1z` could not be written. Whatever the error, the previous target file is untouched.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("invalid .c1z target {path:?}: {reason}")]
    InvalidTarget { path: PathBuf, reason: &'static str },

    #[error("{path:?} is a {kind}: a .c1z can only be written to a new path or over a regular file")]
    UnsafeTarget { path: PathBuf, kind: &'static str },

    #[error("another sync is writing {}", path.display())]
    TargetBusy { path: PathBuf },

    #[error("the sync was cancelled before it was published; the target was not touched")]
    Cancelled,

    #[error("reading the previous sync {path:?} for comparison failed")]
    Previous {
        path: PathBuf,
        #[source]
        source: ReadError,
    },

    #[error("reading the previous sync {path:?} to keep it in the new file failed")]
    KeepPrevious {
        path: PathBuf,
        #[source]
        source: ReadError,
    },

    #[error(
        "the last sync of {path:?} ({sync_id}) ended no earlier than this sync started (a clock \
         ahead?): it is not kept, so that readers still take this sync"
    )]
    KeptSyncNotOlder { path: PathBuf, sync_id: String },

    #[error("invalid writer option: {0}")]
    InvalidOption(String),

    #[error("invalid sync id {sync_id:?}: a sync id is a KSUID, 27 ASCII letters and digits")]
    InvalidSyncId { sync_id: String },

    #[error("{action} {path:?} failed")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error("SQLite failed while {action}")]
    Sqlite {
        action: &'static str,
        #[source]
        source: SqliteError,
    },

    #[error("{kind} {id:?} is missing its {field}: set it before writing the {kind}")]
    MissingField { kind: RowKind, id: String, field: &'static str },

    #[error("{kind} {id:?} was written twice in one sync: each {kind} id must be unique")]
    DuplicateId { kind: RowKind, id: String },

    #[error(
        "{kind} {id:?} refers to {missing_kind} {missing_id:?}, which was never written: \
         write every {missing_kind} a {kind} refers to before finish()"
    )]
    DanglingReference { kind: RowKind, id: String, missing_kind: RowKind, missing_id: String },

    #[error(
        "resource {resource_id:?} has type {resource_type:?}, which declares {trait_name}, but the \
         resource carries no {trait_name} annotation: add the trait annotation to the resource"
    )]
    MissingTrait { resource_id: String, resource_type: String, trait_name: &'static str },
}

impl WriteError {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> Self {
        let path = path.into();
        move |source| WriteError::Io { action, path, source }
    }

    pub(crate) fn sqlite(action: &'static str) -> impl FnOnce(rusqlite::Error) -> Self {
        move |e| WriteError::Sqlite { action, source: SqliteError(e) }
    }
}

/// Why a `.c1z` could not be read. Corrupt input gives one of these, never a panic.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{path:?} is not a .c1z file (bad magic): a v1 .c1z starts with the bytes C1ZF\\0")]
    BadMagic { path: PathBuf },

    #[error("{path:?} is a .c1z in format {format}, which this reader does not support (only v1)")]
    UnsupportedFormat { path: PathBuf, format: &'static str },

    #[error("{path:?} is truncated: its zstd frame ends early; the file was cut short, fetch it again")]
    Truncated { path: PathBuf },

    #[error("{path:?} holds a corrupt zstd frame: {reason}")]
    CorruptFrame { path: PathBuf, reason: String },

    #[error(
        "{path:?} decodes to more than the cap of {} ({limit} bytes) on the decompressed database; \
         the caller can raise the cap to read a larger file it trusts",
        human_bytes(*limit)
    )]
    TooLarge { path: PathBuf, limit: u64 },

    #[error("{path:?} does not hold a SQLite database inside its zstd frame")]
    NotSqlite { path: PathBuf },

    #[error("{path:?} has no table {table}: it is not a v1 .c1z (or it is damaged)")]
    MissingTable { path: PathBuf, table: &'static str },

    #[error("{path:?} has no column {column} in table {table}: it is not a v1 .c1z (or it is damaged)")]
    MissingColumn { path: PathBuf, table: &'static str, column: &'static str },

    #[error(
        "{path:?} holds {found}, which a v1 .c1z never has: the file is refused before any of it is read"
    )]
    UnsupportedSchema { path: PathBuf, found: String },

    #[error("{action} {path:?} failed")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error("SQLite failed while {action}")]
    Sqlite {
        action: &'static str,
        #[source]
        source: SqliteError,
    },

    #[error("no sync with id {sync_id:?} in this file; list them with C1zReader::syncs()")]
    SyncNotFound { sync_id: String },

    #[error("sync {sync_id:?} has an unreadable {column} timestamp {value:?}")]
    BadTimestamp { sync_id: String, column: &'static str, value: String },

    #[error("row {row_id} of {table} holds data that does not decode as its protobuf message")]
    Decode {
        table: &'static str,
        row_id: i64,
        #[source]
        source: DecodeError,
    },
}

/// `limit` in the largest binary unit that shows it without a fraction, or to one decimal.
fn human_bytes(limit: u64) -> String {
    const UNITS: [(&str, u64); 4] = [("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (unit, size) in UNITS {
        if limit >= size {
            return if limit.is_multiple_of(size) {
                format!("{} {unit}", limit / size)
            } else {
                format!("{:.1} {unit}", limit as f64 / size as f64)
            };
        }
    }
    format!("{limit} bytes")
}

/// The protobuf decoding error behind [`ReadError::Decode`].
pub type DecodeError = c1_proto::prost::DecodeError;

impl ReadError {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> Self {
        let path = path.into();
        move |source| ReadError::Io { action, path, source }
    }

    pub(crate) fn sqlite(action: &'static str) -> impl FnOnce(rusqlite::Error) -> Self {
        move |e| ReadError::Sqlite { action, source: SqliteError(e) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_failures_chain_an_opaque_cause() {
        let write = WriteError::sqlite("inserting a grant")(rusqlite::Error::InvalidQuery);
        let read = ReadError::sqlite("reading rows")(rusqlite::Error::InvalidQuery);
        for err in [&write as &dyn std::error::Error, &read] {
            let cause = err.source().expect("the SQLite error is chained");
            assert!(cause.downcast_ref::<SqliteError>().is_some(), "{cause:?}");
            assert!(cause.downcast_ref::<rusqlite::Error>().is_none());
            assert_eq!(cause.to_string(), rusqlite::Error::InvalidQuery.to_string());
        }
    }

    #[test]
    fn a_sqlite_failure_names_its_message_and_code_once() {
        let code = rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL);
        let failure = rusqlite::Error::SqliteFailure(code, Some("database or disk is full".into()));
        let shown = SqliteError(failure).to_string();
        assert_eq!(shown, format!("database or disk is full ({code})"));
        let bare = SqliteError(rusqlite::Error::SqliteFailure(code, None));
        assert_eq!(bare.to_string(), code.to_string());
        assert!(std::error::Error::source(&bare).is_none(), "the code would be printed twice");
    }

    #[test]
    fn messages_describe_their_own_layer_and_leave_the_cause_to_the_chain() {
        let cause = "disk on fire";
        let io_error = || io::Error::other(cause);
        let sqlite_error = || {
            let code = rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_IOERR);
            rusqlite::Error::SqliteFailure(code, Some(cause.to_owned()))
        };
        let bad_row =
            <c1_proto::connector::v2::Grant as c1_proto::prost::Message>::decode([0x0a, 0x05].as_slice())
                .expect_err("a length past the end");
        let decode_cause = bad_row.to_string();
        let decode = ReadError::Decode { table: "v1_grants", row_id: 7, source: bad_row };
        assert!(!decode.to_string().contains(&decode_cause), "{decode} repeats its cause");
        let errors: [&dyn std::error::Error; 4] = [
            &WriteError::io("creating", "/x/sync.c1z")(io_error()),
            &WriteError::sqlite("inserting a grant")(sqlite_error()),
            &ReadError::io("opening", "/x/sync.c1z")(io_error()),
            &ReadError::sqlite("reading rows")(sqlite_error()),
        ];
        for err in errors {
            assert!(!err.to_string().contains(cause), "{err} repeats its cause");
            assert!(err.source().expect("chained").to_string().contains(cause));
        }
    }

    #[test]
    fn no_message_names_a_flag_or_an_environment_variable() {
        let path = || PathBuf::from("/x/sync.c1z");
        let writes = [
            WriteError::UnsafeTarget { path: path(), kind: "symbolic link" },
            WriteError::TargetBusy { path: path() },
            WriteError::Cancelled,
            WriteError::Previous {
                path: path(),
                source: ReadError::TooLarge { path: path(), limit: 1 << 30 },
            },
            WriteError::InvalidTarget { path: path(), reason: "it names no file" },
        ];
        let reads = [
            ReadError::TooLarge { path: path(), limit: 1 << 30 },
            ReadError::UnsupportedSchema { path: path(), found: "a view \"v\"".to_owned() },
            ReadError::MissingColumn { path: path(), table: "v1_grants", column: "data" },
        ];
        let shown = writes.iter().map(ToString::to_string).chain(reads.iter().map(ToString::to_string));
        for message in shown {
            assert!(!message.contains("--") && !message.contains("BATON_"), "{message}");
        }
    }

    #[test]
    fn byte_sizes_read_as_binary_units() {
        assert_eq!(human_bytes(1 << 30), "1 GiB");
        assert_eq!(human_bytes(10 << 30), "10 GiB");
        assert_eq!(human_bytes(1536 << 20), "1.5 GiB");
        assert_eq!(human_bytes(4096), "4 KiB");
        assert_eq!(human_bytes(100), "100 bytes");
    }
}
