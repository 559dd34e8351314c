//! Fakes, the spawned binary and small helpers shared by the service tests.

mod http;
mod service;
mod world;

use std::time::Duration;

use c1_proto::connectorapi::baton::v1::baton_service_finish_task_request::FinalState;
use c1_proto::connectorapi::baton::v1::task::{GrantTask, SyncFullTask, TaskType};
use c1_proto::connectorapi::baton::v1::{BatonServiceFinishTaskRequest, Task};
use c1_proto::tonic::Code;

pub use http::{free_port, http_status};
pub use service::Service;
pub use tests::binary::binary;
pub use world::{ChartHopSetup, World, eventually};

/// The tenant the minted client ids name (the token audience).
pub const TENANT_HOST: &str = "acme.conductor.one";
/// `BATON_HOST_ID` of every spawned service.
pub const HOST_ID: &str = "e2e-service-host";
/// How long a test waits for something the service should do within a few seconds.
pub const WAIT: Duration = Duration::from_secs(20);

pub fn sync_task(sync: SyncFullTask) -> Task {
    task(TaskType::SyncFull(sync))
}

pub fn grant_task() -> Task {
    task(TaskType::Grant(GrantTask::default()))
}

fn task(task_type: TaskType) -> Task {
    Task { id: c1_fake::new_task_id(), task_type: Some(task_type), ..Task::default() }
}

pub fn is_success(finish: &BatonServiceFinishTaskRequest) -> bool {
    matches!(finish.final_state, Some(FinalState::Success(_)))
}

/// (status code, message, non_retryable) of a FinishTask that reports an error.
pub fn error_of(finish: &BatonServiceFinishTaskRequest) -> (Code, String, bool) {
    let Some(FinalState::Error(error)) = &finish.final_state else {
        panic!("expected an error final state: {finish:?}");
    };
    let status = finish.status.as_ref().expect("an error FinishTask carries a status");
    (Code::from(status.code), status.message.clone(), error.non_retryable)
}

/// One row of the fault matrix (`cargo xtask faults` reads these lines): a test calls it once
/// its assertions have held, with what it saw.
pub fn fault_row(fault: &str, setup: &str, expected: &str, observed: &str) {
    let observed = observed.replace(['\t', '\n'], " ");
    println!("FAULT-ROW\t{fault}\t{setup}\t{expected}\t{observed}\tno");
}
