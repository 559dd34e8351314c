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

impl ClientStats {
    /// What happened after `earlier` was taken (counters only grow).
    pub fn since(&self, earlier: &ClientStats) -> ClientStats {
        let requests_by_endpoint = self
            .requests_by_endpoint
            .iter()
            .map(|(kind, n)| (*kind, n - earlier.requests_by_endpoint.get(kind).copied().unwrap_or(0)))
            .filter(|(_, n)| *n > 0)
            .collect();
        ClientStats {
            requests: self.requests - earlier.requests,
            retries: self.retries - earlier.retries,
            rate_limited: self.rate_limited - earlier.rate_limited,
            rate_limit_wait: self.rate_limit_wait.saturating_sub(earlier.rate_limit_wait),
            requests_by_endpoint,
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_counts_only_what_came_after() {
        let recorder = StatsRecorder::default();
        recorder.request(EndpointKind::GroupList);
        recorder.retry(Some(Duration::from_secs(2)));
        let earlier = recorder.snapshot();
        recorder.request(EndpointKind::PersonList);
        recorder.request(EndpointKind::PersonList);
        recorder.retry(Some(Duration::from_secs(3)));
        let later = recorder.snapshot().since(&earlier);
        assert_eq!(later.requests, 2);
        assert_eq!(later.retries, 1);
        assert_eq!(later.rate_limited, 1);
        assert_eq!(later.rate_limit_wait, Duration::from_secs(3));
        assert_eq!(later.requests_by_endpoint, BTreeMap::from([(EndpointKind::PersonList, 2)]));
    }
}
