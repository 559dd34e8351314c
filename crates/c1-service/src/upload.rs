//! UploadAsset framing: metadata, the file in fixed-size chunks read from disk, then eof with
//! the SHA-256 of everything sent.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use c1_proto::connectorapi::baton::v1::BatonServiceUploadAssetRequest;
use c1_proto::connectorapi::baton::v1::baton_service_upload_asset_request::{
    Msg, UploadData, UploadEof, UploadMetadata,
};
use futures::Stream;
use sha2::{Digest as _, Sha256};
use tokio::io::AsyncReadExt as _;
use tokio::time::Instant;

use crate::client::{C1Client, CallError};
use error_reporter::Report;

impl UploadError {
    /// The code the task is finished with: C1's own answer to the upload, when there is one.
    pub(crate) fn code(&self) -> tonic::Code {
        match self {
            Self::Call { source: CallError::Status(status), .. } => status.code(),
            Self::Call { source: CallError::Token(_), .. } => tonic::Code::Unauthenticated,
            Self::Read { .. } => tonic::Code::Internal,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum UploadError {
    #[error("could not read the {asset} {path}")]
    Read {
        asset: Asset,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("uploading the {asset} failed after {attempts} attempts")]
    Call {
        asset: Asset,
        attempts: u32,
        #[source]
        source: CallError,
    },
}

/// What a task uploads: its sync file, then, when C1 asked for it, its debug log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Asset {
    SyncFile,
    DebugLog,
}

impl std::fmt::Display for Asset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::SyncFile => "sync file",
            Self::DebugLog => "debug log",
        })
    }
}

/// What was sent in the upload that C1 accepted.
#[derive(Debug)]
pub(crate) struct Uploaded {
    pub(crate) bytes: u64,
    pub(crate) duration: Duration,
}

pub(crate) struct UploadPlan<'a> {
    pub(crate) host_id: &'a str,
    pub(crate) task_id: &'a str,
    pub(crate) path: &'a Path,
    pub(crate) asset: Asset,
    pub(crate) chunk_bytes: usize,
    pub(crate) attempts: u32,
    pub(crate) retry_delay: Duration,
}

/// Uploads the file, opening it afresh for each of up to `attempts` tries.
pub(crate) async fn upload_file(client: &C1Client, plan: UploadPlan<'_>) -> Result<Uploaded, UploadError> {
    let attempts = plan.attempts.max(1);
    let mut attempt = 1;
    loop {
        let started = Instant::now();
        let file = tokio::fs::File::open(plan.path).await.map_err(|source| UploadError::Read {
            asset: plan.asset,
            path: plan.path.to_owned(),
            source,
        })?;
        let read_failure = Arc::new(Mutex::new(None));
        let sent = Arc::new(Mutex::new(0_u64));
        let stream = upload_stream(
            UploadMetadata {
                host_id: plan.host_id.to_owned(),
                task_id: plan.task_id.to_owned(),
                annotations: vec![],
            },
            file,
            plan.chunk_bytes.max(1),
            Arc::clone(&read_failure),
            Arc::clone(&sent),
        );
        let result = client.upload_asset(stream).await;
        if let Some(source) = read_failure.lock().unwrap_or_else(|e| e.into_inner()).take() {
            return Err(UploadError::Read { asset: plan.asset, path: plan.path.to_owned(), source });
        }
        match result {
            Ok(()) => {
                let bytes = *sent.lock().unwrap_or_else(|e| e.into_inner());
                return Ok(Uploaded { bytes, duration: started.elapsed() });
            }
            // Every code is tried again, as the Go SDK does: a heartbeat's NotFound may be
            // C1 catching up, and the upload is what the task was for.
            Err(source) if attempt >= attempts => {
                return Err(UploadError::Call { asset: plan.asset, attempts: attempt, source });
            }
            Err(error) => {
                tracing::warn!(task_id = plan.task_id, attempt, asset = %plan.asset, error = %Report::new(&error), "upload failed; retrying");
                tokio::time::sleep(plan.retry_delay).await;
                attempt += 1;
            }
        }
    }
}

enum Stage {
    Metadata(UploadMetadata),
    Data,
    Done,
}

struct StreamState {
    stage: Stage,
    file: tokio::fs::File,
    hasher: Sha256,
    buffer: Vec<u8>,
    read_failure: Arc<Mutex<Option<io::Error>>>,
    sent: Arc<Mutex<u64>>,
}

fn message(msg: Msg) -> BatonServiceUploadAssetRequest {
    BatonServiceUploadAssetRequest { msg: Some(msg) }
}

/// A stream that reads the file lazily, one chunk per message. A read error ends the stream
/// without eof (so C1 discards the upload) and is reported through `read_failure`.
fn upload_stream(
    metadata: UploadMetadata,
    file: tokio::fs::File,
    chunk_bytes: usize,
    read_failure: Arc<Mutex<Option<io::Error>>>,
    sent: Arc<Mutex<u64>>,
) -> impl Stream<Item = BatonServiceUploadAssetRequest> + Send + 'static {
    let state = StreamState {
        stage: Stage::Metadata(metadata),
        file,
        hasher: Sha256::new(),
        buffer: vec![0; chunk_bytes],
        read_failure,
        sent,
    };
    futures::stream::unfold(state, |mut state| async move {
        match std::mem::replace(&mut state.stage, Stage::Data) {
            Stage::Metadata(metadata) => Some((message(Msg::Metadata(metadata)), state)),
            Stage::Data => match read_chunk(&mut state.file, &mut state.buffer).await {
                Ok(0) => {
                    state.stage = Stage::Done;
                    let checksum = std::mem::take(&mut state.hasher).finalize().to_vec();
                    Some((
                        message(Msg::Eof(UploadEof { sha256_checksum: checksum, annotations: vec![] })),
                        state,
                    ))
                }
                Ok(len) => {
                    let data = state.buffer[..len].to_vec();
                    state.hasher.update(&data);
                    *state.sent.lock().unwrap_or_else(|e| e.into_inner()) += len as u64;
                    Some((message(Msg::Data(UploadData { data })), state))
                }
                Err(err) => {
                    *state.read_failure.lock().unwrap_or_else(|e| e.into_inner()) = Some(err);
                    None
                }
            },
            Stage::Done => None,
        }
    })
}

/// Fills `buffer` as far as the file allows, so every chunk but the last is full-size.
async fn read_chunk(file: &mut tokio::fs::File, buffer: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match file.read(&mut buffer[filled..]).await? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}
