//! Person pages fetched ahead of the mapping, on a task of their own.

use std::collections::VecDeque;

use futures::{Stream, StreamExt};
use tokio::sync::mpsc;

/// Pages held before the first one is taken. The mapping starts only once the groups are listed
/// (profiles name them), and the person listing goes on meanwhile instead of stalling.
pub(crate) const PAGES_HELD_AT_START: usize = 4;

/// Pages fetched ahead before the mapping takes one: those held, one in the channel and one
/// the listing requested ahead.
pub(crate) const PAGES_AHEAD_AT_START: usize = PAGES_HELD_AT_START + 2;

/// Polls `pages` on a task of its own and passes them on in order. Once the mapping has taken a
/// page, one page waits in the channel and at most one more is held while the listing fetches
/// the next (as many as a CPU-bound sync keeps full); before, up to [`PAGES_HELD_AT_START`] are
/// held. The task ends after passing on an error, at the end of the pages, or when the receiver
/// is dropped (dropping the listing cancels its request).
pub(crate) fn prefetch<T, E>(
    pages: impl Stream<Item = Result<T, E>> + Send + 'static,
) -> mpsc::Receiver<Result<T, E>>
where
    T: Send + 'static,
    E: Send + 'static,
{
    let (sender, receiver) = mpsc::channel(1);
    tokio::spawn(async move {
        let mut pages = std::pin::pin!(pages);
        let mut held = VecDeque::new();
        let (mut sent, mut ended) = (0usize, false);
        while !(ended && held.is_empty()) {
            // The second page fits in the channel only once the first was taken.
            let most_held = if sent >= 2 { 1 } else { PAGES_HELD_AT_START };
            tokio::select! {
                () = sender.closed() => break,
                permit = sender.reserve(), if !held.is_empty() => {
                    let Ok(permit) = permit else { break };
                    permit.send(held.pop_front().expect("a page is held"));
                    sent += 1;
                }
                next = pages.next(), if !ended && held.len() < most_held => match next {
                    None => ended = true,
                    Some(page) => {
                        ended = page.is_err();
                        held.push_back(page);
                    }
                },
            }
        }
    });
    receiver
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    type Pulls = Arc<AtomicUsize>;

    fn counted(
        items: Vec<Result<u32, &'static str>>,
    ) -> (impl Stream<Item = Result<u32, &'static str>>, Pulls) {
        let pulls = Pulls::default();
        let seen = pulls.clone();
        let stream = futures::stream::iter(items).inspect(move |_| {
            seen.fetch_add(1, Ordering::SeqCst);
        });
        (stream, pulls)
    }

    async fn settled(pulls: &Pulls) -> usize {
        tokio::time::sleep(Duration::from_millis(20)).await;
        pulls.load(Ordering::SeqCst)
    }

    #[tokio::test]
    async fn more_pages_are_held_before_the_first_is_taken_than_after() {
        let (pages, pulls) = counted((0..20).map(Ok).collect());
        let mut receiver = prefetch(pages);
        // Nothing taken (the groups being listed): one in the channel and the held ones (the
        // listing's own request ahead is not part of this stream).
        assert_eq!(settled(&pulls).await, PAGES_AHEAD_AT_START - 1);
        let mut received = Vec::new();
        while let Some(page) = receiver.recv().await {
            received.push(page.unwrap());
            if received.len() >= 2 + PAGES_HELD_AT_START {
                // Past the start: one in the channel and one held, whatever the start held.
                assert!(
                    settled(&pulls).await <= received.len() + 2,
                    "{} pulled",
                    pulls.load(Ordering::SeqCst)
                );
            }
        }
        assert_eq!(received, (0..20).collect::<Vec<_>>(), "every page, in order");
    }

    #[tokio::test]
    async fn an_error_is_passed_on_after_the_pages_before_it_and_ends_the_listing() {
        let (pages, pulls) = counted(vec![Ok(0), Ok(1), Err("bad page"), Ok(3)]);
        let mut receiver = prefetch(pages);
        let mut received = Vec::new();
        while let Some(page) = receiver.recv().await {
            received.push(page);
        }
        assert_eq!(received, vec![Ok(0), Ok(1), Err("bad page")]);
        assert_eq!(pulls.load(Ordering::SeqCst), 3, "nothing is fetched after the error");
    }

    #[tokio::test]
    async fn dropping_the_receiver_stops_the_listing() {
        let (pages, pulls) = counted((0..20).map(Ok).collect());
        let mut receiver = prefetch(pages);
        assert_eq!(receiver.recv().await, Some(Ok(0)));
        drop(receiver);
        let after_drop = settled(&pulls).await;
        assert!(after_drop <= 1 + 1 + PAGES_HELD_AT_START, "{after_drop} pulled");
        assert_eq!(settled(&pulls).await, after_drop, "no page is fetched once nobody reads");
    }
}
