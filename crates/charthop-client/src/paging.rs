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
    /// Rows a listing stream dropped from this page because their id came earlier in the
    /// same listing (an inclusive `from` repeats one). Always 0 from a single page call.
    pub duplicates_dropped: usize,
}

impl Page<Person> {
    /// Persons whose row lacked `groupIds` (the list did not honour it): fetch theirs one by one.
    pub fn persons_without_group_ids(&self) -> impl Iterator<Item = &Person> {
        self.items.iter().filter(|p| p.group_ids.is_none())
    }
}

/// State of one listing: the cursors already followed and the ids already handed out.
struct Listing<F> {
    fetch: F,
    next: Option<String>,
    used_cursors: HashSet<String>,
    seen_ids: HashSet<String>,
    pages: usize,
    done: bool,
}

/// Follows `next` cursors from the first page to the last, dropping repeated rows and failing
/// with [`Error::RepeatedCursor`] when a cursor comes back (which would loop forever).
/// `fetch(cursor, label)` gets one page. Boxed so callers get an `Unpin` stream.
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
        seen_ids: HashSet::new(),
        pages: 0,
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
            page.items.retain(|item| state.seen_ids.insert(item.id().to_owned()));
            page.duplicates_dropped = before - page.items.len();
            match page.next.clone().filter(|next| !next.is_empty()) {
                None => state.done = true,
                Some(next) if !state.used_cursors.insert(next.clone()) => {
                    return Err(Error::RepeatedCursor { endpoint, cursor: next, page: label });
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
    async fn rows_flatten_pages() {
        let (pages, _) = scripted(vec![(vec!["a", "b"], Some("n")), (vec!["c"], None)]);
        let ids: Vec<String> = rows(pages).map_ok(|t| t.id).try_collect().await.unwrap();
        assert_eq!(ids, ["a", "b", "c"]);
    }
}
