use std::collections::HashMap;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::endpoint::{Endpoint, ROUTES};
use crate::error::ApiError;
use crate::knobs::Knobs;
use crate::org::Org;
use crate::paging::PagingMode;
use crate::pipeline::{Call, Shared};
use crate::store::Store;

/// How many requests a complete listing of the org takes: all persons (`includeAll=true`),
/// current groups in one listing, and the group types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListRequests {
    pub person_pages: u64,
    pub group_pages: u64,
    pub group_type_pages: u64,
}

impl ListRequests {
    pub fn total(&self) -> u64 {
        self.person_pages.saturating_add(self.group_pages).saturating_add(self.group_type_pages)
    }
}

/// A fake ChartHop API serving one generated org on 127.0.0.1.
pub struct FakeChartHop {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<io::Result<()>>>,
}

impl FakeChartHop {
    /// Serves `org` on 127.0.0.1 at an ephemeral port.
    pub async fn start(org: Org, knobs: Knobs) -> io::Result<Self> {
        Self::start_on(org, knobs, 0).await
    }

    /// Serves `org` on 127.0.0.1:`port` (0 = any free port).
    pub async fn start_on(org: Org, knobs: Knobs, port: u16) -> io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(Store::new(org), knobs));
        let app = router(shared.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        });
        Ok(FakeChartHop { shared, addr, stop: Some(stop), task: Some(task) })
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The ground truth.
    pub fn org(&self) -> &Org {
        &self.shared.store.org
    }

    /// The token requests must carry (as currently set in the knobs).
    pub fn token(&self) -> String {
        self.shared.knobs().token.clone()
    }

    pub fn knobs(&self) -> Knobs {
        Knobs::clone(&self.shared.knobs())
    }

    /// Replaces the knobs and restarts the fault counters.
    pub fn set_knobs(&self, knobs: Knobs) {
        self.shared.set_knobs(knobs);
    }

    /// Changes some knobs and restarts the fault counters.
    pub fn update_knobs(&self, change: impl FnOnce(&mut Knobs)) {
        let mut knobs = self.knobs();
        change(&mut knobs);
        self.shared.set_knobs(knobs);
    }

    /// Requests that reached `endpoint`, whatever they were answered.
    pub fn requests(&self, endpoint: Endpoint) -> u64 {
        self.shared.requests(endpoint)
    }

    /// Every request, unknown routes included.
    pub fn total_requests(&self) -> u64 {
        self.shared.total.load(Ordering::Relaxed)
    }

    pub fn reset_request_counts(&self) {
        self.shared.reset_counts();
    }

    /// The requests a complete listing takes at `page_size` rows a page under the current
    /// knobs (page cap and `from` semantics); `u64::MAX` pages when a listing never ends
    /// (overlapping pages of one row).
    pub fn expected_list_requests(&self, page_size: usize) -> ListRequests {
        let knobs = self.shared.knobs();
        let size = knobs.page_size(Some(page_size));
        let mode = PagingMode::of(&knobs);
        let pages = |rows: usize| mode.page_count(rows, size).unwrap_or(u64::MAX);
        let org = self.org();
        ListRequests {
            person_pages: pages(org.persons.len()),
            group_pages: pages(org.groups.len()),
            group_type_pages: pages(org.group_types.len()),
        }
    }

    /// Stops accepting, lets answers in flight finish (at most 5 s), and returns.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(Duration::from_secs(5), &mut task).await.is_err()
        {
            task.abort();
        }
    }
}

impl Drop for FakeChartHop {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

type Q = Query<HashMap<String, String>>;
type S = State<Arc<Shared>>;

fn call(endpoint: Endpoint, org: Option<String>, item: Option<String>, query: Q, headers: HeaderMap) -> Call {
    Call { endpoint, org, item, query: query.0, headers }
}

async fn org_list(State(s): S, q: Q, h: HeaderMap) -> Response {
    s.serve(call(Endpoint::OrgList, None, None, q, h)).await
}

async fn person_list(State(s): S, Path(org): Path<String>, q: Q, h: HeaderMap) -> Response {
    s.serve(call(Endpoint::PersonList, Some(org), None, q, h)).await
}

async fn person_get(State(s): S, Path((org, id)): Path<(String, String)>, q: Q, h: HeaderMap) -> Response {
    s.serve(call(Endpoint::PersonGet, Some(org), Some(id), q, h)).await
}

async fn group_list(State(s): S, Path(org): Path<String>, q: Q, h: HeaderMap) -> Response {
    s.serve(call(Endpoint::GroupList, Some(org), None, q, h)).await
}

async fn group_get(State(s): S, Path((org, id)): Path<(String, String)>, q: Q, h: HeaderMap) -> Response {
    s.serve(call(Endpoint::GroupGet, Some(org), Some(id), q, h)).await
}

async fn group_type_list(State(s): S, Path(org): Path<String>, q: Q, h: HeaderMap) -> Response {
    s.serve(call(Endpoint::GroupTypeList, Some(org), None, q, h)).await
}

async fn unknown_route(State(s): S) -> Response {
    s.total.fetch_add(1, Ordering::Relaxed);
    ApiError::not_found("no such route in the fake ChartHop API").into_response()
}

fn router(shared: Arc<Shared>) -> Router {
    let mut router = Router::new();
    for route in ROUTES {
        let handler = match route.endpoint {
            Endpoint::OrgList => get(org_list),
            Endpoint::PersonList => get(person_list),
            Endpoint::PersonGet => get(person_get),
            Endpoint::GroupList => get(group_list),
            Endpoint::GroupGet => get(group_get),
            Endpoint::GroupTypeList => get(group_type_list),
        };
        router = router.route(route.path, handler);
    }
    router.fallback(unknown_route).with_state(shared)
}
