//! The first thing C1 sees: Hello with the connector's metadata and capabilities.

use std::collections::BTreeMap;

use c1_fake::Knobs;
use c1_proto::connector::v2::Capability;

use crate::harness::{HOST_ID, World};

#[tokio::test]
async fn hello_carries_the_connector_metadata_with_sync_capabilities() {
    let world = World::start(Knobs::default()).await;
    let service = world.spawn(&[]);
    let recorded = world.expect_c1(&service, "a Hello", |r| !r.hellos.is_empty()).await;

    let hello = &recorded.hellos[0];
    assert_eq!(hello.host_id, HOST_ID, "BATON_HOST_ID names the host");
    assert_eq!(hello.task_id, "", "the first Hello answers no task");
    let metadata = hello.connector_metadata.as_ref().expect("Hello carries connector metadata");
    assert_eq!(metadata.display_name, "ChartHop");
    let capabilities = metadata.capabilities.as_ref().expect("the metadata carries capabilities");
    assert_eq!(capabilities.connector_capabilities, vec![Capability::Sync as i32]);
    let by_type: BTreeMap<String, Vec<i32>> = capabilities
        .resource_type_capabilities
        .iter()
        .map(|c| (c.resource_type.as_ref().expect("a resource type").id.clone(), c.capabilities.clone()))
        .collect();
    let sync_only = vec![Capability::Sync as i32];
    assert_eq!(
        by_type,
        BTreeMap::from([("group".to_owned(), sync_only.clone()), ("person".to_owned(), sync_only)])
    );

    let build = hello.build_info.as_ref().expect("Hello carries build info");
    assert_eq!(build.package, "baton-charthop");
    assert!(!build.package_version.is_empty() && !build.lang_version.is_empty(), "{build:?}");
    let os = hello.os_info.as_ref().expect("Hello carries OS info");
    assert_eq!((os.os.as_str(), os.kernel_arch.as_str()), (std::env::consts::OS, std::env::consts::ARCH));

    let connected = service.expect_log("connected to C1").await;
    assert_eq!(connected.len(), 1, "one log line says it connected:\n{}", service.logs());
    assert_eq!(connected[0]["host_id"], HOST_ID);
}
