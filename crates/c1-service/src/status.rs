//! What the service knows of its link to C1: the last call's outcome (for `/health`) and
//! readiness (for `/ready`), fed by Hello, GetTask and Heartbeat.

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::watch;

/// The outcome of the latest call to C1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contact {
    /// The call answered (whatever the task it gave); false when it failed.
    pub ok: bool,
    pub at: SystemTime,
    /// `Hello`, `GetTask` or `Heartbeat`.
    pub call: &'static str,
}

/// The service's state as a health endpoint reports it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceStatus {
    /// `None` until the first call to C1 ended.
    pub c1: Option<Contact>,
}

#[derive(Default)]
struct Link {
    connected: bool,
    failing_since: Option<Instant>,
}

/// Turns call outcomes into the `ready` and status channels.
pub(crate) struct Reachability {
    ready: watch::Sender<bool>,
    status: watch::Sender<ServiceStatus>,
    unreachable_after: Duration,
    link: Mutex<Link>,
}

impl Reachability {
    pub(crate) fn new(
        ready: watch::Sender<bool>,
        status: watch::Sender<ServiceStatus>,
        unreachable_after: Duration,
    ) -> Self {
        Self { ready, status, unreachable_after, link: Mutex::default() }
    }

    fn record(&self, call: &'static str, ok: bool) {
        self.status.send_replace(ServiceStatus { c1: Some(Contact { ok, at: SystemTime::now(), call }) });
    }

    fn link(&self) -> std::sync::MutexGuard<'_, Link> {
        // Only plain fields behind it: a panic elsewhere cannot leave it half-written.
        self.link.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A Hello succeeded: tasks can be taken.
    pub(crate) fn connected(&self) {
        self.link().connected = true;
        self.succeeded("Hello");
    }

    pub(crate) fn succeeded(&self, call: &'static str) {
        self.record(call, true);
        let mut link = self.link();
        link.failing_since = None;
        if link.connected {
            self.ready.send_if_modified(|ready| !std::mem::replace(ready, true));
        }
    }

    pub(crate) fn failed(&self, call: &'static str) {
        self.record(call, false);
        let mut link = self.link();
        let since = *link.failing_since.get_or_insert_with(Instant::now);
        if link.connected
            && since.elapsed() > self.unreachable_after
            && self.ready.send_if_modified(|ready| std::mem::replace(ready, false))
        {
            tracing::warn!(
                unreachable_for_s = since.elapsed().as_secs(),
                "C1 unreachable for too long: not ready until a call succeeds"
            );
        }
    }

    /// No longer taking tasks.
    pub(crate) fn stopped(&self) {
        self.link().connected = false;
        self.ready.send_replace(false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_after_hello_lost_after_failing_too_long_back_at_a_success() {
        let (ready_tx, ready) = watch::channel(false);
        let (status_tx, status) = watch::channel(ServiceStatus::default());
        let reach = Reachability::new(ready_tx, status_tx, Duration::from_millis(30));
        std::thread::sleep(Duration::from_millis(40));
        reach.failed("Hello");
        reach.failed("Hello");
        assert!(!*ready.borrow(), "no Hello yet");
        reach.connected();
        assert!(*ready.borrow());
        reach.failed("Heartbeat");
        assert!(*ready.borrow(), "one failure is not unreachable");
        std::thread::sleep(Duration::from_millis(40));
        reach.failed("GetTask");
        assert!(!*ready.borrow());
        let last = status.borrow().c1.clone().unwrap();
        assert_eq!((last.ok, last.call), (false, "GetTask"));
        reach.succeeded("Heartbeat");
        assert!(*ready.borrow());
        assert!(status.borrow().c1.as_ref().unwrap().ok);
        reach.stopped();
        assert!(!*ready.borrow());
    }
}
