//! When the writer builds the file's indexes. At finish, one sorted pass per index costs the
//! least CPU, but nothing overlaps it: the sync waits for it after the last answer. When rows
//! come slowly (a sync bound by ChartHop's round trips), the writer spends most of its time
//! waiting, and indexing each row as it goes in fits into that wait: the finish is shorter
//! and the sync ends sooner. When rows come fast (CPU-bound), that would only add work.

use std::time::Duration;

/// Person batches the writer times before it decides.
const BATCHES_TIMED: u32 = 8;

/// The share of the timed span spent waiting for a batch above which indexes are built early.
/// A CPU-bound sync keeps the writer busy most of the time (its stages are of similar cost);
/// one bound by round trips leaves it waiting nine tenths of it.
const WAITING_SHARE: f64 = 0.75;

/// The writer's time, from its first batch of persons on.
#[derive(Debug, Default)]
pub(crate) struct WriterPace {
    waited: Duration,
    worked: Duration,
    batches: u32,
    decided: bool,
}

impl WriterPace {
    /// A person batch that took `worked` to write, after `waited` for it to come. `true` once,
    /// when the timed batches show the writer mostly waiting: build the indexes now.
    pub(crate) fn person_batch(&mut self, waited: Duration, worked: Duration) -> bool {
        if self.decided {
            return false;
        }
        // The wait for the first batch is the group listing's and the first page's, not the pace.
        if self.batches > 0 {
            self.waited += waited;
        }
        self.worked += worked;
        self.batches += 1;
        if self.batches < BATCHES_TIMED {
            return false;
        }
        self.decided = true;
        let span = (self.waited + self.worked).as_secs_f64();
        let early = span > 0.0 && self.waited.as_secs_f64() / span >= WAITING_SHARE;
        tracing::debug!(
            waited_ms = self.waited.as_millis() as u64,
            worked_ms = self.worked.as_millis() as u64,
            early,
            "timed the writer's first batches of persons"
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

    /// The batch after which the pace decides for early indexes, if any.
    fn decided_at(batches: impl IntoIterator<Item = (u64, u64)>) -> Option<u32> {
        let mut pace = WriterPace::default();
        let mut at = None;
        for (n, (waited, worked)) in (1..).zip(batches) {
            if pace.person_batch(ms(waited), ms(worked)) {
                assert!(at.is_none(), "decides once");
                at = Some(n);
            }
        }
        at
    }

    #[test]
    fn a_writer_waiting_on_round_trips_builds_early_after_the_timed_batches() {
        // 25 ms answers, 3 ms to write each page: the writer waits nine tenths of the time.
        assert_eq!(decided_at(std::iter::repeat_n((25, 3), 20)), Some(BATCHES_TIMED));
    }

    #[test]
    fn a_busy_writer_builds_at_finish() {
        assert_eq!(decided_at(std::iter::repeat_n((4, 9), 20)), None);
        // Just under the share: 74 ms waited for each 26 ms worked.
        assert_eq!(decided_at(std::iter::repeat_n((74, 26), 20)), None);
    }

    #[test]
    fn the_wait_for_the_first_batch_does_not_count() {
        // A long group listing before the first persons, then a busy writer.
        let batches = std::iter::once((5_000, 9)).chain(std::iter::repeat_n((4, 9), 20));
        assert_eq!(decided_at(batches), None);
    }

    #[test]
    fn fewer_batches_than_timed_never_decide() {
        assert_eq!(decided_at(std::iter::repeat_n((25, 1), (BATCHES_TIMED - 1) as usize)), None);
    }
}
