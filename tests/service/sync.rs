//! `sync_full` tasks: the uploaded bytes are a `.c1z` holding the fake org, whatever the
//! network does to the upload, and the task's options shape what the file holds.

use std::collections::{BTreeMap, BTreeSet};

use c1_fake::{Knobs, UploadRecord};
use c1_proto::connectorapi::baton::v1::task::SyncFullTask;
use c1z::{C1zReader, ReaderOptions};
use sha2::{Digest as _, Sha256};

use crate::harness::{HOST_ID, World, eventually, is_success, sync_task};

/// What an uploaded file holds, read back with the c1z reader.
#[derive(Debug)]
struct Contents {
    resources_by_type: BTreeMap<String, u64>,
    entitlements: u64,
    grants: u64,
    /// (group id, person id) of every grant.
    memberships: BTreeSet<(String, String)>,
}

fn read_upload(upload: &UploadRecord) -> Contents {
    assert!(upload.complete, "the upload ended with a matching eof");
    assert_eq!(
        upload.sha256_checksum,
        Sha256::digest(&upload.data).to_vec(),
        "eof carries the data's sha256"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("uploaded.c1z");
    std::fs::write(&path, &upload.data).unwrap();
    let reader = C1zReader::open(&path, ReaderOptions::default()).expect("the upload is a valid .c1z");
    let sync = reader.latest_finished_full_sync().unwrap().expect("the file holds a finished full sync");
    let counts = reader.counts(&sync.id).unwrap();
    let memberships = reader
        .grants(&sync.id)
        .unwrap()
        .map(|grant| {
            let grant = grant.unwrap();
            let group = grant.entitlement.unwrap().resource.unwrap().id.unwrap().resource;
            let person = grant.principal.unwrap().id.unwrap().resource;
            (group, person)
        })
        .collect();
    Contents {
        resources_by_type: counts.resources_by_type,
        entitlements: counts.entitlements,
        grants: counts.grants,
        memberships,
    }
}

fn complete_upload_of<'a>(uploads: &'a [UploadRecord], task_id: &str) -> &'a UploadRecord {
    let complete: Vec<_> = uploads.iter().filter(|u| u.task_id == task_id && u.complete).collect();
    assert_eq!(complete.len(), 1, "one complete upload for {task_id}");
    complete[0]
}

#[tokio::test]
async fn a_full_sync_uploads_a_c1z_holding_the_fake_org() {
    let world = World::start(Knobs::default()).await;
    let task = sync_task(SyncFullTask::default());
    world.c1.push_task(task.clone());
    let service = world.spawn(&["--page-size", "50"]);
    let recorded =
        world.expect_c1(&service, "the sync's FinishTask", |r| !r.finishes_of(&task.id).is_empty()).await;

    let finish = recorded.finishes_of(&task.id)[0];
    assert!(is_success(finish), "{finish:?}\nlogs:\n{}", service.logs());
    assert_eq!(finish.host_id, HOST_ID);
    assert_eq!(recorded.uploads.len(), 1);
    let upload = complete_upload_of(&recorded.uploads, &task.id);
    assert_eq!(upload.host_id, HOST_ID);
    assert!(upload.chunk_sizes.iter().all(|&size| size <= 512 * 1024), "{:?}", upload.chunk_sizes);

    let org = world.charthop.org();
    let contents = read_upload(upload);
    let expected_types = BTreeMap::from([
        ("group".to_owned(), org.groups.len() as u64),
        ("person".to_owned(), org.persons.len() as u64),
    ]);
    assert_eq!(contents.resources_by_type, expected_types);
    assert_eq!(contents.entitlements, org.groups.len() as u64, "one member entitlement per group");
    assert_eq!(contents.grants, org.memberships.len() as u64);
    let truth: BTreeSet<_> =
        org.memberships.iter().map(|m| (m.group_id.clone(), m.person_id.clone())).collect();
    assert_eq!(contents.memberships, truth);

    // The logs tell an operator when it took the task, what it uploaded and how it ended.
    let took = service.log_lines_with("took a task");
    assert_eq!(took.len(), 1, "a log line says it took the task:\n{}", service.logs());
    assert_eq!(took[0]["task_type"], "sync_full");
    let uploaded = service.log_lines_with("uploaded the sync file");
    assert_eq!(uploaded.len(), 1, "a log line says what was uploaded:\n{}", service.logs());
    assert_eq!(uploaded[0]["bytes"], upload.data.len());
    assert!(uploaded[0]["duration_ms"].is_u64(), "{}", uploaded[0]);
    let finished = service.expect_log("finished a task").await;
    assert_eq!(finished[0]["task_id"], task.id.as_str());
    assert!(eventually(std::time::Duration::from_secs(2), || world.temp_entries().is_empty()).await);
}

