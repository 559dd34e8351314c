//! What every request goes through: counting, latency, auth, injected faults, org and
//! permission checks, the 202 toggle, the handler, and body faults.

use std::collections::{HashMap, HashSet};
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;

use crate::body_cache::BodyCache;
use crate::endpoint::Endpoint;
use crate::error::ApiError;
use crate::handlers;
use crate::knobs::{Knobs, RetryAfter};
use crate::query::Params;
use crate::store::Store;

/// Fault bookkeeping; restarted whenever the knobs change.
#[derive(Default)]
struct FaultState {
    authorized_requests: u64,
    rate_limit_burst_left: u32,
    server_errors_left: u32,
    closes_left: u32,
    truncations_left: u32,
    /// Listings whose first request got its 202; the next request of that listing is served.
    accepted_given: HashSet<String>,
    /// When the knobs were set: the start of `snapshot_building`.
    since: Option<Instant>,
}

impl FaultState {
    fn new(knobs: &Knobs) -> Self {
        FaultState {
            rate_limit_burst_left: knobs.rate_limit_burst,
            server_errors_left: knobs.server_error_burst,
            closes_left: knobs.close_mid_body,
            truncations_left: knobs.truncate_body,
            since: Some(Instant::now()),
            ..FaultState::default()
        }
    }
}

/// One incoming call, as the router extracted it.
pub(crate) struct Call {
    pub endpoint: Endpoint,
    pub org: Option<String>,
    pub item: Option<String>,
    pub query: HashMap<String, String>,
    pub headers: HeaderMap,
}

pub(crate) struct Shared {
    pub store: Store,
    knobs: RwLock<Arc<Knobs>>,
    faults: Mutex<FaultState>,
    /// The cache of the knobs it was filled under: a request still rendering under knobs
    /// since replaced neither reads nor fills the new one.
    bodies: Mutex<(Arc<Knobs>, BodyCache)>,
    counts: [AtomicU64; Endpoint::ALL.len()],
    pub total: AtomicU64,
}

/// Why a request is not served its data.
enum Refusal {
    Error(ApiError),
    /// 202 with an empty body: "snapshot currently building".
    Accepted,
    RateLimited(RetryAfter),
}

impl From<ApiError> for Refusal {
    fn from(error: ApiError) -> Self {
        Refusal::Error(error)
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Error(error) => error.into_response(),
            Refusal::Accepted => StatusCode::ACCEPTED.into_response(),
            Refusal::RateLimited(retry_after) => too_many_requests(retry_after),
        }
    }
}

enum BodyFault {
    CloseMidBody,
    Truncate,
}

impl Shared {
    pub fn new(store: Store, knobs: Knobs) -> Self {
        let knobs = Arc::new(knobs);
        Shared {
            store,
            faults: Mutex::new(FaultState::new(&knobs)),
            bodies: Mutex::new((knobs.clone(), BodyCache::default())),
            knobs: RwLock::new(knobs),
            counts: Default::default(),
            total: AtomicU64::new(0),
        }
    }

