//! How long to wait before the next attempt.

use std::time::{Duration, SystemTime};

use rand::Rng;

use crate::RetryPolicy;

impl RetryPolicy {
    /// The wait before attempt `failed_attempt + 1`: the server's `Retry-After` when it gave
    /// one, else `base_delay * 2^(failed_attempt - 1)` with "equal jitter" (a random point in
    /// the upper half), so that clients that failed together do not retry together. Every wait
    /// is capped at `max_delay`.
    pub fn wait_before_retry(&self, failed_attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(wait) = retry_after {
            return wait.min(self.max_delay);
        }
        let doublings = failed_attempt.saturating_sub(1).min(31);
        let full = self.base_delay.saturating_mul(1 << doublings).min(self.max_delay);
        let half = full / 2;
        let jitter_nanos = rand::rng().random_range(0..=half.as_nanos().min(u128::from(u64::MAX)) as u64);
        half + Duration::from_nanos(jitter_nanos)
    }
}

/// A `Retry-After` value: delay seconds or an HTTP date (relative to `now`).
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
        }
    }

    #[test]
    fn backoff_doubles_within_jitter_and_is_capped() {
        let policy = policy();
        for (attempt, full_ms) in [(1, 100), (2, 200), (3, 400), (4, 800), (5, 1600), (6, 2000), (40, 2000)] {
            for _ in 0..50 {
                let wait = policy.wait_before_retry(attempt, None);
                let full = Duration::from_millis(full_ms);
                assert!(wait >= full / 2 && wait <= full, "attempt {attempt}: {wait:?} vs {full:?}");
            }
        }
    }

    #[test]
    fn retry_after_is_honoured_exactly_but_capped() {
        let policy = policy();
        assert_eq!(policy.wait_before_retry(1, Some(Duration::from_secs(1))), Duration::from_secs(1));
        assert_eq!(policy.wait_before_retry(1, Some(Duration::from_secs(600))), Duration::from_secs(2));
    }

    #[test]
    fn retry_after_parses_seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(12));
        assert_eq!(parse_retry_after(&later, now), Some(Duration::from_secs(12)));
        let past = httpdate::fmt_http_date(now - Duration::from_secs(12));
        assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-3", now), None);
    }
}
