//! One test's world: a fake C1 with minted client credentials, a fake ChartHop serving a
//! generated org, and the directories the service runs in.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use c1_fake::{FakeC1, Knobs, Recorded, TestCredentials};
use charthop_fake::{FakeChartHop, OrgSpec, generate_org};
use tempfile::TempDir;

use super::{HOST_ID, Service, TENANT_HOST, WAIT, binary};

/// The org and the ChartHop behaviour of a test.
pub struct ChartHopSetup {
    pub persons: usize,
    pub knobs: charthop_fake::Knobs,
}

impl Default for ChartHopSetup {
    fn default() -> Self {
        Self { persons: 300, knobs: charthop_fake::Knobs::default() }
    }
}

pub struct World {
    pub c1: FakeC1,
    pub charthop: FakeChartHop,
    pub credentials: TestCredentials,
    /// TMPDIR of the service: where its per-task temporary files go.
    tmp: TempDir,
    /// Working directory and HOME of the service.
    home: TempDir,
}

impl World {
    pub async fn start(knobs: Knobs) -> Self {
        Self::start_with(knobs, ChartHopSetup::default()).await
    }

    pub async fn start_with(knobs: Knobs, charthop: ChartHopSetup) -> Self {
        // The binary judges employment on today's date, so the org is generated for today too.
        let org = generate_org(&OrgSpec::new(charthop.persons, 2026));
        let charthop = FakeChartHop::start(org, charthop.knobs).await.expect("the fake ChartHop starts");
        let c1 = FakeC1::start(knobs).await.expect("the fake C1 starts");
        let credentials = c1.mint_credentials(TENANT_HOST);
        Self {
            c1,
            charthop,
            credentials,
            tmp: tempfile::tempdir().expect("a TMPDIR"),
            home: tempfile::tempdir().expect("a working directory"),
        }
    }

    /// The binary with a clean environment: only what a pod would set, aimed at the fakes.
    pub fn command(&self) -> Command {
        let mut command = Command::new(binary());
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("TMPDIR", self.tmp.path())
            .current_dir(self.home.path())
            .env("BATON_CLIENT_ID", &self.credentials.client_id)
            .env("BATON_CLIENT_SECRET", &self.credentials.client_secret)
            .env("BATON_C1_API_HOST", self.c1.api_host())
            .env("SSL_CERT_FILE", self.c1.ca_file())
            .env("BATON_HOST_ID", HOST_ID)
            .env("BATON_API_TOKEN", self.charthop.token())
            .env("BATON_ORG_ID", &self.charthop.org().org_id)
            .env("BATON_CHARTHOP_URL", self.charthop.base_url())
            .args(["--log-format", "json"]);
        command
    }

    pub fn spawn(&self, args: &[&str]) -> Service {
        let mut command = self.command();
        command.args(args);
        Service::spawn(command)
    }

    /// Every file and directory under the service's TMPDIR but the state file the service
    /// keeps there on purpose (`baton-charthop-last-sync-<org>.json`, the last accepted sync's
    /// counts for the mass-change guard).
    pub fn temp_entries(&self) -> Vec<PathBuf> {
        walk(self.tmp.path())
            .into_iter()
            .filter(|path| {
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                !(name.starts_with("baton-charthop-last-sync-") && name.ends_with(".json"))
            })
            .collect()
    }

    /// Waits until the fake C1 has recorded what `condition` asks for; panics with `what` and
    /// the service's logs when it does not come within [`WAIT`].
    pub async fn expect_c1(
        &self,
        service: &Service,
        what: &str,
        condition: impl Fn(&Recorded) -> bool,
    ) -> Recorded {
        let (held, recorded) = self.c1.wait_for(WAIT, condition).await;
        assert!(
            held,
            "the fake C1 never saw {what}; it saw {}\nservice logs:\n{}",
            summary(&recorded),
            service.logs()
        );
        recorded
    }
}

/// The records without the uploaded bytes (which would drown a failure message).
fn summary(recorded: &Recorded) -> String {
    let uploads: Vec<_> = recorded
        .uploads
        .iter()
        .map(|u| {
            format!("{} ({} bytes, complete {}, dropped {})", u.task_id, u.data.len(), u.complete, u.dropped)
        })
        .collect();
    let finishes: Vec<_> =
        recorded.finishes.iter().map(|f| (&f.task_id, &f.status, &f.final_state)).collect();
    format!(
        "{} token requests, {} hellos, {} polls, {} heartbeats, finishes {finishes:?}, uploads {uploads:?}, \
         refused {:?}",
        recorded.token_requests.len(),
        recorded.hellos.len(),
        recorded.get_tasks,
        recorded.heartbeats.len(),
        recorded.refused,
    )
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut found = vec![];
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        }
        found.push(path);
    }
    found
}

/// Polls `condition` every 20 ms for up to `timeout`; returns whether it came true.
pub async fn eventually(timeout: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if condition() {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