#[tokio::test]
async fn a_dropped_upload_is_retried_and_succeeds() {
    let world = World::start(Knobs { drop_next_upload: true, ..Knobs::default() }).await;
    let task = sync_task(SyncFullTask::default());
    world.c1.push_task(task.clone());
    let service = world.spawn(&[]);
    let recorded =
        world.expect_c1(&service, "the sync's FinishTask", |r| !r.finishes_of(&task.id).is_empty()).await;

    assert!(is_success(recorded.finishes_of(&task.id)[0]), "logs:\n{}", service.logs());
    assert_eq!(recorded.uploads.len(), 2, "one dropped upload, one retry");
    let dropped = &recorded.uploads[0];
    assert!(dropped.dropped && !dropped.complete && dropped.task_id == task.id);
    let retried = complete_upload_of(&recorded.uploads, &task.id);
    assert!(retried.data.starts_with(&dropped.data), "the retry sends the same file from its start");
    let contents = read_upload(retried);
    assert_eq!(contents.grants, world.charthop.org().memberships.len() as u64);
    assert_eq!(service.log_lines_with("upload failed; retrying").len(), 1, "{}", service.logs());
    let observed = format!("1 dropped, 1 complete upload from the start holding {} grants", contents.grants);
    crate::harness::fault_row(
        "an upload dropped midway",
        "drop_next_upload",
        "retried, the org uploaded",
        &observed,
    );
}

#[tokio::test]
async fn task_options_shape_the_file_skip_grants_and_resource_type_ids() {
    let world = World::start(Knobs::default()).await;
    let no_grants = sync_task(SyncFullTask { skip_grants: true, ..SyncFullTask::default() });
    let persons_only = sync_task(SyncFullTask {
        sync_resource_type_ids: vec!["person".to_owned()],
        ..SyncFullTask::default()
    });
    world.c1.push_task(no_grants.clone());
    world.c1.push_task(persons_only.clone());
    let service = world.spawn(&[]);
    let recorded = world
        .expect_c1(&service, "both FinishTasks", |r| {
            !r.finishes_of(&no_grants.id).is_empty() && !r.finishes_of(&persons_only.id).is_empty()
        })
        .await;
    assert!(is_success(recorded.finishes_of(&no_grants.id)[0]));
    assert!(is_success(recorded.finishes_of(&persons_only.id)[0]));
    let org = world.charthop.org();

    let contents = read_upload(complete_upload_of(&recorded.uploads, &no_grants.id));
    assert_eq!((contents.grants, contents.memberships.len()), (0, 0));
    assert_eq!(contents.entitlements, org.groups.len() as u64, "entitlements stay");
    assert_eq!(contents.resources_by_type["person"], org.persons.len() as u64);
    assert_eq!(contents.resources_by_type["group"], org.groups.len() as u64);

    let contents = read_upload(complete_upload_of(&recorded.uploads, &persons_only.id));
    assert_eq!(contents.resources_by_type, BTreeMap::from([("person".to_owned(), org.persons.len() as u64)]));
    assert_eq!((contents.entitlements, contents.grants), (0, 0));
}

#[tokio::test]
async fn a_debug_task_uploads_the_connectors_debug_log_after_the_c1z() {
    let world = World::start(Knobs::default()).await;
    let task = c1_proto::connectorapi::baton::v1::Task { debug: true, ..sync_task(SyncFullTask::default()) };
    world.c1.push_task(task.clone());
    // The daemon logs at info; the debug log has the debug lines all the same.
    let service = world.spawn(&["--page-size", "50", "--log-level", "info"]);
    let recorded =
        world.expect_c1(&service, "the sync's FinishTask", |r| !r.finishes_of(&task.id).is_empty()).await;
    assert!(is_success(recorded.finishes_of(&task.id)[0]), "logs:\n{}", service.logs());

    let uploads: Vec<_> = recorded.uploads.iter().filter(|u| u.task_id == task.id && u.complete).collect();
    assert_eq!(uploads.len(), 2, "the .c1z, then the debug log");
    let contents = read_upload(uploads[0]);
    assert_eq!(contents.resources_by_type["person"], world.charthop.org().persons.len() as u64);
    let log = String::from_utf8(uploads[1].data.clone()).expect("the debug log is text");
    let lines: Vec<serde_json::Value> =
        log.lines().map(|line| serde_json::from_str(line).expect("a JSON log line")).collect();
    assert!(
        lines.iter().any(|l| l["level"] == "debug" && l["msg"] == "ChartHop answered"),
        "debug lines of the sync:\n{log}"
    );
    assert!(!log.contains(world.charthop.token().as_str()), "no secret in the debug log");
    assert!(!service.logs().contains("\"level\":\"debug\""), "the daemon's own log stays at info");
}
