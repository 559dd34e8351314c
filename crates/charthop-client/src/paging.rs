//! Pages and the listing loop on top of them.

use std::collections::HashSet;
use std::future::Future;

use charthop_domain::Person;
use futures::stream::BoxStream;
use futures::{Stream, StreamExt, TryStreamExt, stream};
use serde_json::Value;

use crate::Error;
use crate::decode::{RawPage, Row, RowFault};
use crate::error::PageLabel;

/// One page of a listing: its rows and the cursor of the next page (`None` on the last).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Opaque: passed back as `from` unchanged.
    pub next: Option<String>,
    /// Rows a listing stream dropped from this page because their id was on the previous
    /// page (an inclusive `from` repeats one) or earlier on this page. Duplicates further apart
    /// are passed on. Always 0 from a single page call.
    pub duplicates_dropped: usize,
}

impl Page<Person> {
    /// Persons whose row lacked `groupIds` (the list did not honour it): fetch theirs one by one.
    pub fn persons_without_group_ids(&self) -> impl Iterator<Item = &Person> {
        self.items.iter().filter(|p| p.group_ids.is_none())
    }
}

/// State of one listing. Memory stays bounded by the page size, not by the org: only the
/// previous page's ids are kept for dropping the row an inclusive `from` repeats (duplicates
/// further apart are left to the consumer's unique checks).
struct Listing<F, D> {
    fetch: F,
    decode: D,
    next: Option<String>,
    /// The next page, requested as soon as this one passed its checks: the caller's work on a
    /// page then overlaps the round trip of the next.
    in_flight: Option<InFlight>,
    used_cursors: HashSet<String>,
    previous_ids: HashSet<String>,
    pages: usize,
    rows_seen: usize,
    /// The largest page seen: the page size the server actually uses.
    page_rows: usize,
    /// Whether pages overlap (an inclusive `from`), so each adds one row fewer.
    overlap: bool,
    done: bool,
}

impl<F, D> Listing<F, D> {
    /// Pages a listing of `rows_seen` rows may take: two more than it needs at the server's
    /// page size, so cursors that never repeat still cannot page forever.
    fn page_budget(&self) -> usize {
        let per_page = self.page_rows.saturating_sub(usize::from(self.overlap)).max(1);
        self.rows_seen.div_ceil(per_page) + 2
    }
}