    pub fn knobs(&self) -> Arc<Knobs> {
        self.knobs.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn set_knobs(&self, knobs: Knobs) {
        let mut faults = self.faults.lock().unwrap_or_else(|e| e.into_inner());
        *faults = FaultState::new(&knobs);
        let knobs = Arc::new(knobs);
        *self.bodies.lock().unwrap_or_else(|e| e.into_inner()) = (knobs.clone(), BodyCache::default());
        *self.knobs.write().unwrap_or_else(|e| e.into_inner()) = knobs;
    }

    pub fn requests(&self, endpoint: Endpoint) -> u64 {
        self.counts[endpoint.index()].load(Ordering::Relaxed)
    }

    pub fn reset_counts(&self) {
        self.counts.iter().chain([&self.total]).for_each(|c| c.store(0, Ordering::Relaxed));
    }

    fn faults(&self) -> std::sync::MutexGuard<'_, FaultState> {
        self.faults.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub async fn serve(&self, call: Call) -> Response {
        self.counts[call.endpoint.index()].fetch_add(1, Ordering::Relaxed);
        self.total.fetch_add(1, Ordering::Relaxed);
        let knobs = self.knobs();
        if knobs.never_answer {
            std::future::pending::<()>().await;
        }
        // The answer leaves `latency` after the request came in, however long it took to
        // render: a network's delay, which the server's own work does not add to.
        let answer_at = tokio::time::Instant::now() + knobs.latency;
        let token = bearer_token(&call.headers).map(str::to_owned);
        let response = match self.checked(&knobs, call) {
            Ok(body) => self.deliver(&knobs, body),
            Err(Refusal::Error(mut error)) if knobs.echo_token_in_errors => {
                error.message = format!("{} (echoing {})", error.message, echoed(token.as_deref()));
                error.into_response()
            }
            Err(refusal) => refusal.into_response(),
        };
        if !knobs.latency.is_zero() {
            sleep_until_precisely(answer_at).await;
        }
        response
    }

    fn checked(&self, knobs: &Arc<Knobs>, call: Call) -> Result<Bytes, Refusal> {
        let person_access = match bearer_token(&call.headers) {
            Some(token) if token == knobs.token => true,
            Some(token) if knobs.token_without_person_access.as_deref() == Some(token) => false,
            _ => return Err(ApiError::new(StatusCode::UNAUTHORIZED, "not authorized").into()),
        };
        self.injected_failure(knobs)?;
        if let Some(org) = &call.org
            && !self.store.is_this_org(org)
        {
            return Err(ApiError::not_found(format!("org {org} not found")).into());
        }
        if call.endpoint.reads_persons() && !person_access {
            return Err(ApiError::new(StatusCode::FORBIDDEN, "permission denied").into());
        }
        let params = Params::new(call.query, call.endpoint.route().query_params);
        let first_of_listing = call.endpoint.may_answer_accepted() && params.get("from").is_none();
        if let Some(building) = knobs.snapshot_building
            && first_of_listing
            && self.faults().since.is_none_or(|since| since.elapsed() < building)
        {
            return Err(Refusal::Accepted);
        }
        if knobs.accepted_first && call.endpoint.may_answer_accepted() && params.get("from").is_none() {
            let listing = format!("{:?}?{}", call.endpoint, params.listing_key());
            let mut faults = self.faults();
            // Alternates per listing: its first request gets 202, the retry is served.
            if !faults.accepted_given.remove(&listing) {
                faults.accepted_given.insert(listing);
                return Err(Refusal::Accepted);
            }
        }
        let render = || handlers::answer(&self.store, knobs, call.endpoint, call.item.as_deref(), &params);
        if !knobs.cache_bodies {
            return Ok(Bytes::from(render()?));
        }
        let request = (call.endpoint, call.item.clone(), params.sorted_pairs());
        if let Some(body) = cache_of(&mut self.bodies(), knobs).and_then(|cache| cache.get(&request)) {
            return Ok(body);
        }
        let body = Bytes::from(render()?);
        if let Some(cache) = cache_of(&mut self.bodies(), knobs) {
            cache.keep(request, &body);
        }
        Ok(body)
    }

    fn bodies(&self) -> std::sync::MutexGuard<'_, (Arc<Knobs>, BodyCache)> {
        self.bodies.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// 429 (a burst, then every Nth request) or a 5xx burst.
    fn injected_failure(&self, knobs: &Knobs) -> Result<(), Refusal> {
        let mut faults = self.faults();
        faults.authorized_requests += 1;
        let nth = faults.authorized_requests;
        let every_nth = knobs.rate_limit_every.is_some_and(|n| n > 0 && nth.is_multiple_of(u64::from(n)));
        if faults.rate_limit_burst_left > 0 || every_nth {
            faults.rate_limit_burst_left = faults.rate_limit_burst_left.saturating_sub(1);
            return Err(Refusal::RateLimited(knobs.retry_after));
        }
        if faults.server_errors_left > 0 {
            faults.server_errors_left -= 1;
            let status =
                StatusCode::from_u16(knobs.server_error_status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            return Err(ApiError::new(status, "injected server error").into());
        }
        Ok(())
    }

    fn deliver(&self, knobs: &Knobs, mut body: Bytes) -> Response {
        if let Some(size) = knobs.pad_bodies_to.filter(|size| *size > body.len()) {
            let mut padded = body.to_vec();
            padded.resize(size, b' ');
            body = Bytes::from(padded);
        }
        let fault = {
            let mut faults = self.faults();
            if faults.closes_left > 0 {
                faults.closes_left -= 1;
                Some(BodyFault::CloseMidBody)
            } else if faults.truncations_left > 0 {
                faults.truncations_left -= 1;
                Some(BodyFault::Truncate)
            } else {
                None
            }
        };
        match fault {
            None if knobs.stream_bodies => {
                let chunks: Vec<Result<Bytes, io::Error>> = (0..body.len())
                    .step_by(64 * 1024)
                    .map(|at| Ok(body.slice(at..body.len().min(at + 64 * 1024))))
                    .collect();
                json_response(Body::from_stream(futures::stream::iter(chunks)), None)
            }
            None => json_response(Body::from(body), None),
            Some(BodyFault::Truncate) => {
                let half = body.len() / 2;
                json_response(Body::from(body.slice(..half)), None)
            }
            Some(BodyFault::CloseMidBody) => {
                let full_length = body.len();
                let half = body.slice(..full_length / 2);
                // A pause lets the first half reach the socket before the error drops the
                // connection.
                let cut = futures::stream::once(async {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    Err(io::Error::other("fake ChartHop: connection closed mid-body"))
                });
                let stream = futures::stream::iter([Ok::<_, io::Error>(half)]).chain(cut);
                json_response(Body::from_stream(stream), Some(full_length))
            }
        }
    }
}

/// The cache, when it was filled under `knobs`.
fn cache_of<'a>(bodies: &'a mut (Arc<Knobs>, BodyCache), knobs: &Arc<Knobs>) -> Option<&'a mut BodyCache> {
    Arc::ptr_eq(&bodies.0, knobs).then_some(&mut bodies.1)
}

