//! The fake's BatonService: scripted tasks, recorded requests, knobs applied before each call.

use c1_proto::connectorapi::baton::v1::baton_service_server::BatonService;
use c1_proto::connectorapi::baton::v1::baton_service_upload_asset_request::Msg;
use c1_proto::connectorapi::baton::v1::{
    BatonServiceFinishTaskRequest, BatonServiceFinishTaskResponse, BatonServiceGetTaskRequest,
    BatonServiceGetTaskResponse, BatonServiceGetTasksRequest, BatonServiceGetTasksResponse,
    BatonServiceHeartbeatRequest, BatonServiceHeartbeatResponse, BatonServiceHelloRequest,
    BatonServiceHelloResponse, BatonServiceUploadAssetRequest, BatonServiceUploadAssetResponse,
    StartDebuggingRequest, StartDebuggingResponse,
};
use sha2::{Digest as _, Sha256};
use tonic::{Code, Request, Response, Status, Streaming};

use crate::{RefusedCall, Shared, UploadRecord, auth, lock};

pub(super) struct FakeBatonService {
    pub(super) state: Shared,
}

fn duration(value: std::time::Duration) -> Option<prost_types::Duration> {
    prost_types::Duration::try_from(value).ok()
}

impl FakeBatonService {
    /// Applies the Unavailable and authorization checks every call goes through.
    fn admit<T>(&self, rpc: &'static str, request: &Request<T>) -> Result<(), Status> {
        let authorization = request.metadata().get("authorization").and_then(|value| value.to_str().ok());
        let refusal = {
            let mut state = lock(&self.state);
            if state.knobs.unavailable_calls > 0 {
                state.knobs.unavailable_calls -= 1;
                Some((Code::Unavailable, "the fake is set to be unavailable".to_owned()))
            } else {
                None
            }
        };
        let refusal = refusal.or_else(|| {
            auth::check_authorization(&self.state, authorization)
                .err()
                .map(|reason| (Code::Unauthenticated, reason))
        });
        match refusal {
            None => Ok(()),
            Some((code, reason)) => Err(self.refuse(rpc, code, reason)),
        }
    }

    fn refuse(&self, rpc: &'static str, code: Code, reason: String) -> Status {
        lock(&self.state).recorded.refused.push(RefusedCall { rpc, code, reason: reason.clone() });
        Status::new(code, reason)
    }
}

/// The first `os_info` field left empty, if any (all of them when `os_info` is absent).
fn empty_os_info_field(hello: &BatonServiceHelloRequest) -> Option<&'static str> {
    let Some(os) = hello.os_info.as_ref() else { return Some("*") };
    [
        ("hostname", &os.hostname),
        ("os", &os.os),
        ("platform", &os.platform),
        ("platform_version", &os.platform_version),
        ("platform_family", &os.platform_family),
        ("kernel_version", &os.kernel_version),
        ("kernel_arch", &os.kernel_arch),
        ("virtualization_system", &os.virtualization_system),
    ]
    .into_iter()
    .find(|(_, value)| value.is_empty())
    .map(|(name, _)| name)
}

#[tonic::async_trait]
impl BatonService for FakeBatonService {
    async fn hello(
        &self,
        request: Request<BatonServiceHelloRequest>,
    ) -> Result<Response<BatonServiceHelloResponse>, Status> {
        self.admit("Hello", &request)?;
        if lock(&self.state).knobs.hello_unauthenticated {
            return Err(self.refuse(
                "Hello",
                Code::Unauthenticated,
                "this connector is not allowed in".to_owned(),
            ));
        }
        if let Some(field) = empty_os_info_field(request.get_ref()) {
            // As C1 does: a registration with an empty host fact is refused.
            return Err(self.refuse("Hello", Code::InvalidArgument, format!("os_info.{field} is empty")));
        }
        let user_agent =
            request.metadata().get("user-agent").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let mut state = lock(&self.state);
        state.recorded.hello_user_agents.push(user_agent);
        state.recorded.hellos.push(request.into_inner());
        Ok(Response::new(BatonServiceHelloResponse::default()))
    }

    async fn get_task(
        &self,
        request: Request<BatonServiceGetTaskRequest>,
    ) -> Result<Response<BatonServiceGetTaskResponse>, Status> {
        self.admit("GetTask", &request)?;
        let denied = {
            let mut state = lock(&self.state);
            let denied = state.knobs.get_task_permission_denied > 0;
            state.knobs.get_task_permission_denied = state.knobs.get_task_permission_denied.saturating_sub(1);
            denied
        };
        if denied {
            return Err(self.refuse(
                "GetTask",
                Code::PermissionDenied,
                "the fake is set to deny polls".to_owned(),
            ));
        }
        let mut state = lock(&self.state);
        state.recorded.get_tasks += 1;
        let task = state.tasks.pop_front();
        Ok(Response::new(BatonServiceGetTaskResponse {
            task,
            next_poll: duration(state.knobs.next_poll),
            next_heartbeat: duration(state.knobs.next_heartbeat),
            annotations: vec![],
        }))
    }

