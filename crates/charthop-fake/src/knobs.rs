use std::fmt;
use std::time::Duration;

/// What a 429 says in its `Retry-After` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryAfter {
    /// No `Retry-After` header.
    Absent,
    /// `Retry-After: <seconds>`.
    Seconds(u64),
    /// `Retry-After: <HTTP date>`, this far after the moment of the answer.
    HttpDate(Duration),
}

/// How the single-person GET answers `groupIds` (a token without access to memberships may
/// get the key left out, or another shape).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GroupIdsAnswer {
    /// An array of group ids (`[]` for none), as documented.
    #[default]
    Array,
    /// The key is left out.
    Absent,
    /// A comma-separated string instead of an array.
    Text,
}

/// What JSON type a page's `next` cursor is sent as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NextShape {
    #[default]
    String,
    /// The number 1.
    Number,
    /// `{"from": "<cursor>"}`.
    Object,
    /// `["<cursor>"]`.
    Array,
    /// `true`.
    Bool,
}

/// How the fake behaves where ChartHop's public record is silent, and which faults it plays.
/// [`Knobs::default`] is a well-behaved server: every fault off.
///
/// Fault counters (bursts, "every Nth", the 202 toggles, cut bodies) restart whenever the
/// knobs are set or updated on a running server.
#[derive(Clone, PartialEq, Eq)]
pub struct Knobs {
    /// `from` is inclusive: a page starts WITH the `from` row, and `next` is the id of the
    /// first row of the following page. Off: a page starts AFTER `from`, and `next` is the id
    /// of the page's last row.
    pub from_inclusive: bool,
    /// Inclusive `from` AND `next` = the page's last row: each page repeats the last row of
    /// the page before (the overlap the client must drop). Overrides `from_inclusive`.
    pub overlapping_pages: bool,
    /// Rows nest dotted field codes (`"name": {"first": ..}`) instead of flat keys
    /// (`"name.first": ..`).
    pub nested_rows: bool,
    /// Page size when a request has no `limit`.
    pub default_limit: usize,
    /// Pages never exceed this many rows, whatever `limit` asks for.
    pub page_cap: Option<usize>,
    /// The person LIST returns `groupIds` when asked (the single-person GET always does).
    pub list_honours_group_ids: bool,
    /// Every answer leaves this long after its request came in (rendering it happens within).
    pub latency: Duration,
    /// Every Nth authorized request answers 429.
    pub rate_limit_every: Option<u32>,
    /// The first K authorized requests answer 429.
    pub rate_limit_burst: u32,
    pub retry_after: RetryAfter,
    /// The first K authorized requests (after any 429 burst) answer `server_error_status`.
    pub server_error_burst: u32,
    /// 502, 503 or 504 (any status is accepted).
    pub server_error_status: u16,
    /// The first request of each person or group listing (no `from`) answers 202 with an
    /// empty body; the retry that follows is served.
    pub accepted_first: bool,
    /// The next K successful answers send their headers and half their body, then drop the
    /// connection.
    pub close_mid_body: u32,
    /// The next K successful answers are valid HTTP whose JSON body is cut in half.
    pub truncate_body: u32,
    /// A page requested with `from` answers `next` = that same `from`: a listing that loops.
    pub repeat_next: bool,
    /// The single-person GET's `groupIds` shape.
    pub person_get_group_ids: GroupIdsAnswer,
    /// The person list's `groupIds` shape (when it honours the field at all).
    pub person_list_group_ids: GroupIdsAnswer,
    /// The JSON type of `next` on pages that have one.
    pub next_shape: NextShape,
    /// The person list answers `{"data": null}`.
    pub person_list_data_null: bool,
    /// Pages requested with `from` answer no rows and a `next` never seen before: a listing
    /// that neither repeats nor progresses.
    pub endless_cursors: bool,
    /// Every listing's first request (no `from`) answers 202 until this long after the knobs
    /// were set; `Duration::MAX` never ends.
    pub snapshot_building: Option<Duration>,
    /// Connections are accepted and requests read, but never answered.
    pub never_answer: bool,
    /// Successful bodies are padded with trailing spaces (still valid JSON) to this many bytes.
    pub pad_bodies_to: Option<usize>,
    /// Successful bodies are streamed in 64 KiB chunks without a `Content-Length`.
    pub stream_bodies: bool,
    /// Each successful answer is rendered once per request (route, item and query) and served
    /// again from memory, up to 1 GiB in all: a benchmark then times the client, not the
    /// fake's rendering. Setting the knobs starts an empty cache.
    pub cache_bodies: bool,
    /// The first person (by id) has a title of this many bytes.
    pub huge_title: Option<usize>,
    /// Error answers echo the request's token: as sent, upper-cased, and in standard and
    /// URL-safe base64.
    pub echo_token_in_errors: bool,
    /// Person pages after the second repeat the listing's first person: a duplicate two or
    /// more pages apart.
    pub duplicate_person_across_pages: bool,
    /// The bearer token every request must carry.
    pub token: String,
    /// A second valid token that may read groups but not persons (403 on person routes).
    pub token_without_person_access: Option<String>,
}