fn json_response(body: Body, content_length: Option<usize>) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Some(length) = content_length {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    }
    response
}

fn too_many_requests(retry_after: RetryAfter) -> Response {
    let mut response = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate limit exceeded").into_response();
    let value = match retry_after {
        RetryAfter::Absent => return response,
        RetryAfter::Seconds(seconds) => seconds.to_string(),
        RetryAfter::HttpDate(after) => httpdate::fmt_http_date(SystemTime::now() + after),
    };
    if let Ok(value) = HeaderValue::from_str(&value) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// The token as sent, upper-cased, and in standard and URL-safe (unpadded) base64.
fn echoed(token: Option<&str>) -> String {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    let token = token.unwrap_or_default();
    format!("{token} {} {} {}", token.to_uppercase(), STANDARD.encode(token), URL_SAFE_NO_PAD.encode(token))
}

/// Waits until `at`, to a fraction of a millisecond: tokio's timer fires on whole milliseconds,
/// often more than one late (measured), which would add to every delayed answer. The last two
/// milliseconds are slept on a blocking thread.
async fn sleep_until_precisely(at: tokio::time::Instant) {
    tokio::time::sleep_until(at - Duration::from_millis(2)).await;
    let rest = at.saturating_duration_since(tokio::time::Instant::now());
    if !rest.is_zero() {
        let _slept = tokio::task::spawn_blocking(move || std::thread::sleep(rest)).await;
    }
}

/// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive).
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}