    async fn get_tasks(
        &self,
        request: Request<BatonServiceGetTasksRequest>,
    ) -> Result<Response<BatonServiceGetTasksResponse>, Status> {
        self.admit("GetTasks", &request)?;
        Err(Status::unimplemented("the fake serves GetTask only"))
    }

    async fn heartbeat(
        &self,
        request: Request<BatonServiceHeartbeatRequest>,
    ) -> Result<Response<BatonServiceHeartbeatResponse>, Status> {
        self.admit("Heartbeat", &request)?;
        if lock(&self.state).knobs.tasks_forgotten {
            return Err(self.refuse("Heartbeat", Code::NotFound, "no such task".to_owned()));
        }
        let beat = request.into_inner();
        let mut state = lock(&self.state);
        state.recorded.heartbeats.push(beat.clone());
        let seen = state.recorded.heartbeats_of(&beat.task_id);
        let cancelled = matches!(&state.knobs.cancel_task_after_heartbeats,
            Some((task_id, after)) if *task_id == beat.task_id && seen >= *after);
        Ok(Response::new(BatonServiceHeartbeatResponse {
            next_heartbeat: duration(state.knobs.next_heartbeat),
            cancelled,
            annotations: vec![],
            cancelled_task_ids: if cancelled { vec![beat.task_id] } else { vec![] },
        }))
    }

    async fn finish_task(
        &self,
        request: Request<BatonServiceFinishTaskRequest>,
    ) -> Result<Response<BatonServiceFinishTaskResponse>, Status> {
        self.admit("FinishTask", &request)?;
        lock(&self.state).recorded.finishes.push(request.into_inner());
        Ok(Response::new(BatonServiceFinishTaskResponse::default()))
    }

    async fn upload_asset(
        &self,
        request: Request<Streaming<BatonServiceUploadAssetRequest>>,
    ) -> Result<Response<BatonServiceUploadAssetResponse>, Status> {
        self.admit("UploadAsset", &request)?;
        if lock(&self.state).knobs.tasks_forgotten {
            lock(&self.state).recorded.forgotten_uploads += 1;
            return Err(self.refuse("UploadAsset", Code::NotFound, "no such task".to_owned()));
        }
        let mut stream = request.into_inner();
        let mut record = UploadRecord::default();
        let outcome = receive_upload(&self.state, &mut stream, &mut record).await;
        lock(&self.state).recorded.uploads.push(record);
        outcome.map(|()| Response::new(BatonServiceUploadAssetResponse::default()))
    }

    async fn start_debugging(
        &self,
        request: Request<StartDebuggingRequest>,
    ) -> Result<Response<StartDebuggingResponse>, Status> {
        self.admit("StartDebugging", &request)?;
        Ok(Response::new(StartDebuggingResponse { status: false }))
    }
}

async fn receive_upload(
    state: &Shared,
    stream: &mut Streaming<BatonServiceUploadAssetRequest>,
    record: &mut UploadRecord,
) -> Result<(), Status> {
    let mut hasher = Sha256::new();
    let mut seen_metadata = false;
    while let Some(message) = stream.message().await? {
        match message.msg {
            Some(Msg::Metadata(metadata)) if !seen_metadata => {
                seen_metadata = true;
                record.host_id = metadata.host_id;
                record.task_id = metadata.task_id;
            }
            Some(Msg::Data(data)) if seen_metadata => {
                if data.data.is_empty() || data.data.len() > 1024 * 1024 {
                    return Err(Status::invalid_argument("a data chunk must hold 1 byte .. 1 MiB"));
                }
                hasher.update(&data.data);
                record.chunk_sizes.push(data.data.len());
                record.data.extend_from_slice(&data.data);
                let drop_now = {
                    let mut state = lock(state);
                    std::mem::take(&mut state.knobs.drop_next_upload)
                };
                if drop_now {
                    record.dropped = true;
                    return Err(Status::unavailable("the fake broke off this upload"));
                }
            }
            Some(Msg::Eof(eof)) if seen_metadata => {
                record.sha256_checksum = eof.sha256_checksum;
                let expected = std::mem::take(&mut hasher).finalize();
                if record.sha256_checksum != expected.as_slice() {
                    return Err(Status::invalid_argument("the eof checksum does not match the data"));
                }
                if stream.message().await?.is_some() {
                    return Err(Status::invalid_argument("messages after eof"));
                }
                record.complete = true;
                return Ok(());
            }
            _ => return Err(Status::invalid_argument("expected metadata first, then data chunks, then eof")),
        }
    }
    Err(Status::invalid_argument("the upload ended without eof"))
}
