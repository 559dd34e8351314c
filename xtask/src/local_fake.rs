//! The fake ChartHop served in-process on 127.0.0.1, and the real binary pointed at it.
//!
//! The server runs on its own tokio runtime's worker threads, so the main thread is free to
//! start the binary and wait on it with plain blocking calls.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};
use charthop_fake::{FakeChartHop, Knobs, Org, OrgSpec, generate_org};
use tokio::runtime::Runtime;

pub struct LocalFake {
    runtime: Runtime,
    fake: FakeChartHop,
}

impl LocalFake {
    /// Generates the org of `spec` and serves it at an ephemeral port.
    pub fn start(spec: &OrgSpec, knobs: Knobs) -> Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("fake-charthop")
            .build()
            .context("could not start a tokio runtime for the fake ChartHop")?;
        let org = generate_org(spec);
        let fake = runtime
            .block_on(FakeChartHop::start(org, knobs))
            .context("could not start the fake ChartHop on 127.0.0.1")?;
        Ok(Self { runtime, fake })
    }

    pub fn fake(&self) -> &FakeChartHop {
        &self.fake
    }

    pub fn org(&self) -> &Org {
        self.fake.org()
    }

    /// `bin` set up to sync this fake's org into `file`. The token goes through the environment
    /// (never on a command line other users can read); the caller adds any further flags.
    pub fn sync_command(&self, bin: &Path, file: &Path) -> Command {
        let mut cmd = Command::new(bin);
        // The user's own BATON_* settings (C1 credentials, a config path) must not steer the run.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("BATON_") {
                cmd.env_remove(name);
            }
        }
        cmd.env("BATON_API_TOKEN", self.fake.token())
            .arg("--org-id")
            .arg(&self.org().org_id)
            .arg("--charthop-url")
            .arg(self.fake.base_url())
            .arg("--file")
            .arg(file);
        cmd
    }

    pub fn stop(self) {
        let LocalFake { runtime, fake } = self;
        runtime.block_on(fake.shutdown());
    }
}
