//! Two replicas with the same credentials, as a Deployment scaled to two: C1 hands each task to
//! one of them, and every task is finished exactly once.

use std::collections::BTreeMap;
use std::time::Duration;

use c1_fake::Knobs;
use c1_proto::connectorapi::baton::v1::baton_service_finish_task_request::FinalState;
use c1_proto::connectorapi::baton::v1::task::SyncFullTask;

use crate::harness::{ChartHopSetup, World, sync_task};

#[tokio::test]
async fn two_replicas_share_the_tasks_and_finish_each_once() {
    // Slow pages, so that a replica is busy with one sync when the next task is handed out.
    let charthop = ChartHopSetup {
        knobs: charthop_fake::Knobs { latency: Duration::from_millis(40), ..Default::default() },
        ..ChartHopSetup::default()
    };
    let world = World::start_with(Knobs::default(), charthop).await;
    let tasks: Vec<_> = (0..6).map(|_| sync_task(SyncFullTask::default())).collect();
    for task in &tasks {
        world.c1.push_task(task.clone());
    }
    let work_a = tempfile::tempdir().unwrap();
    let work_b = tempfile::tempdir().unwrap();
    let replica = |host: &str, work: &std::path::Path| {
        let work = work.to_str().unwrap().to_owned();
        world.spawn(&["--host-id", host, "--work-dir", &work, "--task-concurrency", "1"])
    };
    let a = replica("replica-a", work_a.path());
    let b = replica("replica-b", work_b.path());

    let recorded = world.expect_c1(&a, "every task finished", |r| r.finishes.len() >= tasks.len()).await;
    drop((a, b));
    let mut finished_by: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for finish in &recorded.finishes {
        assert!(matches!(finish.final_state, Some(FinalState::Success(_))), "{finish:?}");
        finished_by.entry(finish.task_id.as_str()).or_default().push(finish.host_id.as_str());
    }
    for task in &tasks {
        assert_eq!(finished_by.get(task.id.as_str()).map(Vec::len), Some(1), "{} finished once", task.id);
    }
    let hosts: std::collections::BTreeSet<&str> = finished_by.values().flatten().copied().collect();
    assert_eq!(hosts, ["replica-a", "replica-b"].into(), "both replicas took tasks: {finished_by:?}");
    assert_eq!(recorded.uploads.iter().filter(|u| u.complete).count(), tasks.len());
}
