//! What every task runner shares, and the small timing helpers both the poll loop and the
//! task runners use (kept here so neither module imports the other).

use std::sync::Arc;
use std::time::Duration;

use c1_proto::connectorapi::baton::v1::BatonServiceHelloRequest;
use c1_proto::connectorapi::baton::v1::baton_service_hello_request::BuildInfo as HelloBuildInfo;
use tokio_util::sync::CancellationToken;

use crate::client::C1Client;
use crate::config::{ServiceConfig, Timing};
use crate::handler::TaskHandler;
use crate::status::Reachability;

/// What every task runner shares.
pub(crate) struct Context<H> {
    pub(crate) client: C1Client,
    pub(crate) handler: Arc<H>,
    pub(crate) config: ServiceConfig,
    pub(crate) reach: Reachability,
}

impl<H: TaskHandler> Context<H> {
    pub(crate) fn timing(&self) -> &Timing {
        &self.config.timing
    }

    pub(crate) fn host_id(&self) -> &str {
        &self.config.host_id
    }

    pub(crate) fn hello_request(&self, task_id: &str) -> BatonServiceHelloRequest {
        let build = &self.config.build_info;
        BatonServiceHelloRequest {
            host_id: self.config.host_id.clone(),
            task_id: task_id.to_owned(),
            build_info: Some(HelloBuildInfo {
                lang_version: build.lang_version.clone(),
                package: build.package.clone(),
                package_version: build.package_version.clone(),
            }),
            os_info: Some(crate::host::os_info()),
            connector_metadata: Some(self.handler.metadata()),
            annotations: vec![],
        }
    }
}

/// Sleeps for `delay`; true when `stop` fired first.
pub(crate) async fn sleep_or_stop(delay: Duration, stop: &CancellationToken) -> bool {
    tokio::select! {
        () = tokio::time::sleep(delay) => false,
        () = stop.cancelled() => true,
    }
}

/// A protobuf duration clamped to `min..=max`; `None` when absent or not positive.
pub(crate) fn clamp_optional(
    value: Option<prost_types::Duration>,
    min: Duration,
    max: Duration,
) -> Option<Duration> {
    let value = value?;
    if value.seconds < 0 || (value.seconds == 0 && value.nanos <= 0) {
        return None;
    }
    let value = Duration::new(value.seconds as u64, value.nanos.clamp(0, 999_999_999) as u32);
    Some(value.clamp(min, max.max(min)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_clamped_and_zero_means_absent() {
        let (min, max) = (Duration::from_secs(1), Duration::from_secs(300));
        let proto = |seconds, nanos| Some(prost_types::Duration { seconds, nanos });
        assert_eq!(clamp_optional(None, min, max), None);
        assert_eq!(clamp_optional(proto(0, 0), min, max), None);
        assert_eq!(clamp_optional(proto(-3, 0), min, max), None);
        assert_eq!(clamp_optional(proto(0, 5_000_000), min, max), Some(min));
        assert_eq!(clamp_optional(proto(42, 0), min, max), Some(Duration::from_secs(42)));
        assert_eq!(clamp_optional(proto(3600, 0), min, max), Some(max));
    }
}
