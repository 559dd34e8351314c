//! Sync ids are KSUIDs: 27 base62 characters (a 4-byte timestamp and 16 random bytes).

use chrono::{DateTime, Utc};
use svix_ksuid::{KSUID_EPOCH, Ksuid};

/// Length of a KSUID in its base62 text form.
pub const SYNC_ID_LEN: usize = 27;

/// A new KSUID whose timestamp is `now` (so an injected clock shows in the id too).
pub(crate) fn new_sync_id(now: DateTime<Utc>) -> String {
    let seconds = u32::try_from(now.timestamp() - KSUID_EPOCH).unwrap_or(0);
    Ksuid::new_raw(seconds, None).to_string()
}

/// Whether `id` looks like a KSUID: exactly 27 ASCII letters and digits.
pub fn is_valid_sync_id(id: &str) -> bool {
    id.len() == SYNC_ID_LEN && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn generated_ids_are_valid_distinct_and_carry_the_clock() {
        let now = Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).single().expect("valid time");
        let a = new_sync_id(now);
        let b = new_sync_id(now);
        assert!(is_valid_sync_id(&a), "{a}");
        assert_ne!(a, b, "the payload is random");
        let parsed: Ksuid = a.parse().expect("parses back");
        assert_eq!(i64::from(parsed.timestamp_raw()) + KSUID_EPOCH, now.timestamp());
    }

    #[test]
    fn rejects_malformed_ids() {
        assert!(is_valid_sync_id("3ARefY5G8eOytquwYgm41Nq07IZ"));
        assert!(!is_valid_sync_id("3ARefY5G8eOytquwYgm41Nq07I"));
        assert!(!is_valid_sync_id("3ARefY5G8eOytquwYgm41Nq07I-"));
        assert!(!is_valid_sync_id(""));
    }
}
