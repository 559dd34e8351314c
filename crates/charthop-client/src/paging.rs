//! Pages and the listing loop on top of them.

use std::collections::HashSet;
use std::future::Future;

use charthop_domain::Person;
use futures::stream::BoxStream;
use futures::{Stream, StreamExt, TryStreamExt, stream};

use crate::Error;
use crate::decode::Listed;
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
struct Listing<F> {
    fetch: F,
    next: Option<String>,
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

impl<F> Listing<F> {
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
/// when the pages outgrow the rows. `fetch(cursor, label)` gets one page. Boxed so callers get
/// an `Unpin` stream.
pub(crate) fn listing<T, F, Fut>(endpoint: String, fetch: F) -> BoxStream<'static, Result<Page<T>, Error>>
where
    T: Listed + Send + 'static,
    F: FnMut(Option<String>, PageLabel) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page<T>, Error>> + Send,
{
    let start = Listing {
        fetch,
        next: None,
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
            let mut page = (state.fetch)(state.next.take(), label.clone()).await?;
            let before = page.items.len();
            let mut current = HashSet::with_capacity(before);
            page.items.retain(|item| {
                let first_in_page = current.insert(item.id().to_owned());
                first_in_page && !state.previous_ids.contains(item.id())
            });
            state.previous_ids = current;
            page.duplicates_dropped = before - page.items.len();
            state.rows_seen += page.items.len();
            state.page_rows = state.page_rows.max(before);
            state.overlap |= page.duplicates_dropped > 0;
            match page.next.clone().filter(|next| !next.is_empty()) {
                None => state.done = true,
                Some(next) if !state.used_cursors.insert(next.clone()) => {
                    return Err(Error::RepeatedCursor { endpoint, cursor: next, page: label });
                }
                Some(cursor) if page.items.is_empty() => {
                    return Err(Error::NoProgress { endpoint, page: label, cursor });
                }
                Some(_) if state.pages > state.page_budget() => {
                    return Err(Error::TooManyPages {
                        endpoint,
                        pages: state.pages,
                        rows: state.rows_seen,
                        page_rows: state.page_rows,
                    });
                }
                Some(next) => state.next = Some(next),
            }
            Ok(Some((page, state)))
        }
    })
    .boxed()
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

    use super::*;

    fn kind(id: &str) -> GroupType {
        GroupType { id: id.into(), ..Default::default() }
    }

    type Cursors = std::sync::Arc<std::sync::Mutex<Vec<Option<String>>>>;

    /// A scripted server: each call answers the next (rows, next) and records its cursor.
    fn scripted(
        answers: Vec<(Vec<&'static str>, Option<&'static str>)>,
    ) -> (impl Stream<Item = Result<Page<GroupType>, Error>>, Cursors) {
        let cursors = Cursors::default();
        let seen = cursors.clone();
        let mut answers = answers.into_iter();
        let pages = listing("/v1/org/acme/group-type".into(), move |cursor, _label| {
            seen.lock().unwrap().push(cursor);
            let (ids, next) = answers.next().expect("no more pages than scripted");
            let page = Page {
                items: ids.into_iter().map(kind).collect(),
                next: next.map(str::to_owned),
                duplicates_dropped: 0,
            };
            async move { Ok(page) }
        });
        (pages, cursors)
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
    async fn rows_flatten_pages() {
        let (pages, _) = scripted(vec![(vec!["a", "b"], Some("n")), (vec!["c"], None)]);
        let ids: Vec<String> = rows(pages).map_ok(|t| t.id).try_collect().await.unwrap();
        assert_eq!(ids, ["a", "b", "c"]);
    }
}
