//! The example connector through a whole service-mode sync task against the fake C1, its upload
//! read back with the c1z reader.

use std::sync::Arc;
use std::time::Duration;

use c1_fake::{FakeC1, Knobs, new_task_id};
use c1_proto::connectorapi::baton::v1::Task;
use c1_proto::connectorapi::baton::v1::baton_service_finish_task_request::FinalState;
use c1_proto::connectorapi::baton::v1::task::{SyncFullTask, TaskType};
use c1_service::{BuildInfo, ClientCredentials, ServiceConfig, Timing};
use c1z::{C1zReader, ReaderOptions};
use static_connector::{GROUPS, StaticConnector, USERS};

#[tokio::test]
async fn a_sync_task_uploads_the_static_org() {
    let fake = FakeC1::start(Knobs::default()).await.expect("the fake C1 starts");
    let minted = fake.mint_credentials("tenant.example");
    let task = Task {
        id: new_task_id(),
        task_type: Some(TaskType::SyncFull(SyncFullTask::default())),
        ..Task::default()
    };
    fake.push_task(task.clone());

    let work_dir = tempfile::tempdir().unwrap();
    let credentials = ClientCredentials::parse(&minted.client_id, &minted.client_secret).unwrap();
    let mut config =
        ServiceConfig::new(credentials, "example-host", BuildInfo::new("static-connector", "0.0.0"));
    config.api_host_override = Some(fake.api_host());
    config.extra_root_certs_pem = Some(fake.ca_pem().as_bytes().to_vec());
    config.work_dir = Some(work_dir.path().to_owned());
    config.timing = Timing { poll_min: Duration::from_millis(10), ..Timing::default() };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (ready, _) = tokio::sync::watch::channel(false);
    let shutdown = async move {
        let _ = stopped.await;
    };
    let service = tokio::spawn(c1_service::run(config, Arc::new(StaticConnector), shutdown, ready));

    let (finished, recorded) =
        fake.wait_for(Duration::from_secs(20), |r| !r.finishes_of(&task.id).is_empty()).await;
    assert!(finished, "the task was finished: {recorded:?}");
    let finish = recorded.finishes_of(&task.id)[0];
    assert!(matches!(finish.final_state, Some(FinalState::Success(_))), "{finish:?}");
    let upload = recorded.uploads.iter().find(|u| u.task_id == task.id && u.complete).expect("an upload");
    let _ = stop.send(());
    service.await.unwrap().expect("the service stops cleanly");

    let file = work_dir.path().join("uploaded.c1z");
    std::fs::write(&file, &upload.data).unwrap();
    let reader = C1zReader::open(&file, ReaderOptions::default()).expect("the upload is a valid .c1z");
    let sync = reader.latest_finished_full_sync().unwrap().expect("a finished full sync");
    let counts = reader.counts(&sync.id).unwrap();
    let memberships: usize = GROUPS.iter().map(|(_, _, members)| members.len()).sum();
    assert_eq!(counts.resources_by_type.get("user"), Some(&(USERS.len() as u64)));
    assert_eq!(counts.resources_by_type.get("group"), Some(&(GROUPS.len() as u64)));
    assert_eq!(counts.entitlements, GROUPS.len() as u64);
    assert_eq!(counts.grants, memberships as u64);
    let grant_ids: Vec<String> = reader.grants(&sync.id).unwrap().map(|grant| grant.unwrap().id).collect();
    assert!(grant_ids.contains(&"group:eng:member:user:ada".to_owned()), "{grant_ids:?}");
}
