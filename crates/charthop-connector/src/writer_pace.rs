//! When the writer builds the file's indexes. At finish, one sorted pass per index costs the
//! least CPU, but nothing overlaps it: the sync waits for it after the last answer. When rows
//! come slowly (a sync bound by ChartHop's round trips), the writer spends most of its time
//! waiting, and indexing each row as it goes in fits into that wait: the finish is shorter
//! and the sync ends sooner. When rows come fast (CPU-bound), that would only add work.

use std::time::Duration;

use charthop_client::DEFAULT_PAGE_SIZE;

use crate::prefetch::PAGES_AHEAD_AT_START;
use crate::sync::BATCH_PERSONS;

/// Person batches left untimed first: the pages fetched while the groups were listed come with
/// no wait at all (counted at the default page size).
const BATCHES_SKIPPED: u32 = (PAGES_AHEAD_AT_START * DEFAULT_PAGE_SIZE as usize / BATCH_PERSONS) as u32;

/// Person batches the writer times, after those, before it decides.
const BATCHES_TIMED: u32 = 16;

/// The share of the timed span spent waiting for a batch at or above which indexes are built
/// early. A CPU-bound sync keeps the writer busy most of the time (its stages are of similar
/// cost); one bound by round trips leaves it waiting nine tenths of it.
const WAITING_SHARE: f64 = 0.75;

/// The writer's time over a window of its batches of persons.
#[derive(Debug)]
pub(crate) struct WriterPace {
    waited: Duration,
    worked: Duration,
    batches: u32,
    decided: bool,
}

impl WriterPace {
    /// A pace that times the writer and may decide for early indexes.
    pub(crate) fn timed() -> Self {
        WriterPace { waited: Duration::ZERO, worked: Duration::ZERO, batches: 0, decided: false }
    }

    /// A pace that never builds early (the sync has other work after the last row, such as
    /// copying the previous sync, that indexed tables would make slower).
    pub(crate) fn at_finish() -> Self {
        WriterPace { decided: true, ..Self::timed() }
    }

    /// A person batch that took `worked` to write, after `waited` for it to come. `true` once,
    /// when the timed batches show the writer mostly waiting: build the indexes now.
    pub(crate) fn person_batch(&mut self, waited: Duration, worked: Duration) -> bool {
        if self.decided {
            return false;
        }
        self.batches += 1;
        if self.batches <= BATCHES_SKIPPED {
            return false;
        }
        self.waited += waited;
        self.worked += worked;
        if self.batches < BATCHES_SKIPPED + BATCHES_TIMED {
            return false;
        }
        self.decided = true;
        let span = (self.waited + self.worked).as_secs_f64();
        let early = span > 0.0 && self.waited.as_secs_f64() / span >= WAITING_SHARE;
        tracing::debug!(
            waited_ms = self.waited.as_millis() as u64,
            worked_ms = self.worked.as_millis() as u64,
            early,
            "timed the writer's batches of persons"
        );
        early
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// The batch after which a timed pace decides for early indexes, if any.
    fn decided_at(batches: impl IntoIterator<Item = (u64, u64)>) -> Option<u32> {
        decided_with(WriterPace::timed(), batches)
    }

    fn decided_with(mut pace: WriterPace, batches: impl IntoIterator<Item = (u64, u64)>) -> Option<u32> {
        let mut at = None;
        for (n, (waited, worked)) in (1..).zip(batches) {
            if pace.person_batch(ms(waited), ms(worked)) {
                assert!(at.is_none(), "decides once");
                at = Some(n);
            }
        }
        at
    }

    const LAST_TIMED: u32 = BATCHES_SKIPPED + BATCHES_TIMED;

    #[test]
    fn a_writer_waiting_on_round_trips_builds_early_after_the_timed_batches() {
        // 25 ms answers, 3 ms to write each page: the writer waits nine tenths of the time.
        assert_eq!(decided_at(std::iter::repeat_n((25, 3), 40)), Some(LAST_TIMED));
    }

    #[test]
    fn the_share_is_the_timed_window_s_own() {
        // Just over and just under three quarters, batch after batch.
        assert_eq!(decided_at(std::iter::repeat_n((76, 24), 40)), Some(LAST_TIMED));
        assert_eq!(decided_at(std::iter::repeat_n((74, 26), 40)), None);
    }

    #[test]
    fn a_busy_writer_builds_at_finish() {
        assert_eq!(decided_at(std::iter::repeat_n((4, 9), 40)), None);
    }

    #[test]
    fn the_batches_before_the_window_do_not_count() {
        // A long group listing, pages buffered meanwhile (no wait), then a writer waiting on
        // round trips: the window sees only the waits.
        let batches = std::iter::once((5_000, 9))
            .chain(std::iter::repeat_n((0, 9), (BATCHES_SKIPPED - 1) as usize))
            .chain(std::iter::repeat_n((25, 3), 40));
        assert_eq!(decided_at(batches), Some(LAST_TIMED));
        // And the other way round: a slow start, then a busy writer.
        let batches =
            std::iter::repeat_n((500, 1), BATCHES_SKIPPED as usize).chain(std::iter::repeat_n((4, 9), 40));
        assert_eq!(decided_at(batches), None);
    }

    #[test]
    fn fewer_batches_than_the_window_never_decide() {
        assert_eq!(decided_at(std::iter::repeat_n((25, 1), (LAST_TIMED - 1) as usize)), None);
    }

    #[test]
    fn a_pace_at_finish_never_builds_early() {
        assert_eq!(decided_with(WriterPace::at_finish(), std::iter::repeat_n((25, 1), 40)), None);
    }
}
