//! A fake ChartHop on its own runtime thread, so tests stay plain blocking `#[test]`s that
//! wait on a child process while the fake keeps answering.

use std::collections::HashSet;
use std::ops::Deref;

use charthop_fake::{FakeChartHop, Knobs, Org, OrgSpec, generate_org};
use tokio::runtime::Runtime;

/// The token every fake in this suite expects: distinctive, so a leak is easy to find.
pub const TOKEN: &str = "e2e-chtok-9f3b27d1c6a4";

pub struct Fake {
    runtime: Runtime,
    server: Option<FakeChartHop>,
}

impl Fake {
    /// Serves the org of `persons` people (seed 7, dated today UTC, as the binary judges
    /// employment on today's UTC date) with `knobs` and this suite's token.
    pub fn start(persons: usize, knobs: Knobs) -> Self {
        Self::with_spec(OrgSpec::new(persons, 7), knobs)
    }

    pub fn with_spec(spec: OrgSpec, knobs: Knobs) -> Self {
        Self::with_org(generate_org(&spec), knobs)
    }

    /// Serves `org` as given (a generated org a test has altered).
    pub fn with_org(org: Org, knobs: Knobs) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let knobs = Knobs { token: TOKEN.to_owned(), ..knobs };
        let server = runtime.block_on(FakeChartHop::start(org, knobs)).expect("fake starts");
        Fake { runtime, server: Some(server) }
    }

    /// Flags that point the binary at this fake: token, org id, URL and page size.
    pub fn sync_args(&self, page_size: usize) -> Vec<String> {
        let mut args = self.args_without_token(page_size);
        args.extend(["--api-token".to_owned(), TOKEN.to_owned()]);
        args
    }

    pub fn args_without_token(&self, page_size: usize) -> Vec<String> {
        vec![
            "--org-id".to_owned(),
            self.org().org_id.clone(),
            "--charthop-url".to_owned(),
            self.base_url(),
            "--page-size".to_owned(),
            page_size.to_string(),
        ]
    }
}

impl Deref for Fake {
    type Target = FakeChartHop;

    fn deref(&self) -> &FakeChartHop {
        self.server.as_ref().expect("the fake runs until dropped")
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            self.runtime.block_on(server.shutdown());
        }
    }
}

/// Group ids in person rows that name no current group: the sync must skip them.
pub fn dangling_memberships(org: &Org) -> u64 {
    let groups: HashSet<&str> = org.groups.iter().map(|g| g.id.as_str()).collect();
    org.persons
        .iter()
        .flat_map(|p| p.group_ids.iter().flatten())
        .filter(|id| !groups.contains(id.as_str()))
        .count() as u64
}