impl Default for Knobs {
    fn default() -> Self {
        Knobs {
            from_inclusive: false,
            overlapping_pages: false,
            nested_rows: false,
            default_limit: 100,
            page_cap: None,
            list_honours_group_ids: true,
            latency: Duration::ZERO,
            rate_limit_every: None,
            rate_limit_burst: 0,
            retry_after: RetryAfter::Seconds(1),
            server_error_burst: 0,
            server_error_status: 503,
            accepted_first: false,
            close_mid_body: 0,
            truncate_body: 0,
            repeat_next: false,
            person_get_group_ids: GroupIdsAnswer::Array,
            person_list_group_ids: GroupIdsAnswer::Array,
            next_shape: NextShape::String,
            person_list_data_null: false,
            endless_cursors: false,
            snapshot_building: None,
            never_answer: false,
            pad_bodies_to: None,
            stream_bodies: false,
            cache_bodies: false,
            huge_title: None,
            echo_token_in_errors: false,
            duplicate_person_across_pages: false,
            token: "fake-charthop-token-3f9a1c".to_owned(),
            token_without_person_access: None,
        }
    }
}

impl Knobs {
    /// The rows a page holds when `requested` (or no) `limit` is asked for.
    pub fn page_size(&self, requested: Option<usize>) -> usize {
        let size = requested.unwrap_or(self.default_limit);
        self.page_cap.map_or(size, |cap| size.min(cap))
    }
}

// Tokens are secrets even here: tests check they never leak, so Debug never shows them.
impl fmt::Debug for Knobs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Knobs")
            .field("from_inclusive", &self.from_inclusive)
            .field("overlapping_pages", &self.overlapping_pages)
            .field("nested_rows", &self.nested_rows)
            .field("default_limit", &self.default_limit)
            .field("page_cap", &self.page_cap)
            .field("list_honours_group_ids", &self.list_honours_group_ids)
            .field("latency", &self.latency)
            .field("rate_limit_every", &self.rate_limit_every)
            .field("rate_limit_burst", &self.rate_limit_burst)
            .field("retry_after", &self.retry_after)
            .field("server_error_burst", &self.server_error_burst)
            .field("server_error_status", &self.server_error_status)
            .field("accepted_first", &self.accepted_first)
            .field("close_mid_body", &self.close_mid_body)
            .field("truncate_body", &self.truncate_body)
            .field("repeat_next", &self.repeat_next)
            .field("person_get_group_ids", &self.person_get_group_ids)
            .field("person_list_group_ids", &self.person_list_group_ids)
            .field("next_shape", &self.next_shape)
            .field("person_list_data_null", &self.person_list_data_null)
            .field("endless_cursors", &self.endless_cursors)
            .field("snapshot_building", &self.snapshot_building)
            .field("never_answer", &self.never_answer)
            .field("pad_bodies_to", &self.pad_bodies_to)
            .field("stream_bodies", &self.stream_bodies)
            .field("cache_bodies", &self.cache_bodies)
            .field("huge_title", &self.huge_title)
            .field("echo_token_in_errors", &self.echo_token_in_errors)
            .field("duplicate_person_across_pages", &self.duplicate_person_across_pages)
            .field("token", &"<redacted>")
            .field(
                "token_without_person_access",
                &self.token_without_person_access.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}
