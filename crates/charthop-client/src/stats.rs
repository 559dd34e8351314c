use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use crate::EndpointKind;

/// What the client has done so far: requests sent (retries included), retries, and how often
/// and how long it waited because ChartHop rate-limited it (429).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientStats {
    pub requests: u64,
    pub retries: u64,
    pub rate_limited: u64,
    pub rate_limit_wait: Duration,
    pub requests_by_endpoint: BTreeMap<EndpointKind, u64>,
}

#[derive(Debug, Default)]
pub(crate) struct StatsRecorder(Mutex<ClientStats>);

impl StatsRecorder {
    pub(crate) fn request(&self, kind: EndpointKind) {
        let mut stats = self.lock();
        stats.requests += 1;
        *stats.requests_by_endpoint.entry(kind).or_default() += 1;
    }

    pub(crate) fn retry(&self, rate_limit_wait: Option<Duration>) {
        let mut stats = self.lock();
        stats.retries += 1;
        if let Some(wait) = rate_limit_wait {
            stats.rate_limited += 1;
            stats.rate_limit_wait += wait;
        }
    }

    pub(crate) fn snapshot(&self) -> ClientStats {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ClientStats> {
        // Counters stay meaningful even if a panic poisoned the lock.
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