/// Follows `next` cursors from the first page to the last, dropping the rows a page repeats
/// from the one before, and failing with [`Error::RepeatedCursor`] when a cursor comes back,
/// [`Error::NoProgress`] when a page with a `next` adds no row, and [`Error::TooManyPages`]
/// when the pages outgrow the rows. `fetch(cursor, label)` gets one page as sent; `decode` reads
/// one row. The next page is requested (a task of its own) as soon as a page's cursor passed
/// those checks, before its rows are decoded and while the caller works on it; dropping the
/// stream cancels it. Boxed so callers get an `Unpin` stream.
pub(crate) fn listing<T, F, Fut, D>(
    endpoint: String,
    fetch: F,
    decode: D,
) -> BoxStream<'static, Result<Page<T>, Error>>
where
    T: Send + 'static,
    F: FnMut(Option<String>, PageLabel) -> Fut + Send + 'static,
    Fut: Future<Output = Result<RawPage, Error>> + Send + 'static,
    D: Fn(Row<'_>) -> Result<T, RowFault> + Send + 'static,
{
    let start = Listing {
        fetch,
        decode,
        next: None,
        in_flight: None,
        used_cursors: HashSet::new(),
        previous_ids: HashSet::new(),
        pages: 0,
        rows_seen: 0,
        page_rows: 0,
        overlap: false,
        done: false,
    };
    stream::try_unfold(start, move |mut state| {
        let endpoint = endpoint.clone();
        async move {
            if state.done {
                return Ok(None);
            }
            state.pages += 1;
            let label = PageLabel { number: Some(state.pages), from: state.next.clone() };
            let cursor = state.next.take();
            let raw = match state.in_flight.take() {
                Some(in_flight) => in_flight.join(&endpoint, &label).await?,
                None => (state.fetch)(cursor, label.clone()).await?,
            };
            let RawPage { rows, next } = raw;
            let mut current = HashSet::with_capacity(rows.len());
            // Repeats are found by the rows' own ids, so that the next page can be requested
            // before any row is decoded; a row without an id is kept for decoding to report.
            let kept: Vec<bool> = rows
                .iter()
                .map(|row| match row_id(row) {
                    Some(id) => {
                        let first_in_page = current.insert(id.clone());
                        first_in_page && !state.previous_ids.contains(&id)
                    }
                    None => true,
                })
                .collect();
            state.previous_ids = current;
            let kept_rows = kept.iter().filter(|keep| **keep).count();
            let duplicates_dropped = rows.len() - kept_rows;
            state.rows_seen += kept_rows;
            state.page_rows = state.page_rows.max(rows.len());
            state.overlap |= duplicates_dropped > 0;
            // Every row is decoded, repeats too, in page order: a row that cannot be read fails
            // the page before its cursor is judged, as when rows were decoded first.
            let cursor_error = match next.clone().filter(|next| !next.is_empty()) {
                None => {
                    state.done = true;
                    None
                }
                Some(next) if !state.used_cursors.insert(next.clone()) => Some(Error::RepeatedCursor {
                    endpoint: endpoint.clone(),
                    cursor: next,
                    page: label.clone(),
                }),
                Some(cursor) if kept_rows == 0 => {
                    Some(Error::NoProgress { endpoint: endpoint.clone(), page: label.clone(), cursor })
                }
                Some(_) if state.pages > state.page_budget() => Some(Error::TooManyPages {
                    endpoint: endpoint.clone(),
                    pages: state.pages,
                    rows: state.rows_seen,
                    page_rows: state.page_rows,
                }),
                Some(next) => {
                    let next_label = PageLabel { number: Some(state.pages + 1), from: Some(next.clone()) };
                    state.in_flight = Some(InFlight::spawn((state.fetch)(Some(next.clone()), next_label)));
                    state.next = Some(next);
                    // The new task waits in this worker's next-task slot, which no other worker
                    // takes: yielding lets it put the request on the wire before the decoding.
                    tokio::task::yield_now().await;
                    None
                }
            };
            let items = decode_kept(&endpoint, &label, &rows, &kept, &state.decode)?;
            if let Some(error) = cursor_error {
                return Err(error);
            }
            Ok(Some((Page { items, next, duplicates_dropped }, state)))
        }
    })
    .boxed()
}

/// A page requested ahead, on a task of its own so that it is sent while the caller works on
/// the page before it; aborted when dropped unread.
struct InFlight(tokio::task::JoinHandle<Result<RawPage, Error>>);

impl InFlight {
    fn spawn(fetch: impl Future<Output = Result<RawPage, Error>> + Send + 'static) -> Self {
        InFlight(tokio::spawn(fetch))
    }

    async fn join(mut self, endpoint: &str, label: &PageLabel) -> Result<RawPage, Error> {
        match (&mut self.0).await {
            Ok(fetched) => fetched,
            Err(failed) if failed.is_panic() => std::panic::resume_unwind(failed.into_panic()),
            Err(_cancelled) => {
                Err(Error::PageRequestCancelled { endpoint: endpoint.to_owned(), page: label.clone() })
            }
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A row's id as decoding reads it; `None` for a row decoding refuses.
fn row_id(row: &Value) -> Option<String> {
    match row {
        Value::Object(map) => Row(map).id(),
        _ => None,
    }
}

/// Decodes every row of a page in order, failing on the first that cannot be read, and keeps
/// those `kept` marks.
fn decode_kept<T>(
    endpoint: &str,
    page: &PageLabel,
    rows: &[Value],
    kept: &[bool],
    decode: &impl Fn(Row<'_>) -> Result<T, RowFault>,
) -> Result<Vec<T>, Error> {
    let decoded = decode_rows(endpoint, page, rows.iter().enumerate(), decode)?;
    Ok(decoded.into_iter().zip(kept).filter_map(|(item, keep)| keep.then_some(item)).collect())
}

/// Decodes `rows` (each with its index in the page), failing on the first that cannot be read.
pub(crate) fn decode_rows<'a, T>(
    endpoint: &str,
    page: &PageLabel,
    rows: impl Iterator<Item = (usize, &'a Value)>,
    decode: &impl Fn(Row<'_>) -> Result<T, RowFault>,
) -> Result<Vec<T>, Error> {
    let mut items = Vec::with_capacity(rows.size_hint().0);
    for (index, row) in rows {
        let decoded = match row {
            Value::Object(map) => decode(Row(map)),
            _ => Err(RowFault::NoId),
        };
        items.push(decoded.map_err(|fault| row_error(endpoint, page.clone(), index + 1, fault))?);
    }
    Ok(items)
}

/// The error for row `row` (1-based) of a page.
pub(crate) fn row_error(endpoint: &str, page: PageLabel, row: usize, fault: RowFault) -> Error {
    let endpoint = endpoint.to_owned();
    match fault {
        RowFault::NoId => Error::MissingId { endpoint, page, row },
        RowFault::Field { id, field, found } => Error::InvalidField { endpoint, page, id, field, found },
    }
}

/// The rows of a page stream, one by one.
pub(crate) fn rows<T: Send + 'static>(
    pages: impl Stream<Item = Result<Page<T>, Error>> + Send + 'static,
) -> BoxStream<'static, Result<T, Error>> {
    pages.map_ok(|page| stream::iter(page.items.into_iter().map(Ok))).try_flatten().boxed()
}

#[cfg(test)]
mod tests {
    use charthop_domain::GroupType;
    use futures::StreamExt;
    use serde_json::json;

    use super::*;
    use crate::decode::Listed;

    type Cursors = std::sync::Arc<std::sync::Mutex<Vec<Option<String>>>>;

    /// A scripted server: each call answers the next (rows, next) and records its cursor.
    fn scripted(
        answers: Vec<(Vec<&'static str>, Option<&'static str>)>,
    ) -> (impl Stream<Item = Result<Page<GroupType>, Error>>, Cursors) {
        let cursors = Cursors::default();
        let seen = cursors.clone();
        let mut answers = answers.into_iter();
        let fetch = move |cursor, _label| {
            seen.lock().unwrap().push(cursor);
            let (ids, next) = answers.next().expect("no more pages than scripted");
            let page = RawPage {
                rows: ids.into_iter().map(|id| json!({ "id": id })).collect(),
                next: next.map(str::to_owned),
            };
            async move { Ok(page) }
        };
        (listing("/v1/org/acme/group-type".into(), fetch, GroupType::decode), cursors)
    }

    #[tokio::test]
    async fn a_request_ahead_cancelled_under_the_listing_is_an_error_naming_its_page() {
        let in_flight = InFlight::spawn(std::future::pending());
        in_flight.0.abort();
        let page = PageLabel { number: Some(2), from: Some("p2".into()) };
        let Err(error) = in_flight.join("/v1/org/acme/person", &page).await else {
            panic!("a cancelled request answered a page");
        };
        assert!(matches!(&error, Error::PageRequestCancelled { page: p, .. } if *p == page), "{error:?}");
        assert!(error.to_string().contains("GET /v1/org/acme/person"), "{error}");
    }

    #[tokio::test]
    async fn inclusive_from_repeats_are_dropped_and_cursors_passed_verbatim() {
        let (pages, cursors) = scripted(vec![
            (vec!["a", "b"], Some("b")),
            (vec!["b", "c"], Some("c&d=1")),
            (vec!["c"], Some("")),
        ]);
        let pages: Vec<_> = pages.try_collect::<Vec<_>>().await.unwrap();
        let ids: Vec<Vec<&str>> =
            pages.iter().map(|p| p.items.iter().map(|t| t.id.as_str()).collect()).collect();
        assert_eq!(ids, vec![vec!["a", "b"], vec!["c"], vec![]]);
        assert_eq!(pages.iter().map(|p| p.duplicates_dropped).collect::<Vec<_>>(), vec![0, 1, 1]);
        assert_eq!(*cursors.lock().unwrap(), vec![None, Some("b".into()), Some("c&d=1".into())]);
    }

    #[tokio::test]
    async fn a_repeating_next_is_a_typed_error_and_ends_the_stream() {
        let (pages, cursors) =
            scripted(vec![(vec!["a"], Some("x")), (vec!["b"], Some("y")), (vec!["c"], Some("x"))]);
        let results: Vec<_> = pages.collect::<Vec<_>>().await;
        assert_eq!(results.len(), 3);
        match &results[2] {
            Err(Error::RepeatedCursor { cursor, page, .. }) => {
                assert_eq!(cursor, "x");
                assert_eq!(page.number, Some(3));
            }
            other => panic!("expected RepeatedCursor, got {other:?}"),
        }
        assert_eq!(cursors.lock().unwrap().len(), 3);
    }

    #[tokio::test]
    async fn a_page_with_a_next_but_no_new_row_is_an_error() {
        for second in [vec!["b"], vec![]] {
            let (pages, _) = scripted(vec![(vec!["a", "b"], Some("b")), (second, Some("c"))]);
            let results: Vec<_> = pages.collect::<Vec<_>>().await;
            match &results[1] {
                Err(Error::NoProgress { cursor, page, endpoint }) => {
                    assert_eq!((cursor.as_str(), page.number), ("c", Some(2)));
                    assert_eq!(endpoint, "/v1/org/acme/group-type");
                }
                other => panic!("expected NoProgress, got {other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn fresh_cursors_adding_too_few_rows_hit_the_page_budget() {
        let mut answers = vec![(vec!["a0", "a1", "a2", "a3"], Some("c0"))];
        for (id, cursor) in ["b1", "b2", "b3", "b4"].into_iter().zip(["c1", "c2", "c3", "c4"]) {
            answers.push((vec![id], Some(cursor)));
        }
        let (pages, requested) = scripted(answers);
        let results: Vec<_> = pages.collect::<Vec<_>>().await;
        // 4 rows, then 1 a page: 7 rows allow 4 pages (2 needed + 2); 8 rows do not allow 5.
        assert!(results[..4].iter().all(Result::is_ok), "{results:?}");
        match results.last().unwrap() {
            Err(error @ Error::TooManyPages { pages: 5, rows: 8, page_rows: 4, .. }) => {
                assert!(error.to_string().contains("GET /v1/org/acme/group-type took 5 pages"), "{error}");
            }
            other => panic!("expected TooManyPages, got {other:?}"),
        }
        assert_eq!(requested.lock().unwrap().len(), 5);
    }

    #[tokio::test]
    async fn only_the_previous_page_is_deduplicated() {
        let (pages, _) = scripted(vec![
            (vec!["a", "b"], Some("b")),
            (vec!["b", "c", "c"], Some("c")),
            (vec!["c", "a"], None),
        ]);
        let pages: Vec<_> = pages.try_collect::<Vec<_>>().await.unwrap();
        let ids: Vec<Vec<&str>> =
            pages.iter().map(|p| p.items.iter().map(|t| t.id.as_str()).collect()).collect();
        // "a" comes back two pages later: it is passed on for the consumer's unique check.
        assert_eq!(ids, vec![vec!["a", "b"], vec!["c"], vec!["a"]]);
        assert_eq!(pages.iter().map(|p| p.duplicates_dropped).collect::<Vec<_>>(), vec![0, 2, 1]);
    }

    #[tokio::test]
    async fn the_next_page_is_requested_before_the_caller_asks_for_it() {
        let (pages, cursors) =
            scripted(vec![(vec!["a"], Some("n1")), (vec!["b"], Some("n2")), (vec!["c"], None)]);
        let mut pages = std::pin::pin!(pages);
        pages.next().await.expect("a page").expect("page 1");
        assert_eq!(*cursors.lock().unwrap(), vec![None, Some("n1".into())]);
        pages.next().await.expect("a page").expect("page 2");
        pages.next().await.expect("a page").expect("page 3");
        assert!(pages.next().await.is_none());
        assert_eq!(cursors.lock().unwrap().len(), 3, "no request after the last page");
    }

    #[tokio::test]
    async fn a_bad_row_is_named_by_its_place_in_the_page_after_repeats_are_dropped() {
        let fetch = |cursor: Option<String>, _label| {
            let (rows, next) = match cursor {
                None => (vec![json!({ "id": "a" })], "n1"),
                Some(_) => (vec![json!({ "id": "a" }), json!({ "name": "no id" })], "n2"),
            };
            async move { Ok(RawPage { rows, next: Some(next.into()) }) }
        };
        let results: Vec<_> = listing("/v1/org/acme/group-type".into(), fetch, GroupType::decode)
            .take(2)
            .collect::<Vec<_>>()
            .await;
        match &results[1] {
            Err(Error::MissingId { row: 2, page, .. }) => assert_eq!(page.number, Some(2)),
            other => panic!("expected MissingId for row 2, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_bad_row_is_reported_before_the_cursor_and_a_repeat_is_read_too() {
        // Page 2 repeats page 1's cursor and carries a row without an id: the row is named.
        // Page 2' repeats "a" with a field of the wrong shape: repeats are decoded as well.
        for second in [json!([{ "id": "b" }, { "name": "no id" }]), json!([{ "id": "a", "groupIds": 7 }])] {
            let next_of_second = if second[0]["id"] == "b" { "n1" } else { "n2" };
            let fetch = move |cursor: Option<String>, _label| {
                let page = match cursor {
                    None => RawPage { rows: vec![json!({ "id": "a" })], next: Some("n1".into()) },
                    Some(_) => RawPage {
                        rows: second.as_array().unwrap().clone(),
                        next: Some(next_of_second.into()),
                    },
                };
                async move { Ok(page) }
            };
            let results: Vec<_> =
                listing("/v2/org/acme/person".into(), fetch, charthop_domain::Person::decode)
                    .take(2)
                    .collect::<Vec<_>>()
                    .await;
            match &results[1] {
                Err(Error::MissingId { row: 2, .. } | Error::InvalidField { field: "groupIds", .. }) => {}
                other => panic!("expected the row's error, got {other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn dropping_the_listing_cancels_the_page_requested_ahead() {
        struct Dropped(std::sync::Arc<std::sync::atomic::AtomicBool>);
        impl Drop for Dropped {
            fn drop(&mut self) {
                self.0.store(true, std::sync::atomic::Ordering::SeqCst);
            }
        }
        let cancelled = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = cancelled.clone();
        let fetch = move |cursor: Option<String>, _label| {
            let guard = cursor.is_some().then(|| Dropped(flag.clone()));
            async move {
                if guard.is_some() {
                    std::future::pending::<()>().await;
                }
                Ok(RawPage { rows: vec![json!({ "id": "a" })], next: Some("n".into()) })
            }
        };
        let mut pages = listing("/v1/org/acme/group-type".into(), fetch, GroupType::decode);
        pages.next().await.expect("a page").expect("page 1");
        drop(pages);
        for _ in 0..100 {
            if cancelled.load(std::sync::atomic::Ordering::SeqCst) {
                return;
            }
            tokio::task::yield_now().await;
        }
        panic!("the request for page 2 was not cancelled");
    }

    #[tokio::test]
    async fn rows_flatten_pages() {
        let (pages, _) = scripted(vec![(vec!["a", "b"], Some("n")), (vec!["c"], None)]);
        let ids: Vec<String> = rows(pages).map_ok(|t| t.id).try_collect().await.unwrap();
        assert_eq!(ids, ["a", "b", "c"]);
    }
}
